/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What devices may ask of the machine being assembled: its options
 * (-kernel, -initrd, -append, -boot, -rtc, -nographic, -bios), a callback
 * once every device is realized (firmware tables that depend on which
 * devices exist), and typed interfaces between modules.
 */
#ifndef BACKPLANE_MACHINE_H
#define BACKPLANE_MACHINE_H

#include <glib.h>
#include "device.h"
#include "memory.h"

/* "kernel", "initrd", "append", "boot", "rtc-base", "nographic" ("on"/
 * "off"), "bios", "machine" (the machine type name); NULL when unset. */
const char *bp_machine_option(const char *key);

/* Runs once all launch devices are realized, before the first reset (and
 * at once if the machine is already complete). The owner's unrealize
 * cancels it. */
void bp_machine_on_ready(BpDevice *owner, void (*cb)(void *opaque), void *opaque);

/* Machine-owned memory regions by name: "ram" (all guest RAM below 4 GiB,
 * mapped at 0), "bios" (the firmware ROM image). NULL if absent. */
BpMemoryRegion *bp_machine_region(const char *name);

/* A bus by name ("isa.0", "pci.0"), NULL if none. */
BpBus *bp_bus_lookup(const char *name);

/* First realized device of a type (or a subtype), NULL if none. */
BpDevice *bp_machine_find_type(const char *type);

/*
 * Typed interfaces between modules: when two modules must cooperate (ISA
 * DMA and the floppy controller; fw_cfg and whoever builds ACPI tables),
 * the provider registers a struct of functions declared in an SDK header
 * under a name, and users look it up. No shared state structs.
 */
void bp_interface_provide(BpDevice *provider, const char *name,
                          const void *ops, void *opaque);
void bp_interface_withdraw(BpDevice *provider, const char *name);
const void *bp_interface_get(const char *name, void **opaque);

#endif
