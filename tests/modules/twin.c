/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Provides a type that good.so provides too: refused as a duplicate, and
 * its other type must not stay registered. */
#include <backplane/backplane.h>

static const BpDeviceType twin_only_type = {
    .name = "test-twin-only",
    .parent = BP_TYPE_SYS_DEVICE,
};

static const BpDeviceType twin_dup_type = {
    .name = "test-good",
    .parent = BP_TYPE_SYS_DEVICE,
};

static const BpDeviceType *const twin_types[] = { &twin_only_type, &twin_dup_type, NULL };

BP_MODULE(twin, .description = "test module with a duplicate type", .types = twin_types)
