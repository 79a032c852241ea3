/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* port92 (fast A20 and reset) through the test protocol. */
#include "bptest.h"

#include <string.h>

static void test_register(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device port92");

    g_assert_cmphex(bp_test_inb(t, 0x92), ==, 0x00);
    bp_test_outb(t, 0x92, 0x02);
    g_assert_cmphex(bp_test_inb(t, 0x92), ==, 0x02);
    bp_test_outb(t, 0x92, 0xca);
    g_assert_cmphex(bp_test_inb(t, 0x92), ==, 0xca);
    g_assert_cmpuint(bp_test_qmp_pending_events(t), ==, 0);
}

static void test_fast_reset(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device port92");

    bp_test_outb(t, 0x92, 0x02);
    bp_test_outb(t, 0x92, 0x03);
    g_autoptr(JsonNode) ev = bp_test_qmp_event(t, "RESET");
    g_assert_nonnull(ev);
    /* The machine reset cleared the register (and A20 with it). */
    g_assert_cmphex(bp_test_inb(t, 0x92), ==, 0x00);
}

static void test_reset_no_reboot(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -no-reboot -device port92");

    bp_test_send(t, "outb 0x92 0x01");
    g_assert_cmpint(bp_test_wait_exit(t), ==, 0);
}

static void test_iobase(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device port92,iobase=0x1092");

    bp_test_outb(t, 0x1092, 0x02);
    g_assert_cmphex(bp_test_inb(t, 0x1092), ==, 0x02);
    g_assert_cmphex(bp_test_inb(t, 0x92), ==, 0xff);
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
    expect_failure("-device port92,iobase=0x10000", "iobase");
    expect_failure("-device port92,iobase=-1", "iobase");
    expect_failure("-device port92 -device port92", "port92");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/port92/register", test_register);
    g_test_add_func("/port92/fast-reset", test_fast_reset);
    g_test_add_func("/port92/no-reboot", test_reset_no_reboot);
    g_test_add_func("/port92/iobase", test_iobase);
    g_test_add_func("/port92/bad-props", test_bad_props);
    return g_test_run();
}
