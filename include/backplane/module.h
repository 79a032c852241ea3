/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A module is a libtool -module shared object named after its module
 * (debug.la -> "debug") with one exported entry, defined by BP_MODULE:
 *
 *   BP_MODULE(debug,
 *       .description = "debug-exit and debugcon ISA devices",
 *       .types = debug_types);
 *
 * The loader calls the entry with the core's ABI version; the entry returns
 * the module's descriptor, which carries the ABI it was built for. The
 * loader refuses another major before touching anything else. The entry is
 * prefixed with the module name (libltdl's NAME_LTX_ convention) so that
 * the same modules can be dlpreopened into one binary.
 */
#ifndef BACKPLANE_MODULE_H
#define BACKPLANE_MODULE_H

#include <stdint.h>
#include "abi.h"
#include "device.h"
#include "monitor.h"

typedef struct BpModuleInfo {
    uint16_t abi_major;
    uint16_t abi_minor;
    const char *name;
    const char *description;
    const BpDeviceType *const *types;     /* NULL-terminated */
    const BpBusType *const *bus_types;    /* NULL-terminated, or NULL */
    const BpMonitorCommand *commands;     /* BP_MON_COMMAND_END-terminated, or NULL */
} BpModuleInfo;

#define BP_ABI_VERSION(major, minor) (((uint32_t)(major) << 16) | (minor))

typedef const BpModuleInfo *(*BpModuleEntry)(uint32_t core_abi);

#define BP_MODULE(modname, ...) \
    BP_EXPORT const BpModuleInfo *modname##_LTX_backplane_module_init(uint32_t core_abi); \
    const BpModuleInfo *modname##_LTX_backplane_module_init(uint32_t core_abi) \
    { \
        static const BpModuleInfo info = { \
            .abi_major = BP_ABI_MAJOR, .abi_minor = BP_ABI_MINOR, \
            .name = #modname, __VA_ARGS__ }; \
        (void)core_abi; \
        return &info; \
    }

#endif
