/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Option groups: the one representation of the configuration. The command
 * line, -readconfig files and the monitor produce BpOpts; -writeconfig and
 * `info config` print them. A group is a name ("device", "chardev",
 * "drive", "netdev", "machine", "mon", ...), an optional id and an ordered
 * list of key=value strings.
 */
#ifndef BP_CORE_OPTS_H
#define BP_CORE_OPTS_H

#include <glib.h>
#include <stdbool.h>

typedef struct BpOpts {
    char *group;
    char *id;                     /* NULL if none */
    GPtrArray *keys;              /* char *, in order */
    GPtrArray *values;            /* char *, parallel to keys */
    /* Where the group came from, for error context ("-device isa-serial",
     * "vm.ini:12"); NULL if unknown. Not part of the value: not written,
     * not compared. */
    char *origin;
} BpOpts;

BpOpts *bp_opts_new(const char *group, const char *id);
void bp_opts_free(BpOpts *o);
BpOpts *bp_opts_copy(const BpOpts *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BpOpts, bp_opts_free)
void bp_opts_set(BpOpts *o, const char *key, const char *value);  /* replace or append */
const char *bp_opts_get(const BpOpts *o, const char *key);
bool bp_opts_get_bool(const BpOpts *o, const char *key, bool def, GError **errp);
void bp_opts_del(BpOpts *o, const char *key);
/* Same group, id, keys and values in the same order (origin ignored). */
bool bp_opts_equal(const BpOpts *a, const BpOpts *b);
/* QEMU's identifier rule: a letter, then letters, digits, '-', '.', '_'. */
bool bp_opts_id_valid(const char *id);
/* on/yes/true/y and off/no/false/n; error names `key`. */
bool bp_opts_parse_bool(const char *key, const char *value, bool *out, GError **errp);

/* "isa-serial,id=s0,iobase=0x2f8" with implied first key ("driver"), as
 * QEMU parses: ",," escapes a comma; "id" goes to o->id; a bare "flag"
 * means flag=on, "noflag" is NOT special (refused as unknown later). */
BpOpts *bp_opts_parse(const char *group, const char *text, const char *implied_key,
                      GError **errp);
/* "driver,prop=val" back again, escaping commas. */
char *bp_opts_to_string(const BpOpts *o, const char *implied_key);

/* The whole configuration, in order. */
typedef struct BpConfig {
    GPtrArray *groups;            /* BpOpts * */
} BpConfig;

BpConfig *bp_config_new(void);
void bp_config_free(BpConfig *c);
void bp_config_add(BpConfig *c, BpOpts *o);              /* takes ownership */
BpOpts *bp_config_find(BpConfig *c, const char *group, const char *id);
bool bp_config_remove(BpConfig *c, const char *group, const char *id);
/* QEMU's ini-like format ([device "id"] / key = "value"). Errors carry
 * "FILE:LINE: what was expected". */
bool bp_config_read_file(BpConfig *c, const char *path, GError **errp);
bool bp_config_read_string(BpConfig *c, const char *text, const char *fname, GError **errp);
char *bp_config_to_string(const BpConfig *c);
bool bp_config_write_file(const BpConfig *c, const char *path, GError **errp); /* "-" = stdout */
BpConfig *bp_config_copy(const BpConfig *c);
bool bp_config_equal(const BpConfig *a, const BpConfig *b);
/* Groups named `group`, in order (borrowed pointers). */
GPtrArray *bp_config_find_all(const BpConfig *c, const char *group);
/* Group names the ini reader accepts (NULL-terminated). */
const char *const *bp_config_group_names(void);

#endif
