/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device registry: types, devices, buses, properties (core side). */
#ifndef BP_CORE_REGISTRY_H
#define BP_CORE_REGISTRY_H

#include <backplane/backplane.h>
#include "core/opts.h"

typedef struct BpModule BpModule;

/* Registration (the module loader calls this for each descriptor). */
bool bp_type_register(const BpDeviceType *t, BpModule *owner, GError **errp);
void bp_type_unregister_module(BpModule *owner);
/* Resolve a type, loading its module through the index when unknown.
 * Error: "no device type 'foo' (try -device help)". */
const BpType *bp_type_lookup(const char *name, GError **errp);
const BpType *bp_type_find_loaded(const char *name);
const BpDeviceType *bp_type_desc(const BpType *t);
const BpType *bp_type_parent(const BpType *t);
const char *bp_type_name(const BpType *t);
bool bp_type_is_a(const BpType *t, const char *ancestor);
const char *bp_type_bus(const BpType *t);       /* inherited */
BpModule *bp_type_module(const BpType *t);

/* Lifecycle. bp_device_create: allocate, instance_init, defaults. */
BpDevice *bp_device_create(const char *type, const char *id, GError **errp);
bool bp_device_set_prop(BpDevice *dev, const char *name, const char *value, GError **errp);
char *bp_device_get_prop(BpDevice *dev, const char *name, GError **errp);
/* Plug into bus (NULL: first free bus of the right type), realize. On
 * failure nothing is left behind (device stays unrealized, unplugged). */
bool bp_device_realize(BpDevice *dev, BpBus *bus, GError **errp);
void bp_device_reset(BpDevice *dev);
void bp_device_unrealize(BpDevice *dev);
void bp_device_destroy(BpDevice *dev);          /* unrealize + finalize + free */
/* device_add from options: driver=, id=, bus=, props. */
BpDevice *bp_device_new_from_opts(const BpOpts *o, GError **errp);
/* device_del: refuses non-hotpluggable devices with a clear error. */
bool bp_device_delete(const char *id, GError **errp);
/* Visit every realized device, parents before children. */
void bp_device_foreach(void (*fn)(BpDevice *dev, void *opaque), void *opaque);
void bp_reset_all(void);

BpBus *bp_bus_find(const char *name);           /* by name, e.g. "isa.0" */
BpBus *bp_bus_find_free(const char *bus_type);
BpBus *bp_root_bus(void);                       /* the machine's system bus */
void bp_registry_init(void);                    /* abstract base types, root bus */

/* Backends that link properties resolve (chardev, drive, netdev, audiodev). */
typedef enum BpBackendKind {
    BP_BACKEND_CHARDEV, BP_BACKEND_DRIVE, BP_BACKEND_NETDEV, BP_BACKEND_AUDIODEV,
} BpBackendKind;
void bp_backend_register(BpBackendKind kind, const char *id, void *backend);
void bp_backend_unregister(BpBackendKind kind, const char *id);
void *bp_backend_lookup(BpBackendKind kind, const char *id);

/* Monitor output. */
char *bp_info_qtree(void);
char *bp_info_qdm(void);
char *bp_device_help(const char *type, GError **errp);  /* -device NAME,help */
char *bp_device_list_help(void);                        /* -device help (no loading) */

/* Additions (registry engineer). `why` is shown by info modules and
 * -d modules when the lookup loads a module ("-device", "device_add",
 * "machine pc"). The plain variants use "-device". */
const BpType *bp_type_lookup_for(const char *name, const char *why, GError **errp);
BpDevice *bp_device_new_from_opts_for(const BpOpts *o, const char *why, GError **errp);
/* Inherited flags (any ancestor marked hotpluggable makes the type so). */
bool bp_type_hotpluggable(const BpType *t);
/* Loaded types, registration order (qom-list-types). */
void bp_type_foreach(void (*fn)(const BpType *t, void *opaque), void *opaque);
/* Every property of the device, its own type's first, then ancestors'. */
void bp_device_foreach_prop(BpDevice *dev,
                            void (*fn)(BpDevice *dev, const BpProperty *p, void *opaque),
                            void *opaque);
/* Destroy every device (children first); for a clean exit. */
void bp_registry_cleanup(void);

#endif
