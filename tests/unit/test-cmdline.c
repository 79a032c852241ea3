/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command line: option groups produced in-process by
 * bp_cmdline_parse, and the built binary's behaviour (exit status, the
 * one-line errors, -version, -writeconfig round trip with `info qtree`).
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include <backplane/error.h>
#include "core/cmdline.h"
#include "core/machine.h"
#include "core/module-loader.h"
#include "core/registry.h"

typedef struct Run {
    int status;
    char *out;
    char *err;
} Run;

static void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->err);
    g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Run, run_free)

/* Runs the binary with `args` (NULL-terminated), feeding `input`. */
static Run *run_bp(const char *input, const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GSubprocess) p = NULL;
    g_autoptr(GError) err = NULL;
    const char *build = g_getenv("BP_BUILD_DIR");
    Run *r = g_new0(Run, 1);
    va_list ap;

    g_ptr_array_add(argv, g_strdup("timeout"));
    g_ptr_array_add(argv, g_strdup("30"));
    g_ptr_array_add(argv, g_build_filename(build ? build : ".", "backplane", NULL));
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, g_strdup(a));
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    p = g_subprocess_newv((const char *const *)argv->pdata,
                          G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                          G_SUBPROCESS_FLAGS_STDERR_PIPE, &err);
    g_assert_no_error(err);
    g_subprocess_communicate_utf8(p, input ? input : "", NULL, &r->out, &r->err, &err);
    g_assert_no_error(err);
    g_assert_true(g_subprocess_get_if_exited(p));
    r->status = g_subprocess_get_exit_status(p);
    return r;
}

/* Exit status 1, nothing on stdout, exactly one line on stderr that
 * starts with `prefix`. */
static void assert_fails(Run *r, const char *prefix)
{
    if (r->status != 1 || !g_str_has_prefix(r->err, prefix)) {
        g_test_message("status %d, stderr: %s", r->status, r->err);
    }
    g_assert_cmpint(r->status, ==, 1);
    g_assert_true(g_str_has_prefix(r->err, prefix));
    g_assert_nonnull(strchr(r->err, '\n'));
    g_assert_cmpstr(strchr(r->err, '\n'), ==, "\n");
    g_assert_cmpstr(r->out, ==, "");
}

static void assert_fails_exactly(Run *r, const char *line)
{
    g_autofree char *want = g_strconcat(line, "\n", NULL);

    g_assert_cmpint(r->status, ==, 1);
    g_assert_cmpstr(r->err, ==, want);
}

/* In-process parsing */

static BpCmdline *parse(const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    BpCmdline *cl = bp_cmdline_new();
    va_list ap;

    g_ptr_array_add(argv, (char *)"backplane");
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_assert_true(bp_cmdline_parse(cl, argv->len, (char **)argv->pdata, &err));
    g_assert_no_error(err);
    return cl;
}

static char *config_text(BpCmdline *cl)
{
    char *s = bp_config_to_string(cl->config);
    char *body = g_strdup(strchr(s, '\n') + 2);   /* after the header comment */

    g_free(s);
    return body;
}

static void test_parse_groups(void)
{
    BpCmdline *cl = parse("-M", "none,accel=qtest", "-m", "512", "-chardev",
                          "ringbuf,id=c0,size=64", "-device", "isa-debugcon,chardev=c0,id=d",
                          "-nodefaults", "-S", "-cpu", "486", "-smp", "1", NULL);
    g_autofree char *text = config_text(cl);

    g_assert_cmpstr(text, ==,
                    "[machine]\n  type = \"none\"\n  accel = \"qtest\"\n\n"
                    "[memory]\n  size = \"512\"\n\n"
                    "[chardev \"c0\"]\n  backend = \"ringbuf\"\n  size = \"64\"\n\n"
                    "[device \"d\"]\n  driver = \"isa-debugcon\"\n  chardev = \"c0\"\n\n"
                    "[machine]\n  nodefaults = \"on\"\n\n"
                    "[machine]\n  cpu = \"486\"\n\n"
                    "[smp-opts]\n  cpus = \"1\"\n\n");
    g_assert_true(cl->start_paused);
    bp_cmdline_free(cl);
}

static void test_parse_legacy(void)
{
    BpCmdline *cl = parse("-serial", "mon:stdio", "-serial", "none", "-serial", "file:/tmp/x",
                          "-qmp", "unix:/tmp/q.sock,server,nowait", "-monitor", "null",
                          "-debugcon", "chardev:c9", "-qtest", "unix:/tmp/t.sock",
                          "-qtest-log", "/dev/null", NULL);
    g_autofree char *text = config_text(cl);

    g_assert_cmpstr(text, ==,
                    "[chardev \"serial0\"]\n  backend = \"stdio\"\n  mux = \"on\"\n\n"
                    "[mon \"serial0\"]\n  mode = \"readline\"\n  chardev = \"serial0\"\n\n"
                    "[serial]\n  chardev = \"serial0\"\n\n"
                    "[serial]\n\n"
                    "[chardev \"serial2\"]\n  backend = \"file\"\n  path = \"/tmp/x\"\n\n"
                    "[serial]\n  chardev = \"serial2\"\n\n"
                    "[chardev \"compat_monitor0\"]\n  backend = \"socket\"\n"
                    "  path = \"/tmp/q.sock\"\n  server = \"on\"\n  wait = \"off\"\n\n"
                    "[mon \"compat_monitor0\"]\n  mode = \"control\"\n"
                    "  chardev = \"compat_monitor0\"\n\n"
                    "[chardev \"compat_monitor1\"]\n  backend = \"null\"\n\n"
                    "[mon \"compat_monitor1\"]\n  mode = \"readline\"\n"
                    "  chardev = \"compat_monitor1\"\n\n"
                    "[device]\n  driver = \"isa-debugcon\"\n  chardev = \"c9\"\n\n"
                    "[chardev \"qtest\"]\n  backend = \"socket\"\n  path = \"/tmp/t.sock\"\n\n"
                    "[qtest]\n  chardev = \"qtest\"\n  log = \"/dev/null\"\n\n");
    bp_cmdline_free(cl);
}

static void test_parse_run_options(void)
{
    BpCmdline *cl = parse("-L", "/a", "--L", "/b", "-d", "guest_errors,unimp", "-D", "/tmp/l",
                          "-trace", "isa-*", "-trace", "enable=s0", "-s", "-no-reboot",
                          "-no-shutdown", "-display", "none", "-writeconfig", "-",
                          "-device", "isa-serial,help", "-device", "help", NULL);

    g_assert_cmpuint(cl->dirs->len, ==, 2);
    g_assert_cmpstr(cl->dirs->pdata[1], ==, "/b");
    g_assert_cmpstr(cl->log_mask, ==, "guest_errors,unimp");
    g_assert_cmpstr(cl->log_file, ==, "/tmp/l");
    g_assert_cmpuint(cl->traces->len, ==, 2);
    g_assert_cmpstr(cl->traces->pdata[1], ==, "s0");
    g_assert_cmpstr(cl->gdb, ==, "tcp::1234");
    g_assert_true(cl->no_reboot && cl->no_shutdown);
    g_assert_cmpstr(cl->writeconfig, ==, "-");
    /* The first help request wins. */
    g_assert_cmpint(cl->help, ==, BP_HELP_DEVICE);
    g_assert_cmpstr(cl->help_arg, ==, "isa-serial");
    g_assert_cmpuint(cl->config->groups->len, ==, 0);
    bp_cmdline_free(cl);
}

static void test_parse_readconfig_position(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("bp-cmdline-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "a.ini", NULL);
    BpCmdline *cl;
    BpOpts *o;

    g_assert_true(g_file_set_contents(path, "[device \"mid\"]\n  driver = \"x\"\n", -1, &err));
    cl = parse("-device", "a,id=first", "-readconfig", path, "-device", "b,id=last", NULL);
    g_assert_cmpuint(cl->config->groups->len, ==, 3);
    o = cl->config->groups->pdata[1];
    g_assert_cmpstr(o->id, ==, "mid");
    g_assert_cmpstr(((BpOpts *)cl->config->groups->pdata[0])->origin, ==,
                    "-device a,id=first");
    bp_cmdline_free(cl);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_ram_size(void)
{
    static const struct { const char *text; uint64_t bytes; } ok[] = {
        { "512", 512ull << 20 }, { "64M", 64ull << 20 }, { "1G", 1ull << 30 },
        { "4096K", 4ull << 20 }, { "2g", 2ull << 30 }, { "1T", 1ull << 40 },
        { "1MB", 1ull << 20 }, { "8192B", 8192 },
    };
    static const char *const bad[] = { "", "0", "12x", "-1", "1.5G", "2T", "100B", "M" };
    uint64_t v;

    for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_assert_true(bp_machine_parse_ram_size(ok[i].text, &v, NULL));
        g_assert_cmpuint(v, ==, ok[i].bytes);
    }
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_false(bp_machine_parse_ram_size(bad[i], &v, &err));
        g_assert_error(err, BP_ERROR, BP_ERROR_INVALID);
    }
}

/* Expansion into the launch configuration, in-process, on a test machine
 * with default and non-default serial ports. */

static const char *const test_machine_options[] = { "acpi", NULL };

static const BpMachineDef test_machine = {
    .name = "test-ports",
    .desc = "two serial ports, one of them a default",
    .no_cpu = true,
    .options = test_machine_options,
    .config = "[device \"ser0\"]\n"
              "  driver = \"isa-serial\"\n"
              "  default = \"on\"\n"
              "[device \"ser1\"]\n"
              "  driver = \"isa-serial\"\n"
              "  index = \"1\"\n"
              "[device \"dbg\"]\n"
              "  driver = \"isa-debug-exit\"\n"
              "[wire]\n"
              "  from = \"ser0.irq[0]\"\n"
              "  to = \"dbg.in[1]\"\n",
};

static void expand_setup(void)
{
    static bool done;

    if (!done) {
        g_assert_true(bp_modules_init(NULL));
        bp_machines_init();
        bp_registry_init();
        bp_machine_register(&test_machine);
        done = true;
    }
}

/* The launch configuration of a command line, as ini text without the
 * header comment; NULL with *err on failure. Also checks that the
 * expansion is a fixed point. */
static char *expand_args(GError **err, const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    BpCmdline *cl = bp_cmdline_new();
    BpConfig *c, *again;
    char *text;
    va_list ap;

    expand_setup();
    g_ptr_array_add(argv, (char *)"backplane");
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_assert_true(bp_cmdline_parse(cl, argv->len, (char **)argv->pdata, NULL));
    c = bp_machine_expand(cl->config, err);
    bp_cmdline_free(cl);
    if (!c) {
        return NULL;
    }
    again = bp_machine_expand(c, NULL);
    g_assert_nonnull(again);
    g_assert_true(bp_config_equal(c, again));
    text = bp_config_to_string(c);
    bp_config_free(c);
    bp_config_free(again);
    memmove(text, strchr(text, '\n') + 2, strlen(strchr(text, '\n') + 2) + 1);
    return text;
}

static const char ser0[] = "[device \"ser0\"]\n  driver = \"isa-serial\"\n"
                           "  default = \"on\"\n  builtin = \"on\"\n";
static const char ser1[] = "[device \"ser1\"]\n  driver = \"isa-serial\"\n"
                           "  index = \"1\"\n  builtin = \"on\"\n";

static void test_expand_plain(void)
{
    g_autofree char *t = expand_args(NULL, "-M", "test-ports", NULL);

    g_assert_cmpstr(t, ==,
                    "[machine]\n  type = \"test-ports\"\n  expanded = \"on\"\n\n"
                    "[memory]\n  size = \"128M\"\n\n"
                    "[device \"ser0\"]\n  driver = \"isa-serial\"\n  default = \"on\"\n"
                    "  builtin = \"on\"\n\n"
                    "[device \"ser1\"]\n  driver = \"isa-serial\"\n  index = \"1\"\n"
                    "  builtin = \"on\"\n\n"
                    "[device \"dbg\"]\n  driver = \"isa-debug-exit\"\n  builtin = \"on\"\n\n"
                    "[wire]\n  from = \"ser0.irq[0]\"\n  to = \"dbg.in[1]\"\n\n");
}

static void test_expand_defaults(void)
{
    g_autofree char *nodef = expand_args(NULL, "-M", "test-ports", "-nodefaults", NULL);
    g_autofree char *user = expand_args(NULL, "-M", "test-ports", "-device",
                                        "isa-serial,id=u,index=2", NULL);
    g_autofree char *other = expand_args(NULL, "-M", "test-ports", "-device",
                                         "isa-debugcon,chardev=c", NULL);

    g_assert_null(strstr(nodef, ser0));
    g_assert_nonnull(strstr(nodef, ser1));
    g_assert_nonnull(strstr(nodef, "  nodefaults = \"on\"\n"));
    g_assert_null(strstr(user, ser0));
    g_assert_nonnull(strstr(user, ser1));
    g_assert_nonnull(strstr(user, "[device \"u\"]\n"));
    /* A device of another category keeps the default. */
    g_assert_nonnull(strstr(other, ser0));
}

static void test_expand_serial(void)
{
    g_autofree char *t = expand_args(NULL, "-M", "test-ports", "-serial", "null", "-serial",
                                     "file:/tmp/s1", "-serial", "null", NULL);
    g_autofree char *none = expand_args(NULL, "-M", "test-ports", "-serial", "none", "-serial",
                                        "chardev:c7", NULL);

    g_assert_nonnull(strstr(t, "  builtin = \"on\"\n  chardev = \"serial0\"\n\n[device \"ser1\"]"));
    g_assert_nonnull(strstr(t, "  index = \"1\"\n  builtin = \"on\"\n  chardev = \"serial1\"\n"));
    /* A third port the machine lacks leaves its chardev unconnected. */
    g_assert_nonnull(strstr(t, "[chardev \"serial2\"]\n  backend = \"null\"\n"));
    g_assert_null(strstr(t, "[serial]"));
    g_assert_nonnull(strstr(none, ser0));
    g_assert_nonnull(strstr(none, "  builtin = \"on\"\n  chardev = \"c7\"\n"));
}

static void test_expand_nographic(void)
{
    g_autofree char *both = expand_args(NULL, "-M", "test-ports", "-nographic", NULL);
    g_autofree char *ser = expand_args(NULL, "-M", "test-ports", "-nographic", "-serial", "null",
                                       NULL);
    g_autofree char *nomon = expand_args(NULL, "-M", "test-ports", "-nographic", "-monitor",
                                         "none", NULL);
    g_autofree char *nodef = expand_args(NULL, "-M", "test-ports", "-nographic", "-nodefaults",
                                         NULL);

    g_assert_nonnull(strstr(both, "[chardev \"serial0\"]\n  backend = \"stdio\"\n"
                                  "  mux = \"on\"\n\n"
                                  "[mon \"serial0\"]\n  mode = \"readline\"\n"
                                  "  chardev = \"serial0\"\n"));
    g_assert_nonnull(strstr(both, "  builtin = \"on\"\n  chardev = \"serial0\"\n"));
    g_assert_nonnull(strstr(ser, "[chardev \"compat_monitor0\"]\n  backend = \"stdio\"\n"));
    g_assert_null(strstr(ser, "mux"));
    g_assert_nonnull(strstr(nomon, "[chardev \"serial0\"]\n  backend = \"stdio\"\n\n"));
    g_assert_null(strstr(nomon, "[mon"));
    g_assert_null(strstr(nodef, "stdio"));
}

static void test_expand_machine_options(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *q = expand_args(NULL, "-M", "none", "-qtest", "null", "-m", "64M",
                                     "-M", "graphics=off", "-accel", "qtest", "-m", "32", NULL);
    g_autofree char *k = expand_args(NULL, "-machine", "none", "-kernel", "/k", "-append",
                                     "console=ttyS0", "-cpu", "486", "-bios", "b.bin", NULL);

    g_assert_true(g_str_has_prefix(q, "[machine]\n  type = \"none\"\n  graphics = \"off\"\n"
                                      "  accel = \"qtest\"\n  expanded = \"on\"\n\n"
                                      "[memory]\n  size = \"32\"\n\n"));
    g_assert_true(g_str_has_prefix(k, "[machine]\n  type = \"none\"\n  kernel = \"/k\"\n"
                                      "  append = \"console=ttyS0\"\n  cpu = \"486\"\n"
                                      "  firmware = \"b.bin\"\n"));

    g_autofree char *opt = expand_args(NULL, "-M", "test-ports,acpi=off", NULL);
    g_assert_true(g_str_has_prefix(opt, "[machine]\n  type = \"test-ports\"\n  acpi = \"off\"\n"));
    g_assert_null(expand_args(&err, "-M", "none,acpi=off", NULL));
    g_assert_cmpstr(err->message, ==, "-M none,acpi=off: invalid parameter 'acpi' for machine 'none'");
    g_clear_error(&err);
    g_autofree char *fallback = expand_args(NULL, "-M", "none,accel=kvm:tcg", NULL);
    g_assert_nonnull(strstr(fallback, "  accel = \"kvm:tcg\"\n"));
    g_assert_null(expand_args(&err, "-M", "none,accel=kvm:warp", NULL));
    g_assert_true(g_str_has_prefix(err->message, "-M none,accel=kvm:warp: invalid accelerator"));
    g_clear_error(&err);
    g_assert_null(expand_args(&err, "-M", "none,bogus=1", NULL));
    g_assert_cmpstr(err->message, ==,
                    "-M none,bogus=1: invalid parameter 'bogus' for machine 'none'");
    g_clear_error(&err);
    g_assert_null(expand_args(&err, "-M", "none", "-M", "graphics=maybe", NULL));
    g_assert_cmpstr(err->message, ==,
                    "-M graphics=maybe: parameter 'graphics' expects 'on' or 'off', not 'maybe'");
    g_clear_error(&err);
    g_assert_null(expand_args(&err, "-M", "none", "-device", "nope-device", NULL));
    g_assert_true(g_str_has_prefix(err->message, "-device nope-device: "));
    g_clear_error(&err);
    g_assert_null(expand_args(&err, "-M", "none", "-chardev", "null,id=a", "-mon", "a",
                              "-mon", "chardev=a", "-netdev", "user,id=n", "-netdev",
                              "user,id=n", NULL));
    g_assert_cmpstr(err->message, ==, "-netdev user,id=n: duplicate id 'n' for netdev");
}

static void test_firmware_dirs(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("bp-fw-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "fw-test.bin", NULL);
    g_autofree char *found = NULL;
    g_autofree char *as_is = bp_machine_find_firmware("/abs/missing.bin");

    g_assert_null(bp_machine_find_firmware("fw-test.bin"));
    g_assert_true(g_file_set_contents(path, "x", 1, &err));
    bp_machine_add_firmware_dir("/nonexistent");
    bp_machine_add_firmware_dir(dir);
    found = bp_machine_find_firmware("fw-test.bin");
    g_assert_cmpstr(found, ==, path);
    /* A path is taken as given; the caller reports a missing file. */
    g_assert_cmpstr(as_is, ==, "/abs/missing.bin");
    g_unlink(path);
    g_rmdir(dir);
}

/* info config: the launch configuration plus hot plugs, minus unplugs. */
static void test_live_config(void)
{
    BpOpts *d = bp_opts_new("device", "hp0");
    BpOpts *c = bp_opts_new("chardev", "hc0");
    BpConfig *live;

    bp_opts_set(d, "driver", "isa-debugcon");
    bp_opts_set(c, "backend", "null");
    bp_machine_note_hotplug(c);
    bp_machine_note_hotplug(d);
    live = bp_machine_live_config();
    g_assert_nonnull(bp_config_find(live, "device", "hp0"));
    g_assert_nonnull(bp_config_find(live, "chardev", "hc0"));
    bp_config_free(live);
    bp_machine_note_unplug("device", "hp0");
    bp_machine_note_unplug("device", "hc0");
    live = bp_machine_live_config();
    g_assert_null(bp_config_find(live, "device", "hp0"));
    g_assert_nonnull(bp_config_find(live, "chardev", "hc0"));
    bp_config_free(live);
    bp_machine_note_unplug("chardev", "hc0");
    bp_opts_free(d);
    bp_opts_free(c);
}

/* The binary */

static void test_bin_unknown_option(void)
{
    g_autoptr(Run) r = run_bp(NULL, "-foo", NULL);
    g_autoptr(Run) r2 = run_bp(NULL, "-M", "none", "--bogus-thing", "x", NULL);
    g_autoptr(Run) r3 = run_bp(NULL, "stray", NULL);

    assert_fails_exactly(r, "backplane: -foo: invalid option (see -help)");
    assert_fails_exactly(r2, "backplane: --bogus-thing: invalid option (see -help)");
    assert_fails(r3, "backplane: stray: unexpected argument");
}

static void test_bin_bad_values(void)
{
    static const struct { const char *opt, *arg, *msg; } cases[] = {
        { "-m", "12x", "backplane: -m 12x: invalid memory size '12x'" },
        { "-m", "size=1G,slots=2", "backplane: -m size=1G,slots=2: invalid parameter 'slots'" },
        { "-smp", "2", "backplane: -smp 2: only one CPU is supported for now" },
        { "-display", "sdl", "backplane: -display sdl: display 'sdl' is not available" },
        { "-display", "bogus", "backplane: -display bogus: invalid display type 'bogus'" },
        { "-M", "nosuch", "backplane: -M nosuch: unsupported machine type 'nosuch' "
                          "(use -M help)" },
        { "-M", "none,foo=1", "backplane: -M none,foo=1: invalid parameter 'foo' for "
                              "machine 'none'" },
        { "-machine", "accel=warp", "backplane: -machine accel=warp: invalid accelerator "
                                    "'warp'" },
        { "-chardev", "stdio", "backplane: -chardev stdio: a chardev requires an id" },
        { "-mon", "chardev=c,mode=x", "backplane: -mon chardev=c,mode=x: invalid mode 'x'" },
        { "-serial", "bogus:x", "backplane: -serial bogus:x: unknown chardev spec" },
        { "-device", "isa-serial,id=9", "backplane: -device isa-serial,id=9: invalid id '9'" },
        { "-d", "bogus", "backplane: -d: unknown log category 'bogus'" },
        { "-qtest-log", "/dev/null", "backplane: -qtest-log /dev/null: requires -qtest" },
        { "-netdev", "user", "backplane: -netdev user: a netdev requires an id" },
        { "-audio", "pa", "backplane: -audio pa: there is no audio backend yet" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(Run) r = run_bp(NULL, cases[i].opt, cases[i].arg, NULL);

        g_test_message("%s %s", cases[i].opt, cases[i].arg);
        assert_fails(r, cases[i].msg);
    }
    g_autoptr(Run) r = run_bp(NULL, "-m", NULL);
    assert_fails_exactly(r, "backplane: -m: requires an argument");
    g_autoptr(Run) g = run_bp(NULL, "-M", "none", "-S", "-gdb", "bogus", NULL);
    assert_fails(g, "backplane: -gdb bogus: expected tcp::PORT");
}

static void test_bin_unknown_device(void)
{
    g_autoptr(Run) r = run_bp(NULL, "-M", "none", "-device", "no-such-device", NULL);

    assert_fails(r, "backplane: -device no-such-device: ");
    g_assert_nonnull(strstr(r->err + 30, "no-such-device"));
}

static void test_bin_unknown_property(void)
{
    g_autoptr(Run) r = run_bp(NULL, "-M", "none", "-chardev", "null,id=c0", "-device",
                              "isa-debugcon,chardev=c0,bogus-prop=1", NULL);
    g_autoptr(Run) r2 = run_bp(NULL, "-M", "none", "-device", "isa-debugcon,chardev=nosuch",
                               NULL);

    assert_fails(r, "backplane: -device isa-debugcon,chardev=c0,bogus-prop=1: ");
    g_assert_nonnull(strstr(r->err, "bogus-prop"));
    assert_fails(r2, "backplane: -device isa-debugcon,chardev=nosuch: ");
}

static void test_bin_duplicate_id(void)
{
    g_autoptr(Run) r = run_bp(NULL, "-M", "none", "-chardev", "null,id=c0", "-chardev",
                              "ringbuf,id=c0", NULL);

    assert_fails_exactly(r, "backplane: -chardev ringbuf,id=c0: duplicate id 'c0' for chardev");
}

static void test_bin_bad_readconfig(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("bp-cmdline-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "bad.ini", NULL);
    g_autofree char *want = g_strdup_printf(
        "backplane: %s:3: expected '[group \"id\"]' or 'key = \"value\"'", path);
    g_autofree char *want2 = g_strdup_printf("backplane: %s:1: there is no option group "
                                             "'nonsense'", path);

    g_assert_true(g_file_set_contents(path, "# x\n[device \"d\"]\n  driver isa-debugcon\n",
                                      -1, &err));
    g_autoptr(Run) r = run_bp(NULL, "-readconfig", path, NULL);
    assert_fails_exactly(r, want);

    g_assert_true(g_file_set_contents(path, "[nonsense]\n", -1, &err));
    g_autoptr(Run) r2 = run_bp(NULL, "-readconfig", path, NULL);
    assert_fails_exactly(r2, want2);

    g_autoptr(Run) r3 = run_bp(NULL, "-readconfig", "/nonexistent/vm.ini", NULL);
    assert_fails(r3, "backplane: -readconfig /nonexistent/vm.ini: ");
    g_unlink(path);
    g_rmdir(dir);
}

static void test_bin_version_help(void)
{
    g_autoptr(Run) r = run_bp(NULL, "-version", NULL);
    g_autoptr(Run) h = run_bp(NULL, "-help", NULL);
    g_autoptr(Run) m = run_bp(NULL, "-M", "help", NULL);
    g_autoptr(Run) d = run_bp(NULL, "-d", "help", NULL);

    g_assert_cmpint(r->status, ==, 0);
    g_assert_cmpstr(r->out, ==, "Backplane emulator version " PACKAGE_VERSION "\n"
                                "Copyright (c) 2026 the Backplane developers\n");
    g_assert_cmpstr(r->err, ==, "");
    g_assert_cmpint(h->status, ==, 0);
    g_assert_true(g_str_has_prefix(h->out, "usage: backplane [options]\n"));
    g_assert_nonnull(strstr(h->out, "-writeconfig"));
    g_assert_cmpint(m->status, ==, 0);
    g_assert_true(g_str_has_prefix(m->out, "Supported machines are:\n"));
    g_assert_nonnull(strstr(m->out, "\nnone                 empty machine"));
    g_assert_cmpint(d->status, ==, 0);
    g_assert_nonnull(strstr(d->out, "guest_errors"));
    g_assert_nonnull(strstr(d->out, "modules"));
}

static void test_bin_device_help(void)
{
    g_autoptr(Run) all = run_bp(NULL, "-device", "help", NULL);
    g_autoptr(Run) one = run_bp(NULL, "-device", "isa-debugcon,help", NULL);
    g_autoptr(Run) bad = run_bp(NULL, "-device", "no-such-device,help", NULL);

    g_assert_cmpint(all->status, ==, 0);
    g_assert_nonnull(strstr(all->out, "isa-debugcon"));
    g_assert_cmpint(one->status, ==, 0);
    g_assert_nonnull(strstr(one->out, "chardev"));
    assert_fails(bad, "backplane: -device no-such-device,help: ");
}

/* -writeconfig, then -readconfig of what was written: the same file and
 * the same `info qtree`. */
static void test_bin_writeconfig_round_trip(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("bp-cmdline-XXXXXX", &err);
    g_autofree char *a = g_build_filename(dir, "a.ini", NULL);
    g_autofree char *b = g_build_filename(dir, "b.ini", NULL);
    g_autofree char *ta = NULL, *tb = NULL;
    const char *input = "info qtree\nquit\n";

    g_autoptr(Run) r1 = run_bp(input, "-M", "none", "-m", "64M", "-nodefaults",
                               "-chardev", "ringbuf,id=c0,size=256",
                               "-device", "isa-debugcon,chardev=c0,id=dbg",
                               "-device", "isa-debug-exit,iobase=0x501",
                               "-monitor", "stdio", "-writeconfig", a, NULL);
    g_assert_cmpint(r1->status, ==, 0);
    g_autoptr(Run) r2 = run_bp(input, "-readconfig", a, "-writeconfig", b, NULL);
    g_assert_cmpint(r2->status, ==, 0);
    g_assert_true(g_file_get_contents(a, &ta, NULL, NULL));
    g_assert_true(g_file_get_contents(b, &tb, NULL, NULL));
    g_assert_cmpstr(ta, ==, tb);
    g_assert_nonnull(strstr(ta, "[machine]\n  type = \"none\"\n"));
    g_assert_nonnull(strstr(ta, "[device \"dbg\"]\n  driver = \"isa-debugcon\"\n"
                                "  chardev = \"c0\"\n"));
    g_assert_nonnull(strstr(r1->out, "isa-debugcon"));
    g_assert_nonnull(strstr(r1->out, "isa-debug-exit"));
    g_assert_cmpstr(r1->out, ==, r2->out);
    g_unlink(a);
    g_unlink(b);
    g_rmdir(dir);
}

/* -nographic on a machine without a serial port: the monitor on stdio,
 * as QEMU does; -writeconfig - shows it. */
static void test_bin_nographic(void)
{
    g_autoptr(Run) r = run_bp("quit\n", "-M", "none", "-nographic", "-writeconfig", "-", NULL);

    g_assert_cmpint(r->status, ==, 0);
    g_assert_nonnull(strstr(r->out, "[chardev \"compat_monitor0\"]\n  backend = \"stdio\"\n"));
    g_assert_nonnull(strstr(r->out, "[mon \"compat_monitor0\"]\n  mode = \"readline\"\n"));
    g_assert_nonnull(strstr(r->out, "  graphics = \"off\"\n"));
}

/* Drops the lines that read the host clock (the RTC's time). */
static char *without_host_time(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *s = g_string_new(NULL);

    for (guint i = 0; lines[i]; i++) {
        const char *p = lines[i];

        while (g_ascii_isspace(*p)) {
            p++;
        }
        if (!g_str_has_prefix(p, "time ")) {
            g_string_append_printf(s, "%s\n", lines[i]);
        }
    }
    return g_string_free(s, FALSE);
}

static bool pc_available(Run *r)
{
    if (r->status != 0 && strstr(r->err, "machine pc")) {
        g_test_skip("machine pc cannot start here (firmware?)");
        g_test_message("%s", r->err);
        return false;
    }
    return true;
}

/* The pc machine's devices are written out, and reading the file back
 * gives the same `info qtree`. */
static void test_bin_writeconfig_round_trip_pc(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("bp-cmdline-XXXXXX", &err);
    g_autofree char *a = g_build_filename(dir, "a.ini", NULL);
    g_autofree char *b = g_build_filename(dir, "b.ini", NULL);
    g_autofree char *ta = NULL, *tb = NULL, *qa = NULL, *qb = NULL;
    const char *input = "info qtree\nquit\n";

    g_autoptr(Run) r1 = run_bp(input, "-M", "pc", "-S", "-m", "256", "-serial", "null",
                               "-chardev", "ringbuf,id=dbg",
                               "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
                               "-monitor", "stdio", "-writeconfig", a, NULL);
    if (!pc_available(r1)) {
        return;
    }
    g_assert_cmpint(r1->status, ==, 0);
    g_autoptr(Run) r2 = run_bp(input, "-S", "-readconfig", a, "-writeconfig", b, NULL);
    g_assert_cmpint(r2->status, ==, 0);
    g_assert_true(g_file_get_contents(a, &ta, NULL, NULL));
    g_assert_true(g_file_get_contents(b, &tb, NULL, NULL));
    g_assert_cmpstr(ta, ==, tb);
    /* The machine's devices are in the file, marked as the machine's. */
    g_assert_nonnull(strstr(ta, "[machine]\n  type = \"pc\"\n  expanded = \"on\"\n"));
    g_assert_nonnull(strstr(ta, "  driver = \"isa-pic\"\n"));
    g_assert_nonnull(strstr(ta, "  builtin = \"on\"\n"));
    g_assert_nonnull(strstr(ta, "[wire]\n"));
    g_assert_nonnull(strstr(ta, "[memory]\n  size = \"256\"\n"));
    qa = without_host_time(r1->out);
    qb = without_host_time(r2->out);
    g_assert_nonnull(strstr(qa, "isa-debugcon"));
    g_assert_nonnull(strstr(qa, "isa-pic"));
    g_assert_cmpstr(qa, ==, qb);
    g_unlink(a);
    g_unlink(b);
    g_rmdir(dir);
}

/* Default devices: -nodefaults and a user device of the same category
 * drop them; -serial binds the machine's port; -nographic puts serial and
 * monitor on a stdio mux. */
static void test_bin_defaults_pc(void)
{
    g_autoptr(Run) plain = run_bp("quit\n", "-M", "pc", "-S", "-monitor", "stdio",
                                  "-writeconfig", "-", NULL);
    if (!pc_available(plain)) {
        return;
    }
    g_autoptr(Run) nodef = run_bp("quit\n", "-M", "pc", "-S", "-nodefaults", "-monitor", "stdio",
                                  "-writeconfig", "-", NULL);
    g_autoptr(Run) user = run_bp("quit\n", "-M", "pc", "-S", "-monitor", "stdio",
                                 "-device", "isa-serial,id=mine,iobase=0x2f8,irq=3",
                                 "-writeconfig", "-", NULL);
    g_autoptr(Run) ser = run_bp("quit\n", "-M", "pc", "-S", "-monitor", "stdio",
                                "-serial", "null", "-writeconfig", "-", NULL);
    /* Ctrl-A c gives the mux to the monitor. */
    g_autoptr(Run) nog = run_bp("\001cquit\n", "-M", "pc", "-S", "-nographic", "-writeconfig", "-",
                                NULL);

    g_assert_cmpint(plain->status, ==, 0);
    g_assert_nonnull(strstr(plain->out, "  driver = \"isa-serial\"\n  default = \"on\"\n"));
    g_assert_cmpint(nodef->status, ==, 0);
    g_assert_null(strstr(nodef->out, "isa-serial"));
    g_assert_nonnull(strstr(nodef->out, "  nodefaults = \"on\"\n"));
    g_assert_cmpint(user->status, ==, 0);
    g_assert_null(strstr(user->out, "  driver = \"isa-serial\"\n  default = \"on\"\n"));
    g_assert_nonnull(strstr(user->out, "[device \"mine\"]\n  driver = \"isa-serial\"\n"));
    g_assert_cmpint(ser->status, ==, 0);
    g_assert_nonnull(strstr(ser->out, "[chardev \"serial0\"]\n  backend = \"null\"\n"));
    g_assert_nonnull(strstr(ser->out, "  default = \"on\"\n  builtin = \"on\"\n"
                                      "  chardev = \"serial0\"\n"));
    g_assert_cmpint(nog->status, ==, 0);
    g_assert_nonnull(strstr(nog->out, "[chardev \"serial0\"]\n  backend = \"stdio\"\n"
                                      "  mux = \"on\"\n"));
    g_assert_nonnull(strstr(nog->out, "[mon \"serial0\"]\n  mode = \"readline\"\n"
                                      "  chardev = \"serial0\"\n"));
    g_assert_nonnull(strstr(nog->out, "  builtin = \"on\"\n  chardev = \"serial0\"\n"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/parse/groups", test_parse_groups);
    g_test_add_func("/cmdline/parse/legacy", test_parse_legacy);
    g_test_add_func("/cmdline/parse/run-options", test_parse_run_options);
    g_test_add_func("/cmdline/parse/readconfig-position", test_parse_readconfig_position);
    g_test_add_func("/cmdline/ram-size", test_ram_size);
    g_test_add_func("/cmdline/firmware-dirs", test_firmware_dirs);
    g_test_add_func("/cmdline/live-config", test_live_config);
    g_test_add_func("/cmdline/expand/plain", test_expand_plain);
    g_test_add_func("/cmdline/expand/defaults", test_expand_defaults);
    g_test_add_func("/cmdline/expand/serial", test_expand_serial);
    g_test_add_func("/cmdline/expand/nographic", test_expand_nographic);
    g_test_add_func("/cmdline/expand/machine-options", test_expand_machine_options);
    g_test_add_func("/cmdline/bin/unknown-option", test_bin_unknown_option);
    g_test_add_func("/cmdline/bin/bad-values", test_bin_bad_values);
    g_test_add_func("/cmdline/bin/unknown-device", test_bin_unknown_device);
    g_test_add_func("/cmdline/bin/unknown-property", test_bin_unknown_property);
    g_test_add_func("/cmdline/bin/duplicate-id", test_bin_duplicate_id);
    g_test_add_func("/cmdline/bin/bad-readconfig", test_bin_bad_readconfig);
    g_test_add_func("/cmdline/bin/version-help", test_bin_version_help);
    g_test_add_func("/cmdline/bin/device-help", test_bin_device_help);
    g_test_add_func("/cmdline/bin/writeconfig-round-trip", test_bin_writeconfig_round_trip);
    g_test_add_func("/cmdline/bin/nographic", test_bin_nographic);
    g_test_add_func("/cmdline/bin/writeconfig-round-trip-pc", test_bin_writeconfig_round_trip_pc);
    g_test_add_func("/cmdline/bin/defaults-pc", test_bin_defaults_pc);
    return g_test_run();
}
