/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Right ABI, but calls a core function that does not exist (a module
 * built against a newer core): refused at load time, not at the call. */
#include <backplane/backplane.h>

void bp_function_from_the_future(BpDevice *dev);

static bool stale_realize(BpDevice *dev, GError **errp)
{
    bp_function_from_the_future(dev);
    return true;
}

static const BpDeviceType stale_type = {
    .name = "test-stale",
    .parent = BP_TYPE_SYS_DEVICE,
    .realize = stale_realize,
};

static const BpDeviceType *const stale_types[] = { &stale_type, NULL };

BP_MODULE(stale, .description = "test module needing a missing symbol", .types = stale_types)
