/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory map lookup speed: 128 MiB of RAM with about fifty regions over
 * it and in the I/O space (a PC's worth), then timed loops of accesses:
 * RAM reads through the map (same page, and scattered), page pointers as
 * the CPU asks for them, and MMIO/PIO dispatch to a trivial callback.
 * Prints one line per figure: "name: N lookups/s". No pass/fail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/memory-internal.h"

#define RAM_SIZE (128u << 20)
#define MMIO_REGIONS 32
#define PIO_REGIONS 16

static uint64_t sink_read(void *opaque, uint64_t addr, unsigned size)
{
    return addr;
}

static void sink_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    *(uint64_t *)opaque += val;
}

static const BpMemOps sink_ops = {
    .read = sink_read, .write = sink_write, .min_access = 1, .max_access = 4,
};

static double seconds(void)
{
    return (double)g_get_monotonic_time() / G_USEC_PER_SEC;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef uint64_t (*BenchFn)(uint64_t n, const uint64_t *addrs, unsigned mask);

static BpAddressSpace *mem_as, *io_as;

static uint64_t run_ram_read(uint64_t n, const uint64_t *addrs, unsigned mask)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        sum += bp_as_read(mem_as, addrs[i & mask], 4);
    }
    return sum;
}

static uint64_t run_page_ptr(uint64_t n, const uint64_t *addrs, unsigned mask)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        sum += (uintptr_t)bp_as_page_ptr(mem_as, addrs[i & mask], true);
    }
    return sum;
}

static uint64_t run_mmio_read(uint64_t n, const uint64_t *addrs, unsigned mask)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        sum += bp_as_read(mem_as, addrs[i & mask], 4);
    }
    return sum;
}

static uint64_t run_pio_write(uint64_t n, const uint64_t *addrs, unsigned mask)
{
    for (uint64_t i = 0; i < n; i++) {
        bp_as_write(io_as, addrs[i & mask], (uint32_t)i, 1);
    }
    return 0;
}

/* Run fn for about `budget` seconds of host time; lookups per second. */
static double measure(BenchFn fn, const uint64_t *addrs, unsigned mask, double budget)
{
    uint64_t n = 1 << 16, total = 0;
    volatile uint64_t keep = 0;
    double start = seconds(), now = start;
    while (now - start < budget) {
        keep += fn(n, addrs, mask);
        total += n;
        now = seconds();
        if (n < (1u << 24)) {
            n <<= 1;
        }
    }
    (void)keep;
    return (double)total / (now - start);
}

static void report(const char *name, double rate)
{
    printf("%-28s %12.0f lookups/s\n", name, rate);
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? g_ascii_strtod(argv[1], NULL) : 0.5;
    if (budget <= 0) {
        budget = 0.5;
    }
    uint64_t counter = 0;
    GError *err = NULL;

    bp_memory_init();
    mem_as = bp_address_space(BP_AS_MEMORY);
    io_as = bp_address_space(BP_AS_IO);
    BpMemoryRegion *sys = bp_as_root(mem_as);
    BpMemoryRegion *ram = bp_mr_new_ram(NULL, "pc.ram", RAM_SIZE, &err);
    if (!ram) {
        fprintf(stderr, "bench-memory: %s\n", err->message);
        return 1;
    }
    /* A PC-like layout: RAM through aliases, a VGA hole, BIOS shadows,
     * PCI BARs at the top of 4 GiB, ports in the I/O space. */
    BpMemoryRegion *low = bp_mr_new_alias(NULL, "ram-below-4g", ram, 0, RAM_SIZE);
    bp_mr_add_subregion(sys, 0, low, 0);
    BpMemoryRegion *vga = bp_mr_new_io(NULL, "vga-lowmem", 0x20000, &sink_ops, &counter);
    bp_mr_add_subregion(sys, 0xa0000, vga, 1);
    BpMemoryRegion *shadows[8];
    for (unsigned i = 0; i < 8; i++) {
        shadows[i] = bp_mr_new_alias(NULL, "pam", ram, 0xc0000 + i * 0x4000, 0x4000);
        bp_mr_add_subregion(sys, 0xc0000 + i * 0x4000, shadows[i], 1);
    }
    BpMemoryRegion *mmio[MMIO_REGIONS];
    for (unsigned i = 0; i < MMIO_REGIONS; i++) {
        g_autofree char *name = g_strdup_printf("bar%u", i);
        mmio[i] = bp_mr_new_io(NULL, name, 0x1000, &sink_ops, &counter);
        bp_mr_add_subregion(sys, 0xfe000000ULL + i * 0x2000, mmio[i], 1);
    }
    BpMemoryRegion *pio[PIO_REGIONS];
    for (unsigned i = 0; i < PIO_REGIONS; i++) {
        g_autofree char *name = g_strdup_printf("port%u", i);
        pio[i] = bp_mr_new_io(NULL, name, 8, &sink_ops, &counter);
        bp_mr_add_subregion(bp_as_root(io_as), 0x100 + i * 0x40, pio[i], 0);
    }
    unsigned regions = 2 + 8 + MMIO_REGIONS + PIO_REGIONS;

    enum { N = 4096 };
    uint64_t *same = g_new(uint64_t, N), *scattered = g_new(uint64_t, N);
    uint64_t *bars = g_new(uint64_t, N), *ports = g_new(uint64_t, N);
    for (unsigned i = 0; i < N; i++) {
        same[i] = 0x200000 + (i * 4) % 4096;
        uint64_t a;
        do {
            a = (rng() % RAM_SIZE) & ~3ULL;
        } while (a >= 0xa0000 && a < 0x100000);
        scattered[i] = a;
        bars[i] = 0xfe000000ULL + (rng() % MMIO_REGIONS) * 0x2000 + (rng() % 0x1000 & ~3ULL);
        ports[i] = 0x100 + (rng() % PIO_REGIONS) * 0x40 + rng() % 8;
    }

    printf("memory map: %u regions, %u KiB RAM, %.1f s per figure\n",
           regions, RAM_SIZE / 1024, budget);
    report("ram-read (same page)", measure(run_ram_read, same, N - 1, budget));
    report("ram-read (scattered)", measure(run_ram_read, scattered, N - 1, budget));
    report("page-ptr (scattered)", measure(run_page_ptr, scattered, N - 1, budget));
    report("mmio-read (32 BARs)", measure(run_mmio_read, bars, N - 1, budget));
    report("pio-write (16 devices)", measure(run_pio_write, ports, N - 1, budget));

    for (unsigned i = 0; i < PIO_REGIONS; i++) {
        bp_mr_free(pio[i]);
    }
    for (unsigned i = 0; i < MMIO_REGIONS; i++) {
        bp_mr_free(mmio[i]);
    }
    for (unsigned i = 0; i < 8; i++) {
        bp_mr_free(shadows[i]);
    }
    bp_mr_free(vga);
    bp_mr_free(low);
    bp_mr_free(ram);
    g_free(same);
    g_free(scattered);
    g_free(bars);
    g_free(ports);
    bp_memory_cleanup();
    return 0;
}
