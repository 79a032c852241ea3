/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-pit (8254) through the test protocol: counter 0 on ISA IRQ 0,
 * counter 2 through port 0x61. Times are counted in PIT clocks from the
 * moment a count is written (the virtual clock only moves when stepped).
 */
#include "bptest.h"

#include <string.h>

#define PIT_HZ 1193182LL
#define CTR0 0x40
#define CTR2 0x42
#define CTRL 0x43
#define PORT61 0x61

/* ns from a count's start to the moment `ticks` clocks have passed */
static int64_t tick_ns(int64_t ticks)
{
    return (ticks * 1000000000LL + PIT_HZ - 1) / PIT_HZ;
}

typedef struct Clock {
    BpTest *t;
    int64_t at;                   /* ns since the count was written */
} Clock;

/* Step to a point half a clock after `ticks` clocks. */
static void step_to(Clock *c, int64_t ticks)
{
    int64_t target = (tick_ns(ticks) + tick_ns(ticks + 1)) / 2;

    g_assert_cmpint(target, >=, c->at);
    bp_test_clock_step(c->t, target - c->at);
    c->at = target;
}

static BpTest *pit_start(void)
{
    BpTest *t = bp_test_start("-M none -nodefaults -device isa-pit");

    bp_test_irq_intercept(t);
    return t;
}

static void write_count(BpTest *t, uint16_t port, uint16_t v)
{
    bp_test_outb(t, port, v & 0xff);
    bp_test_outb(t, port, v >> 8);
}

static uint16_t latch_read(BpTest *t, int counter)
{
    uint16_t v;

    bp_test_outb(t, CTRL, counter << 6);
    v = bp_test_inb(t, CTR0 + counter);
    return v | bp_test_inb(t, CTR0 + counter) << 8;
}

static bool out2(BpTest *t)
{
    return bp_test_inb(t, PORT61) & 0x20;
}

static void test_mode2_irq(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x34);
    write_count(t, CTR0, 1193);
    g_assert_true(bp_test_irq_level(t, 0));
    for (int period = 0; period < 3; period++) {
        step_to(&c, period * 1193 + 1191);
        g_assert_true(bp_test_irq_level(t, 0));
        step_to(&c, period * 1193 + 1192);      /* count 1: output low */
        g_assert_false(bp_test_irq_level(t, 0));
        step_to(&c, period * 1193 + 1193);      /* reload: high again */
        g_assert_true(bp_test_irq_level(t, 0));
    }
}

static void test_latch_and_lsb_msb(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x34);
    write_count(t, CTR0, 1000);
    step_to(&c, 100);
    bp_test_outb(t, CTRL, 0x00);                /* latch counter 0 */
    step_to(&c, 200);
    g_assert_cmpuint(bp_test_inb(t, CTR0), ==, 900 & 0xff);
    g_assert_cmpuint(bp_test_inb(t, CTR0), ==, 900 >> 8);
    /* Unlatched reads follow the counter. */
    g_assert_cmpuint(latch_read(t, 0), ==, 800);
    /* LSB-only access mode. */
    bp_test_outb(t, CTRL, 0x14);
    bp_test_outb(t, CTR0, 50);
    c.at = 0;
    step_to(&c, 10);
    g_assert_cmpuint(bp_test_inb(t, CTR0), ==, 40);
    g_assert_cmpuint(bp_test_inb(t, CTR0), ==, 40);
}

static void test_readback(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x34);
    /* Null count until a count is written. */
    bp_test_outb(t, CTRL, 0xe2);
    g_assert_cmphex(bp_test_inb(t, CTR0), ==, 0x40 | 0x80 | 0x34);
    write_count(t, CTR0, 2000);
    step_to(&c, 500);
    bp_test_outb(t, CTRL, 0xc2);                /* count and status */
    g_assert_cmphex(bp_test_inb(t, CTR0), ==, 0x80 | 0x34);
    g_assert_cmpuint(bp_test_inb(t, CTR0), ==, 1500 & 0xff);
    g_assert_cmpuint(bp_test_inb(t, CTR0), ==, 1500 >> 8);
    /* Counter 2 in mode 0, gate low: output low, status says so. */
    bp_test_outb(t, CTRL, 0xb0);
    write_count(t, CTR2, 10);
    bp_test_outb(t, CTRL, 0xe8);
    g_assert_cmphex(bp_test_inb(t, CTR2), ==, 0x30);
}

static void test_bcd(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x35);
    write_count(t, CTR0, 0x1000);               /* 1000 in BCD */
    step_to(&c, 100);
    g_assert_cmphex(latch_read(t, 0), ==, 0x0900);
    step_to(&c, 1003);
    g_assert_cmphex(latch_read(t, 0), ==, 0x0997);
}

static void test_mode0_gate(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, PORT61, 0x00);
    bp_test_outb(t, CTRL, 0xb0);
    write_count(t, CTR2, 100);
    step_to(&c, 1000);
    /* Gate low: no counting, output low. */
    g_assert_false(out2(t));
    g_assert_cmpuint(latch_read(t, 2), ==, 100);
    bp_test_outb(t, PORT61, 0x01);
    c.at = 0;
    step_to(&c, 99);
    g_assert_false(out2(t));
    step_to(&c, 100);
    g_assert_true(out2(t));
    g_assert_cmphex(bp_test_inb(t, PORT61) & 0x0f, ==, 0x01);
}

static void test_mode3_square(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x36);
    write_count(t, CTR0, 1000);
    step_to(&c, 499);
    g_assert_true(bp_test_irq_level(t, 0));
    step_to(&c, 500);
    g_assert_false(bp_test_irq_level(t, 0));
    step_to(&c, 999);
    g_assert_false(bp_test_irq_level(t, 0));
    step_to(&c, 1000);
    g_assert_true(bp_test_irq_level(t, 0));
    step_to(&c, 1500);
    g_assert_false(bp_test_irq_level(t, 0));
}

static void test_mode4_strobe(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x38);
    write_count(t, CTR0, 300);
    step_to(&c, 299);
    g_assert_true(bp_test_irq_level(t, 0));
    step_to(&c, 300);
    g_assert_false(bp_test_irq_level(t, 0));
    step_to(&c, 301);
    g_assert_true(bp_test_irq_level(t, 0));
    step_to(&c, 5000);                          /* one strobe only */
    g_assert_true(bp_test_irq_level(t, 0));
}

static void test_mode1_mode5_trigger(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, PORT61, 0x00);
    bp_test_outb(t, CTRL, 0xb2);                /* counter 2, mode 1 */
    write_count(t, CTR2, 100);
    step_to(&c, 500);
    g_assert_true(out2(t));                     /* waits for a trigger */
    bp_test_outb(t, PORT61, 0x01);              /* rising gate: one-shot */
    c.at = 0;
    step_to(&c, 50);
    g_assert_false(out2(t));
    step_to(&c, 100);
    g_assert_true(out2(t));
    /* Mode 5: a strobe one clock long at the count after the trigger. */
    bp_test_outb(t, PORT61, 0x00);
    bp_test_outb(t, CTRL, 0xba);
    write_count(t, CTR2, 40);
    bp_test_outb(t, PORT61, 0x01);
    c.at = 0;
    step_to(&c, 39);
    g_assert_true(out2(t));
    step_to(&c, 40);
    g_assert_false(out2(t));
    step_to(&c, 41);
    g_assert_true(out2(t));
}

static void test_mode2_new_count_at_period_end(void)
{
    g_autoptr(BpTest) t = pit_start();
    Clock c = { t, 0 };

    bp_test_outb(t, CTRL, 0x34);
    write_count(t, CTR0, 1000);
    step_to(&c, 300);
    write_count(t, CTR0, 500);
    step_to(&c, 900);
    g_assert_cmpuint(latch_read(t, 0), ==, 100);
    step_to(&c, 1100);
    g_assert_cmpuint(latch_read(t, 0), ==, 400);
    /* Periods of 500 from then on: the next low clock is 1000 + 499. */
    step_to(&c, 1498);
    g_assert_true(bp_test_irq_level(t, 0));
    step_to(&c, 1499);
    g_assert_false(bp_test_irq_level(t, 0));
}

static void test_port61(void)
{
    g_autoptr(BpTest) t = pit_start();
    uint8_t a, b;

    a = bp_test_inb(t, PORT61) & 0x10;
    bp_test_clock_step(t, 15085);
    b = bp_test_inb(t, PORT61) & 0x10;
    g_assert_cmphex(a ^ b, ==, 0x10);
    bp_test_outb(t, PORT61, 0xff);
    g_assert_cmphex(bp_test_inb(t, PORT61) & 0xcf, ==, 0x0f);
    /* The 8254's control register cannot be read. */
    g_assert_cmphex(bp_test_inb(t, CTRL), ==, 0xff);
}

static void test_no_port61_no_irq(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults "
                                        "-device isa-pit,port61=off,irq=-1");

    bp_test_irq_intercept(t);
    g_assert_cmphex(bp_test_inb(t, PORT61), ==, 0xff);
    bp_test_outb(t, CTRL, 0x34);
    write_count(t, CTR0, 10);
    bp_test_clock_step(t, 100000);
    g_assert_false(bp_test_irq_level(t, 0));
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
    expect_failure("-device isa-pit,iobase=0x41", "iobase");
    expect_failure("-device isa-pit,irq=16", "irq");
    expect_failure("-device isa-pit,irq=-2", "irq");
    expect_failure("-device isa-pit -device isa-pit,iobase=0x48", "isa-pit");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pit/mode2-irq", test_mode2_irq);
    g_test_add_func("/pit/latch-lsb-msb", test_latch_and_lsb_msb);
    g_test_add_func("/pit/read-back", test_readback);
    g_test_add_func("/pit/bcd", test_bcd);
    g_test_add_func("/pit/mode0-gate", test_mode0_gate);
    g_test_add_func("/pit/mode3-square", test_mode3_square);
    g_test_add_func("/pit/mode4-strobe", test_mode4_strobe);
    g_test_add_func("/pit/mode1-mode5", test_mode1_mode5_trigger);
    g_test_add_func("/pit/mode2-new-count", test_mode2_new_count_at_period_end);
    g_test_add_func("/pit/port61", test_port61);
    g_test_add_func("/pit/no-port61-no-irq", test_no_port61_no_irq);
    g_test_add_func("/pit/bad-props", test_bad_props);
    return g_test_run();
}
