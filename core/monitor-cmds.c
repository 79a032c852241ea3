/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in monitor commands, one table for HMP and QMP. Where both
 * protocols have a command (device_add, stop, quit, ...) the two handlers
 * share one function that does the work; HMP formats text, QMP returns
 * JSON. QMP names, arguments, results and error texts follow QEMU's schema
 * so that QMP clients written for QEMU work unchanged.
 */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include "core/registry-internal.h"
#include "core/monitor-internal.h"
#include "core/registry.h"
#include "core/module-loader.h"
#include "core/chardev-internal.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"
#include "core/engine.h"
#include "core/machine.h"

#define PERIPHERAL "/machine/peripheral/"
#define PERIPHERAL_ANON "/machine/peripheral-anon/"

static JsonNode *node_empty(void)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, json_object_new());
    return n;
}

static JsonNode *node_take_object(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, o);
    return n;
}

static JsonNode *node_take_array(JsonArray *a)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, a);
    return n;
}

static char *first_word(const char *s, const char **rest)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    const char *e = s;
    while (*e && *e != ' ' && *e != '\t') {
        e++;
    }
    if (rest) {
        *rest = e;
        while (**rest == ' ' || **rest == '\t') {
            (*rest)++;
        }
    }
    return g_strndup(s, e - s);
}

bool bp_mon_name_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a;
        char y = *b == '-' ? '_' : *b;
        if (x != y) {
            return false;
        }
    }
    return *a == *b;
}

typedef struct ModFind {
    const char *name;
    const BpMonitorCommand *found;
} ModFind;

static void mod_find_one(const BpMonitorCommand *mc, void *opaque)
{
    ModFind *f = opaque;

    if (!f->found && bp_mon_name_equal(mc->name, f->name)) {
        f->found = mc;
    }
}

const BpMonitorCommand *bp_mon_module_cmd_find(const char *name)
{
    const BpMonitorCommand *c = bp_modules_find_command(name);
    if (c) {
        return c;
    }
    /* HMP accepts '-' for '_' and back, in any mix. */
    ModFind f = { name, NULL };
    bp_modules_foreach_command(mod_find_one, &f);
    return f.found;
}

/* A device's QOM name: its id, or for anonymous devices the last part of
 * the registry's path ("isa-debug-exit[0]") under peripheral-anon. */
static const char *qom_anon_name(BpDevice *dev)
{
    const char *path = bp_device_id(dev);
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

static char *qom_path(BpDevice *dev)
{
    return dev->id ? g_strconcat(PERIPHERAL, dev->id, NULL)
                   : g_strconcat(PERIPHERAL_ANON, qom_anon_name(dev), NULL);
}

static BpDevice *qom_resolve(const char *path, GError **errp);

/* -- shared actions ------------------------------------------------------ */

static void quit_now(void *opaque)
{
    bp_main_loop_quit(0);
}

static void do_quit(void)
{
    JsonObject *d = json_object_new();

    /* SHUTDOWN, then the reply, then the end of the loop, as QEMU orders
     * them. -no-shutdown does not apply to quit. */
    json_object_set_boolean_member(d, "guest", FALSE);
    json_object_set_string_member(d, "reason", "host-qmp-quit");
    bp_qmp_event("SHUTDOWN", d);
    bp_mon_defer(quit_now, NULL);
}

static bool do_device_add(BpOpts *o, bool hmp, GError **errp)
{
    if (!bp_opts_get(o, "driver")) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                    "Parameter 'driver' is missing");
        return false;
    }
    const char *driver = bp_opts_get(o, "driver");
    g_autoptr(GError) lerr = NULL;
    if (!bp_type_lookup_for(driver, "device_add", &lerr)) {
        /* QEMU's words for an unknown driver; a module that exists but
         * cannot load keeps its own message. */
        if (g_error_matches(lerr, BP_ERROR, BP_ERROR_MODULE)) {
            g_propagate_error(errp, g_steal_pointer(&lerr));
        } else {
            /* QEMU's words, which QMP clients may match; HMP adds a hint. */
            g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                        "'%s' is not a valid device model name%s", driver,
                        hmp ? " (device_add help lists them)" : "");
        }
        return false;
    }
    BpDevice *dev = bp_device_new_from_opts_for(o, "device_add", errp);
    if (!dev) {
        return false;
    }
    bp_machine_note_hotplug(o);
    return true;
}

static bool do_device_del(const char *id, GError **errp)
{
    /* An id, a registry path or a QOM path, as QEMU accepts. */
    BpDevice *dev = bp_device_find(id);
    if (!dev && id[0] == '/') {
        dev = qom_resolve(id, NULL);
    }
    if (!dev) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_DEVICE_NOT_FOUND,
                    "Device '%s' not found", id);
        return false;
    }
    /* The event names the device as the user did, and its QOM path. */
    g_autofree char *devid = g_strdup(dev->id);
    g_autofree char *path = qom_path(dev);
    g_autofree char *key = g_strdup(bp_device_id(dev));
    if (!bp_device_delete(key, errp)) {
        return false;
    }
    if (devid) {
        bp_machine_note_unplug("device", devid);
    }
    JsonObject *d = json_object_new();
    if (devid) {
        json_object_set_string_member(d, "device", devid);
    }
    json_object_set_string_member(d, "path", path);
    bp_qmp_event("DEVICE_DELETED", d);
    return true;
}

/* -- HMP-only commands --------------------------------------------------- */

static void help_line(GString *out, const char *name, const char *params, const char *help)
{
    g_string_append(out, name);
    if (params && *params) {
        /* x/FMT is one word; everything else takes a blank. */
        g_string_append_printf(out, params[0] == '/' ? "%s" : " %s", params);
    }
    g_string_append_printf(out, " -- %s\n", help ? help : "");
}

static char *module_params(const BpMonitorCommand *c)
{
    g_autoptr(BpMonSpec) s = bp_mon_spec_parse(c->args, false, NULL);
    GString *u = g_string_new(NULL);

    for (guint i = 0; s && i < s->args->len; i++) {
        const BpMonArg *a = s->args->pdata[i];
        g_string_append_printf(u, "%s%s%s%s", i ? " " : "", a->optional ? "[" : "",
                               a->name, a->optional ? "]" : "");
    }
    return g_string_free(u, FALSE);
}

static void help_builtin(const BpMonCmd *c, void *opaque)
{
    if (c->hmp) {
        help_line(opaque, c->name, c->params, c->help);
    }
}

static void help_module(const BpMonitorCommand *c, void *opaque)
{
    g_autofree char *params = module_params(c);
    help_line(opaque, c->name, params, c->help);
}

static bool hmp_help(const char *args, GString *out, GError **errp)
{
    g_autofree char *name = first_word(args, NULL);

    if (!*name) {
        bp_mon_cmd_foreach(help_builtin, out);
        bp_modules_foreach_command(help_module, out);
        return true;
    }
    const BpMonCmd *c = bp_mon_cmd_find_hmp(name);
    if (c) {
        help_builtin(c, out);
        return true;
    }
    const BpMonitorCommand *mc = bp_mon_module_cmd_find(name);
    if (mc) {
        help_module(mc, out);
        return true;
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_COMMAND_NOT_FOUND,
                "unknown command: '%s' (try 'help')", name);
    return false;
}

static char *info_version(GError **errp)
{
    return g_strdup(PACKAGE_VERSION " (Backplane " PACKAGE_VERSION ")\n");
}

static char *info_status(GError **errp)
{
    BpRunState st = bp_runstate();

    /* QEMU's wording: "running", "paused", or "paused (prelaunch)". */
    if (st == BP_RUN_RUNNING || st == BP_RUN_PAUSED) {
        return g_strdup_printf("VM status: %s\n", bp_runstate_name(st));
    }
    return g_strdup_printf("VM status: paused (%s)\n", bp_runstate_name(st));
}

static char *info_config(GError **errp)
{
    BpConfig *c = bp_machine_live_config();
    if (!c) {
        return g_strdup("");
    }
    char *s = bp_config_to_string(c);
    bp_config_free(c);
    return s;
}

static char *info_registers(GError **errp)
{
    char *s = bp_cpu_info_registers();
    if (!s) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "no CPU (the machine has none, or runs -accel qtest)");
    }
    return s;
}

static void info_cmd_name(const BpMonCmd *c, void *opaque)
{
    if (c->qmp) {
        g_string_append_printf(opaque, "%s\n", c->name);
    }
}

static void info_mod_cmd(const BpMonitorCommand *c, void *opaque)
{
    g_autofree char *params = module_params(c);
    g_string_append_printf(opaque, "%s %s -- %s (module command: args '%s')\n",
                           c->name, params, c->help ? c->help : "", c->args ? c->args : "");
}

static char *info_commands(GError **errp)
{
    GString *s = g_string_new(NULL);

    bp_mon_cmd_foreach(info_cmd_name, s);
    bp_modules_foreach_command(info_mod_cmd, s);
    return g_string_free(s, FALSE);
}

static char *info_qtree(GError **errp) { return bp_info_qtree(); }
static char *info_qdm(GError **errp) { return bp_info_qdm(); }
static char *info_modules(GError **errp) { return bp_info_modules(); }
static char *info_mtree(GError **errp) { return bp_info_mtree(); }
static char *info_chardev(GError **errp) { return bp_info_chardev(); }

typedef struct InfoCmd {
    const char *name;
    const char *help;
    char *(*fn)(GError **errp);
} InfoCmd;

static const InfoCmd info_cmds[] = {
    { "chardev",   "show the character devices", info_chardev },
    { "commands",  "list QMP and module commands", info_commands },
    { "config",    "show the live configuration (-readconfig format)", info_config },
    { "modules",   "show the loaded modules and why they were loaded", info_modules },
    { "mtree",     "show the memory and I/O maps", info_mtree },
    { "qdm",       "show the device types", info_qdm },
    { "qtree",     "show the device tree", info_qtree },
    { "registers", "show the CPU registers", info_registers },
    { "status",    "show the run state", info_status },
    { "version",   "show the version", info_version },
};

const char *const *bp_mon_info_names(void)
{
    static const char *names[G_N_ELEMENTS(info_cmds) + 1];

    for (guint i = 0; i < G_N_ELEMENTS(info_cmds); i++) {
        names[i] = info_cmds[i].name;
    }
    return names;
}

static bool hmp_info(const char *args, GString *out, GError **errp)
{
    g_autofree char *sub = first_word(args, NULL);

    if (!*sub) {
        for (guint i = 0; i < G_N_ELEMENTS(info_cmds); i++) {
            help_line(out, "info", info_cmds[i].name, info_cmds[i].help);
        }
        return true;
    }
    for (guint i = 0; i < G_N_ELEMENTS(info_cmds); i++) {
        if (strcmp(sub, info_cmds[i].name) == 0) {
            char *s = info_cmds[i].fn(errp);
            if (!s) {
                return false;
            }
            g_string_append(out, s);
            if (*s && s[strlen(s) - 1] != '\n') {
                g_string_append_c(out, '\n');
            }
            g_free(s);
            return true;
        }
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_COMMAND_NOT_FOUND,
                "unknown info command: '%s' (try 'info')", sub);
    return false;
}

static bool hmp_device_add(const char *args, GString *out, GError **errp)
{
    if (!*args) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "usage: device_add DRIVER[,prop=value][,...] (or 'device_add help')");
        return false;
    }
    if (strcmp(args, "help") == 0 || strcmp(args, "?") == 0) {
        g_autofree char *s = bp_device_list_help();
        g_string_append(out, s);
        return true;
    }
    g_autoptr(BpOpts) o = bp_opts_parse("device", args, "driver", errp);
    if (!o) {
        return false;
    }
    if (bp_opts_get(o, "help") && bp_opts_get(o, "driver")) {
        char *s = bp_device_help(bp_opts_get(o, "driver"), errp);
        if (!s) {
            return false;
        }
        g_string_append(out, s);
        g_free(s);
        return true;
    }
    return do_device_add(o, true, errp);
}

static bool hmp_device_del(const char *args, GString *out, GError **errp)
{
    g_autofree char *id = first_word(args, NULL);
    if (!*id) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "usage: device_del ID");
        return false;
    }
    return do_device_del(id, errp);
}

static bool hmp_chardev_add(const char *args, GString *out, GError **errp)
{
    if (!*args) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "usage: chardev_add BACKEND,id=ID[,option=value][,...]");
        return false;
    }
    g_autoptr(BpOpts) o = bp_opts_parse("chardev", args, "backend", errp);
    if (!o) {
        return false;
    }
    if (!o->id) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "chardev_add: 'id' is mandatory");
        return false;
    }
    if (!bp_chardev_new_from_opts(o, errp)) {
        return false;
    }
    bp_machine_note_hotplug(o);
    return true;
}

static bool hmp_chardev_remove(const char *args, GString *out, GError **errp)
{
    g_autofree char *id = first_word(args, NULL);
    if (!*id) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "usage: chardev_remove ID");
        return false;
    }
    if (!bp_chardev_remove(id, errp)) {
        return false;
    }
    bp_machine_note_unplug("chardev", id);
    return true;
}

static bool hmp_stop(const char *args, GString *out, GError **errp)
{
    bp_vm_stop();
    return true;
}

static bool hmp_cont(const char *args, GString *out, GError **errp)
{
    bp_vm_start();
    return true;
}

static bool hmp_system_reset(const char *args, GString *out, GError **errp)
{
    bp_main_loop_request_reset("host-qmp-system-reset");
    return true;
}

static bool hmp_quit(const char *args, GString *out, GError **errp)
{
    do_quit();
    return true;
}

/* x/FMT ADDR and xp/FMT ADDR: FMT is [count][format][size], format one of
 * x d u o c, size b h w g (1, 2, 4, 8 bytes). Defaults: 1, x, w; 'c'
 * defaults to bytes. */
#define X_MAX_BYTES (64 * 1024)

static bool parse_x_fmt(const char *fmt, unsigned *count, char *format, unsigned *size,
                        GError **errp)
{
    const char *p = fmt;
    bool size_given = false;

    *count = 1;
    *format = 'x';
    *size = 4;
    if (g_ascii_isdigit(*p)) {
        char *end;
        guint64 n = g_ascii_strtoull(p, &end, 10);
        if (n == 0 || n > X_MAX_BYTES) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "count must be between 1 and %u", X_MAX_BYTES);
            return false;
        }
        *count = n;
        p = end;
    }
    for (; *p; p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c':
            *format = *p;
            break;
        case 'b': *size = 1; size_given = true; break;
        case 'h': *size = 2; size_given = true; break;
        case 'w': *size = 4; size_given = true; break;
        case 'g': *size = 8; size_given = true; break;
        case 'i':
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "format 'i' needs a disassembler, which Backplane lacks");
            return false;
        default:
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid format '%c' (count, then x d u o c, then b h w g)", *p);
            return false;
        }
    }
    if (*format == 'c' && !size_given) {
        *size = 1;
    }
    if ((guint64)*count * *size > X_MAX_BYTES) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "at most %u bytes at a time", X_MAX_BYTES);
        return false;
    }
    return true;
}

/* QEMU's columns: hex zero-padded to the size, octal with a leading 0 and
 * decimal right-aligned to the widest value of the size. */
static void x_print_item(GString *out, char format, unsigned size, uint64_t v)
{
    int bits = size * 8;

    switch (format) {
    case 'x':
        g_string_append_printf(out, " 0x%0*" PRIx64, bits / 4, v);
        break;
    case 'o':
        g_string_append_printf(out, " %#*" PRIo64, (bits + 2) / 3, v);
        break;
    case 'u':
        g_string_append_printf(out, " %*" PRIu64, (bits * 10 + 32) / 33, v);
        break;
    case 'd': {
        int shift = 64 - bits;
        int64_t sv = shift ? (int64_t)(v << shift) >> shift : (int64_t)v;
        g_string_append_printf(out, " %*" PRId64, (bits * 10 + 32) / 33, sv);
        break;
    }
    default:
        for (unsigned i = 0; i < size; i++) {
            uint8_t ch = v >> (i * 8);
            switch (ch) {
            case '\'': g_string_append(out, " '\\''"); break;
            case '\\': g_string_append(out, " '\\\\'"); break;
            case '\n':  g_string_append(out, " '\\n'"); break;
            case '\r':  g_string_append(out, " '\\r'"); break;
            default:
                if (ch >= 0x20 && ch < 0x7f) {
                    g_string_append_printf(out, " '%c'", ch);
                } else {
                    g_string_append_printf(out, " '\\x%02x'", ch);
                }
                break;
            }
        }
        break;
    }
}

static bool hmp_memory_dump(const char *args, GString *out, bool physical, GError **errp)
{
    const char *fmt = "";
    const char *rest = args;
    g_autofree char *fmtbuf = NULL;

    if (*rest == '/') {
        fmtbuf = first_word(rest + 1, &rest);
        fmt = fmtbuf;
    }
    g_autofree char *addr_s = first_word(rest, &rest);
    if (!*addr_s || *rest) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "usage: %s/FMT ADDR",
                    physical ? "xp" : "x");
        return false;
    }
    unsigned count, size;
    char format;
    if (!parse_x_fmt(fmt, &count, &format, &size, errp)) {
        return false;
    }
    char *end;
    errno = 0;
    guint64 addr = g_ascii_strtoull(addr_s, &end, 0);
    if (*end || errno) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid address '%s'", addr_s);
        return false;
    }
    size_t len = (size_t)count * size;
    /* Virtual addresses are 32-bit; physical ones must not wrap. */
    guint64 limit = physical ? G_MAXUINT64 : G_MAXUINT32;
    if (addr > limit) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "address 0x%" PRIx64 " is outside the 32-bit virtual address space", addr);
        return false;
    }
    if (len - 1 > limit - addr) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "0x%" PRIx64 "+%zu goes past the end of the %s address space (give a "
                    "smaller count)", addr, len, physical ? "physical" : "32-bit virtual");
        return false;
    }
    g_autofree uint8_t *buf = g_malloc0(len);
    bool ok = physical ? bp_dma_read(bp_address_space(BP_AS_MEMORY), addr, buf, len)
                       : bp_cpu_read_virt(addr, buf, len);
    if (!ok) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "cannot access memory at 0x%" PRIx64, addr);
        return false;
    }
    unsigned per_line = size == 1 ? 8 : 16 / size;
    for (unsigned i = 0; i < count; i++) {
        if (i % per_line == 0) {
            if (i) {
                g_string_append_c(out, '\n');
            }
            g_string_append_printf(out, "%016" PRIx64 ":", addr + (uint64_t)i * size);
        }
        uint64_t v = 0;
        for (unsigned b = 0; b < size; b++) {
            v |= (uint64_t)buf[i * size + b] << (8 * b);
        }
        x_print_item(out, format, size, v);
    }
    g_string_append_c(out, '\n');
    return true;
}

static bool hmp_x(const char *args, GString *out, GError **errp)
{
    return hmp_memory_dump(args, out, false, errp);
}

static bool hmp_xp(const char *args, GString *out, GError **errp)
{
    return hmp_memory_dump(args, out, true, errp);
}

/* -- QMP-only commands --------------------------------------------------- */

static JsonNode *qmp_capabilities(JsonObject *args, GError **errp)
{
    /* Negotiation itself happens in monitor-qmp.c; no capability (oob)
     * is offered, so asking for one fails. */
    JsonNode *en = args ? json_object_get_member(args, "enable") : NULL;
    if (en && JSON_NODE_HOLDS_ARRAY(en) && json_array_get_length(json_node_get_array(en))) {
        JsonNode *first = json_array_get_element(json_node_get_array(en), 0);
        const char *name = JSON_NODE_HOLDS_VALUE(first) &&
                           json_node_get_value_type(first) == G_TYPE_STRING
                           ? json_node_get_string(first) : "?";
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                    "Capability '%s' not available", name);
        return NULL;
    }
    if (en && !JSON_NODE_HOLDS_ARRAY(en) && !JSON_NODE_HOLDS_NULL(en)) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                    "Invalid parameter type for 'enable', expected: array");
        return NULL;
    }
    return node_empty();
}

static JsonNode *version_node(void)
{
    unsigned maj = 0, min = 0, mic = 0;
    JsonObject *q = json_object_new();
    JsonObject *v = json_object_new();

    sscanf(PACKAGE_VERSION, "%u.%u.%u", &maj, &min, &mic);
    json_object_set_int_member(q, "micro", mic);
    json_object_set_int_member(q, "minor", min);
    json_object_set_int_member(q, "major", maj);
    json_object_set_object_member(v, "qemu", q);
    json_object_set_string_member(v, "package", "Backplane " PACKAGE_VERSION);
    return node_take_object(v);
}

JsonNode *bp_mon_version_node(void)
{
    return version_node();
}

static JsonNode *qmp_query_version(JsonObject *args, GError **errp)
{
    return version_node();
}

static JsonNode *qmp_query_status(JsonObject *args, GError **errp)
{
    JsonObject *o = json_object_new();
    BpRunState s = bp_runstate();

    json_object_set_string_member(o, "status", bp_runstate_name(s));
    json_object_set_boolean_member(o, "singlestep", FALSE);
    json_object_set_boolean_member(o, "running", s == BP_RUN_RUNNING);
    return node_take_object(o);
}

static void add_cmd_name(JsonArray *a, const char *name)
{
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "name", name);
    json_array_add_object_element(a, o);
}

static void qc_builtin(const BpMonCmd *c, void *opaque)
{
    if (c->qmp) {
        add_cmd_name(opaque, c->name);
    }
}

static void qc_module(const BpMonitorCommand *c, void *opaque)
{
    add_cmd_name(opaque, c->name);
}

static JsonNode *qmp_query_commands(JsonObject *args, GError **errp)
{
    JsonArray *a = json_array_new();

    bp_mon_cmd_foreach(qc_builtin, a);
    bp_modules_foreach_command(qc_module, a);
    return node_take_array(a);
}

static void qm_one(const BpMachineDef *d, void *opaque)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", d->name);
    if (d->is_default) {
        json_object_set_boolean_member(o, "is-default", TRUE);
    }
    json_object_set_int_member(o, "cpu-max", 1);
    json_object_set_boolean_member(o, "hotpluggable-cpus", FALSE);
    json_object_set_boolean_member(o, "numa-mem-supported", FALSE);
    json_object_set_boolean_member(o, "deprecated", FALSE);
    json_object_set_boolean_member(o, "acpi", FALSE);
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_query_machines(JsonObject *args, GError **errp)
{
    JsonArray *a = json_array_new();

    bp_machine_foreach(qm_one, a);
    return node_take_array(a);
}

typedef struct TypeList {
    GHashTable *seen;
    JsonArray *out;
    const char *implements;
    bool abstract;
} TypeList;

static void type_add(TypeList *tl, const char *name, const BpType *t)
{
    if (!g_hash_table_add(tl->seen, g_strdup(name))) {
        return;
    }
    bool is_abstract = t && bp_type_desc(t) && bp_type_desc(t)->abstract;
    if (is_abstract && !tl->abstract) {
        return;
    }
    if (tl->implements && (!t || !bp_type_is_a(t, tl->implements))) {
        return;
    }
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "name", name);
    const BpType *p = t ? bp_type_parent(t) : NULL;
    if (p) {
        json_object_set_string_member(o, "parent", bp_type_name(p));
    }
    if (is_abstract) {
        json_object_set_boolean_member(o, "abstract", TRUE);
    }
    json_array_add_object_element(tl->out, o);
}

/* Whether an indexed, unloaded type implements `base`, from the index
 * alone (its bus says which abstract base it derives from), so listing
 * types never loads modules. */
static bool index_implements(const char *name, const char *base)
{
    const BpIndexEntry *e = bp_modules_index_lookup(name);
    const char *bus = e && e->bus ? e->bus : "";

    return g_str_equal(base, name) || g_str_equal(base, BP_TYPE_DEVICE) ||
           (g_str_equal(base, BP_TYPE_ISA_DEVICE) && g_str_equal(bus, BP_BUS_ISA)) ||
           (g_str_equal(base, BP_TYPE_SYS_DEVICE) && g_str_equal(bus, BP_BUS_SYSTEM)) ||
           (g_str_equal(base, "pci-device") && g_str_equal(bus, "pci"));
}

static void type_loaded(const BpType *t, void *opaque)
{
    type_add(opaque, bp_type_name(t), t);
}

static JsonNode *qmp_qom_list_types(JsonObject *args, GError **errp)
{
    TypeList tl = {
        .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .out = json_array_new(),
    };

    if (args && json_object_has_member(args, "implements")) {
        tl.implements = json_object_get_string_member(args, "implements");
    }
    if (args && json_object_has_member(args, "abstract")) {
        tl.abstract = json_object_get_boolean_member(args, "abstract");
    }
    bp_type_foreach(type_loaded, &tl);
    /* Types whose modules are not loaded: the index knows them. Their
     * ancestry is only known once loaded, so a filter loads them. */
    g_autoptr(GPtrArray) idx = bp_modules_index_types();
    for (guint i = 0; idx && i < idx->len; i++) {
        const char *name = idx->pdata[i];
        const BpType *t = bp_type_find_loaded(name);
        if (!t && tl.implements && !index_implements(name, tl.implements)) {
            continue;
        }
        type_add(&tl, name, t);
    }
    g_hash_table_unref(tl.seen);
    return node_take_array(tl.out);
}

typedef struct AnonFind {
    const char *name;
    BpDevice *found;
} AnonFind;

static void anon_find_one(BpDevice *dev, void *opaque)
{
    AnonFind *f = opaque;

    if (!f->found && !dev->id && strcmp(qom_anon_name(dev), f->name) == 0) {
        f->found = dev;
    }
}

/* QOM paths: "/machine/peripheral/ID", "/machine/peripheral-anon/NAME",
 * or anything bp_device_find knows (an id or a device path). */
static BpDevice *qom_resolve(const char *path, GError **errp)
{
    BpDevice *dev = NULL;

    if (g_str_has_prefix(path, PERIPHERAL)) {
        const char *id = path + strlen(PERIPHERAL);
        dev = bp_device_find(id);
        if (dev && (!dev->id || strcmp(dev->id, id) != 0)) {
            dev = NULL;
        }
    } else if (g_str_has_prefix(path, PERIPHERAL_ANON)) {
        AnonFind f = { path + strlen(PERIPHERAL_ANON), NULL };
        bp_device_foreach(anon_find_one, &f);
        dev = f.found;
    } else if (*path) {
        dev = bp_device_find(path);
    }
    if (!dev) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_DEVICE_NOT_FOUND,
                    "Device '%s' not found", path);
    }
    return dev;
}

static const char *prop_qom_type(BpPropKind k)
{
    switch (k) {
    case BP_PROP_KIND_BOOL: return "bool";
    case BP_PROP_KIND_U8:   return "uint8";
    case BP_PROP_KIND_U16:  return "uint16";
    case BP_PROP_KIND_U32:  return "uint32";
    case BP_PROP_KIND_U64:  return "uint64";
    case BP_PROP_KIND_I8:   return "int8";
    case BP_PROP_KIND_I16:  return "int16";
    case BP_PROP_KIND_I32:  return "int32";
    case BP_PROP_KIND_I64:  return "int64";
    case BP_PROP_KIND_SIZE: return "size";
    case BP_PROP_KIND_PCIADDR: return "int32";
    case BP_PROP_KIND_CHARDEV: return "link<chardev>";
    case BP_PROP_KIND_DRIVE: return "link<drive>";
    case BP_PROP_KIND_NETDEV: return "link<netdev>";
    case BP_PROP_KIND_AUDIODEV: return "link<audiodev>";
    default: return "str";
    }
}

static void add_prop_entry(JsonArray *a, const char *name, const char *type)
{
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "type", type);
    json_array_add_object_element(a, o);
}

static void qom_list_prop(BpDevice *dev, const BpProperty *p, void *opaque)
{
    add_prop_entry(opaque, p->name, prop_qom_type(p->kind));
}

typedef struct ChildList {
    JsonArray *out;
    bool with_id;
} ChildList;

static void qom_list_child(BpDevice *dev, void *opaque)
{
    ChildList *cl = opaque;
    if ((dev->id != NULL) == cl->with_id) {
        g_autofree char *type = g_strdup_printf("child<%s>", bp_device_type_name(dev));
        add_prop_entry(cl->out, dev->id ? dev->id : qom_anon_name(dev), type);
    }
}

static JsonNode *qmp_qom_list(JsonObject *args, GError **errp)
{
    const char *path = json_object_get_string_member(args, "path");
    JsonArray *a = json_array_new();

    if (strcmp(path, "/") == 0) {
        add_prop_entry(a, "type", "string");
        add_prop_entry(a, "machine", "child<machine>");
    } else if (strcmp(path, "/machine") == 0) {
        add_prop_entry(a, "type", "string");
        add_prop_entry(a, "peripheral", "child<container>");
        add_prop_entry(a, "peripheral-anon", "child<container>");
    } else if (strcmp(path, "/machine/peripheral") == 0 ||
               strcmp(path, "/machine/peripheral-anon") == 0) {
        ChildList cl = { a, strcmp(path, "/machine/peripheral") == 0 };
        add_prop_entry(a, "type", "string");
        bp_device_foreach(qom_list_child, &cl);
    } else {
        BpDevice *dev = qom_resolve(path, errp);
        if (!dev) {
            json_array_unref(a);
            return NULL;
        }
        add_prop_entry(a, "type", "string");
        add_prop_entry(a, "realized", "bool");
        bp_device_foreach_prop(dev, qom_list_prop, a);
    }
    return node_take_array(a);
}

typedef struct PropFind {
    const char *name;
    const BpProperty *found;
} PropFind;

static void prop_find_one(BpDevice *dev, const BpProperty *p, void *opaque)
{
    PropFind *f = opaque;
    if (!f->found && strcmp(p->name, f->name) == 0) {
        f->found = p;
    }
}

static JsonNode *prop_value_node(const BpProperty *p, const char *s)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);
    char *end;

    switch (p->kind) {
    case BP_PROP_KIND_BOOL: {
        bool b = false;
        if (bp_opts_parse_bool(p->name, s, &b, NULL)) {
            json_node_set_boolean(n, b);
            return n;
        }
        break;
    }
    case BP_PROP_KIND_U8: case BP_PROP_KIND_U16: case BP_PROP_KIND_U32:
    case BP_PROP_KIND_U64: case BP_PROP_KIND_SIZE: {
        errno = 0;
        guint64 v = g_ascii_strtoull(s, &end, 0);
        if (*s && !*end && !errno) {
            json_node_set_int(n, (gint64)v);
            return n;
        }
        break;
    }
    case BP_PROP_KIND_I8: case BP_PROP_KIND_I16: case BP_PROP_KIND_I32:
    case BP_PROP_KIND_I64: {
        errno = 0;
        gint64 v = g_ascii_strtoll(s, &end, 0);
        if (*s && !*end && !errno) {
            json_node_set_int(n, v);
            return n;
        }
        break;
    }
    default:
        break;
    }
    json_node_set_string(n, s);
    return n;
}

static JsonNode *qmp_qom_get(JsonObject *args, GError **errp)
{
    const char *path = json_object_get_string_member(args, "path");
    const char *prop = json_object_get_string_member(args, "property");
    BpDevice *dev = qom_resolve(path, errp);

    if (!dev) {
        return NULL;
    }
    if (strcmp(prop, "type") == 0) {
        JsonNode *n = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(n, bp_device_type_name(dev));
        return n;
    }
    if (strcmp(prop, "realized") == 0) {
        JsonNode *n = json_node_new(JSON_NODE_VALUE);
        json_node_set_boolean(n, dev->realized);
        return n;
    }
    PropFind f = { prop, NULL };
    bp_device_foreach_prop(dev, prop_find_one, &f);
    if (!f.found) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                    "Property '%s.%s' not found", bp_device_type_name(dev), prop);
        return NULL;
    }
    g_autofree char *s = bp_device_get_prop(dev, prop, errp);
    if (!s) {
        return NULL;
    }
    return prop_value_node(f.found, s);
}

/* A JSON scalar as the property string the registry parses. */
static char *json_to_prop_string(const char *name, JsonNode *n, GError **errp)
{
    if (JSON_NODE_HOLDS_VALUE(n)) {
        GType t = json_node_get_value_type(n);
        if (t == G_TYPE_STRING) {
            return g_strdup(json_node_get_string(n));
        }
        if (t == G_TYPE_INT64) {
            return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
        }
        if (t == G_TYPE_BOOLEAN) {
            return g_strdup(json_node_get_boolean(n) ? "on" : "off");
        }
        if (t == G_TYPE_DOUBLE) {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            return g_strdup(g_ascii_dtostr(buf, sizeof(buf), json_node_get_double(n)));
        }
    }
    g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                "Invalid parameter type for '%s', expected: string, number or boolean",
                name);
    return NULL;
}

static JsonNode *qmp_qom_set(JsonObject *args, GError **errp)
{
    const char *path = json_object_get_string_member(args, "path");
    const char *prop = json_object_get_string_member(args, "property");
    BpDevice *dev = qom_resolve(path, errp);

    if (!dev) {
        return NULL;
    }
    g_autofree char *v = json_to_prop_string("value", json_object_get_member(args, "value"),
                                             errp);
    if (!v || !bp_device_set_prop(dev, prop, v, errp)) {
        return NULL;
    }
    return node_empty();
}

static JsonNode *qmp_device_add(JsonObject *args, GError **errp)
{
    const char *id = json_object_has_member(args, "id")
                     ? json_object_get_string_member(args, "id") : NULL;
    g_autoptr(BpOpts) o = bp_opts_new("device", id);
    g_autoptr(GList) members = json_object_get_members(args);

    bp_opts_set(o, "driver", json_object_get_string_member(args, "driver"));
    for (GList *l = members; l; l = l->next) {
        const char *k = l->data;
        if (strcmp(k, "driver") == 0 || strcmp(k, "id") == 0) {
            continue;
        }
        g_autofree char *v = json_to_prop_string(k, json_object_get_member(args, k), errp);
        if (!v) {
            return NULL;
        }
        bp_opts_set(o, k, v);
    }
    GError *err = NULL;
    if (!do_device_add(o, false, &err)) {
        /* QEMU reports every device_add failure as a GenericError. */
        g_set_error_literal(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC, err->message);
        g_error_free(err);
        return NULL;
    }
    return node_empty();
}

static JsonNode *qmp_device_list_properties(JsonObject *args, GError **errp)
{
    const char *name = json_object_get_string_member(args, "typename");
    const BpType *t = bp_type_lookup_for(name, "device-list-properties", NULL);

    if (!t) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                    "Parameter 'typename' expects device type name ('%s' is not one)", name);
        return NULL;
    }
    if (bp_type_desc(t)->abstract) {
        g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                    "Parameter 'typename' expects a non-abstract device type");
        return NULL;
    }
    JsonArray *a = json_array_new();
    for (const BpType *k = t; k; k = bp_type_parent(k)) {
        const BpDeviceType *d = bp_type_desc(k);
        for (const BpProperty *p = d->props; p && p->name; p++) {
            JsonObject *o = json_object_new();
            json_object_set_string_member(o, "name", p->name);
            json_object_set_string_member(o, "type", prop_qom_type(p->kind));
            if (p->desc) {
                json_object_set_string_member(o, "description", p->desc);
            }
            json_array_add_object_element(a, o);
        }
    }
    return node_take_array(a);
}

static JsonNode *qmp_chardev_remove(JsonObject *args, GError **errp)
{
    const char *id = json_object_get_string_member(args, "id");

    if (!bp_chardev_remove(id, errp)) {
        return NULL;
    }
    bp_machine_note_unplug("chardev", id);
    return node_empty();
}

static JsonNode *qmp_device_del(JsonObject *args, GError **errp)
{
    if (!do_device_del(json_object_get_string_member(args, "id"), errp)) {
        return NULL;
    }
    return node_empty();
}

static JsonNode *qmp_human_monitor_command(JsonObject *args, GError **errp)
{
    g_autofree char *out = bp_hmp_execute(json_object_get_string_member(args, "command-line"));
    g_autoptr(GString) crlf = g_string_new(NULL);
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    /* Lines end in "\r\n" as on a terminal; QEMU's clients expect that. */
    for (const char *p = out; *p; p++) {
        if (*p == '\n' && (p == out || p[-1] != '\r')) {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, *p);
    }
    json_node_set_string(n, crlf->str);
    return n;
}

static JsonNode *qmp_stop(JsonObject *args, GError **errp)
{
    bp_vm_stop();
    return node_empty();
}

static JsonNode *qmp_cont(JsonObject *args, GError **errp)
{
    bp_vm_start();
    return node_empty();
}

static JsonNode *qmp_system_reset(JsonObject *args, GError **errp)
{
    bp_main_loop_request_reset("host-qmp-system-reset");
    return node_empty();
}

static JsonNode *qmp_quit(JsonObject *args, GError **errp)
{
    do_quit();
    return node_empty();
}

/* Sorted by name: help prints them in this order. */
static const BpMonCmd mon_cmds[] = {
    { .name = "c", .help = "resume emulation (alias of cont)", .hmp = hmp_cont },
    { .name = "chardev_add", .params = "BACKEND,id=ID[,option=value][,...]",
      .help = "add a character device (-chardev syntax)", .hmp = hmp_chardev_add },
    { .name = "chardev-remove", .help = "remove a character device",
      .qmp_args = "id:s", .qmp = qmp_chardev_remove },
    { .name = "chardev_remove", .params = "ID", .help = "remove a character device",
      .hmp = hmp_chardev_remove },
    { .name = "cont", .help = "resume emulation", .hmp = hmp_cont,
      .qmp_args = "", .qmp = qmp_cont },
    { .name = "device_add", .params = "DRIVER[,prop=value][,...]",
      .help = "add a device (-device syntax; 'device_add help' lists drivers)",
      .hmp = hmp_device_add, .qmp_args = "driver:s,id:s?,*", .qmp = qmp_device_add },
    { .name = "device-list-properties", .qmp_args = "typename:s",
      .qmp = qmp_device_list_properties, .help = "list a device type's properties" },
    { .name = "device_del", .params = "ID", .help = "remove a device",
      .hmp = hmp_device_del, .qmp_args = "id:s", .qmp = qmp_device_del },
    { .name = "help", .params = "[COMMAND]", .help = "show the commands, or one",
      .hmp = hmp_help },
    { .name = "human-monitor-command", .help = "run an HMP command",
      .qmp_args = "command-line:s,cpu-index:i?", .qmp = qmp_human_monitor_command },
    { .name = "info", .params = "[SUBCOMMAND]", .help = "show machine state ('info' lists)",
      .hmp = hmp_info },
    { .name = "q", .help = "quit the emulator (alias of quit)", .hmp = hmp_quit },
    { .name = "qmp_capabilities", .help = "leave capabilities negotiation",
      .qmp_args = "enable:a?", .qmp = qmp_capabilities },
    { .name = "qom-get", .qmp_args = "path:s,property:s", .qmp = qmp_qom_get,
      .help = "read a device property" },
    { .name = "qom-list", .qmp_args = "path:s", .qmp = qmp_qom_list,
      .help = "list the properties or children at a path" },
    { .name = "qom-list-types", .qmp_args = "implements:s?,abstract:b?",
      .qmp = qmp_qom_list_types, .help = "list device types" },
    { .name = "qom-set", .qmp_args = "path:s,property:s,value:a", .qmp = qmp_qom_set,
      .help = "write a device property" },
    { .name = "query-commands", .qmp_args = "", .qmp = qmp_query_commands,
      .help = "list the QMP commands" },
    { .name = "query-machines", .qmp_args = "", .qmp = qmp_query_machines,
      .help = "list the machines" },
    { .name = "query-status", .qmp_args = "", .qmp = qmp_query_status,
      .help = "show the run state" },
    { .name = "query-version", .qmp_args = "", .qmp = qmp_query_version,
      .help = "show the version" },
    { .name = "quit", .help = "quit the emulator", .hmp = hmp_quit,
      .qmp_args = "", .qmp = qmp_quit },
    { .name = "stop", .help = "stop emulation", .hmp = hmp_stop,
      .qmp_args = "", .qmp = qmp_stop },
    { .name = "system_reset", .help = "reset the machine", .hmp = hmp_system_reset,
      .qmp_args = "", .qmp = qmp_system_reset },
    { .name = "x", .params = "/FMT ADDR",
      .help = "dump virtual memory (FMT: count, x d u o c, b h w g)", .hmp = hmp_x },
    { .name = "xp", .params = "/FMT ADDR",
      .help = "dump physical memory (FMT: count, x d u o c, b h w g)", .hmp = hmp_xp },
};

const BpMonCmd *bp_mon_cmd_find(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(mon_cmds); i++) {
        if (bp_mon_name_equal(mon_cmds[i].name, name)) {
            return &mon_cmds[i];
        }
    }
    return NULL;
}

const BpMonCmd *bp_mon_cmd_find_hmp(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(mon_cmds); i++) {
        if (mon_cmds[i].hmp && bp_mon_name_equal(mon_cmds[i].name, name)) {
            return &mon_cmds[i];
        }
    }
    return NULL;
}

const BpMonCmd *bp_mon_cmd_find_qmp(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(mon_cmds); i++) {
        if (mon_cmds[i].qmp && strcmp(mon_cmds[i].name, name) == 0) {
            return &mon_cmds[i];
        }
    }
    return NULL;
}

void bp_mon_cmd_foreach(void (*fn)(const BpMonCmd *c, void *opaque), void *opaque)
{
    for (guint i = 0; i < G_N_ELEMENTS(mon_cmds); i++) {
        fn(&mon_cmds[i], opaque);
    }
}

/* Commands without parameters take no arguments, and those with one
 * word ("ID", "[COMMAND]") take one: anything more is refused rather
 * than ignored. */
static bool hmp_check_arg_count(const BpMonCmd *c, const char *name, const char *args,
                                GError **errp)
{
    if (!c->params && *args) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "'%s' takes no arguments (got '%s')",
                    name, args);
        return false;
    }
    if (c->params && !strpbrk(c->params, " ,/") && strpbrk(args, " \t")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "too many arguments (usage: %s %s)", name, c->params);
        return false;
    }
    return true;
}

void bp_hmp_run_line(const char *line, GString *out)
{
    g_autoptr(GError) err = NULL;
    const char *p = line;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (!*p) {
        return;
    }
    /* The name ends at a blank or at '/' (x/4xw). */
    const char *e = p;
    while (*e && *e != ' ' && *e != '\t' && *e != '/') {
        e++;
    }
    g_autofree char *name = g_strndup(p, e - p);
    while (*e == ' ' || *e == '\t') {
        e++;
    }
    g_autofree char *args = g_strchomp(g_strdup(e));
    const BpMonCmd *c = bp_mon_cmd_find_hmp(name);
    bool ok;

    if (c) {
        ok = hmp_check_arg_count(c, name, args, &err) && c->hmp(args, out, &err);
    } else {
        const BpMonitorCommand *mc = bp_mon_module_cmd_find(name);
        if (!mc) {
            g_string_append_printf(out, "unknown command: '%s' (try 'help')\n", name);
            return;
        }
        ok = bp_mon_ffi_call_hmp(mc, args, out, &err);
    }
    if (!ok) {
        g_string_append_printf(out, "Error: %s\n",
                               err && err->message ? err->message : "failed");
    }
}
