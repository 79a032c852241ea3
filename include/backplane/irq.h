/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IRQ lines. A line has a level and any number of sinks; a source sets the
 * level and every sink hears changes (fan-out, e.g. an ISA IRQ to both the
 * PIC and the IOAPIC). bp_irq_set on NULL is a no-op so unconnected
 * outputs need no checks.
 */
#ifndef BACKPLANE_IRQ_H
#define BACKPLANE_IRQ_H

#include <stdbool.h>
#include "device.h"

typedef struct BpIrqSink BpIrqSink;

/* A free-standing line (machine wiring, bus lines). */
BpIrq *bp_irq_new(const char *name);
void bp_irq_free(BpIrq *irq);
/* Attach a sink; handler(opaque, n, level) runs on every level change. */
BpIrqSink *bp_irq_connect(BpIrq *irq, BpIrqHandler handler, void *opaque, int n);
void bp_irq_disconnect(BpIrq *irq, BpIrqSink *sink);

void bp_irq_set(BpIrq *irq, bool level);
bool bp_irq_level(const BpIrq *irq);
const char *bp_irq_name(const BpIrq *irq);

static inline void bp_irq_raise(BpIrq *irq) { bp_irq_set(irq, true); }
static inline void bp_irq_lower(BpIrq *irq) { bp_irq_set(irq, false); }
static inline void bp_irq_pulse(BpIrq *irq)
{
    bp_irq_set(irq, true);
    bp_irq_set(irq, false);
}

#endif
