/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU engines. "interp" (and its alias "tcg") is the x86 interpreter of
 * cpu/x86, connected here to the memory map, the CPU pins and the main
 * loop; "qtest" has no CPU (the test protocol moves time); "kvm" is
 * refused. One CPU for now.
 */
#include "config.h"

#include <string.h>

#include <backplane/error.h>
#include <backplane/log.h>
#include "core/cpu-pins.h"
#include "core/engine-internal.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"
#include "core/timer-internal.h"

/* Instructions between checks of the clocks and deadlines: small enough
 * for timer precision, large enough that the checks cost nothing. */
#define ENGINE_CHUNK_INSNS 4096
#define ENGINE_SLICE_HOST_NS (1000 * 1000)
/* Deterministic mode: virtual time per instruction. */

typedef struct Engine {
    X86Cpu *cpu;
    X86Bus bus;
    BpMemoryListener listener;
    BpAddressSpace *mem;
    BpAddressSpace *io;
    bool kicked;
} Engine;

static Engine *the_engine;
/* The debugger may attach before the CPU exists (-s -S). */
static void (*engine_debug_stopped)(void *opaque);
static void *engine_debug_opaque;
static bool engine_single_step;

static uint8_t *eng_page_ptr(void *opaque, uint64_t paddr, bool write)
{
    Engine *e = opaque;
    return bp_as_page_ptr(e->mem, paddr, write);
}

static uint64_t eng_mem_read(void *opaque, uint64_t paddr, unsigned size)
{
    Engine *e = opaque;
    return bp_as_read(e->mem, paddr, size);
}

static void eng_mem_write(void *opaque, uint64_t paddr, uint64_t val, unsigned size)
{
    Engine *e = opaque;
    bp_as_write(e->mem, paddr, val, size);
}

static uint32_t eng_io_read(void *opaque, uint16_t port, unsigned size)
{
    Engine *e = opaque;
    return (uint32_t)bp_as_read(e->io, port, size);
}

static void eng_io_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    Engine *e = opaque;
    bp_as_write(e->io, port, val, size);
}

static void eng_ferr(void *opaque, bool level)
{
    bp_cpu_pins_set_ferr(0, level);
}

static uint8_t eng_intack(void *opaque)
{
    return bp_cpu_pins_intack(0);
}

static int64_t eng_clock_ns(void *opaque)
{
    return bp_clock_ns(BP_CLOCK_VIRTUAL);
}

static bool eng_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    return bp_cpu_pins_msr_read(0, msr, val);
}

static bool eng_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    return bp_cpu_pins_msr_write(0, msr, val);
}

static void eng_shutdown(void *opaque, const char *why)
{
    Engine *e = opaque;
    const char *what = bp_main_loop_no_reboot() ? "shutting down (-no-reboot)" : "system reset";
    /* The main loop turns the reset into a shutdown under -no-reboot. */
    if (why && strstr(why, "triple fault")) {
        g_printerr("backplane: %s: %s\n", why, what);
    } else {
        g_printerr("backplane: triple fault: %s: %s\n", why ? why : "CPU shutdown", what);
    }
    bp_main_loop_request_reset("guest-reset");
    x86_cpu_exit_request(e->cpu);
}

static void eng_log(void *opaque, const char *category, const char *msg)
{
    BpLogCategory cat = BP_LOG_INFO;
    if (category && strcmp(category, "guest-error") == 0) {
        cat = BP_LOG_GUEST_ERROR;
    } else if (category && strcmp(category, "unimplemented") == 0) {
        cat = BP_LOG_UNIMP;
    }
    bp_log(NULL, cat, "cpu0: %s", msg);
}

static void eng_topology_changed(void *opaque)
{
    Engine *e = opaque;
    x86_cpu_flush_phys(e->cpu);
}

static void eng_ram_written(void *opaque, uint64_t addr, uint64_t len)
{
    Engine *e = opaque;
    x86_cpu_invalidate_code(e->cpu, addr, len);
}

static void eng_pin_intr(void *opaque, bool level)
{
    Engine *e = opaque;
    x86_cpu_set_intr(e->cpu, level);
}

static void eng_pin_nmi(void *opaque)
{
    Engine *e = opaque;
    x86_cpu_nmi(e->cpu);
}

static void eng_pin_init(void *opaque)
{
    Engine *e = opaque;
    x86_cpu_init_signal(e->cpu);
}

static void eng_pin_ignne(void *opaque, bool level)
{
    Engine *e = opaque;
    x86_cpu_set_ignne(e->cpu, level);
}

static void eng_pin_a20(void *opaque, bool enabled)
{
    Engine *e = opaque;
    x86_cpu_set_a20(e->cpu, enabled);
}

static bool eng_run_slice(void *opaque, int64_t until_ns)
{
    Engine *e = opaque;
    bool deterministic = bp_clock_mode() == BP_CLOCK_MODE_DETERMINISTIC;
    int64_t host_end = bp_clock_ns(BP_CLOCK_REALTIME) + ENGINE_SLICE_HOST_NS;

    e->kicked = false;
    for (;;) {
        int64_t deadline = MIN(until_ns, bp_timers_deadline(BP_CLOCK_VIRTUAL));
        uint64_t budget = ENGINE_CHUNK_INSNS;
        if (deterministic) {
            int64_t left = deadline - bp_clock_ns(BP_CLOCK_VIRTUAL);
            if (left <= 0) {
                return true;
            }
            budget = MIN(budget, (uint64_t)(left + bp_clock_ns_per_insn() - 1) / bp_clock_ns_per_insn());
        }
        uint64_t executed = 0;
        X86Exit ex = x86_cpu_run(e->cpu, budget, &executed);
        if (deterministic) {
            bp_clock_warp((int64_t)executed * bp_clock_ns_per_insn());
        }
        switch (ex) {
        case X86_EXIT_HALTED:
            return false;
        case X86_EXIT_SHUTDOWN:
            return true;
        case X86_EXIT_REQUEST:
            if (engine_debug_stopped &&
                (x86_cpu_hit_breakpoint(e->cpu) || (engine_single_step && executed > 0))) {
                engine_debug_stopped(engine_debug_opaque);
            }
            return true;
        case X86_EXIT_BUDGET:
            break;
        }
        if (e->kicked) {
            return true;
        }
        if (bp_clock_ns(BP_CLOCK_VIRTUAL) >= MIN(until_ns, bp_timers_deadline(BP_CLOCK_VIRTUAL)) ||
            (!deterministic && bp_clock_ns(BP_CLOCK_REALTIME) >= host_end)) {
            return true;
        }
    }
}

static void eng_kick(void *opaque)
{
    Engine *e = opaque;
    e->kicked = true;
    x86_cpu_exit_request(e->cpu);
}

static void eng_sync_pins(Engine *e)
{
    x86_cpu_set_a20(e->cpu, bp_cpu_pins_a20());
    x86_cpu_set_intr(e->cpu, bp_cpu_pins_intr_level(0));
}

static void eng_reset(void *opaque)
{
    Engine *e = opaque;
    x86_cpu_reset(e->cpu);
    eng_sync_pins(e);
}

static bool engine_start_interp(const char *model_name, GError **errp)
{
    X86Model model;
    const char *name = model_name ? model_name : "pentium2";
    if (!x86_model_from_name(name, &model)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "unknown CPU model '%s' (try 486, pentium, pentium2, max)", name);
        return false;
    }

    Engine *e = g_new0(Engine, 1);
    e->mem = bp_address_space(BP_AS_MEMORY);
    e->io = bp_address_space(BP_AS_IO);
    e->bus = (X86Bus) {
        .opaque = e,
        .page_ptr = eng_page_ptr,
        .mem_read = eng_mem_read,
        .mem_write = eng_mem_write,
        .io_read = eng_io_read,
        .io_write = eng_io_write,
        .intack = eng_intack,
        .clock_ns = eng_clock_ns,
        .msr_read = eng_msr_read,
        .msr_write = eng_msr_write,
        .shutdown = eng_shutdown,
        .log = eng_log,
        .ferr = eng_ferr,
    };
    e->cpu = x86_cpu_new(model, &e->bus);
    if (!e->cpu) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "cannot create a %s CPU", name);
        g_free(e);
        return false;
    }
    x86_cpu_reset(e->cpu);
    x86_cpu_set_single_step(e->cpu, engine_single_step);

    e->listener = (BpMemoryListener) {
        .topology_changed = eng_topology_changed,
        .ram_written = eng_ram_written,
        .opaque = e,
    };
    bp_memory_add_listener(&e->listener);

    BpCpuSink sink = {
        .set_intr = eng_pin_intr,
        .nmi = eng_pin_nmi,
        .set_a20 = eng_pin_a20,
        .set_ignne = eng_pin_ignne,
        .init = eng_pin_init,
        .opaque = e,
    };
    bp_cpu_pins_attach(0, &sink);

    BpEngine be = {
        .name = "interp",
        .run_slice = eng_run_slice,
        .kick = eng_kick,
        .opaque = e,
        .reset = eng_reset,
    };
    bp_main_loop_set_engine(&be);
    the_engine = e;
    return true;
}

bool bp_cpu_engine_start(const char *accel, const char *model, GError **errp)
{
    if (the_engine) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "a CPU engine is already running");
        return false;
    }
    /* "kvm:tcg" as with -machine accel=: the first that works. */
    g_auto(GStrv) names = g_strsplit(accel && *accel ? accel : "interp", ":", -1);
    g_autoptr(GError) last = NULL;
    for (int i = 0; names[i]; i++) {
        const char *a = names[i];
        g_clear_error(&last);
        if (strcmp(a, "interp") == 0 || strcmp(a, "tcg") == 0) {
            return engine_start_interp(model, errp);
        }
        if (strcmp(a, "qtest") == 0) {
            return true;
        }
        if (strcmp(a, "kvm") == 0) {
            g_set_error(&last, BP_ERROR, BP_ERROR_INVALID,
                        "KVM is not available in this build: /dev/kvm is not used by "
                        "Backplane yet; use -accel interp");
        } else {
            g_set_error(&last, BP_ERROR, BP_ERROR_INVALID,
                        "unknown accelerator '%s' (try interp, tcg, qtest)", a);
        }
    }
    if (!last) {
        g_set_error(&last, BP_ERROR, BP_ERROR_INVALID, "no accelerator named");
    }
    g_propagate_error(errp, g_steal_pointer(&last));
    return false;
}

void bp_cpu_engine_stop(void)
{
    Engine *e = the_engine;
    if (!e) {
        return;
    }
    bp_main_loop_set_engine(NULL);
    bp_cpu_pins_attach(0, NULL);
    bp_memory_remove_listener(&e->listener);
    x86_cpu_free(e->cpu);
    g_free(e);
    the_engine = NULL;
}

char *bp_cpu_info_registers(void)
{
    return the_engine ? x86_cpu_dump_state(the_engine->cpu) : NULL;
}

bool bp_cpu_read_virt(uint64_t vaddr, void *buf, size_t len)
{
    return the_engine && x86_cpu_read_virt(the_engine->cpu, vaddr, buf, len);
}

X86Cpu *bp_engine_x86(void)
{
    return the_engine ? the_engine->cpu : NULL;
}

void bp_engine_set_debug_hook(void (*stopped)(void *opaque), void *opaque)
{
    engine_debug_stopped = stopped;
    engine_debug_opaque = opaque;
}

void bp_engine_set_single_step(bool on)
{
    engine_single_step = on;
    if (the_engine) {
        x86_cpu_set_single_step(the_engine->cpu, on);
    }
}
