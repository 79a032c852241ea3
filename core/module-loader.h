/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Modules on demand through libltdl. */
#ifndef BP_CORE_MODULE_LOADER_H
#define BP_CORE_MODULE_LOADER_H

#include <backplane/backplane.h>

typedef struct BpModule BpModule;

/* Once, before anything: lt_dlinit, search path from the install dir,
 * the build tree (when run from it), -L dirs and BACKPLANE_MODULE_PATH. */
bool bp_modules_init(GError **errp);
void bp_modules_add_dir(const char *dir);      /* -L DIR */
/* Load the module that provides `type` (per the index). why: "-device",
 * "device_add", "machine pc", ... shown by info modules / -d modules. */
bool bp_modules_load_for_type(const char *type, const char *why, GError **errp);
/* Device count bookkeeping: the registry calls these; at zero the module
 * is lt_dlclose'd. */
void bp_module_ref(BpModule *m);
void bp_module_unref(BpModule *m);
/* Type names known to the index, sorted (for -device help: no loading). */
GPtrArray *bp_modules_index_types(void);
const char *bp_modules_index_desc(const char *type);
/* backplane --index-modules DIR: write DIR/modules.index. */
bool bp_modules_write_index(const char *dir, GError **errp);
char *bp_info_modules(void);
/* Addition: load one module file (a path to a .so/.la) and register its
 * types; the same checks as on-demand loading. */
bool bp_modules_load_file(const char *path, const char *why, GError **errp);
unsigned bp_module_refcount(const BpModule *m);
/* Unload modules without live devices, forget the search path. */
void bp_modules_cleanup(void);
/* Typed monitor commands from loaded modules. */
const BpMonitorCommand *bp_modules_find_command(const char *name);
void bp_modules_foreach_command(void (*fn)(const BpMonitorCommand *c, void *opaque),
                                void *opaque);

#endif
