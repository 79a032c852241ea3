/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed monitor commands from modules. The argument spec of a command
 * ("id:s,count:i?,verbose:b?") is all the monitor needs: it parses HMP
 * words or checks QMP JSON members against it, builds a libffi call
 * interface with one C argument per spec entry plus the trailing
 * GError **, calls the module's function, and turns its return value
 * into HMP text or a QMP return value. Modules write no marshalling code.
 */
#include "config.h"
#include <errno.h>
#include <ffi.h>
#include <inttypes.h>
#include "core/monitor-internal.h"
#include "core/module-loader.h"

void bp_mon_spec_free(BpMonSpec *s)
{
    if (!s) {
        return;
    }
    g_ptr_array_unref(s->args);
    g_free(s);
}

static void mon_arg_free(gpointer p)
{
    BpMonArg *a = p;

    g_free(a->name);
    g_free(a);
}

static bool mon_name_valid(const char *name)
{
    if (!name || !g_ascii_isalpha(name[0])) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '_') {
            return false;
        }
    }
    return true;
}

BpMonSpec *bp_mon_spec_parse(const char *spec, bool allow_ext, GError **errp)
{
    g_autoptr(BpMonSpec) s = g_new0(BpMonSpec, 1);
    bool seen_optional = false;

    s->args = g_ptr_array_new_with_free_func(mon_arg_free);
    if (!spec || !*spec) {
        return g_steal_pointer(&s);
    }
    g_auto(GStrv) items = g_strsplit(spec, ",", -1);
    for (guint i = 0; items[i]; i++) {
        const char *it = items[i];
        if (allow_ext && strcmp(it, "*") == 0 && !items[i + 1]) {
            s->rest = true;
            break;
        }
        const char *colon = strchr(it, ':');
        if (!colon) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "argument '%s' has no type (expected NAME:TYPE)", it);
            return NULL;
        }
        g_autofree char *name = g_strndup(it, colon - it);
        const char *t = colon + 1;
        if (!mon_name_valid(name)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "bad argument name '%s' (lower-case letters, digits, '-', '_')",
                        name);
            return NULL;
        }
        bool type_ok = (t[0] == 's' || t[0] == 'i' || t[0] == 'b' ||
                        (allow_ext && t[0] == 'a'));
        if (!type_ok || (t[1] && strcmp(t + 1, "?") != 0)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "argument '%s' has unknown type '%s' (expected s, i or b, "
                        "optionally followed by '?')", name, t);
            return NULL;
        }
        bool optional = t[1] == '?';
        if (seen_optional && !optional) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "mandatory argument '%s' follows an optional one", name);
            return NULL;
        }
        seen_optional |= optional;
        for (guint j = 0; j < s->args->len; j++) {
            const BpMonArg *o = s->args->pdata[j];
            if (strcmp(o->name, name) == 0) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "argument '%s' appears twice", name);
                return NULL;
            }
        }
        BpMonArg *a = g_new0(BpMonArg, 1);
        a->name = g_steal_pointer(&name);
        a->type = t[0];
        a->optional = optional;
        g_ptr_array_add(s->args, a);
    }
    return g_steal_pointer(&s);
}

static const char *mon_type_name(char t)
{
    switch (t) {
    case 's': return "string";
    case 'i': return "integer";
    case 'b': return "boolean";
    default:  return "any";
    }
}

static bool json_is_type(JsonNode *n, char t)
{
    if (t == 'a') {
        return true;
    }
    if (!JSON_NODE_HOLDS_VALUE(n)) {
        return false;
    }
    GType vt = json_node_get_value_type(n);
    switch (t) {
    case 's': return vt == G_TYPE_STRING;
    case 'i': return vt == G_TYPE_INT64;
    case 'b': return vt == G_TYPE_BOOLEAN;
    default:  return false;
    }
}

static const BpMonArg *spec_arg(const BpMonSpec *s, const char *name)
{
    for (guint i = 0; i < s->args->len; i++) {
        const BpMonArg *a = s->args->pdata[i];
        if (strcmp(a->name, name) == 0) {
            return a;
        }
    }
    return NULL;
}

bool bp_mon_spec_check_json(const BpMonSpec *s, JsonObject *args, GError **errp)
{
    for (guint i = 0; i < s->args->len; i++) {
        const BpMonArg *a = s->args->pdata[i];
        JsonNode *n = args ? json_object_get_member(args, a->name) : NULL;
        if (!n) {
            if (!a->optional) {
                g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                            "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!json_is_type(n, a->type)) {
            g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                        "Invalid parameter type for '%s', expected: %s",
                        a->name, mon_type_name(a->type));
            return false;
        }
    }
    if (args && !s->rest) {
        g_autoptr(GList) members = json_object_get_members(args);
        for (GList *l = members; l; l = l->next) {
            if (!spec_arg(s, l->data)) {
                g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC,
                            "Parameter '%s' is unexpected", (const char *)l->data);
                return false;
            }
        }
    }
    return true;
}

/* One C argument; bool travels as a byte, as the SysV ABI passes _Bool. */
typedef union MonVal {
    const char *s;
    int64_t i;
    uint8_t b;
} MonVal;

typedef union MonRet {
    ffi_arg word;                 /* libffi widens small returns to this */
    int64_t i;
    char *s;
} MonRet;

static ffi_type *mon_ffi_type(char t)
{
    switch (t) {
    case 's': return &ffi_type_pointer;
    case 'i': return &ffi_type_sint64;
    default:  return &ffi_type_uint8;
    }
}

static bool mon_ffi_invoke(const BpMonitorCommand *c, const BpMonSpec *s, MonVal *vals,
                           MonRet *ret, GError **errp)
{
    guint n = s->args->len;
    g_autofree ffi_type **types = g_new0(ffi_type *, n + 1);
    g_autofree void **avalues = g_new0(void *, n + 1);
    GError *local = NULL;
    GError **perr = &local;
    ffi_type *rtype;
    ffi_cif cif;

    for (guint i = 0; i < n; i++) {
        const BpMonArg *a = s->args->pdata[i];
        types[i] = mon_ffi_type(a->type);
        avalues[i] = &vals[i];
    }
    types[n] = &ffi_type_pointer;
    avalues[n] = &perr;
    switch (c->ret) {
    case BP_MON_RET_STR:  rtype = &ffi_type_pointer; break;
    case BP_MON_RET_INT:  rtype = &ffi_type_sint64; break;
    case BP_MON_RET_BOOL: rtype = &ffi_type_uint8; break;
    default:              rtype = &ffi_type_void; break;
    }
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, n + 1, rtype, types) != FFI_OK) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "%s: cannot build the call interface", c->name);
        return false;
    }
    memset(ret, 0, sizeof(*ret));
    ffi_call(&cif, c->fn, ret, avalues);
    if (local) {
        if (c->ret == BP_MON_RET_STR) {
            g_free(ret->s);
            ret->s = NULL;
        }
        g_propagate_error(errp, local);
        return false;
    }
    return true;
}

static bool parse_bool_word(const char *w, uint8_t *out)
{
    static const char *const yes[] = { "on", "true", "yes", "1", NULL };
    static const char *const no[] = { "off", "false", "no", "0", NULL };

    for (int i = 0; yes[i]; i++) {
        if (g_ascii_strcasecmp(w, yes[i]) == 0) {
            *out = 1;
            return true;
        }
        if (g_ascii_strcasecmp(w, no[i]) == 0) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* HMP words: whitespace separated, "double" or 'single' quotes group,
 * backslash escapes inside double quotes. */
static GPtrArray *split_words(const char *line, GError **errp)
{
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    const char *p = line;

    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            break;
        }
        GString *w = g_string_new(NULL);
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                while (*p && *p != q) {
                    if (q == '"' && *p == '\\' && p[1]) {
                        p++;
                    }
                    g_string_append_c(w, *p++);
                }
                if (!*p) {
                    g_string_free(w, TRUE);
                    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "unterminated quote");
                    return NULL;
                }
                p++;
            } else {
                g_string_append_c(w, *p++);
            }
        }
        g_ptr_array_add(words, g_string_free(w, FALSE));
    }
    return g_steal_pointer(&words);
}

static char *mon_usage(const BpMonitorCommand *c, const BpMonSpec *s)
{
    GString *u = g_string_new(c->name);

    for (guint i = 0; i < s->args->len; i++) {
        const BpMonArg *a = s->args->pdata[i];
        g_string_append_printf(u, a->optional ? " [%s]" : " %s", a->name);
    }
    return g_string_free(u, FALSE);
}

static bool word_to_val(const BpMonArg *a, const char *w, MonVal *v, GError **errp)
{
    switch (a->type) {
    case 's':
        v->s = w;
        return true;
    case 'i': {
        char *end;
        errno = 0;
        gint64 x = g_ascii_strtoll(w, &end, 0);
        if (!*w || *end || errno) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "'%s' expects an integer, not '%s'", a->name, w);
            return false;
        }
        v->i = x;
        return true;
    }
    default:
        if (!parse_bool_word(w, &v->b)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "'%s' expects on or off, not '%s'", a->name, w);
            return false;
        }
        return true;
    }
}

bool bp_mon_ffi_call_hmp(const BpMonitorCommand *c, const char *args, GString *out,
                         GError **errp)
{
    g_autoptr(BpMonSpec) s = bp_mon_spec_parse(c->args, false, errp);
    if (!s) {
        return false;
    }
    g_autoptr(GPtrArray) words = split_words(args ? args : "", errp);
    if (!words) {
        return false;
    }
    guint n = s->args->len;
    g_autofree MonVal *vals = g_new0(MonVal, n + 1);
    g_autofree bool *given = g_new0(bool, n + 1);
    guint next = 0;

    for (guint w = 0; w < words->len; w++) {
        const char *word = words->pdata[w];
        const char *eq = strchr(word, '=');
        guint idx = n;
        const char *val = word;
        if (eq) {
            g_autofree char *key = g_strndup(word, eq - word);
            for (guint i = 0; i < n; i++) {
                if (strcmp(((BpMonArg *)s->args->pdata[i])->name, key) == 0) {
                    idx = i;
                    val = eq + 1;
                }
            }
        }
        if (idx == n) {
            while (next < n && given[next]) {
                next++;
            }
            idx = next;
        }
        if (idx >= n) {
            g_autofree char *usage = mon_usage(c, s);
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "too many arguments (usage: %s)", usage);
            return false;
        }
        if (given[idx]) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "'%s' given twice",
                        ((BpMonArg *)s->args->pdata[idx])->name);
            return false;
        }
        if (!word_to_val(s->args->pdata[idx], val, &vals[idx], errp)) {
            return false;
        }
        given[idx] = true;
    }
    for (guint i = 0; i < n; i++) {
        const BpMonArg *a = s->args->pdata[i];
        if (!given[i] && !a->optional) {
            g_autofree char *usage = mon_usage(c, s);
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "missing argument '%s' (usage: %s)", a->name, usage);
            return false;
        }
    }

    MonRet r;
    if (!mon_ffi_invoke(c, s, vals, &r, errp)) {
        return false;
    }
    switch (c->ret) {
    case BP_MON_RET_STR:
        if (r.s) {
            g_string_append(out, r.s);
            if (*r.s && r.s[strlen(r.s) - 1] != '\n') {
                g_string_append_c(out, '\n');
            }
            g_free(r.s);
        }
        break;
    case BP_MON_RET_INT:
        g_string_append_printf(out, "%" PRId64 "\n", r.i);
        break;
    case BP_MON_RET_BOOL:
        g_string_append(out, (r.word & 0xff) ? "true\n" : "false\n");
        break;
    default:
        break;
    }
    return true;
}

JsonNode *bp_mon_ffi_call_qmp(const BpMonitorCommand *c, JsonObject *args, GError **errp)
{
    g_autoptr(BpMonSpec) s = bp_mon_spec_parse(c->args, false, errp);
    if (!s || !bp_mon_spec_check_json(s, args, errp)) {
        return NULL;
    }
    guint n = s->args->len;
    g_autofree MonVal *vals = g_new0(MonVal, n + 1);

    for (guint i = 0; i < n; i++) {
        const BpMonArg *a = s->args->pdata[i];
        if (!args || !json_object_has_member(args, a->name)) {
            continue;
        }
        switch (a->type) {
        case 's':
            vals[i].s = json_object_get_string_member(args, a->name);
            break;
        case 'i':
            vals[i].i = json_object_get_int_member(args, a->name);
            break;
        default:
            vals[i].b = json_object_get_boolean_member(args, a->name);
            break;
        }
    }

    MonRet r;
    if (!mon_ffi_invoke(c, s, vals, &r, errp)) {
        return NULL;
    }
    JsonNode *ret;
    switch (c->ret) {
    case BP_MON_RET_STR:
        ret = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(ret, r.s ? r.s : "");
        g_free(r.s);
        break;
    case BP_MON_RET_INT:
        ret = json_node_new(JSON_NODE_VALUE);
        json_node_set_int(ret, r.i);
        break;
    case BP_MON_RET_BOOL:
        ret = json_node_new(JSON_NODE_VALUE);
        json_node_set_boolean(ret, (r.word & 0xff) != 0);
        break;
    default:
        ret = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(ret, json_object_new());
        break;
    }
    return ret;
}

bool bp_monitor_check_command(const BpMonitorCommand *cmd, GError **errp)
{
    g_return_val_if_fail(cmd != NULL, false);

    const char *name = cmd->name ? cmd->name : "(null)";
    if (!mon_name_valid(cmd->name)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "monitor command '%s': bad name (lower-case letters, digits, "
                    "'-', '_', starting with a letter)", name);
        return false;
    }
    if (bp_mon_cmd_find(cmd->name)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "monitor command '%s' clashes with a built-in command", name);
        return false;
    }
    if (!cmd->fn) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "monitor command '%s' has no function", name);
        return false;
    }
    if ((unsigned)cmd->ret > BP_MON_RET_BOOL) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "monitor command '%s' has an unknown return kind %d", name,
                    (int)cmd->ret);
        return false;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(BpMonSpec) s = bp_mon_spec_parse(cmd->args, false, &err);
    if (!s) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "monitor command '%s': bad argument spec '%s': %s", name,
                    cmd->args, err->message);
        return false;
    }
    return true;
}
