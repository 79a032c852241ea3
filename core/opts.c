/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Option groups and QEMU's comma syntax: "driver,key=value,flag,id=x".
 * A doubled comma stands for a literal comma in both keys and values; a
 * first element without '=' is the implied key's value; a bare element
 * later on means "on".
 */
#include "config.h"

#include <string.h>

#include <backplane/error.h>
#include "core/opts.h"

BpOpts *bp_opts_new(const char *group, const char *id)
{
    BpOpts *o = g_new0(BpOpts, 1);

    o->group = g_strdup(group);
    o->id = g_strdup(id);
    o->keys = g_ptr_array_new_with_free_func(g_free);
    o->values = g_ptr_array_new_with_free_func(g_free);
    return o;
}

void bp_opts_free(BpOpts *o)
{
    if (!o) {
        return;
    }
    g_free(o->group);
    g_free(o->id);
    g_free(o->origin);
    g_ptr_array_unref(o->keys);
    g_ptr_array_unref(o->values);
    g_free(o);
}

BpOpts *bp_opts_copy(const BpOpts *o)
{
    BpOpts *c = bp_opts_new(o->group, o->id);

    for (guint i = 0; i < o->keys->len; i++) {
        g_ptr_array_add(c->keys, g_strdup(o->keys->pdata[i]));
        g_ptr_array_add(c->values, g_strdup(o->values->pdata[i]));
    }
    c->origin = g_strdup(o->origin);
    return c;
}

static int bp_opts_index(const BpOpts *o, const char *key)
{
    for (guint i = 0; i < o->keys->len; i++) {
        if (strcmp(o->keys->pdata[i], key) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void bp_opts_set(BpOpts *o, const char *key, const char *value)
{
    int i = bp_opts_index(o, key);

    if (i >= 0) {
        g_free(o->values->pdata[i]);
        o->values->pdata[i] = g_strdup(value);
        return;
    }
    g_ptr_array_add(o->keys, g_strdup(key));
    g_ptr_array_add(o->values, g_strdup(value));
}

const char *bp_opts_get(const BpOpts *o, const char *key)
{
    int i = bp_opts_index(o, key);

    return i >= 0 ? o->values->pdata[i] : NULL;
}

bool bp_opts_parse_bool(const char *key, const char *v, bool *out, GError **errp)
{
    static const char *const yes[] = { "on", "yes", "true", "y", NULL };
    static const char *const no[] = { "off", "no", "false", "n", NULL };

    if (g_strv_contains(yes, v)) {
        *out = true;
        return true;
    }
    if (g_strv_contains(no, v)) {
        *out = false;
        return true;
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "parameter '%s' expects 'on' or 'off', not '%s'", key, v);
    return false;
}

bool bp_opts_get_bool(const BpOpts *o, const char *key, bool def, GError **errp)
{
    const char *v = bp_opts_get(o, key);
    bool b = def;

    if (!v) {
        return def;
    }
    if (!bp_opts_parse_bool(key, v, &b, errp)) {
        return def;
    }
    return b;
}

void bp_opts_del(BpOpts *o, const char *key)
{
    int i = bp_opts_index(o, key);

    if (i >= 0) {
        g_ptr_array_remove_index(o->keys, i);
        g_ptr_array_remove_index(o->values, i);
    }
}

bool bp_opts_id_valid(const char *id)
{
    if (!id || !g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_') {
            return false;
        }
    }
    return true;
}

/* Copies text up to the first single `stop` (or ',' when stop is ','),
 * turning ",," into ','. Returns the position of the terminator. */
static const char *bp_opts_take(const char *p, char stop, GString *out)
{
    g_string_truncate(out, 0);
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p += 2;
                continue;
            }
            break;
        }
        if (*p == stop) {
            break;
        }
        g_string_append_c(out, *p++);
    }
    return p;
}

BpOpts *bp_opts_parse(const char *group, const char *text, const char *implied_key,
                      GError **errp)
{
    g_autoptr(BpOpts) o = bp_opts_new(group, NULL);
    g_autoptr(GString) key = g_string_new(NULL);
    g_autoptr(GString) val = g_string_new(NULL);
    const char *p = text;
    bool first = true;

    while (*p) {
        const char *start = p;

        p = bp_opts_take(p, '=', key);
        if (*p == '=') {
            p = bp_opts_take(p + 1, ',', val);
            if (key->len == 0) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "empty parameter name before '=%s'", val->str);
                return NULL;
            }
        } else if (first && implied_key) {
            g_string_assign(val, key->str);
            g_string_assign(key, implied_key);
        } else if (key->len == 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "empty parameter at '%s'", start);
            return NULL;
        } else {
            g_string_assign(val, "on");
        }
        if (first && implied_key && strcmp(key->str, implied_key) == 0 && val->len == 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "parameter '%s' must not be empty", implied_key);
            return NULL;
        }
        first = false;
        if (strcmp(key->str, "id") == 0) {
            if (!bp_opts_id_valid(val->str)) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "invalid id '%s': an id starts with a letter and has only "
                            "letters, digits, '-', '.' and '_'", val->str);
                return NULL;
            }
            g_free(o->id);
            o->id = g_strdup(val->str);
        } else {
            bp_opts_set(o, key->str, val->str);
        }
        if (*p == ',') {
            p++;
        }
    }
    return g_steal_pointer(&o);
}

static void bp_opts_append_escaped(GString *s, const char *v)
{
    for (; *v; v++) {
        if (*v == ',') {
            g_string_append_c(s, ',');
        }
        g_string_append_c(s, *v);
    }
}

char *bp_opts_to_string(const BpOpts *o, const char *implied_key)
{
    GString *s = g_string_new(NULL);
    const char *implied = implied_key ? bp_opts_get(o, implied_key) : NULL;

    /* An implied value holding '=' would read back as key=value. */
    if (implied && !strchr(implied, '=')) {
        bp_opts_append_escaped(s, implied);
    } else {
        implied = NULL;
    }
    if (o->id) {
        g_string_append_printf(s, "%sid=%s", s->len ? "," : "", o->id);
    }
    for (guint i = 0; i < o->keys->len; i++) {
        const char *k = o->keys->pdata[i];

        if (implied && strcmp(k, implied_key) == 0) {
            continue;
        }
        if (s->len) {
            g_string_append_c(s, ',');
        }
        bp_opts_append_escaped(s, k);
        g_string_append_c(s, '=');
        bp_opts_append_escaped(s, o->values->pdata[i]);
    }
    return g_string_free(s, FALSE);
}

bool bp_opts_equal(const BpOpts *a, const BpOpts *b)
{
    if (g_strcmp0(a->group, b->group) || g_strcmp0(a->id, b->id) ||
        a->keys->len != b->keys->len) {
        return false;
    }
    for (guint i = 0; i < a->keys->len; i++) {
        if (strcmp(a->keys->pdata[i], b->keys->pdata[i]) ||
            strcmp(a->values->pdata[i], b->values->pdata[i])) {
            return false;
        }
    }
    return true;
}
