/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device registry: types (single inheritance, NULL callbacks
 * inherited), devices (create, set properties, realize against a bus,
 * reset, unrealize, destroy), ids and the qtree/qdm views. Unknown types
 * are resolved through the module loader.
 */
#include "core/registry-internal.h"
#include "core/logging.h"
#include "core/pci-internal.h"
#include <string.h>

static GHashTable *types;         /* name -> BpType * */
static GPtrArray *type_order;     /* BpType *, registration order */
static GPtrArray *devices;        /* BpDevice *, creation order */
static GPtrArray *buses;          /* BpBus *, creation order */
static BpBus *root_bus;
static GHashTable *backends[BP_BACKEND_AUDIODEV + 1];

static const BpDeviceType base_device_type = {
    .name = BP_TYPE_DEVICE,
    .desc = "base of every device",
    .instance_size = sizeof(BpDevice),
    .abstract = true,
};

static const BpDeviceType base_sys_device_type = {
    .name = BP_TYPE_SYS_DEVICE,
    .parent = BP_TYPE_DEVICE,
    .desc = "base of devices on the machine's system bus",
    .abstract = true,
    .bus_type = BP_BUS_SYSTEM,
};

static const BpDeviceType base_isa_device_type = {
    .name = BP_TYPE_ISA_DEVICE,
    .parent = BP_TYPE_DEVICE,
    .desc = "base of ISA devices",
    .abstract = true,
    .bus_type = BP_BUS_ISA,
};

static const BpBusType system_bus_type = {
    .name = BP_BUS_SYSTEM,
};

void bp_registry_init(void)
{
    if (types) {
        return;
    }
    types = g_hash_table_new(g_str_hash, g_str_equal);
    type_order = g_ptr_array_new();
    devices = g_ptr_array_new();
    buses = g_ptr_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        backends[i] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
    bp_type_register(&base_device_type, NULL, NULL);
    bp_type_register(&base_sys_device_type, NULL, NULL);
    bp_type_register(&base_isa_device_type, NULL, NULL);
    bp_pci_init(NULL);
    root_bus = bp_bus_new(NULL, &system_bus_type, "main-system-bus", NULL);
}

/* Types */

bool bp_type_name_valid(const char *name)
{
    if (!name || !g_ascii_isalpha(name[0])) {
        return false;
    }
    for (const char *c = name; *c; c++) {
        if (!g_ascii_isalnum(*c) && !strchr("-_.", *c)) {
            return false;
        }
    }
    return true;
}

static const BpType *type_find(const char *name)
{
    return types && name ? g_hash_table_lookup(types, name) : NULL;
}

static size_t type_instance_size(const BpType *t)
{
    for (; t; t = t->parent) {
        if (t->desc->instance_size) {
            return t->desc->instance_size;
        }
    }
    return sizeof(BpDevice);
}

bool bp_type_register(const BpDeviceType *d, BpModule *owner, GError **errp)
{
    bp_registry_init();
    g_return_val_if_fail(d, false);
    if (!bp_type_name_valid(d->name)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "invalid device type name '%s'", d->name ? d->name : "(null)");
        return false;
    }
    const BpType *other = type_find(d->name);
    if (other) {
        if (other->module) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "device type '%s' is already provided by module '%s' (%s)",
                        d->name, bp_module_name(other->module),
                        bp_module_path(other->module));
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "device type '%s' is already provided by the core", d->name);
        }
        return false;
    }
    const BpType *parent = NULL;
    if (strcmp(d->name, BP_TYPE_DEVICE) != 0) {
        const char *pname = d->parent ? d->parent : BP_TYPE_DEVICE;
        parent = type_find(pname);
        if (!parent) {
            g_autofree char *why = g_strdup_printf("parent of %s", d->name);
            if (!bp_modules_load_for_type(pname, why, NULL) || !(parent = type_find(pname))) {
                g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                            "device type '%s': unknown parent type '%s'", d->name, pname);
                return false;
            }
        }
    }
    size_t psize = parent ? type_instance_size(parent) : sizeof(BpDevice);
    if (d->instance_size && d->instance_size < psize) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "device type '%s': instance_size %zu is smaller than its parent's (%zu)",
                    d->name, d->instance_size, psize);
        return false;
    }
    BpType *t = g_new0(BpType, 1);
    t->name = g_strdup(d->name);
    t->desc = d;
    t->parent = parent;
    t->module = owner;
    if (parent && parent->module && parent->module != owner) {
        t->parent_module = parent->module;
        bp_module_ref(t->parent_module);
    }
    g_hash_table_insert(types, t->name, t);
    g_ptr_array_add(type_order, t);
    return true;
}

void bp_type_unregister_module(BpModule *owner)
{
    if (!types) {
        return;
    }
    /* Unreferencing a parent's module may unload it, which edits
     * type_order again: take our types out first, then let go. */
    g_autoptr(GPtrArray) parents = g_ptr_array_new();
    for (guint i = type_order->len; i-- > 0;) {
        BpType *t = g_ptr_array_index(type_order, i);
        if (t->module != owner) {
            continue;
        }
        g_ptr_array_remove_index(type_order, i);
        g_hash_table_remove(types, t->name);
        if (t->parent_module) {
            g_ptr_array_add(parents, t->parent_module);
        }
        g_free(t->name);
        g_free(t);
    }
    for (guint i = 0; i < parents->len; i++) {
        bp_module_unref(g_ptr_array_index(parents, i));
    }
}

const BpType *bp_type_find_loaded(const char *name)
{
    return type_find(name);
}

const BpType *bp_type_lookup_for(const char *name, const char *why, GError **errp)
{
    bp_registry_init();
    if (!name || !*name) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                    "no device type given (try -device help)");
        return NULL;
    }
    const BpType *t = type_find(name);
    if (t) {
        return t;
    }
    if (!bp_modules_load_for_type(name, why, errp)) {
        return NULL;
    }
    t = type_find(name);
    if (!t) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "the module index names a module for device type '%s' but that "
                    "module does not provide it (rebuild the index)", name);
    }
    return t;
}

const BpType *bp_type_lookup(const char *name, GError **errp)
{
    return bp_type_lookup_for(name, "-device", errp);
}

const BpDeviceType *bp_type_desc(const BpType *t) { return t ? t->desc : NULL; }
const BpType *bp_type_parent(const BpType *t) { return t ? t->parent : NULL; }
const char *bp_type_name(const BpType *t) { return t ? t->name : NULL; }
BpModule *bp_type_module(const BpType *t) { return t ? t->module : NULL; }

bool bp_type_is_a(const BpType *t, const char *ancestor)
{
    for (; t && ancestor; t = t->parent) {
        if (!strcmp(t->name, ancestor)) {
            return true;
        }
    }
    return false;
}

const char *bp_type_bus(const BpType *t)
{
    for (; t; t = t->parent) {
        if (t->desc->bus_type) {
            return t->desc->bus_type;
        }
    }
    return NULL;
}

bool bp_type_hotpluggable(const BpType *t)
{
    for (; t; t = t->parent) {
        if (t->desc->hotpluggable) {
            return true;
        }
    }
    return false;
}

void bp_type_foreach(void (*fn)(const BpType *t, void *opaque), void *opaque)
{
    bp_registry_init();
    g_autoptr(GPtrArray) snap = g_ptr_array_copy(type_order, NULL, NULL);
    for (guint i = 0; i < snap->len; i++) {
        fn(g_ptr_array_index(snap, i), opaque);
    }
}

/* The most derived non-NULL callback. */
#define TYPE_CB(t, cb) (type_cb_owner((t), offsetof(BpDeviceType, cb)) \
    ? type_cb_owner((t), offsetof(BpDeviceType, cb))->desc->cb : NULL)
static const BpType *type_cb_owner(const BpType *t, size_t off)
{
    for (; t; t = t->parent) {
        void *const *fn = (void *const *)((const char *)t->desc + off);
        if (*fn) {
            return t;
        }
    }
    return NULL;
}

const BpProperty *bp_type_find_prop(const BpType *t, const char *name)
{
    for (; t && name; t = t->parent) {
        for (const BpProperty *p = t->desc->props; p && p->name; p++) {
            if (!strcmp(p->name, name)) {
                return p;
            }
        }
    }
    return NULL;
}

GPtrArray *bp_type_all_props(const BpType *t)
{
    GPtrArray *a = g_ptr_array_new();

    for (const BpType *c = t; c; c = c->parent) {
        for (const BpProperty *p = c->desc->props; p && p->name; p++) {
            if (bp_type_find_prop(t, p->name) == p) {
                g_ptr_array_add(a, (gpointer)p);
            }
        }
    }
    return a;
}

/* Devices */

static bool id_valid(const char *id)
{
    return bp_type_name_valid(id);
}

const char *bp_device_type_name(const BpDevice *dev)
{
    return dev && dev->type ? dev->type->name : NULL;
}

const char *bp_device_id(const BpDevice *dev)
{
    if (!dev) {
        return NULL;
    }
    if (dev->id) {
        return dev->id;
    }
    return dev->core ? bp_dev_core(dev)->path : bp_device_type_name(dev);
}

bool bp_device_is_a(const BpDevice *dev, const char *type)
{
    return dev && bp_type_is_a(dev->type, type);
}

BpDevice *bp_device_find(const char *id_or_path)
{
    for (guint i = 0; devices && id_or_path && i < devices->len; i++) {
        BpDevice *d = g_ptr_array_index(devices, i);
        if ((d->id && !strcmp(d->id, id_or_path)) ||
            !strcmp(bp_dev_core(d)->path, id_or_path)) {
            return d;
        }
    }
    return NULL;
}

static BpDevice *device_create(const char *type, const char *id, const char *why,
                               GError **errp)
{
    bp_registry_init();
    if (id) {
        if (!id_valid(id)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "invalid id '%s': an id starts with a letter and holds only "
                        "letters, digits, '-', '.' and '_'", id);
            return NULL;
        }
        if (bp_device_find(id)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "duplicate device id '%s'", id);
            return NULL;
        }
    }
    const BpType *ct = bp_type_lookup_for(type, why, errp);
    if (!ct) {
        return NULL;
    }
    BpType *t = (BpType *)ct;
    if (t->desc->abstract) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "device type '%s' is abstract: it cannot be created", t->name);
        return NULL;
    }
    BpDevice *dev = g_malloc0(type_instance_size(t));
    BpDevCore *c = g_new0(BpDevCore, 1);
    dev->type = t;
    dev->id = g_strdup(id);
    dev->core = c;
    c->child_buses = g_ptr_array_new();
    c->path = g_strdup_printf("/machine/anon/%s[%u]", t->name, t->anon_next++);
    if (t->module) {
        bp_module_ref(t->module);
    }
    g_ptr_array_add(devices, dev);

    g_autoptr(GPtrArray) props = bp_type_all_props(t);
    for (guint i = 0; i < props->len; i++) {
        bp_prop_set_default(g_ptr_array_index(props, i), dev);
    }
    void (*init)(BpDevice *) = TYPE_CB(t, instance_init);
    if (init) {
        init(dev);
    }
    dev->trace = bp_trace_matches(dev);
    return dev;
}

BpDevice *bp_device_create(const char *type, const char *id, GError **errp)
{
    return device_create(type, id, "-device", errp);
}

bool bp_device_set_prop(BpDevice *dev, const char *name, const char *value, GError **errp)
{
    g_return_val_if_fail(dev && name && value, false);
    const BpProperty *p = bp_type_find_prop(dev->type, name);
    if (!p) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                    "no property '%s' (see -device %s,help)", name, dev->type->name);
        return false;
    }
    if (dev->realized && !(p->flags & BP_PROP_F_MUTABLE)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' of device '%s' is read-only once the device is realized",
                    name, bp_device_id(dev));
        return false;
    }
    return bp_prop_parse(p, dev, value, errp);
}

char *bp_device_get_prop(BpDevice *dev, const char *name, GError **errp)
{
    g_return_val_if_fail(dev && name, NULL);
    const BpProperty *p = bp_type_find_prop(dev->type, name);
    if (!p) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                    "no property '%s' (see -device %s,help)", name, dev->type->name);
        return NULL;
    }
    return bp_prop_print(p, dev);
}

void bp_device_foreach_prop(BpDevice *dev,
                            void (*fn)(BpDevice *dev, const BpProperty *p, void *opaque),
                            void *opaque)
{
    g_autoptr(GPtrArray) props = bp_type_all_props(dev->type);
    for (guint i = 0; i < props->len; i++) {
        fn(dev, g_ptr_array_index(props, i), opaque);
    }
}

static unsigned buses_of_type(const char *bus_type)
{
    unsigned n = 0;
    for (guint i = 0; i < buses->len; i++) {
        BpBus *b = g_ptr_array_index(buses, i);
        n += !strcmp(b->type->name, bus_type);
    }
    return n;
}

static bool device_pick_bus(BpDevice *dev, BpBus **pbus, GError **errp)
{
    const char *bus_type = bp_type_bus(dev->type);
    BpBus *bus = *pbus;

    if (dev->parent_bus) {
        /* Re-realize after unrealize: the device never left its bus. */
        if (bus && bus != dev->parent_bus) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "device '%s' is already on bus '%s'", bp_device_id(dev),
                        dev->parent_bus->name);
            return false;
        }
        *pbus = dev->parent_bus;
        return true;
    }
    if (!bus_type) {
        if (bus) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "device type '%s' does not plug into a bus (bus=%s)",
                        dev->type->name, bus->name);
            return false;
        }
        return true;
    }
    if (bus) {
        if (strcmp(bus->type->name, bus_type) != 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "bus '%s' is a %s bus but device type '%s' needs a %s bus",
                        bus->name, bus->type->name, dev->type->name, bus_type);
            return false;
        }
        if (bus->type->max_devices && bus->children->len >= bus->type->max_devices) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "bus '%s' is full (it takes %u device%s)", bus->name,
                        bus->type->max_devices, bus->type->max_devices == 1 ? "" : "s");
            return false;
        }
        return true;
    }
    bus = bp_bus_find_free(bus_type);
    if (!bus) {
        if (buses_of_type(bus_type)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "no %s bus has a free slot for device type '%s'",
                        bus_type, dev->type->name);
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "device type '%s' needs a %s bus and the machine has none",
                        dev->type->name, bus_type);
        }
        return false;
    }
    *pbus = bus;
    return true;
}

bool bp_device_realize(BpDevice *dev, BpBus *bus, GError **errp)
{
    g_return_val_if_fail(dev && dev->core, false);
    if (dev->realized) {
        return true;
    }
    bool was_plugged = dev->parent_bus != NULL;
    if (!device_pick_bus(dev, &bus, errp)) {
        return false;
    }
    if (bus && !was_plugged) {
        g_ptr_array_add(bus->children, dev);
        dev->parent_bus = bus;
    }
    GError *err = NULL;
    if (bus && bus->type->plug && !bus->type->plug(bus, dev, &err)) {
        goto fail;
    }
    bool (*realize)(BpDevice *, GError **) = TYPE_CB(dev->type, realize);
    if (realize && !realize(dev, &err)) {
        if (bus && bus->type->unplug) {
            bus->type->unplug(bus, dev);
        }
        goto fail;
    }
    dev->realized = true;
    return true;

fail:
    if (!err) {
        g_set_error(&err, BP_ERROR, BP_ERROR_FAILED, "device '%s' failed to realize",
                    bp_device_id(dev));
    }
    if (bus && !was_plugged) {
        g_ptr_array_remove(bus->children, dev);
        dev->parent_bus = NULL;
    }
    g_propagate_error(errp, err);
    return false;
}

void bp_device_reset(BpDevice *dev)
{
    g_return_if_fail(dev);
    void (*reset)(BpDevice *) = TYPE_CB(dev->type, reset);
    if (dev->realized && reset) {
        reset(dev);
    }
}

void bp_device_unrealize(BpDevice *dev)
{
    g_return_if_fail(dev && dev->core);
    if (!dev->realized) {
        return;
    }
    BpDevCore *c = bp_dev_core(dev);
    for (guint i = c->child_buses->len; i-- > 0;) {
        BpBus *b = g_ptr_array_index(c->child_buses, i);
        for (guint j = b->children->len; j-- > 0;) {
            bp_device_unrealize(g_ptr_array_index(b->children, j));
        }
    }
    void (*unrealize)(BpDevice *) = TYPE_CB(dev->type, unrealize);
    if (unrealize) {
        unrealize(dev);
    }
    dev->realized = false;
    if (dev->parent_bus && dev->parent_bus->type->unplug) {
        dev->parent_bus->type->unplug(dev->parent_bus, dev);
    }
}

void bp_device_destroy(BpDevice *dev)
{
    if (!dev) {
        return;
    }
    g_return_if_fail(dev->core);
    BpDevCore *c = bp_dev_core(dev);

    bp_device_unrealize(dev);
    for (guint i = c->child_buses->len; i-- > 0;) {
        BpBus *b = g_ptr_array_index(c->child_buses, i);
        while (b->children->len) {
            bp_device_destroy(g_ptr_array_index(b->children, b->children->len - 1));
        }
    }
    void (*fin)(BpDevice *) = TYPE_CB(dev->type, instance_finalize);
    if (fin) {
        fin(dev);
    }
    bp_device_gpio_cleanup(dev);
    g_autoptr(GPtrArray) props = bp_type_all_props(dev->type);
    for (guint i = 0; i < props->len; i++) {
        bp_prop_release(g_ptr_array_index(props, i), dev);
    }
    /* Buses the device forgot to free: empty by now. */
    while (c->child_buses->len) {
        bp_bus_free(g_ptr_array_index(c->child_buses, c->child_buses->len - 1));
    }
    if (dev->parent_bus) {
        g_ptr_array_remove(dev->parent_bus->children, dev);
        dev->parent_bus = NULL;
    }
    g_ptr_array_remove(devices, dev);
    BpModule *m = dev->type->module;
    g_ptr_array_free(c->child_buses, TRUE);
    g_free(c->path);
    g_free(c);
    g_free(dev->id);
    g_free(dev);
    /* Last: this may close the module that holds the type descriptor. */
    if (m) {
        bp_module_unref(m);
    }
}

BpDevice *bp_device_new_from_opts_for(const BpOpts *o, const char *why, GError **errp)
{
    g_return_val_if_fail(o, NULL);
    const char *driver = bp_opts_get(o, "driver");
    const char *id = o->id ? o->id : bp_opts_get(o, "id");
    const char *busname = bp_opts_get(o, "bus");
    GError *err = NULL;
    /* Messages start with the command the user typed. */
    const char *cmd = why && strcmp(why, "device_add") == 0 ? "device_add" : "-device";

    if (!driver || !*driver) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "%s: no device type given (driver=; try -device help)", cmd);
        return NULL;
    }
    const BpType *t = bp_type_lookup_for(driver, why, errp);
    if (!t) {
        return NULL;
    }
    if (t->desc->no_user) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "%s %s: this device type is created by the machine only", cmd, driver);
        return NULL;
    }
    BpBus *bus = NULL;
    if (busname) {
        bus = bp_bus_find(busname);
        if (!bus) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "%s %s: no bus '%s' (see info qtree)", cmd, driver, busname);
            return NULL;
        }
    }
    BpDevice *dev = device_create(driver, id, why, &err);
    if (!dev) {
        g_propagate_prefixed_error(errp, err, "%s %s: ", cmd, driver);
        return NULL;
    }
    for (guint i = 0; i < o->keys->len; i++) {
        const char *k = g_ptr_array_index(o->keys, i);
        const char *v = g_ptr_array_index(o->values, i);
        if (!strcmp(k, "driver") || !strcmp(k, "id") || !strcmp(k, "bus")) {
            continue;
        }
        if (!bp_device_set_prop(dev, k, v, &err)) {
            goto fail;
        }
    }
    if (!bp_device_realize(dev, bus, &err)) {
        goto fail;
    }
    bp_device_reset(dev);
    return dev;

fail:
    g_propagate_prefixed_error(errp, err, "%s %s: ", cmd, driver);
    bp_device_destroy(dev);
    return NULL;
}

BpDevice *bp_device_new_from_opts(const BpOpts *o, GError **errp)
{
    return bp_device_new_from_opts_for(o, "-device", errp);
}

bool bp_device_delete(const char *id, GError **errp)
{
    BpDevice *dev = id ? bp_device_find(id) : NULL;

    if (!dev) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "Device '%s' not found",
                    id ? id : "");
        return false;
    }
    if (!bp_type_hotpluggable(dev->type)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "device '%s' (%s) cannot be unplugged: its type is not hot-pluggable",
                    id, dev->type->name);
        return false;
    }
    bp_device_destroy(dev);
    return true;
}

void bp_registry_foreach_all(void (*fn)(BpDevice *dev, void *opaque), void *opaque)
{
    if (!devices) {
        return;
    }
    g_autoptr(GPtrArray) snap = g_ptr_array_copy(devices, NULL, NULL);
    for (guint i = 0; i < snap->len; i++) {
        fn(g_ptr_array_index(snap, i), opaque);
    }
}

/* Top-level buses: the root, then buses nobody owns (the -M none ISA bus). */
static void collect_tree(GPtrArray *out, BpBus *bus)
{
    for (guint i = 0; i < bus->children->len; i++) {
        BpDevice *d = g_ptr_array_index(bus->children, i);
        g_ptr_array_add(out, d);
        BpDevCore *c = bp_dev_core(d);
        for (guint j = 0; j < c->child_buses->len; j++) {
            collect_tree(out, g_ptr_array_index(c->child_buses, j));
        }
    }
}

static GPtrArray *devices_in_tree_order(void)
{
    GPtrArray *out = g_ptr_array_new();

    if (!buses) {
        return out;
    }
    for (guint i = 0; i < buses->len; i++) {
        BpBus *b = g_ptr_array_index(buses, i);
        if (!b->owner) {
            collect_tree(out, b);
        }
    }
    for (guint i = 0; i < devices->len; i++) {
        BpDevice *d = g_ptr_array_index(devices, i);
        if (!d->parent_bus) {
            g_ptr_array_add(out, d);
            BpDevCore *c = bp_dev_core(d);
            for (guint j = 0; j < c->child_buses->len; j++) {
                collect_tree(out, g_ptr_array_index(c->child_buses, j));
            }
        }
    }
    return out;
}

void bp_device_foreach(void (*fn)(BpDevice *dev, void *opaque), void *opaque)
{
    g_autoptr(GPtrArray) all = devices_in_tree_order();
    for (guint i = 0; i < all->len; i++) {
        BpDevice *d = g_ptr_array_index(all, i);
        if (d->realized) {
            fn(d, opaque);
        }
    }
}

static void reset_one(BpDevice *dev, void *opaque)
{
    bp_device_reset(dev);
}

void bp_reset_all(void)
{
    bp_device_foreach(reset_one, NULL);
}

void bp_registry_cleanup(void)
{
    while (devices && devices->len) {
        bp_device_destroy(g_ptr_array_index(devices, devices->len - 1));
    }
}

/* Buses */

void bp_registry_bus_added(BpBus *bus)
{
    bp_registry_init();
    g_ptr_array_add(buses, bus);
}

void bp_registry_bus_removed(BpBus *bus)
{
    g_ptr_array_remove(buses, bus);
    if (bus == root_bus) {
        root_bus = NULL;
    }
}

GPtrArray *bp_registry_buses(void)
{
    bp_registry_init();
    return buses;
}

BpBus *bp_root_bus(void)
{
    bp_registry_init();
    return root_bus;
}

/* Backends */

void bp_backend_register(BpBackendKind kind, const char *id, void *backend)
{
    bp_registry_init();
    g_return_if_fail(kind <= BP_BACKEND_AUDIODEV && id && backend);
    g_hash_table_replace(backends[kind], g_strdup(id), backend);
}

void bp_backend_unregister(BpBackendKind kind, const char *id)
{
    if (types && kind <= BP_BACKEND_AUDIODEV && id) {
        g_hash_table_remove(backends[kind], id);
    }
}

void *bp_backend_lookup(BpBackendKind kind, const char *id)
{
    if (!types || kind > BP_BACKEND_AUDIODEV || !id) {
        return NULL;
    }
    return g_hash_table_lookup(backends[kind], id);
}

const char *bp_backend_id(BpBackendKind kind, const void *backend)
{
    GHashTableIter it;
    gpointer k, v;

    if (!types || kind > BP_BACKEND_AUDIODEV) {
        return NULL;
    }
    g_hash_table_iter_init(&it, backends[kind]);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (v == backend) {
            return k;
        }
    }
    return NULL;
}

/* Monitor views */

static void indent(GString *s, int level)
{
    for (int i = 0; i < level; i++) {
        g_string_append(s, "  ");
    }
}

static void append_lines(GString *s, int level, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        if (*lines[i]) {
            indent(s, level);
            g_string_append_printf(s, "%s\n", lines[i]);
        }
    }
}

static void qtree_bus(GString *s, BpBus *bus, int level);

static void qtree_dev(GString *s, BpDevice *dev, int level)
{
    indent(s, level);
    g_string_append_printf(s, "dev: %s, id \"%s\"\n", dev->type->name, dev->id ? dev->id : "");
    g_autoptr(GPtrArray) props = bp_type_all_props(dev->type);
    for (guint i = 0; i < props->len; i++) {
        const BpProperty *p = g_ptr_array_index(props, i);
        g_autofree char *v = bp_prop_print_pretty(p, dev);
        indent(s, level + 1);
        g_string_append_printf(s, "%s = %s\n", p->name, v);
    }
    BpBus *pb = dev->parent_bus;
    if (pb && pb->type->print_dev) {
        g_autofree char *t = pb->type->print_dev(pb, dev);
        if (t) {
            append_lines(s, level + 1, t);
        }
    }
    char *(*info)(BpDevice *) = TYPE_CB(dev->type, print_info);
    if (info) {
        g_autofree char *t = info(dev);
        if (t) {
            append_lines(s, level + 1, t);
        }
    }
    BpDevCore *c = bp_dev_core(dev);
    for (guint i = 0; i < c->child_buses->len; i++) {
        qtree_bus(s, g_ptr_array_index(c->child_buses, i), level + 1);
    }
}

static void qtree_bus(GString *s, BpBus *bus, int level)
{
    indent(s, level);
    g_string_append_printf(s, "bus: %s\n", bus->name);
    indent(s, level + 1);
    g_string_append_printf(s, "type %s\n", bus->type->name);
    for (guint i = 0; i < bus->children->len; i++) {
        qtree_dev(s, g_ptr_array_index(bus->children, i), level + 1);
    }
}

char *bp_info_qtree(void)
{
    GString *s = g_string_new(NULL);

    bp_registry_init();
    for (guint i = 0; i < buses->len; i++) {
        BpBus *b = g_ptr_array_index(buses, i);
        if (!b->owner) {
            qtree_bus(s, b, 0);
        }
    }
    for (guint i = 0; i < devices->len; i++) {
        BpDevice *d = g_ptr_array_index(devices, i);
        if (!d->parent_bus && d->realized) {
            qtree_dev(s, d, 0);
        }
    }
    return g_string_free(s, FALSE);
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every type name: loaded ones and the index's, sorted, no duplicates. */
static GPtrArray *all_type_names(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) idx = bp_modules_index_types();

    for (guint i = 0; i < type_order->len; i++) {
        BpType *t = g_ptr_array_index(type_order, i);
        g_hash_table_add(seen, t->name);
        g_ptr_array_add(names, g_strdup(t->name));
    }
    for (guint i = 0; idx && i < idx->len; i++) {
        const char *n = g_ptr_array_index(idx, i);
        if (!g_hash_table_contains(seen, n)) {
            g_hash_table_add(seen, (gpointer)n);
            g_ptr_array_add(names, g_strdup(n));
        }
    }
    g_ptr_array_sort(names, cmp_str);
    return names;
}

char *bp_info_qdm(void)
{
    GString *s = g_string_new(NULL);

    bp_registry_init();
    g_autoptr(GPtrArray) names = all_type_names();
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        const BpType *t = type_find(n);
        const BpIndexEntry *e = bp_modules_index_lookup(n);
        const char *bus = t ? bp_type_bus(t) : (e && *e->bus ? e->bus : NULL);
        const char *desc = t ? t->desc->desc : (e ? e->desc : NULL);
        g_string_append_printf(s, "name \"%s\"", n);
        if (bus) {
            g_string_append_printf(s, ", bus %s", bus);
        }
        if (t) {
            if (t->desc->abstract) {
                g_string_append(s, ", abstract");
            }
            if (t->desc->no_user) {
                g_string_append(s, ", no-user");
            }
            if (bp_type_hotpluggable(t)) {
                g_string_append(s, ", hotpluggable");
            }
            if (t->module) {
                g_string_append_printf(s, ", module %s (loaded)", bp_module_name(t->module));
            } else {
                g_string_append(s, ", core");
            }
        } else if (e) {
            if (strcmp(e->flags, "-") != 0) {
                g_autofree char *f = g_strdelimit(g_strdup(e->flags), ",", ' ');
                g_string_append_printf(s, ", %s", f);
            }
            g_string_append_printf(s, ", module %s (not loaded)", e->module);
        }
        if (desc && *desc) {
            g_string_append_printf(s, ", desc \"%s\"", desc);
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

static bool flag_set(const char *flags, const char *flag)
{
    g_auto(GStrv) f = g_strsplit(flags, ",", -1);
    return g_strv_contains((const char *const *)f, flag);
}

char *bp_device_list_help(void)
{
    GString *s = g_string_new("Devices (-device NAME,help lists a device's properties):\n");

    bp_registry_init();
    g_autoptr(GPtrArray) names = all_type_names();
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        const BpType *t = type_find(n);
        const BpIndexEntry *e = bp_modules_index_lookup(n);
        const char *bus, *desc;
        if (t) {
            if (t->desc->abstract || t->desc->no_user) {
                continue;
            }
            bus = bp_type_bus(t);
            desc = t->desc->desc;
        } else {
            if (flag_set(e->flags, "abstract") || flag_set(e->flags, "no-user")) {
                continue;
            }
            bus = *e->bus ? e->bus : NULL;
            desc = e->desc;
        }
        g_string_append_printf(s, "name \"%s\"", n);
        if (bus) {
            g_string_append_printf(s, ", bus %s", bus);
        }
        if (desc && *desc) {
            g_string_append_printf(s, ", desc \"%s\"", desc);
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

char *bp_device_help(const char *type, GError **errp)
{
    const BpType *t = bp_type_lookup_for(type, "-device help", errp);
    if (!t) {
        return NULL;
    }
    GString *s = g_string_new(NULL);
    g_autoptr(GPtrArray) props = bp_type_all_props(t);
    g_string_append_printf(s, "%s options:\n", t->name);
    if (!props->len) {
        g_string_append(s, "  (no properties)\n");
    }
    for (guint i = 0; i < props->len; i++) {
        const BpProperty *p = g_ptr_array_index(props, i);
        g_autofree char *kind = NULL;
        if (p->kind == BP_PROP_KIND_ENUM && p->enum_names) {
            g_autofree char *l = g_strjoinv("|", (char **)p->enum_names);
            kind = g_strdup_printf("<%s>", l);
        } else {
            kind = g_strdup_printf("<%s>", bp_prop_kind_name(p->kind));
        }
        g_autofree char *def = bp_prop_default_string(p);
        g_autofree char *left = g_strdup_printf("%s=%s", p->name, kind);
        g_string_append_printf(s, "  %-24s - %s%s(default: %s)", left,
                               p->desc ? p->desc : "", p->desc ? " " : "",
                               def ? def : "none");
        if (p->flags & BP_PROP_F_RANGE) {
            g_string_append_printf(s, " (range %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                                   p->min, p->max);
        }
        if (p->flags & BP_PROP_F_MUTABLE) {
            g_string_append(s, " (can be changed at run time)");
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}
