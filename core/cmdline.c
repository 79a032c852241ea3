/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QEMU-compatible command-line options. Everything that describes the
 * machine becomes an option group in one BpConfig, in command-line order
 * (-readconfig files are merged where they appear); options that only
 * steer this run (-S, -d, -L, ...) stay in BpCmdline. Legacy shorthands
 * turn into plain groups: -serial stdio is [chardev "serial0"] plus
 * [serial] chardev = "serial0", -monitor is [chardev] plus [mon], and so
 * on, so that -writeconfig can print everything in one format.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <backplane/error.h>
#include "core/chardev-internal.h"
#include "core/cmdline.h"
#include "core/machine.h"

typedef struct BpCmdlineState {
    BpCmdline *cl;
    unsigned serials, parallels, monitors;
    char *qtest_log;
} BpCmdlineState;

typedef bool (*OptHandler)(BpCmdlineState *s, const char *opt, const char *arg,
                           GError **errp);

typedef struct BpOption {
    const char *name;
    bool has_arg;
    OptHandler handler;
} BpOption;

BpCmdline *bp_cmdline_new(void)
{
    BpCmdline *cl = g_new0(BpCmdline, 1);

    cl->config = bp_config_new();
    cl->traces = g_ptr_array_new_with_free_func(g_free);
    cl->dirs = g_ptr_array_new_with_free_func(g_free);
    return cl;
}

void bp_cmdline_free(BpCmdline *cl)
{
    if (!cl) {
        return;
    }
    bp_config_free(cl->config);
    g_free(cl->log_mask);
    g_free(cl->log_file);
    g_ptr_array_unref(cl->traces);
    g_ptr_array_unref(cl->dirs);
    g_free(cl->gdb);
    g_free(cl->writeconfig);
    g_free(cl->index_dir);
    g_free(cl->help_arg);
    g_free(cl);
}

static bool is_help(const char *v)
{
    return v && (strcmp(v, "help") == 0 || strcmp(v, "?") == 0);
}

static void set_help(BpCmdlineState *s, BpCmdlineHelp h, const char *arg)
{
    if (s->cl->help == BP_HELP_NONE) {
        s->cl->help = h;
        s->cl->help_arg = g_strdup(arg);
    }
}

/* Parses `arg` into a group whose origin is "opt arg". */
static BpOpts *parse_group(const char *group, const char *opt, const char *arg,
                           const char *implied, GError **errp)
{
    BpOpts *o = bp_opts_parse(group, arg, implied, errp);

    if (o) {
        o->origin = g_strdup_printf("%s %s", opt, arg);
    }
    return o;
}

static BpOpts *new_group(const char *group, const char *id, const char *opt, const char *arg)
{
    BpOpts *o = bp_opts_new(group, id);

    o->origin = *arg ? g_strdup_printf("%s %s", opt, arg) : g_strdup(opt);
    return o;
}

static void add_machine_key(BpCmdlineState *s, const char *opt, const char *arg,
                            const char *key, const char *value)
{
    BpOpts *m = new_group("machine", NULL, opt, arg);

    bp_opts_set(m, key, value);
    bp_config_add(s->cl->config, m);
}

static bool opt_machine(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpOpts *o = parse_group("machine", opt, arg, "type", errp);

    if (!o) {
        return false;
    }
    if (is_help(bp_opts_get(o, "type")) || bp_opts_get(o, "help")) {
        set_help(s, BP_HELP_MACHINES, NULL);
        bp_opts_free(o);
        return true;
    }
    if (o->id) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "a machine has no id");
        bp_opts_free(o);
        return false;
    }
    bp_config_add(s->cl->config, o);
    return true;
}

static bool opt_memory(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpOpts *o = parse_group("memory", opt, arg, "size", errp);
    uint64_t bytes;

    if (!o) {
        return false;
    }
    for (guint k = 0; k < o->keys->len; k++) {
        if (strcmp(o->keys->pdata[k], "size") != 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid parameter '%s'",
                        (const char *)o->keys->pdata[k]);
            bp_opts_free(o);
            return false;
        }
    }
    if (!bp_opts_get(o, "size") ||
        !bp_machine_parse_ram_size(bp_opts_get(o, "size"), &bytes, errp)) {
        if (errp && !*errp) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "missing size");
        }
        bp_opts_free(o);
        return false;
    }
    bp_config_add(s->cl->config, o);
    return true;
}

static bool opt_device(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpOpts *o = parse_group("device", opt, arg, "driver", errp);
    const char *driver;

    if (!o) {
        return false;
    }
    driver = bp_opts_get(o, "driver");
    if (is_help(driver)) {
        set_help(s, BP_HELP_DEVICES, NULL);
    } else if (driver && (bp_opts_get(o, "help") || bp_opts_get(o, "?"))) {
        set_help(s, BP_HELP_DEVICE, driver);
    } else if (!driver) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "no device type given (start with it, as in -device isa-serial,...; "
                    "-device help lists them)");
        bp_opts_free(o);
        return false;
    } else {
        bp_config_add(s->cl->config, o);
        return true;
    }
    bp_opts_free(o);
    return true;
}

static bool opt_chardev(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpOpts *o = parse_group("chardev", opt, arg, "backend", errp);

    if (!o) {
        return false;
    }
    if (is_help(bp_opts_get(o, "backend"))) {
        set_help(s, BP_HELP_CHARDEV, NULL);
        bp_opts_free(o);
        return true;
    }
    if (!o->id) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "a chardev requires an id (id=NAME)");
        bp_opts_free(o);
        return false;
    }
    bp_config_add(s->cl->config, o);
    return true;
}

/* A legacy chardev spec as a [chardev "id"] group; "chardev:ID" names an
 * existing one. Returns the chardev id; *is_mon for "mon:". */
static char *legacy_chardev(BpCmdlineState *s, const char *opt, const char *spec,
                            const char *id, bool *is_mon, GError **errp)
{
    BpOpts *o;
    char *ret;

    *is_mon = false;
    if (g_str_has_prefix(spec, "chardev:")) {
        if (!bp_opts_id_valid(spec + 8)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid chardev id '%s'", spec + 8);
            return NULL;
        }
        return g_strdup(spec + 8);
    }
    if (strcmp(spec, "none") == 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "'none' is not valid here");
        return NULL;
    }
    o = bp_chardev_parse_legacy(spec, id, is_mon, errp);
    if (!o) {
        return NULL;
    }
    g_free(o->origin);
    o->origin = g_strdup_printf("%s %s", opt, spec);
    ret = g_strdup(o->id);
    bp_config_add(s->cl->config, o);
    return ret;
}

static void add_mon(BpCmdlineState *s, const char *opt, const char *arg, const char *chardev,
                    const char *mode)
{
    BpOpts *m = new_group("mon", chardev, opt, arg);

    bp_opts_set(m, "mode", mode);
    bp_opts_set(m, "chardev", chardev);
    bp_config_add(s->cl->config, m);
}

/* -serial and -parallel: [serial]/[parallel] chardev = ID binds the
 * machine's n-th port; "none" keeps the port unconnected. */
static bool opt_port(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    bool serial = strcmp(opt, "-serial") == 0;
    unsigned *count = serial ? &s->serials : &s->parallels;
    g_autofree char *id = g_strdup_printf("%s%u", serial ? "serial" : "parallel", *count);
    BpOpts *port = new_group(serial ? "serial" : "parallel", NULL, opt, arg);
    g_autofree char *chr = NULL;
    bool is_mon;

    (*count)++;
    if (strcmp(arg, "none") != 0) {
        chr = legacy_chardev(s, opt, arg, id, &is_mon, errp);
        if (!chr) {
            bp_opts_free(port);
            return false;
        }
        bp_opts_set(port, "chardev", chr);
        if (is_mon) {
            add_mon(s, opt, arg, chr, "readline");
        }
    }
    bp_config_add(s->cl->config, port);
    return true;
}

static bool opt_monitor(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    bool qmp = strcmp(opt, "-qmp") == 0;
    g_autofree char *id = g_strdup_printf("compat_monitor%u", s->monitors);
    g_autofree char *chr = NULL;
    bool is_mon;

    if (strcmp(arg, "none") == 0) {
        BpOpts *m = new_group("mon", NULL, opt, arg);

        /* Only says "no default monitor"; expansion drops it. */
        bp_opts_set(m, "mode", "none");
        bp_config_add(s->cl->config, m);
        return true;
    }
    s->monitors++;
    chr = legacy_chardev(s, opt, arg, id, &is_mon, errp);
    if (!chr) {
        return false;
    }
    add_mon(s, opt, arg, chr, qmp ? "control" : "readline");
    return true;
}

static bool opt_mon(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpOpts *o = parse_group("mon", opt, arg, "chardev", errp);
    const char *mode;
    bool b;

    if (!o) {
        return false;
    }
    mode = bp_opts_get(o, "mode");
    for (guint k = 0; k < o->keys->len; k++) {
        static const char *const keys[] = { "chardev", "mode", "pretty", NULL };

        if (!g_strv_contains(keys, o->keys->pdata[k])) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid parameter '%s'",
                        (const char *)o->keys->pdata[k]);
            goto fail;
        }
    }
    if (!bp_opts_get(o, "chardev")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "'chardev' is missing");
        goto fail;
    }
    if (mode && strcmp(mode, "readline") && strcmp(mode, "control")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "invalid mode '%s' (readline or control)", mode);
        goto fail;
    }
    if (!mode) {
        bp_opts_set(o, "mode", "readline");
    }
    if (bp_opts_get(o, "pretty") &&
        !bp_opts_parse_bool("pretty", bp_opts_get(o, "pretty"), &b, errp)) {
        goto fail;
    }
    bp_config_add(s->cl->config, o);
    return true;
fail:
    bp_opts_free(o);
    return false;
}

static bool opt_debugcon(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    g_autofree char *chr = NULL;
    BpOpts *dev;
    bool is_mon;

    chr = legacy_chardev(s, opt, arg, "debugcon", &is_mon, errp);
    if (!chr) {
        return false;
    }
    dev = new_group("device", NULL, opt, arg);
    bp_opts_set(dev, "driver", "isa-debugcon");
    bp_opts_set(dev, "chardev", chr);
    bp_config_add(s->cl->config, dev);
    return true;
}

static bool opt_qtest(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    g_autofree char *chr = NULL;
    BpOpts *q;
    bool is_mon;

    if (bp_config_find(s->cl->config, "qtest", NULL)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "only one -qtest is allowed");
        return false;
    }
    chr = legacy_chardev(s, opt, arg, "qtest", &is_mon, errp);
    if (!chr) {
        return false;
    }
    q = new_group("qtest", NULL, opt, arg);
    bp_opts_set(q, "chardev", chr);
    bp_config_add(s->cl->config, q);
    return true;
}

static bool opt_qtest_log(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    g_free(s->qtest_log);
    s->qtest_log = g_strdup(arg);
    return true;
}

static bool opt_accel(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    g_autoptr(BpOpts) o = parse_group("accel", opt, arg, "accel", errp);

    if (!o) {
        return false;
    }
    for (guint k = 0; k < o->keys->len; k++) {
        if (strcmp(o->keys->pdata[k], "accel") != 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid parameter '%s'",
                        (const char *)o->keys->pdata[k]);
            return false;
        }
    }
    if (!bp_opts_get(o, "accel")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "missing accelerator name");
        return false;
    }
    add_machine_key(s, opt, arg, "accel", bp_opts_get(o, "accel"));
    return true;
}

static bool opt_machine_key(BpCmdlineState *s, const char *opt, const char *arg,
                            GError **errp)
{
    static const struct { const char *opt, *key; } map[] = {
        { "-cpu", "cpu" }, { "-bios", "firmware" }, { "-kernel", "kernel" },
        { "-initrd", "initrd" }, { "-append", "append" },
    };

    if (strcmp(opt, "-cpu") == 0 && is_help(arg)) {
        set_help(s, BP_HELP_CPU, NULL);
        return true;
    }
    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        if (strcmp(map[i].opt, opt) == 0) {
            add_machine_key(s, opt, arg, map[i].key, arg);
            return true;
        }
    }
    g_assert_not_reached();
}

static bool opt_flag(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpCmdline *cl = s->cl;

    if (strcmp(opt, "-S") == 0) {
        cl->start_paused = true;
    } else if (strcmp(opt, "-no-reboot") == 0) {
        cl->no_reboot = true;
    } else if (strcmp(opt, "-no-shutdown") == 0) {
        cl->no_shutdown = true;
    } else if (strcmp(opt, "-nodefaults") == 0) {
        add_machine_key(s, opt, "", "nodefaults", "on");
    } else if (strcmp(opt, "-nographic") == 0) {
        add_machine_key(s, opt, "", "graphics", "off");
    } else if (strcmp(opt, "-enable-kvm") == 0) {
        add_machine_key(s, opt, "", "accel", "kvm");
    } else if (strcmp(opt, "-s") == 0) {
        g_free(cl->gdb);
        cl->gdb = g_strdup("tcp::1234");
    } else if (strcmp(opt, "-version") == 0) {
        set_help(s, BP_HELP_VERSION, NULL);
    } else if (strcmp(opt, "-h") == 0 || strcmp(opt, "-help") == 0) {
        set_help(s, BP_HELP_USAGE, NULL);
    } else {
        g_assert_not_reached();
    }
    return true;
}

/* The keys an option group takes; NULL-terminated. */
static bool keys_known(const BpOpts *o, const char *const *keys, GError **errp)
{
    for (guint k = 0; k < o->keys->len; k++) {
        if (!g_strv_contains(keys, o->keys->pdata[k])) {
            g_autofree char *list = g_strjoinv(", ", (char **)keys);

            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid parameter '%s' (valid: %s)",
                        (const char *)o->keys->pdata[k], list);
            return false;
        }
    }
    return true;
}

/* -smp, -rtc and -boot: what is recorded must at least be well formed. */
static bool check_record(const char *opt, const BpOpts *o, GError **errp)
{
    if (strcmp(opt, "-smp") == 0) {
        static const char *const keys[] = { "cpus", "maxcpus", "sockets", "dies", "cores",
                                            "threads", NULL };

        if (!keys_known(o, keys, errp)) {
            return false;
        }
        for (guint k = 0; k < o->keys->len; k++) {
            const char *v = o->values->pdata[k];
            guint64 n;

            if (!g_ascii_string_to_unsigned(v, 10, 1, G_MAXUINT32, &n, NULL)) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "%s=%s: expects a whole number of at least 1 (only -smp 1 is "
                            "supported for now)", (const char *)o->keys->pdata[k], v);
                return false;
            }
            if (n != 1) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "only one CPU is supported for now (use -smp 1)");
                return false;
            }
        }
    } else if (strcmp(opt, "-rtc") == 0) {
        static const char *const keys[] = { "base", "clock", "driftfix", NULL };
        static const char *const clocks[] = { "host", "rt", "vm", NULL };
        static const char *const drift[] = { "none", "slew", NULL };
        const char *v;

        if (!keys_known(o, keys, errp)) {
            return false;
        }
        if ((v = bp_opts_get(o, "clock")) && !g_strv_contains(clocks, v)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid clock '%s' (host, rt or vm)", v);
            return false;
        }
        if ((v = bp_opts_get(o, "driftfix")) && !g_strv_contains(drift, v)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid driftfix '%s' (none or slew)", v);
            return false;
        }
    } else if (strcmp(opt, "-boot") == 0) {
        static const char *const keys[] = { "order", "once", "menu", "splash", "splash-time",
                                            "reboot-timeout", "strict", NULL };
        static const char *const drives[] = { "order", "once" };

        if (!keys_known(o, keys, errp)) {
            return false;
        }
        for (guint i = 0; i < G_N_ELEMENTS(drives); i++) {
            const char *v = bp_opts_get(o, drives[i]);

            for (const char *c = v; c && *c; c++) {
                if (*c < 'a' || *c > 'p') {
                    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                                "invalid boot device '%c' in %s=%s (drive letters a-p: "
                                "a floppy, c disk, d CD-ROM, n network)", *c, drives[i], v);
                    return false;
                }
            }
        }
    }
    return true;
}

static bool opt_record(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    static const struct { const char *opt, *group, *implied; } map[] = {
        { "-drive", "drive", NULL }, { "-netdev", "netdev", "type" },
        { "-rtc", "rtc", NULL }, { "-boot", "boot-opts", "order" },
        { "-smp", "smp-opts", "cpus" }, { "-icount", "icount", "shift" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        BpOpts *o;

        if (strcmp(map[i].opt, opt) != 0) {
            continue;
        }
        o = parse_group(map[i].group, opt, arg, map[i].implied, errp);
        if (!o) {
            return false;
        }
        if (strcmp(opt, "-netdev") == 0 && !o->id) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "a netdev requires an id (id=NAME)");
            bp_opts_free(o);
            return false;
        }
        if (strcmp(opt, "-icount") == 0) {
            const char *shift = bp_opts_get(o, "shift");
            char *end = NULL;
            long v = shift ? strtol(shift, &end, 10) : 2;
            static const char *const keys[] = { "shift", NULL };

            if (!keys_known(o, keys, errp)) {
                bp_opts_free(o);
                return false;
            }
            if (shift && (strcmp(shift, "auto") == 0 || !*shift || *end || v < 0 || v > 10)) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "shift must be a whole number of 0-10 (2^N ns of virtual time "
                            "per instruction; 'auto' is not supported)");
                bp_opts_free(o);
                return false;
            }
        }
        if (!check_record(opt, o, errp)) {
            bp_opts_free(o);
            return false;
        }
        bp_config_add(s->cl->config, o);
        return true;
    }
    g_assert_not_reached();
}

static bool opt_display(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    g_autoptr(BpOpts) o = parse_group("display", opt, arg, "type", errp);
    static const char *const later[] = { "sdl", "gtk", "vnc", "curses", "egl-headless",
                                         "spice-app", "cocoa", "dbus", "default", NULL };
    const char *type;

    if (!o) {
        return false;
    }
    type = bp_opts_get(o, "type");
    if (is_help(type)) {
        set_help(s, BP_HELP_DISPLAY, NULL);
        return true;
    }
    if (type && strcmp(type, "none") == 0) {
        if (o->keys->len > 1) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "display 'none' takes no options (got '%s')",
                        (const char *)o->keys->pdata[1]);
            return false;
        }
        return true;
    }
    if (type && g_strv_contains(later, type)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "display '%s' is not available (this build has only 'none')", type);
    } else {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "invalid display type '%s' (see -display help)", type ? type : "");
    }
    return false;
}

static bool opt_audio(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    g_autoptr(BpOpts) o = parse_group("audio", opt, arg, "driver", errp);

    if (!o) {
        return false;
    }
    if (g_strcmp0(bp_opts_get(o, "driver"), "none") == 0 && o->keys->len == 1) {
        return true;
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "there is no audio backend yet (only -audio none)");
    return false;
}

static bool opt_run(BpCmdlineState *s, const char *opt, const char *arg, GError **errp)
{
    BpCmdline *cl = s->cl;

    if (strcmp(opt, "-L") == 0) {
        g_ptr_array_add(cl->dirs, g_strdup(arg));
    } else if (strcmp(opt, "-d") == 0) {
        if (is_help(arg)) {
            set_help(s, BP_HELP_LOG, NULL);
        }
        g_free(cl->log_mask);
        cl->log_mask = g_strdup(arg);
    } else if (strcmp(opt, "-D") == 0) {
        g_free(cl->log_file);
        cl->log_file = g_strdup(arg);
    } else if (strcmp(opt, "-trace") == 0) {
        g_autoptr(BpOpts) o = parse_group("trace", opt, arg, "enable", errp);

        if (!o) {
            return false;
        }
        if (!bp_opts_get(o, "enable") || o->keys->len != 1) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "expected a type or id pattern ([enable=]PATTERN)");
            return false;
        }
        g_ptr_array_add(cl->traces, g_strdup(bp_opts_get(o, "enable")));
    } else if (strcmp(opt, "-gdb") == 0) {
        g_free(cl->gdb);
        cl->gdb = strcmp(arg, "none") == 0 ? NULL : g_strdup(arg);
    } else if (strcmp(opt, "-writeconfig") == 0) {
        g_free(cl->writeconfig);
        cl->writeconfig = g_strdup(arg);
    } else if (strcmp(opt, "--index-modules") == 0) {
        g_free(cl->index_dir);
        cl->index_dir = g_strdup(arg);
    } else {
        g_assert_not_reached();
    }
    return true;
}

static bool opt_readconfig(BpCmdlineState *s, const char *opt, const char *arg,
                           GError **errp)
{
    return bp_config_read_file(s->cl->config, arg, errp);
}

static const BpOption options[] = {
    { "-M", true, opt_machine },
    { "-machine", true, opt_machine },
    { "-m", true, opt_memory },
    { "-device", true, opt_device },
    { "-chardev", true, opt_chardev },
    { "-serial", true, opt_port },
    { "-parallel", true, opt_port },
    { "-monitor", true, opt_monitor },
    { "-qmp", true, opt_monitor },
    { "-mon", true, opt_mon },
    { "-debugcon", true, opt_debugcon },
    { "-qtest", true, opt_qtest },
    { "-qtest-log", true, opt_qtest_log },
    { "-accel", true, opt_accel },
    { "-cpu", true, opt_machine_key },
    { "-bios", true, opt_machine_key },
    { "-kernel", true, opt_machine_key },
    { "-initrd", true, opt_machine_key },
    { "-append", true, opt_machine_key },
    { "-drive", true, opt_record },
    { "-netdev", true, opt_record },
    { "-rtc", true, opt_record },
    { "-boot", true, opt_record },
    { "-smp", true, opt_record },
    { "-icount", true, opt_record },
    { "-nodefaults", false, opt_flag },
    { "-readconfig", true, opt_readconfig },
    { "-writeconfig", true, opt_run },
    { "-S", false, opt_flag },
    { "-nographic", false, opt_flag },
    { "-display", true, opt_display },
    { "-audio", true, opt_audio },
    { "-L", true, opt_run },
    { "-d", true, opt_run },
    { "-D", true, opt_run },
    { "-trace", true, opt_run },
    { "-no-reboot", false, opt_flag },
    { "-no-shutdown", false, opt_flag },
    { "-enable-kvm", false, opt_flag },
    { "-s", false, opt_flag },
    { "-gdb", true, opt_run },
    { "-version", false, opt_flag },
    { "-h", false, opt_flag },
    { "-help", false, opt_flag },
    { "--index-modules", true, opt_run },
};

static const BpOption *find_option(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(options); i++) {
        if (strcmp(options[i].name, name) == 0) {
            return &options[i];
        }
    }
    /* QEMU accepts --opt for every -opt. */
    if (g_str_has_prefix(name, "--")) {
        for (guint i = 0; i < G_N_ELEMENTS(options); i++) {
            if (strcmp(options[i].name, name + 1) == 0) {
                return &options[i];
            }
        }
    }
    return NULL;
}

bool bp_cmdline_parse(BpCmdline *cl, int argc, char **argv, GError **errp)
{
    BpCmdlineState s = { .cl = cl };
    bool ok = true;

    for (int i = 1; i < argc && ok; i++) {
        const char *name = argv[i];
        const BpOption *opt = find_option(name);
        const char *arg = "";
        g_autoptr(GError) err = NULL;

        if (name[0] != '-') {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "%s: unexpected argument (disk images are given with -drive)", name);
            return false;
        }
        if (!opt) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "%s: invalid option (see -help)", name);
            return false;
        }
        if (opt->has_arg) {
            if (i + 1 >= argc) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "%s: requires an argument", name);
                return false;
            }
            arg = argv[++i];
        }
        if (!opt->handler(&s, opt->name, arg, &err)) {
            /* The config reader's messages start with FILE:LINE. */
            if (opt->handler == opt_readconfig && g_str_has_prefix(err->message, arg)) {
                g_set_error(errp, BP_ERROR, err->code, "%s", err->message);
            } else if (opt->has_arg) {
                g_set_error(errp, BP_ERROR, err->code, "%s %s: %s", name, arg, err->message);
            } else {
                g_set_error(errp, BP_ERROR, err->code, "%s: %s", name, err->message);
            }
            ok = false;
        }
    }
    if (ok && s.qtest_log) {
        BpOpts *q = bp_config_find(cl->config, "qtest", NULL);

        if (q) {
            bp_opts_set(q, "log", s.qtest_log);
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "-qtest-log %s: requires -qtest", s.qtest_log);
            ok = false;
        }
    }
    g_free(s.qtest_log);
    return ok;
}
