/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the files of the piix module (not part of the SDK). */
#ifndef BP_MODULES_PIIX_H
#define BP_MODULES_PIIX_H

#include <backplane/backplane.h>

extern const BpDeviceType piix3_type;
extern const BpDeviceType piix4_pm_type;

/* ACPI tables for the machine, installed through fw-cfg once the machine
 * is complete. pm_base is where SeaBIOS puts the PM block when ACPI tables
 * come from fw_cfg (0x600). */
void *piix_acpi_tables_new(BpDevice *owner, unsigned sci_irq);
void piix_acpi_tables_free(void *tables);

#endif
