/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The configuration as an ordered list of option groups, and QEMU's
 * ini-like file format for it (-readconfig / -writeconfig):
 *
 *   # comment
 *   [device "s0"]
 *     driver = "isa-serial"
 *
 *   [machine]
 *     type = "pc"
 *
 * QEMU's reader cannot represent a '"' inside a value; ours writes the
 * escapes \" \\ \n \t \r and \xHH when a value needs them, so that any
 * string survives a round trip, and files without such values look
 * exactly like QEMU's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <backplane/error.h>
#include "core/opts.h"

static const char *const bp_config_groups[] = {
    "accel", "boot-opts", "chardev", "device", "drive", "machine", "memory",
    "icount", "mon", "netdev", "parallel", "qtest", "rtc", "serial", "smp-opts", "wire",
    NULL
};

const char *const *bp_config_group_names(void)
{
    return bp_config_groups;
}

BpConfig *bp_config_new(void)
{
    BpConfig *c = g_new0(BpConfig, 1);

    c->groups = g_ptr_array_new_with_free_func((GDestroyNotify)bp_opts_free);
    return c;
}

void bp_config_free(BpConfig *c)
{
    if (!c) {
        return;
    }
    g_ptr_array_unref(c->groups);
    g_free(c);
}

void bp_config_add(BpConfig *c, BpOpts *o)
{
    g_ptr_array_add(c->groups, o);
}

BpOpts *bp_config_find(BpConfig *c, const char *group, const char *id)
{
    for (guint i = 0; i < c->groups->len; i++) {
        BpOpts *o = c->groups->pdata[i];

        if (strcmp(o->group, group) == 0 && g_strcmp0(o->id, id) == 0) {
            return o;
        }
    }
    return NULL;
}

GPtrArray *bp_config_find_all(const BpConfig *c, const char *group)
{
    GPtrArray *a = g_ptr_array_new();

    for (guint i = 0; i < c->groups->len; i++) {
        BpOpts *o = c->groups->pdata[i];

        if (strcmp(o->group, group) == 0) {
            g_ptr_array_add(a, o);
        }
    }
    return a;
}

bool bp_config_remove(BpConfig *c, const char *group, const char *id)
{
    BpOpts *o = bp_config_find(c, group, id);

    return o && g_ptr_array_remove(c->groups, o);
}

BpConfig *bp_config_copy(const BpConfig *c)
{
    BpConfig *n = bp_config_new();

    for (guint i = 0; i < c->groups->len; i++) {
        bp_config_add(n, bp_opts_copy(c->groups->pdata[i]));
    }
    return n;
}

bool bp_config_equal(const BpConfig *a, const BpConfig *b)
{
    if (a->groups->len != b->groups->len) {
        return false;
    }
    for (guint i = 0; i < a->groups->len; i++) {
        if (!bp_opts_equal(a->groups->pdata[i], b->groups->pdata[i])) {
            return false;
        }
    }
    return true;
}

static bool bp_config_name_char(char ch)
{
    return g_ascii_isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

/* Reads a quoted string at *pp (which points at the opening quote). */
static char *bp_config_unquote(const char **pp)
{
    const char *p = *pp + 1;
    GString *s = g_string_new(NULL);

    while (*p && *p != '"') {
        if (*p != '\\') {
            g_string_append_c(s, *p++);
            continue;
        }
        p++;
        switch (*p) {
        case '"': case '\\':
            g_string_append_c(s, *p);
            break;
        case 'n':
            g_string_append_c(s, '\n');
            break;
        case 't':
            g_string_append_c(s, '\t');
            break;
        case 'r':
            g_string_append_c(s, '\r');
            break;
        case 'x':
            if (g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
                g_string_append_c(s, (char)(g_ascii_xdigit_value(p[1]) * 16 +
                                            g_ascii_xdigit_value(p[2])));
                p += 2;
                break;
            }
            /* fall through */
        default:
            g_string_free(s, TRUE);
            return NULL;
        }
        p++;
    }
    if (*p != '"') {
        g_string_free(s, TRUE);
        return NULL;
    }
    *pp = p + 1;
    return g_string_free(s, FALSE);
}

static const char *bp_config_skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    return p;
}

/* "[group]" or "[group "id"]"; returns false with *what set to a reason
 * when the line has the shape of a header but bad contents. */
static BpOpts *bp_config_parse_header(const char *line, const char *where, GError **errp)
{
    const char *p = line + 1;
    const char *name_start;
    g_autofree char *name = NULL;
    g_autofree char *id = NULL;

    p = bp_config_skip_ws(p);
    name_start = p;
    while (bp_config_name_char(*p)) {
        p++;
    }
    name = g_strndup(name_start, p - name_start);
    p = bp_config_skip_ws(p);
    if (*p == '"') {
        id = bp_config_unquote(&p);
        if (!id) {
            return NULL;
        }
        p = bp_config_skip_ws(p);
    }
    if (*p != ']' || *bp_config_skip_ws(p + 1) || !*name) {
        return NULL;
    }
    if (!g_strv_contains(bp_config_groups, name)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "%s: there is no option group '%s'", where, name);
        return NULL;
    }
    if (id && !bp_opts_id_valid(id)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "%s: invalid id '%s' (a letter, then letters, digits, '-', '.', '_')",
                    where, id);
        return NULL;
    }
    return bp_opts_new(name, id);
}

static bool bp_config_parse_kv(const char *line, char **key, char **value)
{
    const char *p = line;

    while (*p && *p != '=' && *p != ' ' && *p != '\t' && *p != '"') {
        p++;
    }
    if (p == line) {
        return false;
    }
    *key = g_strndup(line, p - line);
    p = bp_config_skip_ws(p);
    if (*p != '=') {
        goto fail;
    }
    p = bp_config_skip_ws(p + 1);
    if (*p != '"') {
        goto fail;
    }
    *value = bp_config_unquote(&p);
    if (!*value) {
        goto fail;
    }
    if (*bp_config_skip_ws(p)) {
        g_clear_pointer(value, g_free);
        goto fail;
    }
    return true;
fail:
    g_clear_pointer(key, g_free);
    return false;
}

bool bp_config_read_string(BpConfig *c, const char *text, const char *fname, GError **errp)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func((GDestroyNotify)bp_opts_free);
    BpOpts *cur = NULL;

    for (guint n = 0; lines[n]; n++) {
        g_autofree char *where = g_strdup_printf("%s:%u", fname, n + 1);
        char *line = g_strstrip(lines[n]);
        g_autofree char *key = NULL;
        g_autofree char *value = NULL;

        for (const char *ch = line; *ch; ch++) {
            if ((unsigned char)*ch < 0x20 && *ch != '\t' && *ch != '\r') {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "%s: not a text file (control character 0x%02x)", where, *ch);
                return false;
            }
        }
        if (!g_utf8_validate(line, -1, NULL)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "%s: not a text file (invalid UTF-8)", where);
            return false;
        }
        if (!*line || *line == '#') {
            continue;
        }
        if (*line == '[') {
            GError *err = NULL;

            cur = bp_config_parse_header(line, where, &err);
            if (!cur) {
                if (err) {
                    g_propagate_error(errp, err);
                } else {
                    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                                "%s: expected '[group \"id\"]' or '[group]'", where);
                }
                return false;
            }
            cur->origin = g_strdup(where);
            g_ptr_array_add(added, cur);
            continue;
        }
        if (!bp_config_parse_kv(line, &key, &value)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "%s: expected '[group \"id\"]' or 'key = \"value\"'", where);
            return false;
        }
        if (!cur) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "%s: expected '[group \"id\"]' before 'key = \"value\"'", where);
            return false;
        }
        if (strcmp(key, "id") == 0 && !cur->id) {
            if (!bp_opts_id_valid(value)) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "%s: invalid id '%s'", where, value);
                return false;
            }
            cur->id = g_steal_pointer(&value);
            continue;
        }
        if (bp_opts_get(cur, key) || (strcmp(key, "id") == 0 && cur->id)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "%s: key '%s' is set twice in this group", where, key);
            return false;
        }
        bp_opts_set(cur, key, value);
    }
    for (guint i = 0; i < added->len; i++) {
        bp_config_add(c, added->pdata[i]);
    }
    g_ptr_array_set_free_func(added, NULL);
    return true;
}

/* Why a file could not be read or written, in a few words. */
static const char *file_error_reason(const GError *err)
{
    switch (err->code) {
    case G_FILE_ERROR_NOENT: return "no such file";
    case G_FILE_ERROR_ACCES: return "permission denied";
    case G_FILE_ERROR_ISDIR: return "it is a directory";
    default: return err->message;
    }
}

bool bp_config_read_file(BpConfig *c, const char *path, GError **errp)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;

    gsize len;
    const char *nul;

    if (!g_file_get_contents(path, &text, &len, &err)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "cannot read '%s': %s", path,
                    file_error_reason(err));
        return false;
    }
    nul = memchr(text, 0, len);
    if (nul) {
        guint line = 1;

        for (const char *p = text; p < nul; p++) {
            line += *p == '\n';
        }
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "%s:%u: not a text file (control character 0x00)", path, line);
        return false;
    }
    return bp_config_read_string(c, text, path, errp);
}

static void bp_config_append_quoted(GString *s, const char *v)
{
    g_string_append_c(s, '"');
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(s, "\\\"");
            break;
        case '\\':
            g_string_append(s, "\\\\");
            break;
        case '\n':
            g_string_append(s, "\\n");
            break;
        case '\t':
            g_string_append(s, "\\t");
            break;
        case '\r':
            g_string_append(s, "\\r");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                g_string_append_printf(s, "\\x%02x", *p);
            } else {
                g_string_append_c(s, (char)*p);
            }
        }
    }
    g_string_append_c(s, '"');
}

char *bp_config_to_string(const BpConfig *c)
{
    GString *s = g_string_new("# backplane config file\n\n");

    for (guint i = 0; i < c->groups->len; i++) {
        const BpOpts *o = c->groups->pdata[i];

        g_string_append_printf(s, "[%s", o->group);
        if (o->id) {
            g_string_append_c(s, ' ');
            bp_config_append_quoted(s, o->id);
        }
        g_string_append(s, "]\n");
        for (guint k = 0; k < o->keys->len; k++) {
            g_string_append_printf(s, "  %s = ", (const char *)o->keys->pdata[k]);
            bp_config_append_quoted(s, o->values->pdata[k]);
            g_string_append_c(s, '\n');
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

bool bp_config_write_file(const BpConfig *c, const char *path, GError **errp)
{
    g_autofree char *text = bp_config_to_string(c);
    g_autoptr(GError) err = NULL;

    if (strcmp(path, "-") == 0) {
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                        "writing to standard output: %s", g_strerror(errno));
            return false;
        }
        return true;
    }
    if (!g_file_set_contents(path, text, -1, &err)) {
        /* GLib's message names its temporary file: name the user's. */
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "cannot write '%s': %s", path,
                    err->code == G_FILE_ERROR_NOENT ? "its directory does not exist"
                                                    : file_error_reason(err));
        return false;
    }
    return true;
}
