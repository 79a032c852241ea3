/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * -M pc: an i440FX/PIIX3 PC (the default machine), assembled from modules.
 * The devices and their wiring are data, in the -readconfig format: this
 * is what `-M pc -writeconfig -` prints, and a copy of it can be edited and
 * read back with -readconfig. Devices marked default = "on" are dropped by
 * -nodefaults or by a user device of the same category (serial, parallel).
 * Code does only what is not a device: RAM limits and the firmware ROM.
 */
#include "config.h"

#include <backplane/backplane.h>
#include "core/machine.h"
#include "core/pci-internal.h"
#include "machines/machines.h"

static const char pc_config[] =
    "[device \"pci-host\"]\n"
    "  driver = \"i440fx-pcihost\"\n"
    "[device \"i440fx\"]\n"
    "  driver = \"i440fx\"\n"
    "  bus = \"pci.0\"\n"
    "  addr = \"00.0\"\n"
    "[device \"piix3\"]\n"
    "  driver = \"piix3\"\n"
    "  bus = \"pci.0\"\n"
    "  addr = \"01.0\"\n"
    "  multifunction = \"on\"\n"
    "[device \"pic0\"]\n"
    "  driver = \"isa-pic\"\n"
    "  master = \"on\"\n"
    "  isa-irqs = \"on\"\n"
    "  slave = \"pic1\"\n"
    "[device \"pic1\"]\n"
    "  driver = \"isa-pic\"\n"
    "  master = \"off\"\n"
    "  isa-irqs = \"on\"\n"
    "[device \"apic\"]\n"
    "  driver = \"apic\"\n"
    "[device \"ioapic\"]\n"
    "  driver = \"ioapic\"\n"
    "[device \"pit\"]\n"
    "  driver = \"isa-pit\"\n"
    "[device \"rtc\"]\n"
    "  driver = \"mc146818rtc\"\n"
    "[device \"port92\"]\n"
    "  driver = \"port92\"\n"
    "[device \"i8042\"]\n"
    "  driver = \"i8042\"\n"
    "[device \"fw-cfg\"]\n"
    "  driver = \"fw-cfg\"\n"
    "[device \"pm\"]\n"
    "  driver = \"piix4-pm\"\n"
    "  bus = \"pci.0\"\n"
    "  addr = \"01.3\"\n"
    "[device \"serial0\"]\n"
    "  driver = \"isa-serial\"\n"
    "  default = \"on\"\n"
    "[device \"parallel0\"]\n"
    "  driver = \"isa-parallel\"\n"
    "  default = \"on\"\n"
    "[wire]\n"
    "  from = \"pic1.int[0]\"\n"
    "  to = \"pic0.irq[2]\"\n"
    /* The master 8259 reaches the CPU through the local APIC's LINT0
     * (virtual wire, ExtINT); PIIX3's PIRQA-D are I/O APIC inputs 16-19. */
    "[wire]\n"
    "  from = \"pic0.int[0]\"\n"
    "  to = \"apic.lint[0]\"\n"
    "[wire]\n"
    "  from = \"piix3.pirq[0]\"\n"
    "  to = \"ioapic.irq[16]\"\n"
    "[wire]\n"
    "  from = \"piix3.pirq[1]\"\n"
    "  to = \"ioapic.irq[17]\"\n"
    "[wire]\n"
    "  from = \"piix3.pirq[2]\"\n"
    "  to = \"ioapic.irq[18]\"\n"
    "[wire]\n"
    "  from = \"piix3.pirq[3]\"\n"
    "  to = \"ioapic.irq[19]\"\n";

static bool pc_init(const BpConfig *user, GError **errp)
{
    if (bp_machine_ram_size() > 0xe0000000ull) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "machine pc: -m above 3584M needs RAM above 4 GiB, not supported yet");
        return false;
    }
    if (!bp_pci_init(errp))
        return false;
    return bp_machine_map_bios("pc", BP_DEFAULT_BIOS, errp);
}

static const BpMachineDef machine_pc = {
    .name = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)",
    .is_default = true,
    .config = pc_config,
    .init = pc_init,
};

void bp_machine_pc_register(void)
{
    bp_machine_register(&machine_pc);
}
