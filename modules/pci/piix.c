/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The piix module: PIIX3 ISA bridge and PIIX4 power management. */
#include "piix.h"

static const BpDeviceType *const piix_types[] = {
    &piix3_type,
    &piix4_pm_type,
    NULL
};

BP_MODULE(piix,
    .description = "Intel PIIX3 PCI-ISA bridge and PIIX4 ACPI power management",
    .types = piix_types);
