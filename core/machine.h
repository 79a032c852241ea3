/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Machines: a name, defaults, and a list of option groups (devices with
 * properties, then wiring) that `-M NAME -writeconfig -` prints. `none` has
 * RAM (-m), the system bus and one ISA bus, nothing else.
 */
#ifndef BP_CORE_MACHINE_H
#define BP_CORE_MACHINE_H

#include <backplane/device.h>
#include <backplane/memory.h>
#include "core/opts.h"

typedef struct BpMachineDef {
    const char *name;
    const char *desc;
    bool is_default;
    /* Ini text in the -readconfig format, parsed into groups: devices in
     * order, then [wire] groups "from = dev.out[n]" "to = dev2.in[m]". */
    const char *config;
    /* Builds what cannot be data (CPU, RAM, firmware); may be NULL. */
    bool (*init)(const BpConfig *user, GError **errp);
    /* Additions (cmdline). No CPU engine is started (-M none). */
    bool no_cpu;
    /* Extra -machine keys this machine accepts (NULL-terminated); each
     * is passed on through bp_machine_option(). */
    const char *const *options;
} BpMachineDef;

void bp_machine_register(const BpMachineDef *def);
const BpMachineDef *bp_machine_find(const char *name);
void bp_machine_foreach(void (*fn)(const BpMachineDef *d, void *opaque), void *opaque);

/* The launch: backends, machine devices, user devices, wiring, reset. */
bool bp_machine_assemble(BpConfig *config, GError **errp);
/* The live configuration (info config): launch config plus hot plugs.
 * Returns a new copy (caller frees). */
BpConfig *bp_machine_live_config(void);

/*
 * Additions (cmdline). The user configuration (command line and
 * -readconfig files) is first expanded into the launch configuration,
 * which is what -writeconfig writes and what assembly builds:
 *   [machine] merged, with type set and expanded = "on";
 *   [memory] with size (default 128M);
 *   the machine definition's groups: devices marked builtin = "on" (and
 *     default = "on" where the definition says so), then its [wire]s;
 *   the user's groups in order.
 * Defaults of the machine are dropped (-nodefaults, or a user device of
 * the same category); -serial/-parallel ([serial]/[parallel] groups with
 * chardev=) set the chardev of the machine's n-th serial/parallel
 * device; -nographic adds `-serial mon:stdio` as QEMU does. An expanded
 * configuration expands to itself: the machine definition is not applied
 * again (its devices are in the file), so -readconfig of a written file
 * gives the same machine.
 */
BpConfig *bp_machine_expand(const BpConfig *user, GError **errp);
/* Builtin machines (none; pc once the platform lands). Idempotent. */
void bp_machines_init(void);
void bp_machine_none_register(void);
/* -L DIR also names a firmware directory (as in QEMU). */
void bp_machine_add_firmware_dir(const char *dir);
/* A firmware file: NAME as is if it exists or has a '/', else the first
 * -L DIR/NAME that exists; NULL if none (caller reports). */
char *bp_machine_find_firmware(const char *name);
/* "512" (MiB), "64M", "1G", "4096K": bytes. */
/* The -cpu help text: the CPU models -cpu accepts. */
char *bp_machine_cpu_help(void);
bool bp_machine_parse_ram_size(const char *text, uint64_t *bytes, GError **errp);
/* Addition (monitor): hot-plug bookkeeping for the live configuration.
 * device_add / chardev_add record a copy of their group ("device" or
 * "chardev", with its id); device_del / chardev_remove drop the group
 * with that id (launch groups too: an unplugged -device leaves the live
 * configuration). */
void bp_machine_note_hotplug(const BpOpts *o);
void bp_machine_note_unplug(const char *group, const char *id);

/* core/machine-sdk.c: the SDK's machine services (backplane/machine.h).
 * Assembly sets the options, runs the ready callbacks after the launch
 * devices are realized; the registry forgets a device's callbacks and
 * interfaces when it is unrealized. */
void bp_machine_set_option(const char *key, const char *value);
void bp_machine_run_ready(void);
void bp_machine_set_region(const char *name, BpMemoryRegion *mr);
void bp_machine_forget_device(BpDevice *dev);

#endif
