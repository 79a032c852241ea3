/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-debugcon and isa-debug-exit through the test protocol, and the
 * "debug" module's life: loaded on first use, hot plugged and unplugged
 * over QMP, closed with its last device, loaded again on the next one.
 */
#include "bptest.h"

#include <string.h>

/* Is a module called "debug" listed by `info modules`? */
static bool debug_module_loaded(BpTest *t)
{
    g_autofree char *out = bp_test_hmp(t, "info modules");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);

    for (int i = 0; lines[i]; i++) {
        g_autofree char *l = g_strstrip(g_strdup(lines[i]));
        if (g_str_has_prefix(l, "debug") &&
            (l[5] == '\0' || l[5] == ' ' || l[5] == ':' || l[5] == '\t' || l[5] == '(')) {
            return true;
        }
    }
    return false;
}

static void device_del(BpTest *t, const char *id)
{
    g_autoptr(JsonNode) r = bp_test_qmp(t, "{'execute': 'device_del', 'arguments': {'id': '%s'}}",
                                        id);
    bp_test_qmp_assert_ok(r);
    g_autoptr(JsonNode) ev = bp_test_qmp_event(t, "DEVICE_DELETED");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_nonnull(data);
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, id);
}

static void test_debugcon_file(void)
{
    g_autofree char *out = bp_test_path("debugcon.out");
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev file,id=c0,path=%s "
                                        "-device isa-debugcon,chardev=c0", out);

    bp_test_outb(t, 0xe9, 'o');
    bp_test_outb(t, 0xe9, 'k');
    bp_test_outb(t, 0xe9, '\n');
    g_autofree char *text = bp_test_file_wait(out, 3);
    g_assert_cmpstr(text, ==, "ok\n");
}

static void test_debugcon_readback(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev null,id=c0 "
                                        "-device isa-debugcon,chardev=c0 "
                                        "-chardev null,id=c1 "
                                        "-device isa-debugcon,chardev=c1,iobase=0x402,readback=0x42");

    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xe9);
    g_assert_cmphex(bp_test_inb(t, 0x402), ==, 0x42);
    /* One port each: the neighbours stay unmapped. */
    g_assert_cmphex(bp_test_inb(t, 0xea), ==, 0xff);
    g_assert_cmphex(bp_test_inb(t, 0x403), ==, 0xff);
}

static void test_debugcon_ringbuf(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev ringbuf,id=c0 "
                                        "-device isa-debugcon,chardev=c0");

    bp_test_outb(t, 0xe9, 'A');
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "A");
    bp_test_outb(t, 0xe9, 'B');
    bp_test_outb(t, 0xe9, 'C');
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "BC");
}

/* The issue's own command line: debugcon on the terminal. */
static void test_debugcon_stdio(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev stdio,id=c0 "
                                        "-device isa-debugcon,chardev=c0");
    const char *msg = "hello from 0xe9\n";

    for (const char *p = msg; *p; p++) {
        bp_test_outb(t, 0xe9, *p);
    }
    g_assert_cmpint(bp_test_quit(t), ==, 0);
    g_autofree char *text = bp_test_stdout(t);
    g_assert_nonnull(strstr(text, msg));
}

static void test_debugcon_needs_chardev(void)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none "
                                     "-device isa-debugcon");

    g_assert_cmpint(st, ==, 1);
    g_assert_nonnull(strstr(err, "chardev"));
}

static void test_debugcon_bad_readback(void)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none -chardev null,id=c0 "
                                     "-device isa-debugcon,chardev=c0,readback=0x100");

    g_assert_cmpint(st, ==, 1);
    g_assert_nonnull(strstr(err, "readback"));
}

static void test_port_conflict(void)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none "
                                     "-chardev null,id=c0 -chardev null,id=c1 "
                                     "-device isa-debugcon,chardev=c0 "
                                     "-device isa-debugcon,chardev=c1");

    g_assert_cmpint(st, ==, 1);
    g_assert_nonnull(strstr(err, "isa-debugcon"));
}

static int debug_exit_status(const char *props, const char *cmd)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device isa-debug-exit%s", props);

    /* The process ends inside the write: no reply is guaranteed. */
    bp_test_send(t, "%s", cmd);
    return bp_test_wait_exit(t);
}

static void test_debug_exit(void)
{
    g_assert_cmpint(debug_exit_status("", "outb 0x501 0x0"), ==, 1);
    g_assert_cmpint(debug_exit_status("", "outb 0x501 0x1"), ==, 3);
    g_assert_cmpint(debug_exit_status("", "outb 0x502 0x20"), ==, 0x41);
    g_assert_cmpint(debug_exit_status(",iobase=0xf4,iosize=4", "outl 0xf4 0x10"), ==, 0x21);
    /* Only the low 8 bits of an exit status reach the parent. */
    g_assert_cmpint(debug_exit_status(",iobase=0xf4", "outb 0xf4 0x80"), ==, 1);
}

static void test_debug_exit_ports(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults "
                                        "-device isa-debug-exit,iobase=0xf4,iosize=1");

    /* Writes elsewhere, and reads, do not exit. */
    bp_test_outb(t, 0xf5, 1);
    bp_test_outb(t, 0x501, 1);
    g_assert_cmphex(bp_test_inb(t, 0xf4), ==, 0xff);
    g_assert_cmpint(bp_test_quit(t), ==, 0);
}

static void test_debug_exit_bad_props(void)
{
    g_autofree char *e1 = NULL, *e2 = NULL;

    g_assert_cmpint(bp_test_run(NULL, &e1, "-M none -nodefaults -display none "
                                           "-device isa-debug-exit,iosize=0"), ==, 1);
    g_assert_nonnull(strstr(e1, "iosize"));
    g_assert_cmpint(bp_test_run(NULL, &e2, "-M none -nodefaults -display none "
                                           "-device isa-debug-exit,iobase=0xffff,iosize=2"),
                    ==, 1);
    g_assert_nonnull(strstr(e2, "iobase"));
}

/* Nothing names a debug device: the module stays on disk. */
static void test_module_not_loaded(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults");

    g_assert_false(debug_module_loaded(t));
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xff);
}

static void test_hotplug_qmp(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev ringbuf,id=c0");

    g_assert_false(debug_module_loaded(t));

    g_autoptr(JsonNode) add = bp_test_qmp(t, "{'execute': 'device_add', 'arguments': "
                                             "{'driver': 'isa-debugcon', 'id': 'dc0', "
                                             "'chardev': 'c0'}}");
    bp_test_qmp_assert_ok(add);
    g_assert_true(debug_module_loaded(t));
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xe9);
    bp_test_outb(t, 0xe9, 'x');
    bp_test_outb(t, 0xe9, 'y');
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "xy");

    /* The module's typed command, over QMP and HMP. */
    g_autoptr(JsonNode) st = bp_test_qmp(t, "{'execute': 'debugcon-stats', "
                                            "'arguments': {'id': 'dc0'}}");
    bp_test_qmp_assert_ok(st);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(st), "return"), ==, 2);
    g_autofree char *hmp = bp_test_hmp(t, "debugcon-stats dc0");
    g_assert_cmpint(g_ascii_strtoll(g_strstrip(hmp), NULL, 10), ==, 2);
    g_autoptr(JsonNode) bad = bp_test_qmp(t, "{'execute': 'debugcon-stats', "
                                             "'arguments': {'id': 'nosuch'}}");
    g_assert_nonnull(bp_test_qmp_error_class(bad));

    device_del(t, "dc0");
    /* The port is free again and the module is gone with its last device. */
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xff);
    g_assert_false(debug_module_loaded(t));
    g_autoptr(JsonNode) gone = bp_test_qmp(t, "{'execute': 'debugcon-stats', "
                                              "'arguments': {'id': 'dc0'}}");
    g_assert_cmpstr(bp_test_qmp_error_class(gone), ==, "CommandNotFound");

    /* And back: the module is loaded again, the chardev is free again. */
    g_autoptr(JsonNode) add2 = bp_test_qmp(t, "{'execute': 'device_add', 'arguments': "
                                              "{'driver': 'isa-debugcon', 'id': 'dc1', "
                                              "'chardev': 'c0', 'readback': 85}}");
    bp_test_qmp_assert_ok(add2);
    g_assert_true(debug_module_loaded(t));
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0x55);
    bp_test_outb(t, 0xe9, 'z');
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "z");
    device_del(t, "dc1");
    g_assert_false(debug_module_loaded(t));
}

/* Two devices of the module: it stays while either exists. */
static void test_module_refcount(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev null,id=c0");

    g_autofree char *a = bp_test_hmp(t, "device_add isa-debugcon,id=dc,chardev=c0");
    g_autofree char *b = bp_test_hmp(t, "device_add isa-debug-exit,id=dx,iobase=0xf4");
    g_assert_true(debug_module_loaded(t));
    device_del(t, "dc");
    g_assert_true(debug_module_loaded(t));
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xff);
    device_del(t, "dx");
    g_assert_false(debug_module_loaded(t));

    /* After a reload the exit device still works end to end. */
    g_autofree char *c = bp_test_hmp(t, "device_add isa-debug-exit,id=dx2,iobase=0xf4");
    bp_test_send(t, "outb 0xf4 0x2");
    g_assert_cmpint(bp_test_wait_exit(t), ==, 5);
}

static void test_hotplug_errors(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev null,id=c0 "
                                        "-device isa-debugcon,chardev=c0,id=dc0");

    /* The port is taken: the second device fails and leaves nothing. */
    g_autoptr(JsonNode) dup = bp_test_qmp(t, "{'execute': 'device_add', 'arguments': "
                                             "{'driver': 'isa-debug-exit', 'id': 'dx', "
                                             "'iobase': 233, 'iosize': 1}}");
    g_assert_cmpstr(bp_test_qmp_error_class(dup), ==, "GenericError");
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xe9);
    g_autoptr(JsonNode) del = bp_test_qmp(t, "{'execute': 'device_del', "
                                             "'arguments': {'id': 'dx'}}");
    g_assert_cmpstr(bp_test_qmp_error_class(del), ==, "DeviceNotFound");

    g_autoptr(JsonNode) unk = bp_test_qmp(t, "{'execute': 'device_add', 'arguments': "
                                             "{'driver': 'isa-no-such-device'}}");
    g_assert_nonnull(bp_test_qmp_error_class(unk));
    g_assert_cmphex(bp_test_inb(t, 0xe9), ==, 0xe9);
    g_assert_true(debug_module_loaded(t));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debug/debugcon/file", test_debugcon_file);
    g_test_add_func("/debug/debugcon/readback", test_debugcon_readback);
    g_test_add_func("/debug/debugcon/ringbuf", test_debugcon_ringbuf);
    g_test_add_func("/debug/debugcon/stdio", test_debugcon_stdio);
    g_test_add_func("/debug/debugcon/needs-chardev", test_debugcon_needs_chardev);
    g_test_add_func("/debug/debugcon/bad-readback", test_debugcon_bad_readback);
    g_test_add_func("/debug/debugcon/port-conflict", test_port_conflict);
    g_test_add_func("/debug/exit/status", test_debug_exit);
    g_test_add_func("/debug/exit/ports", test_debug_exit_ports);
    g_test_add_func("/debug/exit/bad-props", test_debug_exit_bad_props);
    g_test_add_func("/debug/module/not-loaded", test_module_not_loaded);
    g_test_add_func("/debug/module/hotplug-qmp", test_hotplug_qmp);
    g_test_add_func("/debug/module/refcount", test_module_refcount);
    g_test_add_func("/debug/module/hotplug-errors", test_hotplug_errors);
    return g_test_run();
}
