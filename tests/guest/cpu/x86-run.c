/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Standalone runner for the x86 engine: a CPU with flat RAM and a ROM image,
 * no devices but a few debug ports. Used by the CPU guest tests and for
 * smoke-testing firmware.
 *
 *   x86-run [-m MODEL] [-r RAM_MIB] [-n MAX_INSNS] [-t] [-s] IMAGE
 *
 * Memory: RAM at 0 (16 MiB by default); IMAGE at the top of 4 GiB, its last
 * 128 KiB (or all of it if smaller) also at 0x100000 - size (up to
 * 0xE0000-0xFFFFF), read-only (-w: writable RAM below 1 MiB preloaded with
 * up to 256 KiB of the image, as SeaBIOS has it after its PAM unlock); a 4 KiB MMIO scratch page at 0xFED00000
 * reached through mem_read/mem_write only (tests the bus path).
 *
 * Ports:
 *   0xE9, 0x402  write: character to stdout (Bochs/SeaBIOS debug console)
 *   0xF4         write: exit((value << 1) | 1)   (isa-debug-exit)
 *   0xF0         write: raise INTR; the acknowledge returns this vector
 *   0xF1         write: pulse NMI
 *   0xF2         read: low 32 bits of the instruction count
 *   0x92         bit 1: A20 gate (fast A20); reads back the gate
 * Other ports read as all ones and ignore writes.
 *
 * Exit status: the guest's debug-exit value; 2 on triple fault, 4 when the
 * CPU halts with no interrupt source, 5 when MAX_INSNS ran out. -t prints
 * the instruction count and MIPS to stderr; -s dumps registers at the end.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cpu/x86/x86.h"

#define MMIO_BASE 0xfed00000ull

typedef struct Runner {
    X86Cpu *cpu;
    uint8_t *ram;
    uint64_t ram_size;
    uint8_t *rom;
    uint64_t rom_size, rom_base;
    uint64_t alias_base, alias_size;   /* low alias of the ROM tail */
    uint8_t mmio[4096];
    int exit_code;
    bool done;
    int pending_vec;
    bool a20;
    gboolean dump;
    gboolean shadow_rw;   /* low ROM alias is writable RAM preloaded with the image */
} Runner;

static uint8_t *runner_page_ptr(void *opaque, uint64_t paddr, bool write)
{
    Runner *r = opaque;
    if (!r->shadow_rw && paddr >= r->alias_base && paddr < r->alias_base + r->alias_size) {
        return write ? NULL : r->rom + (r->rom_size - r->alias_size) + (paddr - r->alias_base);
    }
    if (paddr < r->ram_size) {
        return r->ram + paddr;
    }
    if (paddr >= r->rom_base && paddr < r->rom_base + r->rom_size) {
        return write ? NULL : r->rom + (paddr - r->rom_base);
    }
    return NULL;
}

static uint64_t runner_mem_read(void *opaque, uint64_t paddr, unsigned size)
{
    Runner *r = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = paddr + i;
        uint8_t b = 0xff;
        if (a >= MMIO_BASE && a < MMIO_BASE + 4096) {
            b = r->mmio[a - MMIO_BASE];
        } else {
            uint8_t *p = runner_page_ptr(r, a & ~0xfffull, false);
            if (p) {
                b = p[a & 0xfff];
            }
        }
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void runner_mem_write(void *opaque, uint64_t paddr, uint64_t val, unsigned size)
{
    Runner *r = opaque;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = paddr + i;
        if (a >= MMIO_BASE && a < MMIO_BASE + 4096) {
            r->mmio[a - MMIO_BASE] = (uint8_t)(val >> (8 * i));
        }
    }
}

static uint32_t runner_io_read(void *opaque, uint16_t port, unsigned size)
{
    Runner *r = opaque;
    switch (port) {
    case 0xf2: return (uint32_t)x86_cpu_icount(r->cpu);
    case 0x92: return r->a20 ? 2 : 0;
    default: return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
    }
}

static void runner_io_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    Runner *r = opaque;
    switch (port) {
    case 0xe9: case 0x402:
        putchar((int)(val & 0xff));
        break;
    case 0xf4:
        if (!r->done) {
            r->exit_code = (int)(((val & 0xff) << 1) | 1);
            r->done = true;
            x86_cpu_exit_request(r->cpu);
        }
        break;
    case 0xf0:
        r->pending_vec = (int)(val & 0xff);
        x86_cpu_set_intr(r->cpu, true);
        break;
    case 0xf1:
        x86_cpu_nmi(r->cpu);
        break;
    case 0x92:
        r->a20 = val & 2;
        x86_cpu_set_a20(r->cpu, r->a20);
        break;
    default:
        break;
    }
}

static uint8_t runner_intack(void *opaque)
{
    Runner *r = opaque;
    x86_cpu_set_intr(r->cpu, false);
    int v = r->pending_vec;
    r->pending_vec = -1;
    return v < 0 ? 0xff : (uint8_t)v;
}

static int64_t runner_clock(void *opaque)
{
    Runner *r = opaque;
    /* deterministic: one instruction is one nanosecond */
    return r->cpu ? (int64_t)x86_cpu_icount(r->cpu) : 0;
}

static bool runner_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    return false;
}

static bool runner_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    return false;
}

static void runner_shutdown(void *opaque, const char *why)
{
    Runner *r = opaque;
    fflush(stdout);
    fprintf(stderr, "x86-run: shutdown: %s\n", why);
    if (!r->done) {
        r->exit_code = 2;
        r->done = true;
    }
}

static void runner_log(void *opaque, const char *cat, const char *msg)
{
    fprintf(stderr, "x86-run: %s: %s\n", cat, msg);
}

int main(int argc, char **argv)
{
    Runner r = { .ram_size = 16u << 20, .pending_vec = -1, .a20 = true };
    const char *model_name = "pentium2";
    uint64_t max_insns = 2000000000ull;
    gboolean timing = FALSE;
    int opt_ram = 16;
    gint64 trace = 0;

    GOptionEntry entries[] = {
        { "model", 'm', 0, G_OPTION_ARG_STRING, &model_name, "CPU model", "MODEL" },
        { "ram", 'r', 0, G_OPTION_ARG_INT, &opt_ram, "RAM in MiB", "MIB" },
        { "max-insns", 'n', 0, G_OPTION_ARG_INT64, &max_insns, "instruction limit", "N" },
        { "time", 't', 0, G_OPTION_ARG_NONE, &timing, "print instruction count and MIPS", NULL },
        { "dump", 's', 0, G_OPTION_ARG_NONE, &r.dump, "dump registers at the end", NULL },
        { "shadow-rw", 'w', 0, G_OPTION_ARG_NONE, &r.shadow_rw, "low BIOS alias is writable RAM (as after PAM unlock)", NULL },
        { "trace", 'T', 0, G_OPTION_ARG_INT64, &trace, "trace the first N instructions to stderr", "N" },
        { NULL },
    };
    GError *err = NULL;
    GOptionContext *ctx = g_option_context_new("IMAGE");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
        fprintf(stderr, "x86-run: %s\n", err ? err->message : "one IMAGE expected");
        return 64;
    }
    g_option_context_free(ctx);
    X86Model model;
    if (!x86_model_from_name(model_name, &model)) {
        fprintf(stderr, "x86-run: unknown model '%s'\n", model_name);
        return 64;
    }
    gsize len;
    gchar *data;
    if (!g_file_get_contents(argv[1], &data, &len, &err)) {
        fprintf(stderr, "x86-run: %s\n", err->message);
        return 66;
    }
    if (len == 0 || len > (16u << 20) || (len & 0xfff)) {
        fprintf(stderr, "x86-run: image size must be a multiple of 4 KiB up to 16 MiB\n");
        return 65;
    }
    r.ram_size = (uint64_t)opt_ram << 20;
    r.ram = g_malloc0(r.ram_size);
    r.rom = (uint8_t *)data;
    r.rom_size = len;
    r.rom_base = 0x100000000ull - len;
    r.alias_size = len < 0x20000 ? len : 0x20000;
    r.alias_base = 0x100000 - r.alias_size;
    if (r.shadow_rw) {
        /* as SeaBIOS leaves it after unlocking PAM and copying itself */
        uint64_t n = len < 0x40000 ? len : 0x40000;
        memcpy(r.ram + 0x100000 - n, r.rom + (r.rom_size - n), n);
    }

    X86Bus bus = {
        .opaque = &r,
        .page_ptr = runner_page_ptr,
        .mem_read = runner_mem_read,
        .mem_write = runner_mem_write,
        .io_read = runner_io_read,
        .io_write = runner_io_write,
        .intack = runner_intack,
        .clock_ns = runner_clock,
        .msr_read = runner_msr_read,
        .msr_write = runner_msr_write,
        .shutdown = runner_shutdown,
        .log = runner_log,
    };
    r.cpu = x86_cpu_new(model, &bus);

    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    uint64_t total = 0;
    while (!r.done) {
        uint64_t n = 0, slice = max_insns - total < 1000000 ? max_insns - total : 1000000;
        if ((gint64)total < trace) {
            uint8_t b[4];
            uint32_t regs[10];
            for (int i = 0; i < 10; i++) {
                x86_cpu_gdb_read_reg(r.cpu, i, b);
                memcpy(&regs[i], b, 4);
            }
            x86_cpu_gdb_read_reg(r.cpu, 10, b);
            fprintf(stderr, "%04x:%08x eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x fl=%08x\n",
                    b[0] | (b[1] << 8), regs[8], regs[0], regs[1], regs[2], regs[3], regs[4], regs[5],
                    regs[6], regs[7], regs[9]);
            slice = 1;
        }
        X86Exit e = x86_cpu_run(r.cpu, slice, &n);
        total += n;
        if (e == X86_EXIT_SHUTDOWN) {
            r.done = true;
            break;
        }
        if (e == X86_EXIT_HALTED && r.pending_vec < 0) {
            fflush(stdout);
            fprintf(stderr, "x86-run: halted with no interrupt source\n");
            r.exit_code = 4;
            break;
        }
        if (total >= max_insns && !r.done) {
            fflush(stdout);
            fprintf(stderr, "x86-run: instruction limit reached\n");
            r.exit_code = 5;
            break;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    fflush(stdout);
    if (timing) {
        double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        double cs = (double)(c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
        /* CPU time: the wall clock is meaningless on a loaded machine */
        fprintf(stderr, "x86-run: %llu instructions in %.3f s CPU (%.3f s wall): %.1f MIPS\n",
                (unsigned long long)total, cs, s, cs > 0 ? total / cs / 1e6 : 0.0);
    }
    if (r.dump || r.exit_code == 2 || r.exit_code == 4 || r.exit_code == 5) {
        char *d = x86_cpu_dump_state(r.cpu);
        fprintf(stderr, "%s", d);
        g_free(d);
    }
    x86_cpu_free(r.cpu);
    g_free(r.ram);
    g_free(data);
    return r.exit_code;
}
