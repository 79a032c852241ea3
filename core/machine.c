/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Machines and the launch. The user's option groups are expanded into the
 * launch configuration (see bp_machine_expand in machine.h), which is then
 * built in phases: backends, RAM and buses, the machine's devices, the
 * user's devices, wiring, monitors and qtest, the CPU engine, reset.
 * One machine per process: the state below is the machine's.
 */
#include "config.h"

#include <string.h>

#include <backplane/backplane.h>
#include <backplane/error.h>
#include "core/chardev-internal.h"
#include "core/engine.h"
#include "core/isa-internal.h"
#include "core/machine.h"
#include "machines/machines.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"
#include "core/monitor.h"
#include "core/qtest.h"
#include "core/registry.h"
#include "cpu/x86/x86.h"

#define BP_DEFAULT_RAM "128M"

/* The -cpu names, in the order -cpu help lists them; a name the CPU
 * engine does not accept is not listed. */
static const char *const cpu_models[] = { "486", "pentium", "pentium2", "max" };
#define CPU_DEFAULT "pentium2"

char *bp_machine_cpu_help(void)
{
    GString *s = g_string_new("Available CPUs:\n");
    X86Model m;

    for (guint i = 0; i < G_N_ELEMENTS(cpu_models); i++) {
        if (x86_model_from_name(cpu_models[i], &m)) {
            g_string_append_printf(s, "  %s%s\n", cpu_models[i],
                                   strcmp(cpu_models[i], CPU_DEFAULT) ? "" : " (default)");
        }
    }
    return g_string_free(s, FALSE);
}

static bool cpu_model_valid(const char *name, GError **errp)
{
    X86Model m;

    if (x86_model_from_name(name, &m)) {
        return true;
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "unknown CPU model '%s' (-cpu help lists them: 486, pentium, pentium2, max)",
                name);
    return false;
}

static GPtrArray *machine_defs;          /* const BpMachineDef * */
static GPtrArray *firmware_dirs;         /* char * */
static BpConfig *live_config;

static const char *const machine_keys[] = {
    "type", "accel", "graphics", "firmware", "kernel", "initrd", "append", "cpu",
    "nodefaults", "expanded", NULL
};

void bp_machine_register(const BpMachineDef *def)
{
    g_return_if_fail(def && def->name);
    if (!machine_defs) {
        machine_defs = g_ptr_array_new();
    }
    g_return_if_fail(bp_machine_find(def->name) == NULL);
    g_ptr_array_add(machine_defs, (gpointer)def);
}

const BpMachineDef *bp_machine_find(const char *name)
{
    for (guint i = 0; machine_defs && i < machine_defs->len; i++) {
        const BpMachineDef *d = machine_defs->pdata[i];

        if (strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

void bp_machine_foreach(void (*fn)(const BpMachineDef *d, void *opaque), void *opaque)
{
    for (guint i = 0; machine_defs && i < machine_defs->len; i++) {
        fn(machine_defs->pdata[i], opaque);
    }
}

void bp_machines_init(void)
{
    if (bp_machine_find("none")) {
        return;
    }
    bp_machine_none_register();
    bp_machine_bare_register();
    bp_machine_pc_register();
}

static const BpMachineDef *bp_machine_default(void)
{
    for (guint i = 0; machine_defs && i < machine_defs->len; i++) {
        const BpMachineDef *d = machine_defs->pdata[i];

        if (d->is_default) {
            return d;
        }
    }
    return bp_machine_find("none");
}

void bp_machine_add_firmware_dir(const char *dir)
{
    if (!firmware_dirs) {
        firmware_dirs = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(firmware_dirs, g_strdup(dir));
}

char *bp_machine_find_firmware(const char *name)
{
    if (strchr(name, '/') || g_file_test(name, G_FILE_TEST_EXISTS)) {
        return g_strdup(name);
    }
    for (guint i = 0; firmware_dirs && i < firmware_dirs->len; i++) {
        g_autofree char *p = g_build_filename(firmware_dirs->pdata[i], name, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            return g_steal_pointer(&p);
        }
    }
    return NULL;
}

bool bp_machine_parse_ram_size(const char *text, uint64_t *bytes, GError **errp)
{
    const uint64_t max = UINT64_C(1) << 40;
    char *end = NULL;
    guint64 v;
    unsigned shift = 20;          /* no suffix: MiB, as QEMU's -m */

    if (!g_ascii_isdigit(text[0])) {
        goto bad;
    }
    v = g_ascii_strtoull(text, &end, 10);
    switch (*end) {
    case '\0':
        break;
    case 'k': case 'K':
        shift = 10;
        end++;
        break;
    case 'm': case 'M':
        shift = 20;
        end++;
        break;
    case 'g': case 'G':
        shift = 30;
        end++;
        break;
    case 't': case 'T':
        shift = 40;
        end++;
        break;
    case 'b': case 'B':
        shift = 0;
        end++;
        break;
    default:
        goto bad;
    }
    if (*end == 'B' && shift) {
        end++;
    }
    if (*end || v == 0 || v > (max >> shift)) {
        goto bad;
    }
    v <<= shift;
    if (v & 0xfff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "memory size '%s' is not a multiple of 4 KiB", text);
        return false;
    }
    *bytes = v;
    return true;
bad:
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "invalid memory size '%s' (a number with an optional K, M, G or T "
                "suffix, at most 1T; no suffix means MiB)", text);
    return false;
}

static const char *origin_of(const BpOpts *o)
{
    return o->origin ? o->origin : o->group;
}

static void prefix_origin(GError **errp, const BpOpts *o)
{
    if (errp && *errp) {
        g_prefix_error(errp, "%s: ", origin_of(o));
    }
}

/* "interp", or QEMU's fallback list "kvm:tcg". */
static bool accel_valid(const char *list)
{
    static const char *const accels[] = { "interp", "tcg", "qtest", "kvm", NULL };
    g_auto(GStrv) names = g_strsplit(list, ":", -1);

    if (!names[0]) {
        return false;
    }
    for (guint i = 0; names[i]; i++) {
        if (!g_strv_contains(accels, names[i])) {
            return false;
        }
    }
    return true;
}

/* Error context of a merged group's key: the group that set it last. */
static void prefix_key_origin(GError **errp, GHashTable *origins, const BpOpts *m,
                              const char *key)
{
    const char *o = g_hash_table_lookup(origins, key);

    if (errp && *errp) {
        g_prefix_error(errp, "%s: ", o ? o : origin_of(m));
    }
}

/* Merged [machine] groups: type first, then every key in order of first
 * appearance, later values winning (-M pc -M accel=qtest). */
static BpOpts *expand_machine_group(const BpConfig *user, const BpMachineDef **defp,
                                    GError **errp)
{
    g_autoptr(BpOpts) m = bp_opts_new("machine", NULL);
    g_autoptr(GHashTable) origins = g_hash_table_new(g_str_hash, g_str_equal);
    const BpMachineDef *def = NULL;
    const char *type;
    bool have_qtest = false, have_accel = false;

    bp_opts_set(m, "type", "");
    for (guint i = 0; i < user->groups->len; i++) {
        const BpOpts *o = user->groups->pdata[i];

        if (strcmp(o->group, "qtest") == 0) {
            have_qtest = true;
        }
        if (strcmp(o->group, "machine") != 0) {
            continue;
        }
        for (guint k = 0; k < o->keys->len; k++) {
            const char *key = o->keys->pdata[k];

            bp_opts_set(m, key, o->values->pdata[k]);
            if (o->origin) {
                g_hash_table_insert(origins, (gpointer)key, o->origin);
            }
            if (strcmp(key, "accel") == 0) {
                have_accel = true;
            }
        }
    }
    type = bp_opts_get(m, "type");
    if (!*type) {
        def = bp_machine_default();
        bp_opts_set(m, "type", def->name);
    } else {
        def = bp_machine_find(type);
        if (!def) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "unsupported machine type '%s' (use -M help)", type);
            prefix_key_origin(errp, origins, m, "type");
            return NULL;
        }
    }
    for (guint k = 0; k < m->keys->len; k++) {
        const char *key = m->keys->pdata[k];
        const char *val = m->values->pdata[k];
        bool b;

        if (!g_strv_contains(machine_keys, key) &&
            !(def->options && g_strv_contains(def->options, key))) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid parameter '%s' for machine '%s'", key, def->name);
            prefix_key_origin(errp, origins, m, key);
            return NULL;
        }
        if ((strcmp(key, "graphics") == 0 || strcmp(key, "nodefaults") == 0 ||
             strcmp(key, "expanded") == 0) && !bp_opts_parse_bool(key, val, &b, errp)) {
            prefix_key_origin(errp, origins, m, key);
            return NULL;
        }
        if (strcmp(key, "accel") == 0 && !accel_valid(val)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid accelerator '%s' (interp, tcg, qtest or kvm; a:b tries "
                        "a, then b)", val);
            prefix_key_origin(errp, origins, m, key);
            return NULL;
        }
        if (strcmp(key, "cpu") == 0 && !cpu_model_valid(val, errp)) {
            prefix_key_origin(errp, origins, m, key);
            return NULL;
        }
    }
    if (!bp_opts_get(m, "kernel")) {
        static const char *const need_kernel[] = { "initrd", "append" };

        for (guint i = 0; i < G_N_ELEMENTS(need_kernel); i++) {
            if (bp_opts_get(m, need_kernel[i])) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "-%s is only used with -kernel (give the kernel with -kernel FILE)",
                            need_kernel[i]);
                prefix_key_origin(errp, origins, m, need_kernel[i]);
                return NULL;
            }
        }
    }
    if (have_qtest && !have_accel) {
        bp_opts_set(m, "accel", "qtest");
    }
    *defp = def;
    return g_steal_pointer(&m);
}

static BpOpts *expand_memory_group(const BpConfig *user, GError **errp)
{
    g_autoptr(BpOpts) mem = bp_opts_new("memory", NULL);
    uint64_t bytes;

    bp_opts_set(mem, "size", BP_DEFAULT_RAM);
    for (guint i = 0; i < user->groups->len; i++) {
        const BpOpts *o = user->groups->pdata[i];

        if (strcmp(o->group, "memory") != 0) {
            continue;
        }
        for (guint k = 0; k < o->keys->len; k++) {
            if (strcmp(o->keys->pdata[k], "size") != 0) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "invalid parameter '%s'",
                            (const char *)o->keys->pdata[k]);
                prefix_origin(errp, o);
                return NULL;
            }
        }
        if (bp_opts_get(o, "size")) {
            bp_opts_set(mem, "size", bp_opts_get(o, "size"));
            g_free(mem->origin);
            mem->origin = g_strdup(o->origin);
        }
    }
    if (!bp_machine_parse_ram_size(bp_opts_get(mem, "size"), &bytes, errp)) {
        prefix_origin(errp, mem);
        return NULL;
    }
    return g_steal_pointer(&mem);
}

static bool is_group(const BpOpts *o, const char *group)
{
    return strcmp(o->group, group) == 0;
}

static bool opts_flag(const BpOpts *o, const char *key)
{
    return bp_opts_get_bool(o, key, false, NULL);
}

static const char *device_category(const BpOpts *o, const char *why, GError **errp)
{
    const char *driver = bp_opts_get(o, "driver");
    const BpType *t;

    if (!driver) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "'driver' is missing (add driver = \"TYPE\"; -device help lists the types)");
        prefix_origin(errp, o);
        return NULL;
    }
    t = bp_type_lookup_for(driver, why, errp);
    if (!t) {
        prefix_origin(errp, o);
        return NULL;
    }
    return bp_type_desc(t)->category ? bp_type_desc(t)->category : "";
}

/* Validation of groups assembly interprets; `drive`, `netdev`, `rtc` and
 * `boot-opts` are recorded for the backends and devices that come later. */
static bool check_group(const BpOpts *o, GError **errp)
{
    if (is_group(o, "mon")) {
        const char *mode = bp_opts_get(o, "mode");
        bool b;

        if (!bp_opts_get(o, "chardev")) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "'chardev' is missing");
        } else if (mode && strcmp(mode, "readline") && strcmp(mode, "control")) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid mode '%s' (readline or control)", mode);
        } else if (bp_opts_get(o, "pretty") &&
                   !bp_opts_parse_bool("pretty", bp_opts_get(o, "pretty"), &b, errp)) {
            /* error set */
        } else {
            return true;
        }
    } else if (is_group(o, "qtest")) {
        if (bp_opts_get(o, "chardev")) {
            return true;
        }
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "'chardev' is missing");
    } else if (is_group(o, "chardev") || is_group(o, "netdev")) {
        if (o->id) {
            return true;
        }
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "%s requires an id", o->group);
    } else if (is_group(o, "smp-opts")) {
        for (guint k = 0; k < o->keys->len; k++) {
            const char *v = o->values->pdata[k];

            if (strcmp(v, "1") != 0) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "%s=%s: only one CPU is supported for now",
                            (const char *)o->keys->pdata[k], v);
                prefix_origin(errp, o);
                return false;
            }
        }
        return true;
    } else if (is_group(o, "wire")) {
        if (bp_opts_get(o, "from") && bp_opts_get(o, "to") && o->keys->len == 2) {
            return true;
        }
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "a [wire] has exactly 'from' and 'to'");
    } else if (is_group(o, "accel")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "use [machine] accel = \"NAME\" instead of an [accel] group");
    } else {
        return true;
    }
    prefix_origin(errp, o);
    return false;
}

static bool check_duplicate_ids(const BpConfig *c, GError **errp)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < c->groups->len; i++) {
        const BpOpts *o = c->groups->pdata[i];
        char *key;

        if (!o->id) {
            continue;
        }
        key = g_strdup_printf("%s\t%s", o->group, o->id);
        if (!g_hash_table_add(seen, key)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "duplicate id '%s' for %s",
                        o->id, o->group);
            prefix_origin(errp, o);
            return false;
        }
    }
    return true;
}

static bool parse_definition(const BpMachineDef *def, BpConfig *out, GError **errp)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *fname = g_strdup_printf("machine %s", def->name);
    BpConfig *c;

    if (!def->config) {
        return true;
    }
    c = bp_config_new();
    if (!bp_config_read_string(c, def->config, fname, &err)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "%s", err->message);
        bp_config_free(c);
        return false;
    }
    for (guint i = 0; i < c->groups->len; i++) {
        BpOpts *o = bp_opts_copy(c->groups->pdata[i]);

        if (is_group(o, "device")) {
            bp_opts_set(o, "builtin", "on");
        }
        bp_config_add(out, o);
    }
    bp_config_free(c);
    return true;
}

/* Adds `spec` (-serial syntax) as a chardev; returns its id. */
static char *add_legacy_chardev(BpConfig *out, const char *spec, const char *id,
                                bool *is_mon, GError **errp)
{
    BpOpts *o = bp_chardev_parse_legacy(spec, id, is_mon, errp);

    if (!o) {
        return NULL;
    }
    g_free(o->origin);
    o->origin = g_strdup("-nographic");
    bp_config_add(out, o);
    return g_strdup(o->id);
}

static void add_monitor(BpConfig *out, const char *chardev)
{
    BpOpts *m = bp_opts_new("mon", chardev);

    bp_opts_set(m, "mode", "readline");
    bp_opts_set(m, "chardev", chardev);
    m->origin = g_strdup("-nographic");
    bp_config_add(out, m);
}

BpConfig *bp_machine_expand(const BpConfig *user, GError **errp)
{
    const BpMachineDef *def = NULL;
    g_autoptr(BpOpts) machine = NULL;
    g_autoptr(BpOpts) memory = NULL;
    BpOpts *mach;                 /* the [machine] group, owned by out */
    BpConfig *out = NULL;
    BpConfig *rest = bp_config_new();
    g_autoptr(GHashTable) user_cats = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) serials = g_ptr_array_new();      /* [serial] groups */
    g_autoptr(GPtrArray) parallels = g_ptr_array_new();
    g_autoptr(GPtrArray) serial_devs = g_ptr_array_new();  /* the machine's ports */
    g_autoptr(GPtrArray) parallel_devs = g_ptr_array_new();
    g_autofree char *why = NULL;
    bool expanded, nodefaults, have_mon = false;

    bp_machines_init();
    machine = expand_machine_group(user, &def, errp);
    if (!machine) {
        goto fail;
    }
    memory = expand_memory_group(user, errp);
    if (!memory) {
        goto fail;
    }
    expanded = opts_flag(machine, "expanded");
    nodefaults = opts_flag(machine, "nodefaults");
    why = g_strdup_printf("machine %s", def->name);

    if (!expanded && !parse_definition(def, rest, errp)) {
        goto fail;
    }
    for (guint i = 0; i < user->groups->len; i++) {
        const BpOpts *o = user->groups->pdata[i];

        if (is_group(o, "machine") || is_group(o, "memory")) {
            continue;
        }
        if (is_group(o, "mon") && g_strcmp0(bp_opts_get(o, "mode"), "none") == 0) {
            have_mon = true;      /* -monitor none: no default monitor */
            continue;
        }
        if (!check_group(o, errp)) {
            goto fail;
        }
        if (is_group(o, "serial")) {
            g_ptr_array_add(serials, (gpointer)o);
        } else if (is_group(o, "parallel")) {
            g_ptr_array_add(parallels, (gpointer)o);
        } else {
            bp_config_add(rest, bp_opts_copy(o));
        }
        if (is_group(o, "mon")) {
            have_mon = true;
        }
    }

    /* Categories of the user's devices replace the machine's defaults. */
    for (guint i = 0; i < rest->groups->len; i++) {
        const BpOpts *o = rest->groups->pdata[i];
        const char *cat;

        if (!is_group(o, "device") || opts_flag(o, "builtin")) {
            continue;
        }
        cat = device_category(o, "-device", errp);
        if (!cat) {
            goto fail;
        }
        if (*cat) {
            g_hash_table_add(user_cats, (gpointer)cat);
        }
    }

    for (guint i = 0; i < rest->groups->len;) {
        BpOpts *o = rest->groups->pdata[i];
        const char *cat;

        if (!is_group(o, "device") || !opts_flag(o, "builtin")) {
            i++;
            continue;
        }
        cat = device_category(o, why, errp);
        if (!cat) {
            goto fail;
        }
        if (opts_flag(o, "default") && (nodefaults || g_hash_table_contains(user_cats, cat))) {
            g_ptr_array_remove_index(rest->groups, i);
            continue;
        }
        if (strcmp(cat, "serial") == 0) {
            g_ptr_array_add(serial_devs, o);
        } else if (strcmp(cat, "parallel") == 0) {
            g_ptr_array_add(parallel_devs, o);
        }
        i++;
    }

    out = bp_config_new();
    mach = g_steal_pointer(&machine);
    bp_config_add(out, mach);
    bp_config_add(out, g_steal_pointer(&memory));

    /* -nographic: QEMU puts the serial port and the monitor on stdio. */
    if (!expanded && !nodefaults && !bp_opts_get_bool(mach, "graphics", true, NULL)) {
        bool default_serial = serials->len == 0 && serial_devs->len > 0;
        bool default_monitor = !have_mon;
        bool any_stdio = false;
        bool is_mon = false;

        for (guint i = 0; i < rest->groups->len; i++) {
            const BpOpts *o = rest->groups->pdata[i];

            if (is_group(o, "chardev") && g_strcmp0(bp_opts_get(o, "backend"), "stdio") == 0) {
                any_stdio = true;
            }
        }
        if (default_serial && default_monitor && !any_stdio) {
            g_autofree char *id = add_legacy_chardev(out, "mon:stdio", "serial0", &is_mon, errp);

            if (!id) {
                goto fail;
            }
            add_monitor(out, id);
            bp_opts_set(serial_devs->pdata[0], "chardev", id);
        } else if (default_serial && !any_stdio) {
            g_autofree char *id = add_legacy_chardev(out, "stdio", "serial0", &is_mon, errp);

            if (!id) {
                goto fail;
            }
            bp_opts_set(serial_devs->pdata[0], "chardev", id);
        } else if (default_monitor && !any_stdio) {
            g_autofree char *id = add_legacy_chardev(out, "stdio", "compat_monitor0",
                                                     &is_mon, errp);

            if (!id) {
                goto fail;
            }
            add_monitor(out, id);
        }
    }

    /* -serial / -parallel: the machine's n-th port of that kind. A port
     * the machine does not have leaves the chardev unconnected, as QEMU
     * does with -M none -serial stdio. */
    for (guint i = 0; i < serials->len && i < serial_devs->len; i++) {
        const BpOpts *opt = serials->pdata[i];
        BpOpts *dev = serial_devs->pdata[i];
        const char *chr = bp_opts_get(opt, "chardev");

        if (chr) {
            bp_opts_set(dev, "chardev", chr);
            /* Errors about the port now come from the user's option. */
            g_free(dev->origin);
            dev->origin = g_strdup(origin_of(opt));
        }
    }
    for (guint i = 0; i < parallels->len && i < parallel_devs->len; i++) {
        const BpOpts *opt = parallels->pdata[i];
        BpOpts *dev = parallel_devs->pdata[i];
        const char *chr = bp_opts_get(opt, "chardev");

        if (chr) {
            bp_opts_set(dev, "chardev", chr);
            /* Errors about the port now come from the user's option. */
            g_free(dev->origin);
            dev->origin = g_strdup(origin_of(opt));
        }
    }

    bp_opts_set(mach, "expanded", "on");
    for (guint i = 0; i < rest->groups->len; i++) {
        bp_config_add(out, bp_opts_copy(rest->groups->pdata[i]));
    }
    bp_config_free(rest);
    rest = NULL;
    if (!check_duplicate_ids(out, errp)) {
        goto fail;
    }
    return out;

fail:
    bp_config_free(rest);
    bp_config_free(out);
    return NULL;
}

/* "id.name[n]" (n defaults to 0). The id may itself hold dots. */
static bool parse_wire_end(const char *spec, char **id, char **name, int *n)
{
    const char *br = strchr(spec, '[');
    g_autofree char *head = br ? g_strndup(spec, br - spec) : g_strdup(spec);
    char *dot = strrchr(head, '.');

    *n = 0;
    if (br) {
        char *end = NULL;
        guint64 v = g_ascii_strtoull(br + 1, &end, 10);

        if (end == br + 1 || strcmp(end, "]") != 0 || v > G_MAXINT) {
            return false;
        }
        *n = (int)v;
    }
    if (!dot || dot == head || !dot[1]) {
        return false;
    }
    *id = g_strndup(head, dot - head);
    *name = g_strdup(dot + 1);
    return true;
}

static bool assemble_wire(const BpOpts *o, GError **errp)
{
    g_autofree char *fid = NULL, *fname = NULL, *tid = NULL, *tname = NULL;
    const char *from = bp_opts_get(o, "from");
    const char *to = bp_opts_get(o, "to");
    BpDevice *src, *dst;
    BpIrq *target;
    int fn, tn;

    if (!parse_wire_end(from, &fid, &fname, &fn) || !parse_wire_end(to, &tid, &tname, &tn)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "expected from = \"DEVICE.OUTPUT[N]\" and to = \"DEVICE.INPUT[N]\"");
        return false;
    }
    src = bp_device_find(fid);
    dst = bp_device_find(tid);
    if (!src || !dst) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "no device '%s'", src ? tid : fid);
        return false;
    }
    target = bp_device_gpio_in(dst, tname, tn);
    if (!target) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "device '%s' has no input %s[%d]",
                    tid, tname, tn);
        return false;
    }
    return bp_device_connect_gpio_out(src, fname, fn, target, errp);
}

/* A device group: the machine's (no_user types allowed, the keys
 * "builtin" and "default" are the assembly's) or the user's. */
static bool assemble_device(const BpOpts *o, bool builtin, const char *why, GError **errp)
{
    const char *driver = bp_opts_get(o, "driver");
    const char *busname = bp_opts_get(o, "bus");
    const BpType *t;
    BpBus *bus = NULL;
    BpDevice *dev;

    t = bp_type_lookup_for(driver, why, errp);
    if (!t) {
        return false;
    }
    if (!builtin && bp_type_desc(t)->no_user) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "device '%s' is created by machines only", driver);
        return false;
    }
    if (busname) {
        bus = bp_bus_find(busname);
        if (!bus) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "no bus '%s' (see info qtree)", busname);
            return false;
        }
    }
    dev = bp_device_create(driver, o->id, errp);
    if (!dev) {
        return false;
    }
    for (guint k = 0; k < o->keys->len; k++) {
        const char *key = o->keys->pdata[k];

        if (!strcmp(key, "driver") || !strcmp(key, "bus") ||
            (builtin && (!strcmp(key, "builtin") || !strcmp(key, "default")))) {
            continue;
        }
        if (!bp_device_set_prop(dev, key, o->values->pdata[k], errp)) {
            goto fail;
        }
    }
    if (!bp_device_realize(dev, bus, errp)) {
        goto fail;
    }
    return true;
fail:
    bp_device_destroy(dev);
    return false;
}

static bool assemble_ram(const BpOpts *memory, GError **errp)
{
    BpMemoryRegion *ram;
    uint64_t size;

    if (!bp_machine_parse_ram_size(bp_opts_get(memory, "size"), &size, errp)) {
        return false;
    }
    ram = bp_mr_new_ram(NULL, "ram", size, errp);
    if (!ram) {
        return false;
    }
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)), 0, ram, 0);
    bp_machine_set_region("ram", ram);
    bp_machine_set_ram_size(size);
    return true;
}

static void set_machine_options(const BpConfig *c, const BpOpts *machine,
                                const BpMachineDef *def)
{
    static const struct { const char *key, *option; } map[] = {
        { "kernel", "kernel" }, { "initrd", "initrd" }, { "append", "append" },
        { "firmware", "bios" },
    };

    bp_machine_set_option("machine", def->name);
    bp_machine_set_option("nographic",
                          bp_opts_get_bool(machine, "graphics", true, NULL) ? "off" : "on");
    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        const char *v = bp_opts_get(machine, map[i].key);

        if (v && strcmp(map[i].key, "firmware") == 0) {
            g_autofree char *path = bp_machine_find_firmware(v);

            bp_machine_set_option(map[i].option, path ? path : v);
        } else if (v) {
            bp_machine_set_option(map[i].option, v);
        }
    }
    for (guint k = 0; def->options && k < machine->keys->len; k++) {
        if (g_strv_contains(def->options, machine->keys->pdata[k])) {
            bp_machine_set_option(machine->keys->pdata[k], machine->values->pdata[k]);
        }
    }
    for (guint i = 0; i < c->groups->len; i++) {
        const BpOpts *o = c->groups->pdata[i];

        if (is_group(o, "boot-opts") && bp_opts_get(o, "order")) {
            bp_machine_set_option("boot", bp_opts_get(o, "order"));
        } else if (is_group(o, "rtc") && bp_opts_get(o, "base")) {
            bp_machine_set_option("rtc-base", bp_opts_get(o, "base"));
        }
    }
}

static bool assemble_monitor(const BpOpts *o, GError **errp)
{
    const char *id = bp_opts_get(o, "chardev");
    BpChardev *chr = bp_chardev_find(id);
    bool control = g_strcmp0(bp_opts_get(o, "mode"), "control") == 0;

    if (!chr) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "chardev '%s' not found", id);
        return false;
    }
    return bp_monitor_new(chr, control ? BP_MON_QMP : BP_MON_HMP,
                          bp_opts_get_bool(o, "pretty", false, NULL), errp);
}

static bool assemble_qtest(const BpOpts *o, GError **errp)
{
    const char *id = bp_opts_get(o, "chardev");
    BpChardev *chr = bp_chardev_find(id);

    if (!chr) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "chardev '%s' not found", id);
        return false;
    }
    return bp_qtest_init(chr, bp_opts_get(o, "log"), errp);
}

typedef enum Phase {
    PHASE_BACKENDS, PHASE_BUILTIN, PHASE_USER, PHASE_WIRES, PHASE_FRONTENDS,
    PHASE_COUNT,
} Phase;

static bool assemble_group(const BpOpts *o, Phase phase, const char *why, GError **errp)
{
    switch (phase) {
    case PHASE_BACKENDS:
        if (is_group(o, "chardev")) {
            return bp_chardev_new_from_opts(o, errp) != NULL;
        }
        return true;
    case PHASE_BUILTIN:
        if (is_group(o, "device") && opts_flag(o, "builtin")) {
            return assemble_device(o, true, why, errp);
        }
        return true;
    case PHASE_USER:
        if (is_group(o, "device") && !opts_flag(o, "builtin")) {
            return assemble_device(o, false, "-device", errp);
        }
        return true;
    case PHASE_WIRES:
        return is_group(o, "wire") ? assemble_wire(o, errp) : true;
    case PHASE_FRONTENDS:
        if (is_group(o, "mon")) {
            return assemble_monitor(o, errp);
        }
        if (is_group(o, "qtest")) {
            return assemble_qtest(o, errp);
        }
        return true;
    default:
        g_assert_not_reached();
    }
}

/* RAM, the root and ISA buses, and what the definition builds in code. */
static bool assemble_machine_core(const BpConfig *c, const BpMachineDef *def,
                                  GError **errp)
{
    g_autoptr(GError) err = NULL;

    if (!assemble_ram(c->groups->pdata[1], &err)) {
        const BpOpts *mem = c->groups->pdata[1];

        g_propagate_prefixed_error(errp, g_steal_pointer(&err), "%s: ",
                                   mem->origin ? mem->origin : "-m");
        return false;
    }
    bp_registry_init();
    if (!bp_isa_bus_create(&err)) {
        g_propagate_prefixed_error(errp, g_steal_pointer(&err), "machine %s: ", def->name);
        return false;
    }
    if (def->init && !def->init(c, &err)) {
        g_autofree char *ctx = g_strdup_printf("machine %s", def->name);

        /* Messages may name the machine or the option already. */
        if (g_str_has_prefix(err->message, ctx) || err->message[0] == '-') {
            g_propagate_error(errp, g_steal_pointer(&err));
        } else {
            g_propagate_prefixed_error(errp, g_steal_pointer(&err), "%s: ", ctx);
        }
        return false;
    }
    return true;
}

/* Options QEMU users give that nothing here implements yet: refused,
 * so that a disk or network card is never silently missing. */
static bool check_not_implemented(const BpConfig *c, GError **errp)
{
    for (guint i = 0; i < c->groups->len; i++) {
        const BpOpts *o = c->groups->pdata[i];

        if (is_group(o, "drive")) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "block devices are not implemented yet (no disk controller); "
                        "remove -drive, or boot with -kernel/-initrd");
        } else if (is_group(o, "netdev")) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "network backends are not implemented yet (no network card); "
                        "remove -netdev");
        } else {
            continue;
        }
        prefix_origin(errp, o);
        return false;
    }
    return true;
}

bool bp_machine_assemble(BpConfig *config, GError **errp)
{
    g_autoptr(GError) err = NULL;
    const BpMachineDef *def;
    BpConfig *c = bp_machine_expand(config, errp);
    const BpOpts *machine;
    const char *accel;
    g_autofree char *why = NULL;

    if (!c) {
        return false;
    }
    if (!check_not_implemented(c, errp)) {
        bp_config_free(c);
        return false;
    }
    machine = c->groups->pdata[0];
    def = bp_machine_find(bp_opts_get(machine, "type"));
    accel = bp_opts_get(machine, "accel") ? bp_opts_get(machine, "accel") : "interp";
    why = g_strdup_printf("machine %s", def->name);

    {
        /* -icount: virtual time advances 2^shift ns per instruction and
         * jumps to the next timer while the CPU halts, so what the guest
         * sees does not depend on the host's speed or load. */
        const BpOpts *icount = NULL;
        for (guint i = 0; i < c->groups->len; i++) {
            if (is_group(c->groups->pdata[i], "icount")) {
                icount = c->groups->pdata[i];
            }
        }
        bp_clock_init(strcmp(accel, "qtest") == 0 || icount ? BP_CLOCK_MODE_DETERMINISTIC
                                                            : BP_CLOCK_MODE_REALTIME);
        bp_clock_set_insn_shift(icount && bp_opts_get(icount, "shift")
                                ? atoi(bp_opts_get(icount, "shift")) : 2);
    }
    bp_memory_init();
    set_machine_options(c, machine, def);

    for (Phase p = PHASE_BACKENDS; p < PHASE_COUNT; p++) {
        if (p == PHASE_BUILTIN && !assemble_machine_core(c, def, errp)) {
            goto fail;
        }
        for (guint i = 0; i < c->groups->len; i++) {
            const BpOpts *o = c->groups->pdata[i];

            if (!assemble_group(o, p, why, &err)) {
                /* A machine device's message may name the option that
                 * set it ("-kernel FILE: ...", "-bios FILE: ..."). */
                if (opts_flag(o, "builtin") && err->message[0] == '-') {
                    g_propagate_error(errp, g_steal_pointer(&err));
                } else {
                    g_propagate_prefixed_error(errp, g_steal_pointer(&err), "%s: ",
                                               origin_of(o));
                }
                goto fail;
            }
        }
    }
    if (!def->no_cpu && strcmp(accel, "qtest") != 0 &&
        !bp_cpu_engine_start(accel, bp_opts_get(machine, "cpu"), &err)) {
        g_propagate_prefixed_error(errp, g_steal_pointer(&err), "-accel %s: ", accel);
        goto fail;
    }
    bp_machine_run_ready();
    bp_reset_all();
    bp_config_free(live_config);
    live_config = c;
    return true;

fail:
    bp_config_free(c);
    return false;
}

BpConfig *bp_machine_live_config(void)
{
    return live_config ? bp_config_copy(live_config) : bp_config_new();
}

void bp_machine_note_hotplug(const BpOpts *o)
{
    if (!live_config) {
        live_config = bp_config_new();
    }
    bp_config_add(live_config, bp_opts_copy(o));
}

void bp_machine_note_unplug(const char *group, const char *id)
{
    if (live_config && id) {
        bp_config_remove(live_config, group, id);
    }
}
