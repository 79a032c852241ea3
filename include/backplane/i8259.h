/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The master 8259A's interrupt acknowledge as other modules see it:
 * interface "i8259", provided by the isa-pic device with master=on. A local
 * APIC delivering the PIC's output through LINT0 in ExtINT mode runs the
 * acknowledge cycle here to learn the vector (the master passes it on to
 * its slave for a cascaded input, as the CAS lines do).
 *
 *   void *opaque;
 *   const BpI8259Ops *pic = bp_interface_get(BP_I8259_INTERFACE, &opaque);
 *   uint8_t vector = pic ? pic->intack(opaque) : 0xff;
 */
#ifndef BACKPLANE_I8259_H
#define BACKPLANE_I8259_H

#include <stdint.h>

#define BP_I8259_INTERFACE "i8259"

typedef struct BpI8259Ops {
    /* INTA: the vector of the highest-priority request (marked in
     * service), or the spurious IRQ 7 vector when none is pending. */
    uint8_t (*intack)(void *opaque);
} BpI8259Ops;

#endif
