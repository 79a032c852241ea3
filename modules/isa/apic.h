/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "apic" module's two device types and the messages between them: the
 * I/O APIC delivers interrupt messages to the local APIC, and the local
 * APIC broadcasts the EOI of level-triggered vectors back (the APIC bus,
 * reduced to two function calls: one local APIC and one I/O APIC per
 * machine, which is what a PC has until SMP).
 */
#ifndef BP_MODULES_ISA_APIC_H
#define BP_MODULES_ISA_APIC_H

#include <backplane/backplane.h>

#define APIC_TYPE_LOCAL "apic"
#define APIC_TYPE_IO    "ioapic"

/* Delivery modes (redirection entries, LVT entries, ICR bits 8-10). */
enum {
    APIC_DM_FIXED   = 0,
    APIC_DM_LOWEST  = 1,
    APIC_DM_SMI     = 2,
    APIC_DM_NMI     = 4,
    APIC_DM_INIT    = 5,
    APIC_DM_STARTUP = 6,
    APIC_DM_EXTINT  = 7,
};

extern const BpDeviceType apic_ioapic_type;
extern const BpDeviceType apic_lapic_type;

/* An interrupt message for the local APIC `lapic` (a realized "apic").
 * dest is the destination field (physical APIC ID, or a logical mask when
 * logical). Returns true when the APIC is a destination and took it. */
bool apic_lapic_deliver(BpDevice *lapic, uint8_t dest, bool logical,
                        unsigned mode, uint8_t vector, bool level);
/* The EOI broadcast: clears Remote IRR of level entries with this vector. */
void apic_ioapic_eoi(BpDevice *ioapic, uint8_t vector);

#endif
