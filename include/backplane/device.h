/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device types, devices and buses (the registry as modules see it).
 *
 * A device type is a static descriptor. Single inheritance: `parent` names
 * the parent type; a NULL callback is inherited from the parent. Abstract
 * base types provided by the core: "device", "sys-device" (plugs into the
 * machine's "system" bus), "isa-device" (plugs into an "isa" bus).
 */
#ifndef BACKPLANE_DEVICE_H
#define BACKPLANE_DEVICE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "property.h"

typedef struct BpDevice BpDevice;
typedef struct BpBus BpBus;
typedef struct BpType BpType;     /* the registry's runtime view of a type */

#define BP_TYPE_DEVICE      "device"
#define BP_TYPE_SYS_DEVICE  "sys-device"
#define BP_TYPE_ISA_DEVICE  "isa-device"

#define BP_BUS_SYSTEM "system"
#define BP_BUS_ISA    "isa"

typedef struct BpDeviceType {
    const char *name;             /* "isa-serial" */
    const char *parent;           /* "isa-device" */
    const char *desc;             /* one line for -device help */
    /* Default-device class: a user device of the same class replaces the
     * machine's defaults ("serial", "parallel", "display", "network",
     * "cdrom", "floppy"). NULL for none. */
    const char *category;
    size_t instance_size;         /* >= sizeof(BpDevice); BpDevice first */
    bool abstract;
    bool no_user;                 /* machine-only: refused by -device */
    bool hotpluggable;            /* device_add/device_del on a live machine */
    const char *bus_type;         /* bus it plugs into; inherited if NULL */
    const BpProperty *props;      /* BP_PROP_END-terminated; parents' too */
    void (*instance_init)(BpDevice *dev);       /* before properties */
    bool (*realize)(BpDevice *dev, GError **errp);
    void (*unrealize)(BpDevice *dev);
    void (*reset)(BpDevice *dev);
    void (*instance_finalize)(BpDevice *dev);
    /* Extra lines for `info qtree` (indented by the caller); may be NULL. */
    char *(*print_info)(BpDevice *dev);
} BpDeviceType;

/* Embedded first in every device's state. Modules read these fields
 * through the accessors below; the layout is part of the ABI. */
struct BpDevice {
    const BpType *type;
    char *id;                     /* user id or NULL */
    BpBus *parent_bus;
    bool realized;
    bool trace;                   /* -trace NAME matched: BP_TRACE prints */
    void *core;                   /* the registry's bookkeeping */
};

typedef struct BpBusType {
    const char *name;             /* "isa", "pci", "usb", ... */
    unsigned max_devices;         /* 0: unlimited */
    /* Called before the child's realize (assign an address, check slots). */
    bool (*plug)(BpBus *bus, BpDevice *dev, GError **errp);
    /* Called after the child's unrealize. */
    void (*unplug)(BpBus *bus, BpDevice *dev);
    /* One line of bus-specific info for `info qtree` (e.g. "addr 01.0"). */
    char *(*print_dev)(BpBus *bus, BpDevice *dev);
} BpBusType;

const char *bp_device_type_name(const BpDevice *dev);
const char *bp_device_id(const BpDevice *dev);   /* id, or a generated path */
/* "isa-serial" is, or inherits from, `type`? */
bool bp_device_is_a(const BpDevice *dev, const char *type);

/* Child buses: a device creates them in instance_init or realize. */
BpBus *bp_bus_new(BpDevice *owner, const BpBusType *type, const char *name, void *opaque);
void bp_bus_free(BpBus *bus);               /* after every child is gone */
void *bp_bus_opaque(const BpBus *bus);
const char *bp_bus_name(const BpBus *bus);
BpDevice *bp_bus_owner(const BpBus *bus);
BpBus *bp_device_bus(const BpDevice *dev);

/* Named GPIO-like lines. Inputs are owned by the device; outputs are slots
 * that the machine (or a parent device) connects to another device's
 * input. Machine definitions wire "dev.name[i] -> dev2.name2[j]". */
typedef struct BpIrq BpIrq;
typedef void (*BpIrqHandler)(void *opaque, int n, bool level);
void bp_device_add_gpio_in(BpDevice *dev, const char *name, int count,
                           BpIrqHandler handler, void *opaque);
void bp_device_add_gpio_out(BpDevice *dev, const char *name, BpIrq **slots, int count);
BpIrq *bp_device_gpio_in(BpDevice *dev, const char *name, int n);
bool bp_device_connect_gpio_out(BpDevice *dev, const char *name, int n,
                                BpIrq *target, GError **errp);

/* Look up another device by id (machine wiring, e.g. an APIC finding
 * its CPU). Does not take a reference. */
BpDevice *bp_device_find(const char *id_or_path);

#endif
