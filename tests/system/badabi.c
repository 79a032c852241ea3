/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A module that claims the next ABI major version. The loader must refuse
 * it (naming both versions and the file) before it looks at the types.
 * Built out of tree like the example plugin, by example-plugin.sh.
 */
#include <backplane/backplane.h>

static const BpDeviceType isa_badabi_type = {
    .name          = "isa-badabi",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "must never be registered",
    .instance_size = sizeof(BpDevice),
};

static const BpDeviceType *const badabi_types[] = {
    &isa_badabi_type,
    NULL
};

BP_EXPORT const BpModuleInfo *badabi_LTX_backplane_module_init(uint32_t core_abi);
const BpModuleInfo *badabi_LTX_backplane_module_init(uint32_t core_abi)
{
    static const BpModuleInfo info = {
        .abi_major = BP_ABI_MAJOR + 1,
        .abi_minor = 0,
        .name = "badabi",
        .description = "built for a future ABI",
        .types = badabi_types,
    };

    (void)core_abi;
    return &info;
}
