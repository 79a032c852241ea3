/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* isa-parallel through the test protocol. */
#include "bptest.h"

#include <string.h>

#define LPT1 0x378
#define DATA 0
#define STATUS 1
#define CONTROL 2

static BpTest *lpt_start(const char *extra)
{
    BpTest *t = bp_test_start("-M none -nodefaults -chardev ringbuf,id=p0 "
                              "-device isa-parallel,chardev=p0%s", extra);
    bp_test_irq_intercept(t);
    return t;
}

static const char *chardev_text(BpTest *t, const char *id)
{
    const char *s = bp_test_chardev_read(t, id);

    return s ? s : "";
}

/* What a printer driver does for one byte. */
static void print_byte(BpTest *t, uint16_t base, uint8_t v, uint8_t ctrl)
{
    bp_test_outb(t, base + DATA, v);
    bp_test_outb(t, base + CONTROL, ctrl | 0x01);
    bp_test_outb(t, base + CONTROL, ctrl);
}

static void test_registers(void)
{
    g_autoptr(BpTest) t = lpt_start("");

    g_assert_cmphex(bp_test_inb(t, LPT1 + CONTROL), ==, 0xcc);
    /* Idle printer: not busy, no ACK, selected, no error, no IRQ. */
    g_assert_cmphex(bp_test_inb(t, LPT1 + STATUS), ==, 0xdf);
    bp_test_outb(t, LPT1 + DATA, 0xaa);
    g_assert_cmphex(bp_test_inb(t, LPT1 + DATA), ==, 0xaa);
    bp_test_outb(t, LPT1 + DATA, 0x55);
    g_assert_cmphex(bp_test_inb(t, LPT1 + DATA), ==, 0x55);
    /* Input direction: nothing drives the lines. */
    bp_test_outb(t, LPT1 + CONTROL, 0x2c);
    g_assert_cmphex(bp_test_inb(t, LPT1 + DATA), ==, 0xff);
}

static void test_print_busy_ack_irq(void)
{
    g_autoptr(BpTest) t = lpt_start("");

    print_byte(t, LPT1, 'H', 0x1c);             /* IRQ enabled */
    g_assert_cmpstr(chardev_text(t, "p0"), ==, "H");
    /* Busy, ACK# low until the printer acknowledges. */
    g_assert_cmphex(bp_test_inb(t, LPT1 + STATUS) & 0xc0, ==, 0x00);
    g_assert_false(bp_test_irq_level(t, 7));
    bp_test_clock_step(t, 10000);
    g_assert_true(bp_test_irq_level(t, 7));
    g_assert_cmphex(bp_test_inb(t, LPT1 + STATUS), ==, 0xdb);
    /* Reading the status acknowledged the interrupt. */
    g_assert_false(bp_test_irq_level(t, 7));
    g_assert_cmphex(bp_test_inb(t, LPT1 + STATUS), ==, 0xdf);
    print_byte(t, LPT1, 'i', 0x0c);             /* IRQ disabled */
    bp_test_clock_step(t, 10000);
    g_assert_false(bp_test_irq_level(t, 7));
    g_assert_cmpstr(chardev_text(t, "p0"), ==, "i");
}

static void test_strobe_rules(void)
{
    g_autoptr(BpTest) t = lpt_start("");

    /* Strobe while busy: the byte is lost. */
    print_byte(t, LPT1, 'a', 0x0c);
    print_byte(t, LPT1, 'b', 0x0c);
    bp_test_clock_step(t, 10000);
    g_assert_cmpstr(chardev_text(t, "p0"), ==, "a");
    /* INIT# asserted (bit 2 low): the printer is resetting, ignores it. */
    print_byte(t, LPT1, 'c', 0x08);
    bp_test_clock_step(t, 10000);
    g_assert_cmpstr(chardev_text(t, "p0"), ==, "");
}

static void test_index(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device isa-parallel,index=1");

    bp_test_outb(t, 0x278, 0x12);
    g_assert_cmphex(bp_test_inb(t, 0x278), ==, 0x12);
    g_assert_cmphex(bp_test_inb(t, 0x378), ==, 0xff);
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
    expect_failure("-device isa-parallel,index=3", "index");
    expect_failure("-device isa-parallel,iobase=0x379", "iobase");
    expect_failure("-device isa-parallel,irq=16", "irq");
    expect_failure("-device isa-parallel -device isa-parallel", "isa-parallel");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/parallel/registers", test_registers);
    g_test_add_func("/parallel/print-busy-ack-irq", test_print_busy_ack_irq);
    g_test_add_func("/parallel/strobe-rules", test_strobe_rules);
    g_test_add_func("/parallel/index", test_index);
    g_test_add_func("/parallel/bad-props", test_bad_props);
    return g_test_run();
}
