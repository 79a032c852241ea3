/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A type deriving from a type of another module (good.so): loading this
 * module loads good.so too, and keeps it while this module is loaded. */
#include <backplane/backplane.h>

static const BpDeviceType test_derived_type = {
    .name = "test-derived",
    .parent = "test-good",
    .desc = "Derived from another module's type",
};

static const BpDeviceType *const derived_types[] = { &test_derived_type, NULL };

BP_MODULE(derived, .description = "test module with a cross-module parent",
          .types = derived_types)
