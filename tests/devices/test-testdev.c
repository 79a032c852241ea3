/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pc-testdev through the test protocol: QEMU's port and MMIO semantics. */
#include "bptest.h"

#include <string.h>

#define IOMEM 0xff000000ULL

static void test_ioport(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device pc-testdev");

    g_assert_cmphex(bp_test_inl(t, 0xe0), ==, 0);
    bp_test_outl(t, 0xe0, 0x12345678);
    g_assert_cmphex(bp_test_inl(t, 0xe0), ==, 0x12345678);
    g_assert_cmphex(bp_test_inb(t, 0xe1), ==, 0x56);
    g_assert_cmphex(bp_test_inw(t, 0xe2), ==, 0x1234);
    bp_test_outb(t, 0xe3, 0xab);
    g_assert_cmphex(bp_test_inl(t, 0xe0), ==, 0xab345678);
    bp_test_outw(t, 0xe0, 0xcdef);
    g_assert_cmphex(bp_test_inl(t, 0xe0), ==, 0xab34cdef);
    /* The byte window at 0xe8 shows the same register. */
    g_assert_cmphex(bp_test_inb(t, 0xe8), ==, 0xef);
    g_assert_cmphex(bp_test_inl(t, 0xe8), ==, 0xab34cdef);
    bp_test_outl(t, 0xe8, 0x01020304);
    g_assert_cmphex(bp_test_inl(t, 0xe0), ==, 0x01020304);
    /* The flush-page port takes writes and has no visible effect. */
    bp_test_outl(t, 0xe4, 0x1000);
    g_assert_cmphex(bp_test_inl(t, 0xe0), ==, 0x01020304);
}

static void test_irq_lines(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device pc-testdev");

    bp_test_irq_intercept(t);
    bp_test_outb(t, 0x2000 + 10, 1);
    g_assert_true(bp_test_irq_level(t, 10));
    bp_test_outb(t, 0x2000 + 10, 0);
    g_assert_false(bp_test_irq_level(t, 10));
    bp_test_outb(t, 0x2000 + 3, 0x80);
    g_assert_true(bp_test_irq_level(t, 3));
    /* IOAPIC-only lines 16-23 are not ISA lines: ignored. */
    bp_test_outb(t, 0x2000 + 20, 1);
    g_assert_true(bp_test_irq_level(t, 3));
}

static void test_iomem(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device pc-testdev");

    bp_test_writel(t, IOMEM, 0xdeadbeef);
    g_assert_cmphex(bp_test_readl(t, IOMEM), ==, 0xdeadbeef);
    g_assert_cmphex(bp_test_readb(t, IOMEM + 1), ==, 0xbe);
    bp_test_writeq(t, IOMEM + 0xfff8, 0x1122334455667788ULL);
    g_assert_cmphex(bp_test_readq(t, IOMEM + 0xfff8), ==, 0x1122334455667788ULL);
    g_assert_cmphex(bp_test_readw(t, IOMEM + 0xfffe), ==, 0x1122);
    /* Past the 64 KiB window: unmapped. */
    g_assert_cmphex(bp_test_readb(t, IOMEM + 0x10000), ==, 0xff);
}

static void test_conflict(void)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none "
                                     "-device pc-testdev -device pc-testdev");

    g_assert_cmpint(st, !=, 0);
    g_assert_nonnull(strstr(err, "pc-testdev"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/testdev/ioport", test_ioport);
    g_test_add_func("/testdev/irq-lines", test_irq_lines);
    g_test_add_func("/testdev/iomem", test_iomem);
    g_test_add_func("/testdev/conflict", test_conflict);
    return g_test_run();
}
