/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SDK's machine services (include/backplane/machine.h): machine
 * options, ready callbacks, device lookup by type, typed interfaces.
 * One machine per process: this state is the machine's.
 */
#include "config.h"

#include <backplane/backplane.h>
#include "core/machine.h"
#include "core/registry.h"

typedef struct ReadyCb {
    BpDevice *owner;
    void (*cb)(void *opaque);
    void *opaque;
} ReadyCb;

typedef struct Interface {
    BpDevice *provider;
    char *name;
    const void *ops;
    void *opaque;
} Interface;

static GHashTable *machine_options;
static GArray *ready_cbs;
static bool machine_ready;
static GPtrArray *interfaces;
static GHashTable *machine_regions;

void bp_machine_set_region(const char *name, BpMemoryRegion *mr)
{
    if (!machine_regions)
        machine_regions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_replace(machine_regions, g_strdup(name), mr);
}

BpMemoryRegion *bp_machine_region(const char *name)
{
    return machine_regions ? g_hash_table_lookup(machine_regions, name) : NULL;
}

BpBus *bp_bus_lookup(const char *name)
{
    return bp_bus_find(name);
}

void bp_machine_set_option(const char *key, const char *value)
{
    if (!machine_options)
        machine_options = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (value)
        g_hash_table_replace(machine_options, g_strdup(key), g_strdup(value));
    else
        g_hash_table_remove(machine_options, key);
}

const char *bp_machine_option(const char *key)
{
    return machine_options ? g_hash_table_lookup(machine_options, key) : NULL;
}

void bp_machine_on_ready(BpDevice *owner, void (*cb)(void *opaque), void *opaque)
{
    ReadyCb r = { owner, cb, opaque };

    if (machine_ready) {
        cb(opaque);
        return;
    }
    if (!ready_cbs)
        ready_cbs = g_array_new(FALSE, FALSE, sizeof(ReadyCb));
    g_array_append_val(ready_cbs, r);
}

void bp_machine_run_ready(void)
{
    machine_ready = true;
    /* Callbacks may add more (a device realized from a callback). */
    for (guint i = 0; ready_cbs && i < ready_cbs->len; i++) {
        ReadyCb r = g_array_index(ready_cbs, ReadyCb, i);
        r.cb(r.opaque);
    }
    if (ready_cbs)
        g_array_set_size(ready_cbs, 0);
}

void bp_machine_forget_device(BpDevice *dev)
{
    for (guint i = 0; ready_cbs && i < ready_cbs->len; ) {
        if (g_array_index(ready_cbs, ReadyCb, i).owner == dev)
            g_array_remove_index(ready_cbs, i);
        else
            i++;
    }
    for (guint i = 0; interfaces && i < interfaces->len; ) {
        Interface *it = g_ptr_array_index(interfaces, i);
        if (it->provider == dev)
            g_ptr_array_remove_index(interfaces, i);
        else
            i++;
    }
}

typedef struct FindType {
    const char *type;
    BpDevice *found;
} FindType;

static void find_type_cb(BpDevice *dev, void *opaque)
{
    FindType *f = opaque;
    if (!f->found && bp_device_is_a(dev, f->type))
        f->found = dev;
}

BpDevice *bp_machine_find_type(const char *type)
{
    FindType f = { type, NULL };
    bp_device_foreach(find_type_cb, &f);
    return f.found;
}

static void interface_free(gpointer p)
{
    Interface *it = p;
    g_free(it->name);
    g_free(it);
}

void bp_interface_provide(BpDevice *provider, const char *name, const void *ops, void *opaque)
{
    Interface *it = g_new0(Interface, 1);

    if (!interfaces)
        interfaces = g_ptr_array_new_with_free_func(interface_free);
    bp_interface_withdraw(provider, name);
    it->provider = provider;
    it->name = g_strdup(name);
    it->ops = ops;
    it->opaque = opaque;
    g_ptr_array_add(interfaces, it);
}

void bp_interface_withdraw(BpDevice *provider, const char *name)
{
    for (guint i = 0; interfaces && i < interfaces->len; i++) {
        Interface *it = g_ptr_array_index(interfaces, i);
        if (it->provider == provider && g_str_equal(it->name, name)) {
            g_ptr_array_remove_index(interfaces, i);
            return;
        }
    }
}

const void *bp_interface_get(const char *name, void **opaque)
{
    for (guint i = 0; interfaces && i < interfaces->len; i++) {
        Interface *it = g_ptr_array_index(interfaces, i);
        if (g_str_equal(it->name, name)) {
            if (opaque)
                *opaque = it->opaque;
            return it->ops;
        }
    }
    return NULL;
}
