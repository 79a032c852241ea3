/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * -M bare: a CPU, RAM (-m) and the -bios image at the top of 4 GiB (and its
 * last 128 KiB below 1 MiB), the system and ISA buses, and nothing else.
 * For guest programs that bring their own devices with -device (the CPU
 * test suite uses isa-debug-exit and isa-debugcon).
 */
#include "config.h"

#include "core/machine.h"
#include "machines/machines.h"

static bool bare_init(const BpConfig *user, GError **errp)
{
    return bp_machine_map_bios("bare", NULL, errp);
}

static const BpMachineDef machine_bare = {
    .name = "bare",
    .desc = "CPU, RAM and a -bios ROM, no devices (guest test programs)",
    .init = bare_init,
};

void bp_machine_bare_register(void)
{
    bp_machine_register(&machine_bare);
}
