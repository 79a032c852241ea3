/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A well-formed test module: a hot-pluggable device on the system bus and
 * a derived type declared before its parent (the loader must cope). */
#include <backplane/backplane.h>

typedef struct TestGood {
    BpDevice parent;
    uint32_t value;
    char *label;
} TestGood;

static const BpProperty test_good_props[] = {
    BP_PROP_U32("value", TestGood, value, 7),
    BP_PROP_STRING("label", TestGood, label, "hello"),
    BP_PROP_END
};

static const BpDeviceType test_good_child_type = {
    .name = "test-good-child",
    .parent = "test-good",
    .desc = "Derived from test-good",
};

static const BpDeviceType test_good_type = {
    .name = "test-good",
    .parent = BP_TYPE_SYS_DEVICE,
    .desc = "A good test device",
    .instance_size = sizeof(TestGood),
    .hotpluggable = true,
    .props = test_good_props,
};

static const BpDeviceType *const good_types[] = {
    &test_good_child_type, &test_good_type, NULL
};

BP_MODULE(good, .description = "test module that loads", .types = good_types)
