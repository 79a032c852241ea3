/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What platform devices see of the CPU and the machine: the INTR and NMI
 * pins, who answers the interrupt acknowledge cycle, A20, MSRs owned by a
 * device (the local APIC's base), and reset/power-off requests.
 */
#ifndef BACKPLANE_CPU_H
#define BACKPLANE_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include "device.h"
#include "irq.h"

BpIrq *bp_cpu_intr(unsigned cpu);             /* level: INTR pin */
BpIrq *bp_cpu_nmi(unsigned cpu);              /* rising edge: NMI */
/* Rising edge: INIT# (the local APIC's INIT IPI). The CPU takes its
 * RESET state at the next instruction boundary but keeps the x87 state,
 * its MSRs and the cache control bits of CR0 (Intel SDM vol. 3A 9.1). */
BpIrq *bp_cpu_init(unsigned cpu);
/* Output: FERR#, high while an unmasked x87 exception is pending and
 * CR0.NE=0 (the legacy error reporting). A PC chipset connects it to ISA
 * IRQ 13 and clears that request on a write to port 0xF0. */
BpIrq *bp_cpu_ferr(unsigned cpu);
/* Input: IGNNE#, level. While high, x87 instructions run in spite of a
 * pending unmasked exception (CR0.NE=0) instead of freezing the CPU until
 * an interrupt. A PC chipset raises it on the port 0xF0 write while FERR#
 * is high and lowers it when FERR# goes low. */
BpIrq *bp_cpu_ignne(unsigned cpu);
/* The device answering INTA for this CPU (the PIC, or the local APIC when
 * present). Returns the vector. */
void bp_cpu_set_intack(unsigned cpu, uint8_t (*ack)(void *opaque), void *opaque);
/* A20 sources (keyboard controller, port 0x92): A20 is enabled while any
 * of them is high. Each call returns a new input line. */
BpIrq *bp_cpu_a20_input(const char *name);

typedef bool (*BpMsrRead)(void *opaque, uint32_t msr, uint64_t *val);
typedef bool (*BpMsrWrite)(void *opaque, uint32_t msr, uint64_t val);
void bp_cpu_set_msr_handler(unsigned cpu, uint32_t msr, BpMsrRead rd,
                            BpMsrWrite wr, void *opaque);

/* Deferred to the main loop; safe from device callbacks. */
void bp_machine_request_reset(const char *why);
void bp_machine_request_shutdown(const char *why);  /* power off */
uint64_t bp_machine_ram_size(void);
/* Leave the process with this exit status once the current callback
 * returns, without a SHUTDOWN event (isa-debug-exit). */
void bp_machine_exit(int status);

#endif
