/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * -M none: RAM (-m), the system bus and one ISA bus, no CPU and no
 * devices, for device tests through the test protocol and for building a
 * machine from -device options alone.
 */
#include "config.h"

#include "core/machine.h"

static const BpMachineDef machine_none = {
    .name = "none",
    .desc = "empty machine",
    .no_cpu = true,
};

void bp_machine_none_register(void)
{
    bp_machine_register(&machine_none);
}
