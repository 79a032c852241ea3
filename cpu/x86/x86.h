/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 execution engine as the core sees it.
 *
 * The engine knows nothing of devices or of the core's memory map: every
 * access that leaves the CPU goes through the X86Bus callbacks the core hands
 * in. Plain RAM is reached through host pointers returned by page_ptr(), which
 * the engine caches in its software TLB; the core tells the engine when those
 * pointers go stale (x86_cpu_flush_phys) and when something other than the
 * CPU wrote guest memory (x86_cpu_invalidate_code), so decoded-code caches
 * stay coherent.
 */
#ifndef BP_CPU_X86_H
#define BP_CPU_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct X86Cpu X86Cpu;

typedef struct X86Bus {
    void *opaque;
    /* Host pointer to the start of the 4 KiB physical page holding paddr
     * when that page is plain RAM (write or read) or ROM (read only; for
     * write=true a ROM page returns NULL), else NULL: the access must then go
     * through mem_read/mem_write. */
    uint8_t *(*page_ptr)(void *opaque, uint64_t paddr, bool write);
    uint64_t (*mem_read)(void *opaque, uint64_t paddr, unsigned size);
    void (*mem_write)(void *opaque, uint64_t paddr, uint64_t val, unsigned size);
    uint32_t (*io_read)(void *opaque, uint16_t port, unsigned size);
    void (*io_write)(void *opaque, uint16_t port, uint32_t val, unsigned size);
    /* The INTR line was found high and IF=1: acknowledge, get the vector. */
    uint8_t (*intack)(void *opaque);
    /* Virtual clock in ns (RDTSC derives from it). */
    int64_t (*clock_ns)(void *opaque);
    /* MSRs the engine does not own (e.g. IA32_APIC_BASE handled by an APIC
     * module). Return false when nobody owns the MSR: the engine raises #GP. */
    bool (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    bool (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    /* Triple fault or similar: the core resets the machine or stops it. */
    void (*shutdown)(void *opaque, const char *why);
    /* Guest-visible log line (guest-error / unimplemented categories). */
    void (*log)(void *opaque, const char *category, const char *msg);
    /* FERR# output (optional): with CR0.NE=0 an unmasked x87 exception
     * raises it until the guest clears the exception (FNCLEX, FNINIT...);
     * the chipset turns it into ISA IRQ 13. */
    void (*ferr)(void *opaque, bool level);
} X86Bus;

typedef enum X86Model {
    X86_MODEL_486,
    X86_MODEL_PENTIUM,
    X86_MODEL_PENTIUM2,  /* default */
    X86_MODEL_MAX,
} X86Model;

typedef enum X86Exit {
    X86_EXIT_BUDGET,     /* ran max_insns */
    X86_EXIT_HALTED,     /* HLT with no pending interrupt */
    X86_EXIT_REQUEST,    /* x86_cpu_exit_request() was called */
    X86_EXIT_SHUTDOWN,   /* triple fault: bus->shutdown was called */
} X86Exit;

/* Model names accepted by -cpu: "486", "pentium", "pentium2", "max". */
bool x86_model_from_name(const char *name, X86Model *out);

X86Cpu *x86_cpu_new(X86Model model, const X86Bus *bus);
void x86_cpu_free(X86Cpu *cpu);
void x86_cpu_reset(X86Cpu *cpu);            /* power-on/RESET state */

/* Run until max_insns instructions retired, HLT, exit request or shutdown.
 * *executed receives the count retired. */
X86Exit x86_cpu_run(X86Cpu *cpu, uint64_t max_insns, uint64_t *executed);
void x86_cpu_exit_request(X86Cpu *cpu);     /* from callbacks: leave run() soon */

void x86_cpu_set_intr(X86Cpu *cpu, bool level);   /* INTR pin */
void x86_cpu_nmi(X86Cpu *cpu);                    /* NMI edge */
/* INIT#, taken at the next instruction boundary: the RESET state except
 * that the x87/MMX state, the MSRs (MTRRs, PAT, SYSENTER, TSC) and
 * CR0.CD/NW are kept (Intel SDM vol. 3A table 9-1). */
void x86_cpu_init_signal(X86Cpu *cpu);
void x86_cpu_sipi(X86Cpu *cpu, uint8_t vector);
void x86_cpu_set_a20(X86Cpu *cpu, bool enabled);
/* IGNNE# input, for the legacy x87 error reporting (CR0.NE=0): while it is
 * low, a waiting x87 or MMX instruction with an unmasked x87 exception
 * pending freezes the CPU until an interrupt is taken, then runs again;
 * while it is high the instruction runs as if nothing were pending. A PC
 * chipset raises it on the port 0xF0 write of the IRQ 13 handler and drops
 * it with FERR# (X86Bus.ferr). Low at creation; reset leaves it alone. */
void x86_cpu_set_ignne(X86Cpu *cpu, bool level);
bool x86_cpu_a20(const X86Cpu *cpu);

/* The memory map changed: all cached host pointers are stale. */
void x86_cpu_flush_phys(X86Cpu *cpu);
/* [paddr, paddr+len) was written by something other than the CPU (DMA,
 * qtest, the monitor): drop decoded code there. */
void x86_cpu_invalidate_code(X86Cpu *cpu, uint64_t paddr, uint64_t len);

/* Guest-virtual memory read for the monitor's `x` and the GDB stub, through
 * the current paging mode; false when unmapped. */
bool x86_cpu_read_virt(X86Cpu *cpu, uint64_t vaddr, void *buf, size_t len);
bool x86_cpu_write_virt(X86Cpu *cpu, uint64_t vaddr, const void *buf, size_t len);

/* `info registers`: a multi-line dump as QEMU prints it (EAX=... EFL=...,
 * segment caches, CR0-4, DR, FPU state in brief). Caller g_free()s. */
char *x86_cpu_dump_state(X86Cpu *cpu);

/* Register access for the GDB stub, in GDB's i386 register order
 * (eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs,
 * st0-7 as 10-byte values, fctrl fstat ftag fiseg fioff foseg fooff fop).
 * Returns bytes written/consumed, 0 for an unknown register. */
size_t x86_cpu_gdb_read_reg(X86Cpu *cpu, int n, uint8_t *buf);
size_t x86_cpu_gdb_write_reg(X86Cpu *cpu, int n, const uint8_t *buf);
void x86_cpu_set_single_step(X86Cpu *cpu, bool on);
/* Software breakpoints for the GDB stub at linear addresses; run() returns
 * X86_EXIT_REQUEST with x86_cpu_hit_breakpoint() true when one is reached. */
bool x86_cpu_add_breakpoint(X86Cpu *cpu, uint64_t linear);
bool x86_cpu_remove_breakpoint(X86Cpu *cpu, uint64_t linear);
bool x86_cpu_hit_breakpoint(X86Cpu *cpu);

/* Watchpoints for the GDB stub on linear ranges, independent of the
 * guest's debug registers: run() returns X86_EXIT_REQUEST with
 * x86_cpu_hit_breakpoint() true after the instruction (or string
 * iteration) whose data access touched one; x86_cpu_hit_watchpoint() then
 * tells which kind and the address accessed. */
typedef enum X86WatchType {
    X86_WATCH_WRITE = 1,
    X86_WATCH_READ = 2,
    X86_WATCH_ACCESS = 3,
} X86WatchType;
bool x86_cpu_add_watchpoint(X86Cpu *cpu, uint64_t linear, uint64_t len, X86WatchType type);
bool x86_cpu_remove_watchpoint(X86Cpu *cpu, uint64_t linear, uint64_t len, X86WatchType type);
bool x86_cpu_hit_watchpoint(X86Cpu *cpu, X86WatchType *type, uint64_t *addr);

/* Instructions retired since reset (benchmarks, deterministic clock). */
uint64_t x86_cpu_icount(const X86Cpu *cpu);

#endif
