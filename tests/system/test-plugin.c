/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The example plugin (examples/isa-scratch), built out of tree against an
 * installed SDK, loaded with -L / BACKPLANE_MODULE_PATH into an installed
 * backplane. Run by tests/system/example-plugin.sh, which builds it and
 * sets BP_BACKPLANE (the installed binary) and BP_PLUGIN_DIR.
 */
#include "bptest.h"

#include <string.h>

static const char *plugin_dir(void)
{
    const char *d = g_getenv("BP_PLUGIN_DIR");

    g_assert_nonnull(d);
    return d;
}

static void check_registers(BpTest *t, uint16_t base)
{
    bp_test_outb(t, base, 0x12);
    bp_test_outb(t, base + 1, 0x34);
    g_assert_cmphex(bp_test_inb(t, base), ==, 0x12);
    g_assert_cmphex(bp_test_inb(t, base + 1), ==, 0x34);
    g_assert_cmphex(bp_test_inb(t, base + 2), ==, 0x26);
    /* The XOR port is read-only. */
    bp_test_outb(t, base + 2, 0xff);
    g_assert_cmphex(bp_test_inb(t, base + 2), ==, 0x26);
}

static void test_cmdline(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -L '%s' "
                                        "-device isa-scratch,init=0x5a", plugin_dir());

    /* Reset put `init` in both registers. */
    g_assert_cmphex(bp_test_inb(t, 0x520), ==, 0x5a);
    g_assert_cmphex(bp_test_inb(t, 0x522), ==, 0x00);
    check_registers(t, 0x520);

    g_autofree char *mods = bp_test_hmp(t, "info modules");
    g_assert_nonnull(strstr(mods, "scratch"));
    g_assert_nonnull(strstr(mods, plugin_dir()));
    g_assert_cmpint(bp_test_quit(t), ==, 0);
}

static void test_hotplug(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -L '%s'", plugin_dir());

    g_autofree char *before = bp_test_hmp(t, "info modules");
    g_assert_null(strstr(before, "scratch"));
    g_autoptr(JsonNode) add = bp_test_qmp(t, "{'execute': 'device_add', 'arguments': "
                                             "{'driver': 'isa-scratch', 'id': 's0', "
                                             "'iobase': 1328}}");
    bp_test_qmp_assert_ok(add);
    check_registers(t, 0x530);
    g_autoptr(JsonNode) del = bp_test_qmp(t, "{'execute': 'device_del', "
                                             "'arguments': {'id': 's0'}}");
    bp_test_qmp_assert_ok(del);
    g_autoptr(JsonNode) ev = bp_test_qmp_event(t, "DEVICE_DELETED");
    g_assert_cmphex(bp_test_inb(t, 0x530), ==, 0xff);
    g_autofree char *after = bp_test_hmp(t, "info modules");
    g_assert_null(strstr(after, "scratch"));
}

static void test_module_path_env(void)
{
    g_setenv("BACKPLANE_MODULE_PATH", plugin_dir(), TRUE);
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device isa-scratch");
    g_unsetenv("BACKPLANE_MODULE_PATH");

    check_registers(t, 0x520);
}

static void test_device_help(void)
{
    g_autofree char *out = NULL, *err = NULL;
    int st = bp_test_run(&out, &err, "-L '%s' -device help", plugin_dir());

    g_assert_cmpint(st, ==, 0);
    g_assert_nonnull(strstr(out, "isa-scratch"));
    g_autofree char *out2 = NULL;
    st = bp_test_run(&out2, NULL, "-L '%s' -device isa-scratch,help", plugin_dir());
    g_assert_cmpint(st, ==, 0);
    g_assert_nonnull(strstr(out2, "iobase"));
    g_assert_nonnull(strstr(out2, "init"));
}

static void test_unknown_without_path(void)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none "
                                     "-device isa-scratch");

    g_assert_cmpint(st, ==, 1);
    g_assert_nonnull(strstr(err, "isa-scratch"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/plugin/cmdline", test_cmdline);
    g_test_add_func("/plugin/hotplug", test_hotplug);
    g_test_add_func("/plugin/module-path-env", test_module_path_env);
    g_test_add_func("/plugin/device-help", test_device_help);
    g_test_add_func("/plugin/unknown-without-path", test_unknown_without_path);
    return g_test_run();
}
