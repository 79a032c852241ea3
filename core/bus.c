/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Buses: a bus has a type (which devices plug into it, how many), a name
 * that users give with bus=, an optional owner device and its children.
 * Unnamed buses are called "<owner-id>.N" when the owner has an id (N
 * counts the owner's buses), else "<bus-type>.N" with the lowest free N,
 * so the machine's first ISA bus is "isa.0".
 */
#include "core/registry-internal.h"
#include <string.h>

static bool bus_name_taken(const char *name)
{
    return bp_bus_find(name) != NULL;
}

static char *bus_auto_name(BpDevice *owner, const BpBusType *type)
{
    if (owner && owner->id) {
        BpDevCore *c = bp_dev_core(owner);
        for (unsigned n = c->child_buses->len;; n++) {
            char *name = g_strdup_printf("%s.%u", owner->id, n);
            if (!bus_name_taken(name)) {
                return name;
            }
            g_free(name);
        }
    }
    for (unsigned n = 0;; n++) {
        char *name = g_strdup_printf("%s.%u", type->name, n);
        if (!bus_name_taken(name)) {
            return name;
        }
        g_free(name);
    }
}

BpBus *bp_bus_new(BpDevice *owner, const BpBusType *type, const char *name, void *opaque)
{
    g_return_val_if_fail(type && type->name, NULL);
    if (name && bus_name_taken(name)) {
        g_critical("bus name '%s' is already in use", name);
        return NULL;
    }
    BpBus *bus = g_new0(BpBus, 1);
    bus->type = type;
    bus->name = name ? g_strdup(name) : bus_auto_name(owner, type);
    bus->owner = owner;
    bus->opaque = opaque;
    bus->children = g_ptr_array_new();
    if (owner) {
        g_ptr_array_add(bp_dev_core(owner)->child_buses, bus);
    }
    bp_registry_bus_added(bus);
    return bus;
}

void bp_bus_free(BpBus *bus)
{
    if (!bus) {
        return;
    }
    if (bus->children->len) {
        g_critical("bus '%s' freed with %u devices still plugged in",
                   bus->name, bus->children->len);
        return;
    }
    if (bus->owner) {
        g_ptr_array_remove(bp_dev_core(bus->owner)->child_buses, bus);
    }
    bp_registry_bus_removed(bus);
    g_ptr_array_free(bus->children, TRUE);
    g_free(bus->name);
    g_free(bus);
}

void *bp_bus_opaque(const BpBus *bus)
{
    return bus ? bus->opaque : NULL;
}

const char *bp_bus_name(const BpBus *bus)
{
    return bus ? bus->name : NULL;
}

BpDevice *bp_bus_owner(const BpBus *bus)
{
    return bus ? bus->owner : NULL;
}

BpBus *bp_device_bus(const BpDevice *dev)
{
    return dev ? dev->parent_bus : NULL;
}

BpBus *bp_bus_find(const char *name)
{
    GPtrArray *all = bp_registry_buses();

    for (guint i = 0; name && i < all->len; i++) {
        BpBus *b = g_ptr_array_index(all, i);
        if (!strcmp(b->name, name)) {
            return b;
        }
    }
    return NULL;
}

static bool bus_has_room(const BpBus *b)
{
    return b->type->max_devices == 0 || b->children->len < b->type->max_devices;
}

BpBus *bp_bus_find_free(const char *bus_type)
{
    GPtrArray *all = bp_registry_buses();

    for (guint i = 0; bus_type && i < all->len; i++) {
        BpBus *b = g_ptr_array_index(all, i);
        if (!strcmp(b->type->name, bus_type) && bus_has_room(b)) {
            return b;
        }
    }
    return NULL;
}
