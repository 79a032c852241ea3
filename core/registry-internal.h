/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the registry files (registry.c, property.c, bus.c, gpio.c,
 * module-loader.c): the runtime type record, per-device bookkeeping and
 * the property codec. Nothing outside those files includes this.
 */
#ifndef BP_CORE_REGISTRY_INTERNAL_H
#define BP_CORE_REGISTRY_INTERNAL_H

#include "core/registry.h"
#include "core/module-loader.h"

struct BpType {
    char *name;
    const BpDeviceType *desc;
    const BpType *parent;
    BpModule *module;             /* NULL for core types */
    BpModule *parent_module;      /* parent's module, referenced while we live */
    unsigned anon_next;           /* next /machine/anon/TYPE[N] */
};

struct BpBus {
    const BpBusType *type;
    char *name;
    BpDevice *owner;
    void *opaque;
    GPtrArray *children;          /* BpDevice *, plug order */
};

typedef struct BpDevCore {
    char *path;                   /* display path when there is no id */
    GPtrArray *child_buses;       /* BpBus *, creation order */
    GHashTable *gpio_in;          /* name -> BpGpio */
    GHashTable *gpio_out;         /* name -> BpGpio */
} BpDevCore;

static inline BpDevCore *bp_dev_core(const BpDevice *dev)
{
    return (BpDevCore *)dev->core;
}

/* property.c: the codec for one property of a device instance. `base`
 * is the device state struct. */
const char *bp_prop_kind_name(BpPropKind kind);
void bp_prop_set_default(const BpProperty *p, void *base);
bool bp_prop_parse(const BpProperty *p, void *base, const char *str, GError **errp);
char *bp_prop_print(const BpProperty *p, const void *base);
/* Human form for info qtree: numbers with hex, strings quoted. */
char *bp_prop_print_pretty(const BpProperty *p, const void *base);
char *bp_prop_default_string(const BpProperty *p);   /* NULL: no default */
void bp_prop_release(const BpProperty *p, void *base);
bool bp_prop_is_link(const BpProperty *p);

/* registry.c */
const char *bp_backend_id(BpBackendKind kind, const void *backend);
const BpProperty *bp_type_find_prop(const BpType *t, const char *name);
GPtrArray *bp_type_all_props(const BpType *t);       /* const BpProperty *, no dups */
void bp_registry_bus_added(BpBus *bus);
void bp_registry_bus_removed(BpBus *bus);
GPtrArray *bp_registry_buses(void);                  /* all buses, creation order */
/* Every device, realized or not, creation order. */
void bp_registry_foreach_all(void (*fn)(BpDevice *dev, void *opaque), void *opaque);

/* irq.c: make `target` follow `irq` (fan-out of a GPIO output). */
BpIrqSink *bp_irq_forward(BpIrq *irq, BpIrq *target);

/* gpio.c */
void bp_device_gpio_cleanup(BpDevice *dev);

/* module-loader.c */
typedef struct BpIndexEntry {
    char *type;
    char *module;                 /* module name ("debug") */
    char *file;                   /* full path, or the bare name when preloaded */
    char *bus;                    /* "" for none */
    char *flags;                  /* "abstract", "no-user", "hotplug", comma list or "-" */
    char *desc;
} BpIndexEntry;
const BpIndexEntry *bp_modules_index_lookup(const char *type);
const char *bp_module_name(const BpModule *m);
const char *bp_module_path(const BpModule *m);

/* registry.c, for the loader: types a module registered, for unregistering. */
bool bp_type_name_valid(const char *name);

#endif
