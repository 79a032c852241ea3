/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ISA bus: 16 IRQ lines and the I/O port space. Every machine has one
 * ("isa.0"), including -M none, so ISA devices can be tested without a PIC.
 */
#ifndef BACKPLANE_ISA_H
#define BACKPLANE_ISA_H

#include "device.h"
#include "irq.h"
#include "memory.h"

#define BP_ISA_NUM_IRQS 16

/* IRQ line n (0-15) of the bus the device sits on; NULL + error if n is
 * out of range. Interrupt controllers connect sinks to these lines. */
BpIrq *bp_isa_irq(BpDevice *dev, unsigned n, GError **errp);
/* Same, by bus (for interrupt controllers wiring themselves). */
BpIrq *bp_isa_bus_irq(BpBus *isa_bus, unsigned n);

/* Map `size` ports at `base` in the I/O space with ops; fails with an error
 * naming the other owner if another ISA device already holds any port of
 * the range. The region is owned by dev and removed by bp_isa_unmap_io or
 * when the device is unrealized. */
BpMemoryRegion *bp_isa_map_io(BpDevice *dev, const char *name, uint16_t base,
                              uint16_t size, const BpMemOps *ops, void *opaque,
                              GError **errp);
void bp_isa_unmap_io(BpDevice *dev, BpMemoryRegion *mr);

#endif
