/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mc146818rtc through the test protocol. The clock starts at a fixed base
 * and runs on the virtual clock, so every time here is exact.
 */
#include "bptest.h"

#include <string.h>

#define SEC 1000000000LL
#define MS 1000000LL
#define US 1000LL

#define REG_SEC 0x00
#define REG_SEC_ALARM 0x01
#define REG_MIN 0x02
#define REG_MIN_ALARM 0x03
#define REG_HOUR 0x04
#define REG_HOUR_ALARM 0x05
#define REG_DOW 0x06
#define REG_MDAY 0x07
#define REG_MON 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32

static BpTest *rtc_start(const char *extra)
{
    BpTest *t = bp_test_start("-M none -nodefaults -device mc146818rtc,id=rtc,"
                              "base=2006-06-17T16:01:21%s", extra);
    bp_test_irq_intercept(t);
    return t;
}

static uint8_t cmos_read(BpTest *t, uint8_t idx)
{
    bp_test_outb(t, 0x70, idx);
    return bp_test_inb(t, 0x71);
}

static void cmos_write(BpTest *t, uint8_t idx, uint8_t v)
{
    bp_test_outb(t, 0x70, idx);
    bp_test_outb(t, 0x71, v);
}

static void test_time_bcd(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x21);
    g_assert_cmphex(cmos_read(t, REG_MIN), ==, 0x01);
    g_assert_cmphex(cmos_read(t, REG_HOUR), ==, 0x16);
    g_assert_cmphex(cmos_read(t, REG_DOW), ==, 7);  /* a Saturday */
    g_assert_cmphex(cmos_read(t, REG_MDAY), ==, 0x17);
    g_assert_cmphex(cmos_read(t, REG_MON), ==, 0x06);
    g_assert_cmphex(cmos_read(t, REG_YEAR), ==, 0x06);
    g_assert_cmphex(cmos_read(t, REG_CENTURY), ==, 0x20);
    g_assert_cmphex(cmos_read(t, REG_D), ==, 0x80);
    bp_test_clock_step(t, SEC - 1);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x21);
    bp_test_clock_step(t, 1);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x22);
    bp_test_clock_step(t, 40 * SEC);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x02);
    g_assert_cmphex(cmos_read(t, REG_MIN), ==, 0x02);
}

static void test_binary_and_12h(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    cmos_write(t, REG_B, 0x06);                 /* binary, 24 h */
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 21);
    g_assert_cmphex(cmos_read(t, REG_HOUR), ==, 16);
    g_assert_cmphex(cmos_read(t, REG_CENTURY), ==, 20);
    cmos_write(t, REG_B, 0x00);                 /* BCD, 12 h */
    g_assert_cmphex(cmos_read(t, REG_HOUR), ==, 0x84);
    cmos_write(t, REG_B, 0x04);                 /* binary, 12 h */
    g_assert_cmphex(cmos_read(t, REG_HOUR), ==, 0x84);
}

static void test_set_and_rollover(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    cmos_write(t, REG_B, 0x82);                 /* SET: updates stop */
    cmos_write(t, REG_HOUR, 0x23);
    cmos_write(t, REG_MIN, 0x59);
    cmos_write(t, REG_SEC, 0x58);
    cmos_write(t, REG_MDAY, 0x30);
    bp_test_clock_step(t, 3 * SEC);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x58);
    cmos_write(t, REG_B, 0x02);
    bp_test_clock_step(t, 2 * SEC);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x00);
    g_assert_cmphex(cmos_read(t, REG_MIN), ==, 0x00);
    g_assert_cmphex(cmos_read(t, REG_HOUR), ==, 0x00);
    g_assert_cmphex(cmos_read(t, REG_MDAY), ==, 0x01);
    g_assert_cmphex(cmos_read(t, REG_MON), ==, 0x07);
    g_assert_cmphex(cmos_read(t, REG_DOW), ==, 7);  /* 2006-07-01 */
}

static void test_uip(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    g_assert_cmphex(cmos_read(t, REG_A), ==, 0x26);
    bp_test_clock_step(t, SEC - 300 * US);
    g_assert_cmphex(cmos_read(t, REG_A) & 0x80, ==, 0);
    bp_test_clock_step(t, 100 * US);
    g_assert_cmphex(cmos_read(t, REG_A) & 0x80, ==, 0x80);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x21);
    bp_test_clock_step(t, 200 * US);
    g_assert_cmphex(cmos_read(t, REG_A) & 0x80, ==, 0);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x22);
}

static void test_update_irq(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    cmos_write(t, REG_A, 0x20);                 /* no periodic flag */
    cmos_write(t, REG_B, 0x12);                 /* UIE */
    bp_test_clock_step(t, SEC / 2);
    g_assert_false(bp_test_irq_level(t, 8));
    bp_test_clock_step(t, SEC / 2);
    g_assert_true(bp_test_irq_level(t, 8));
    g_assert_cmphex(cmos_read(t, REG_C), ==, 0x90);
    g_assert_false(bp_test_irq_level(t, 8));
    g_assert_cmphex(cmos_read(t, REG_C), ==, 0x00);
}

static void test_periodic(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    /* Flags without the interrupt: PF only. 1024 Hz is 976.5625 us. */
    bp_test_clock_step(t, 977 * US);
    g_assert_cmphex(cmos_read(t, REG_C), ==, 0x40);
    cmos_write(t, REG_A, 0x2f);                 /* 2 Hz */
    cmos_write(t, REG_B, 0x42);                 /* PIE */
    bp_test_clock_step(t, 498 * MS);
    g_assert_false(bp_test_irq_level(t, 8));
    bp_test_clock_step(t, 2 * MS);
    g_assert_true(bp_test_irq_level(t, 8));
    g_assert_cmphex(cmos_read(t, REG_C), ==, 0xc0);
    g_assert_false(bp_test_irq_level(t, 8));
    bp_test_clock_step(t, 500 * MS);
    g_assert_true(bp_test_irq_level(t, 8));
    /* The one-second boundary also set UF (interrupt not enabled). */
    g_assert_cmphex(cmos_read(t, REG_C), ==, 0xd0);
}

static void test_alarm(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    cmos_write(t, REG_A, 0x20);
    cmos_write(t, REG_SEC_ALARM, 0x25);
    cmos_write(t, REG_MIN_ALARM, 0x01);
    cmos_write(t, REG_HOUR_ALARM, 0x16);
    cmos_write(t, REG_B, 0x22);                 /* AIE */
    bp_test_clock_step(t, 3 * SEC);
    g_assert_false(bp_test_irq_level(t, 8));
    bp_test_clock_step(t, SEC);
    g_assert_true(bp_test_irq_level(t, 8));
    g_assert_cmphex(cmos_read(t, REG_C), ==, 0xb0);
    /* "Don't care" hours and minutes: every minute at :30. */
    cmos_write(t, REG_SEC_ALARM, 0x30);
    cmos_write(t, REG_MIN_ALARM, 0xff);
    cmos_write(t, REG_HOUR_ALARM, 0xc0);
    bp_test_clock_step(t, 4 * SEC);             /* 16:01:29 */
    g_assert_false(bp_test_irq_level(t, 8));
    bp_test_clock_step(t, SEC);
    g_assert_true(bp_test_irq_level(t, 8));
    cmos_read(t, REG_C);
    bp_test_clock_step(t, 59 * SEC);
    g_assert_false(bp_test_irq_level(t, 8));
    bp_test_clock_step(t, SEC);
    g_assert_true(bp_test_irq_level(t, 8));
}

static void test_divider_reset(void)
{
    g_autoptr(BpTest) t = rtc_start("");

    cmos_write(t, REG_A, 0x76);                 /* hold the divider */
    bp_test_clock_step(t, 5 * SEC);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x21);
    cmos_write(t, REG_A, 0x26);
    bp_test_clock_step(t, 499 * MS);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x21);
    bp_test_clock_step(t, 1 * MS);
    g_assert_cmphex(cmos_read(t, REG_SEC), ==, 0x22);
}

static void test_cmos_ram_and_memory(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -m 256M "
                                        "-device mc146818rtc,cmos=0x10=0x40;0x3d=0x02");
    unsigned sum = 0;

    cmos_write(t, 0x50, 0xa5);
    g_assert_cmphex(cmos_read(t, 0x50), ==, 0xa5);
    /* Index bit 7 masks NMI; the index is the low 7 bits. */
    bp_test_outb(t, 0x70, 0x80 | 0x50);
    g_assert_cmphex(bp_test_inb(t, 0x71), ==, 0xa5);
    g_assert_cmphex(cmos_read(t, 0x15), ==, 0x80);      /* 640 KiB */
    g_assert_cmphex(cmos_read(t, 0x16), ==, 0x02);
    /* Extended memory in KiB saturates at 0xffff (64 MiB). */
    g_assert_cmphex(cmos_read(t, 0x17), ==, 0xff);
    g_assert_cmphex(cmos_read(t, 0x18), ==, 0xff);
    g_assert_cmphex(cmos_read(t, 0x30), ==, 0xff);
    g_assert_cmphex(cmos_read(t, 0x31), ==, 0xff);
    g_assert_cmphex(cmos_read(t, 0x34), ==, 0x00);      /* 240 MiB / 64 KiB */
    g_assert_cmphex(cmos_read(t, 0x35), ==, 0x0f);
    g_assert_cmphex(cmos_read(t, 0x5b), ==, 0x00);
    g_assert_cmphex(cmos_read(t, 0x14), ==, 0x06);
    g_assert_cmphex(cmos_read(t, 0x5f), ==, 0x00);
    g_assert_cmphex(cmos_read(t, 0x10), ==, 0x40);
    g_assert_cmphex(cmos_read(t, 0x3d), ==, 0x02);
    for (int i = 0x10; i <= 0x2d; i++) {
        sum += cmos_read(t, i);
    }
    g_assert_cmphex(cmos_read(t, 0x2e), ==, sum >> 8);
    g_assert_cmphex(cmos_read(t, 0x2f), ==, sum & 0xff);
}

static void test_nmi_mask_gpio(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device mc146818rtc,id=rtc");

    bp_test_irq_intercept_out(t, "rtc nmi-mask");
    g_assert_false(bp_test_irq_level(t, 0));
    bp_test_outb(t, 0x70, 0x8f);
    g_assert_true(bp_test_irq_level(t, 0));
    bp_test_outb(t, 0x70, 0x0f);
    g_assert_false(bp_test_irq_level(t, 0));
}

static void test_rtc_option(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -rtc base=2010-01-02 "
                                        "-device mc146818rtc");

    g_assert_cmphex(cmos_read(t, REG_YEAR), ==, 0x10);
    g_assert_cmphex(cmos_read(t, REG_MON), ==, 0x01);
    g_assert_cmphex(cmos_read(t, REG_MDAY), ==, 0x02);
    g_assert_cmphex(cmos_read(t, REG_HOUR), ==, 0x00);
}

static void expect_failure(const char *args, const char *word)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none %s", args);

    g_assert_cmpint(st, !=, 0);
    g_assert_nonnull(strstr(err, word));
}

static void test_bad_props(void)
{
    expect_failure("-device mc146818rtc,base=yesterday", "base");
    expect_failure("-device mc146818rtc,base=2006-02-30", "base");
    expect_failure("-device mc146818rtc,iobase=0x71", "iobase");
    expect_failure("-device mc146818rtc,irq=16", "irq");
    expect_failure("-device mc146818rtc,lowmem=0", "lowmem");
    expect_failure("-device mc146818rtc,cpus=0", "cpus");
    expect_failure("-device mc146818rtc,cmos=0x05=1", "cmos");
    expect_failure("-device mc146818rtc,cmos=0x40=0x100", "cmos");
    expect_failure("-device mc146818rtc -device mc146818rtc", "mc146818rtc");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtc/time-bcd", test_time_bcd);
    g_test_add_func("/rtc/binary-12h", test_binary_and_12h);
    g_test_add_func("/rtc/set-rollover", test_set_and_rollover);
    g_test_add_func("/rtc/uip", test_uip);
    g_test_add_func("/rtc/update-irq", test_update_irq);
    g_test_add_func("/rtc/periodic", test_periodic);
    g_test_add_func("/rtc/alarm", test_alarm);
    g_test_add_func("/rtc/divider-reset", test_divider_reset);
    g_test_add_func("/rtc/cmos-memory", test_cmos_ram_and_memory);
    g_test_add_func("/rtc/nmi-mask", test_nmi_mask_gpio);
    g_test_add_func("/rtc/rtc-option", test_rtc_option);
    g_test_add_func("/rtc/bad-props", test_bad_props);
    return g_test_run();
}
