/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU side of <backplane/cpu.h>: the engine glue attaches to a CPU's
 * pins and asks them for INTA and device-owned MSRs.
 */
#ifndef BP_CORE_CPU_PINS_H
#define BP_CORE_CPU_PINS_H

#include <backplane/cpu.h>

#define BP_CPU_PINS_MAX 8

typedef struct BpCpuSink {
    void (*set_intr)(void *opaque, bool level);
    void (*nmi)(void *opaque);
    void (*set_a20)(void *opaque, bool enabled);
    void *opaque;
    void (*set_ignne)(void *opaque, bool level);    /* optional */
    void (*init)(void *opaque);                     /* optional */
} BpCpuSink;

/* The current INTR and IGNNE# levels and A20 state are delivered at once.
 * NULL detaches. */
void bp_cpu_pins_attach(unsigned cpu, const BpCpuSink *sink);
bool bp_cpu_pins_intr_level(unsigned cpu);
/* The engine drives the FERR# output. */
void bp_cpu_pins_set_ferr(unsigned cpu, bool level);
bool bp_cpu_pins_a20(void);
/* The intack provider's vector; 0xff (a spurious vector) when none. */
uint8_t bp_cpu_pins_intack(unsigned cpu);
bool bp_cpu_pins_msr_read(unsigned cpu, uint32_t msr, uint64_t *val);
bool bp_cpu_pins_msr_write(unsigned cpu, uint32_t msr, uint64_t val);
/* Forget every pin, handler and input (machine teardown, tests). */
void bp_cpu_pins_cleanup(void);

#endif
