/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pretends to be built for a future ABI major: written out by hand since
 * BP_MODULE always stamps the current version. */
#include <backplane/backplane.h>

static const BpDeviceType abi99_type = {
    .name = "test-abi99",
    .parent = BP_TYPE_SYS_DEVICE,
};

static const BpDeviceType *const abi99_types[] = { &abi99_type, NULL };

BP_EXPORT const BpModuleInfo *abi99_LTX_backplane_module_init(uint32_t core_abi);
const BpModuleInfo *abi99_LTX_backplane_module_init(uint32_t core_abi)
{
    static const BpModuleInfo info = {
        .abi_major = 99, .abi_minor = 0, .name = "abi99", .types = abi99_types,
    };
    (void)core_abi;
    return &info;
}
