/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registration fails: the parent type exists nowhere. */
#include <backplane/backplane.h>

static const BpDeviceType orphan_type = {
    .name = "test-orphan",
    .parent = "no-such-parent",
};

static const BpDeviceType *const orphan_types[] = { &orphan_type, NULL };

BP_MODULE(orphan, .description = "test module whose type has no parent", .types = orphan_types)
