/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-pic (8259A pair) through the test protocol. The pair is wired as the
 * pc machine wires it, from a -readconfig file; requests come from the
 * ISA bus lines and the master's INT output is intercepted.
 */
#include "bptest.h"

#include <stdio.h>
#include <string.h>

#define M_CMD 0x20
#define M_DATA 0x21
#define S_CMD 0xa0
#define S_DATA 0xa1
#define ELCR0 0x4d0
#define ELCR1 0x4d1

static const char pic_config[] =
    "[device \"pic0\"]\n"
    "  driver = \"isa-pic\"\n"
    "  master = \"on\"\n"
    "  isa-irqs = \"on\"\n"
    "  slave = \"pic1\"\n"
    "[device \"pic1\"]\n"
    "  driver = \"isa-pic\"\n"
    "  master = \"off\"\n"
    "  isa-irqs = \"on\"\n"
    "[wire]\n"
    "  from = \"pic1.int[0]\"\n"
    "  to = \"pic0.irq[2]\"\n";

static BpTest *pic_start(void)
{
    g_autofree char *cfg = bp_test_path("pic.cfg");
    BpTest *t;

    g_assert_true(g_file_set_contents(cfg, pic_config, -1, NULL));
    t = bp_test_start("-M none -nodefaults -readconfig %s", cfg);
    bp_test_irq_intercept_out(t, "pic0 int");
    /* The BIOS's initialization: vectors 0x08 and 0x70, cascade on 2. */
    bp_test_outb(t, M_CMD, 0x11);
    bp_test_outb(t, M_DATA, 0x08);
    bp_test_outb(t, M_DATA, 0x04);
    bp_test_outb(t, M_DATA, 0x01);
    bp_test_outb(t, S_CMD, 0x11);
    bp_test_outb(t, S_DATA, 0x70);
    bp_test_outb(t, S_DATA, 0x02);
    bp_test_outb(t, S_DATA, 0x01);
    return t;
}

static void isa_irq(BpTest *t, int n, int level)
{
    bp_test_set_irq_in(t, "isa.0", "irq", n, level);
}

static bool intr(BpTest *t)
{
    return bp_test_irq_level(t, 0);
}

static uint8_t read_irr(BpTest *t, uint16_t cmd)
{
    bp_test_outb(t, cmd, 0x0a);
    return bp_test_inb(t, cmd);
}

static uint8_t read_isr(BpTest *t, uint16_t cmd)
{
    bp_test_outb(t, cmd, 0x0b);
    return bp_test_inb(t, cmd);
}

static uint8_t poll(BpTest *t, uint16_t cmd)
{
    bp_test_outb(t, cmd, 0x0c);
    return bp_test_inb(t, cmd);
}

static void test_edge_poll_eoi(void)
{
    g_autoptr(BpTest) t = pic_start();

    g_assert_false(intr(t));
    isa_irq(t, 3, 1);
    g_assert_true(intr(t));
    g_assert_cmphex(read_irr(t, M_CMD), ==, 0x08);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x83);
    g_assert_false(intr(t));
    g_assert_cmphex(read_irr(t, M_CMD), ==, 0x00);
    g_assert_cmphex(read_isr(t, M_CMD), ==, 0x08);
    bp_test_outb(t, M_CMD, 0x20);               /* non-specific EOI */
    g_assert_cmphex(read_isr(t, M_CMD), ==, 0x00);
    /* Edge: the line still high does not request again. */
    g_assert_false(intr(t));
    isa_irq(t, 3, 0);
    isa_irq(t, 3, 1);
    g_assert_true(intr(t));
    /* Nothing pending: poll answers 0. */
    g_assert_cmphex(poll(t, M_CMD), ==, 0x83);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x00);
}

static void test_mask(void)
{
    g_autoptr(BpTest) t = pic_start();

    bp_test_outb(t, M_DATA, 0x08);
    g_assert_cmphex(bp_test_inb(t, M_DATA), ==, 0x08);
    isa_irq(t, 3, 1);
    g_assert_false(intr(t));
    g_assert_cmphex(read_irr(t, M_CMD), ==, 0x08);
    bp_test_outb(t, M_DATA, 0x00);
    g_assert_true(intr(t));
}

static void test_priority_nesting(void)
{
    g_autoptr(BpTest) t = pic_start();

    isa_irq(t, 3, 1);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x83);
    isa_irq(t, 5, 1);                           /* lower priority: waits */
    g_assert_false(intr(t));
    isa_irq(t, 1, 1);                           /* higher: nests */
    g_assert_true(intr(t));
    g_assert_cmphex(poll(t, M_CMD), ==, 0x81);
    g_assert_cmphex(read_isr(t, M_CMD), ==, 0x0a);
    bp_test_outb(t, M_CMD, 0x20);               /* ends 1, the highest */
    g_assert_cmphex(read_isr(t, M_CMD), ==, 0x08);
    g_assert_false(intr(t));
    bp_test_outb(t, M_CMD, 0x63);               /* specific EOI for 3 */
    g_assert_true(intr(t));
    g_assert_cmphex(poll(t, M_CMD), ==, 0x85);
}

static void test_rotation(void)
{
    g_autoptr(BpTest) t = pic_start();

    isa_irq(t, 1, 1);
    isa_irq(t, 5, 1);
    bp_test_outb(t, M_CMD, 0xc3);               /* set priority: 3 lowest */
    g_assert_cmphex(poll(t, M_CMD), ==, 0x85);
    /* Rotate on non-specific EOI: 5 becomes lowest, 6 highest. */
    bp_test_outb(t, M_CMD, 0xa0);
    isa_irq(t, 7, 1);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x87);
}

static void test_level_elcr(void)
{
    g_autoptr(BpTest) t = pic_start();

    bp_test_outb(t, ELCR0, 0xff);
    /* IRQ 0, 1 and 2 cannot be level-triggered. */
    g_assert_cmphex(bp_test_inb(t, ELCR0), ==, 0xf8);
    bp_test_outb(t, ELCR0, 0x20);
    isa_irq(t, 5, 1);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x85);
    bp_test_outb(t, M_CMD, 0x20);
    /* Still asserted: requests again. */
    g_assert_true(intr(t));
    g_assert_cmphex(read_irr(t, M_CMD), ==, 0x20);
    isa_irq(t, 5, 0);
    g_assert_false(intr(t));
    g_assert_cmphex(read_irr(t, M_CMD), ==, 0x00);
    bp_test_outb(t, ELCR1, 0xff);
    g_assert_cmphex(bp_test_inb(t, ELCR1), ==, 0xde);
}

static void test_cascade(void)
{
    g_autoptr(BpTest) t = pic_start();

    isa_irq(t, 10, 1);
    g_assert_true(intr(t));
    g_assert_cmphex(read_irr(t, M_CMD), ==, 0x04);
    g_assert_cmphex(read_irr(t, S_CMD), ==, 0x04);
    g_assert_cmphex(poll(t, S_CMD), ==, 0x82);
    /* The slave's INT dropped with the acknowledge. */
    g_assert_cmphex(read_irr(t, M_CMD) & 0x04, ==, 0x04);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x82);
    g_assert_false(intr(t));
    /* Masking at the slave holds the request back. */
    bp_test_outb(t, S_DATA, 0x08);
    isa_irq(t, 11, 1);
    g_assert_cmphex(read_irr(t, S_CMD), ==, 0x08);
    bp_test_outb(t, S_CMD, 0x20);
    bp_test_outb(t, M_CMD, 0x20);
    g_assert_false(intr(t));
}

static void test_auto_eoi(void)
{
    g_autoptr(BpTest) t = pic_start();

    bp_test_outb(t, M_CMD, 0x11);
    bp_test_outb(t, M_DATA, 0x08);
    bp_test_outb(t, M_DATA, 0x04);
    bp_test_outb(t, M_DATA, 0x03);              /* AEOI */
    isa_irq(t, 4, 1);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x84);
    g_assert_cmphex(read_isr(t, M_CMD), ==, 0x00);
}

static void test_special_mask(void)
{
    g_autoptr(BpTest) t = pic_start();

    isa_irq(t, 3, 1);
    g_assert_cmphex(poll(t, M_CMD), ==, 0x83);
    isa_irq(t, 6, 1);
    g_assert_false(intr(t));
    bp_test_outb(t, M_DATA, 0x08);              /* mask the one in service */
    bp_test_outb(t, M_CMD, 0x68);               /* special mask mode on */
    g_assert_true(intr(t));
    g_assert_cmphex(poll(t, M_CMD), ==, 0x86);
    bp_test_outb(t, M_CMD, 0x48);               /* off again */
    isa_irq(t, 7, 1);
    g_assert_false(intr(t));
}

static void test_init_holds_int(void)
{
    g_autoptr(BpTest) t = pic_start();

    isa_irq(t, 4, 1);
    g_assert_true(intr(t));
    bp_test_outb(t, M_CMD, 0x11);               /* ICW1 clears IRR, IMR */
    g_assert_false(intr(t));
    bp_test_outb(t, M_DATA, 0x20);
    bp_test_outb(t, M_DATA, 0x04);
    bp_test_outb(t, M_DATA, 0x01);
    g_assert_false(intr(t));
    g_assert_cmphex(bp_test_inb(t, M_DATA), ==, 0x00);
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
    expect_failure("-device isa-pic,master=off,cpu-intr=on", "cpu-intr");
    expect_failure("-device isa-pic,master=off,slave=x", "slave");
    expect_failure("-device isa-pic,iobase=0x21", "iobase");
    expect_failure("-device isa-pic,elcr-mask=0x100", "elcr-mask");
    expect_failure("-device isa-pic,elcr-addr=0x10000", "elcr-addr");
    expect_failure("-device isa-pic -device isa-pic", "isa-pic");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pic/edge-poll-eoi", test_edge_poll_eoi);
    g_test_add_func("/pic/mask", test_mask);
    g_test_add_func("/pic/priority-nesting", test_priority_nesting);
    g_test_add_func("/pic/rotation", test_rotation);
    g_test_add_func("/pic/level-elcr", test_level_elcr);
    g_test_add_func("/pic/cascade", test_cascade);
    g_test_add_func("/pic/auto-eoi", test_auto_eoi);
    g_test_add_func("/pic/special-mask", test_special_mask);
    g_test_add_func("/pic/init-holds-int", test_init_holds_int);
    g_test_add_func("/pic/bad-props", test_bad_props);
    return g_test_run();
}
