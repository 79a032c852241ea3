/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory map: priorities, aliases, run-time changes, access splitting,
 * unassigned accesses, DMA, listeners, page pointers and info mtree. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "core/cpu-pins.h"
#include "core/isa-internal.h"
#include "core/memory-internal.h"
#include "core/engine.h"
#include "core/registry.h"

/* An I/O region that records every callback. */
typedef struct Probe {
    GString *log;
    uint64_t regs[8];             /* bytes 0..63, little endian by offset */
} Probe;

static uint64_t probe_read(void *opaque, uint64_t addr, unsigned size)
{
    Probe *p = opaque;
    g_string_append_printf(p->log, "r%u@%" G_GINT64_MODIFIER "x ", size, addr);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)((addr + i) & 0xff) << (8 * i);
    }
    return v;
}

static void probe_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Probe *p = opaque;
    g_string_append_printf(p->log, "w%u@%" G_GINT64_MODIFIER "x=%" G_GINT64_MODIFIER "x ",
                           size, addr, val);
}

static Probe *probe_new(void)
{
    Probe *p = g_new0(Probe, 1);
    p->log = g_string_new(NULL);
    return p;
}

static void probe_free(Probe *p)
{
    g_string_free(p->log, TRUE);
    g_free(p);
}

static const char *probe_take(Probe *p)
{
    static char buf[512];
    g_strlcpy(buf, p->log->str, sizeof(buf));
    g_string_truncate(p->log, 0);
    return g_strchomp(buf);
}

static BpAddressSpace *mem(void)
{
    return bp_address_space(BP_AS_MEMORY);
}

static BpAddressSpace *io(void)
{
    return bp_address_space(BP_AS_IO);
}

static BpMemoryRegion *root(void)
{
    return bp_as_root(mem());
}

static BpMemoryRegion *new_ram(const char *name, uint64_t size)
{
    GError *err = NULL;
    BpMemoryRegion *mr = bp_mr_new_ram(NULL, name, size, &err);
    g_assert_no_error(err);
    return mr;
}

static void fresh(void)
{
    bp_memory_cleanup();
    bp_memory_init();
}

static void test_ram_little_endian(void)
{
    fresh();
    BpMemoryRegion *ram = new_ram("ram", 0x10000);
    bp_mr_add_subregion(root(), 0, ram, 0);
    bp_as_write(mem(), 0x100, 0x1122334455667788ULL, 8);
    uint8_t *p = bp_mr_ptr(ram);
    g_assert_cmphex(p[0x100], ==, 0x88);
    g_assert_cmphex(p[0x107], ==, 0x11);
    g_assert_cmphex(bp_as_read(mem(), 0x102, 2), ==, 0x5566);
    g_assert_cmphex(bp_as_read(mem(), 0x101, 4), ==, 0x44556677);
    g_assert_cmphex(bp_as_read(mem(), 0x100, 1), ==, 0x88);
    bp_mr_free(ram);
}

static void test_priorities(void)
{
    fresh();
    Probe *lo = probe_new(), *hi = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write, .max_access = 8 };
    BpMemoryRegion *ram = new_ram("ram", 0x10000);
    BpMemoryRegion *under = bp_mr_new_io(NULL, "under", 0x100, &ops, lo);
    BpMemoryRegion *over = bp_mr_new_io(NULL, "over", 0x100, &ops, hi);
    bp_mr_add_subregion(root(), 0, ram, 0);
    bp_mr_add_subregion(root(), 0x2000, under, -1);
    bp_mr_add_subregion(root(), 0x3080, over, 1);

    /* Lower priority than RAM: invisible. */
    bp_as_write(mem(), 0x2000, 0xab, 1);
    g_assert_cmpstr(probe_take(lo), ==, "");
    g_assert_cmphex(bp_as_read(mem(), 0x2000, 1), ==, 0xab);
    /* Higher: wins over RAM, with offsets inside the region. */
    g_assert_cmphex(bp_as_read(mem(), 0x3090, 1), ==, 0x10);
    g_assert_cmpstr(probe_take(hi), ==, "r1@10");
    /* Straddling RAM and the region: split at the boundary. */
    uint8_t *p = bp_mr_ptr(ram);
    p[0x307e] = 0x11;
    p[0x307f] = 0x22;
    g_assert_cmphex(bp_as_read(mem(), 0x307e, 4), ==, 0x01002211);
    g_assert_cmpstr(probe_take(hi), ==, "r2@0");

    /* Equal priority: the one added last wins. */
    Probe *late = probe_new();
    BpMemoryRegion *same = bp_mr_new_io(NULL, "same", 0x100, &ops, late);
    bp_mr_add_subregion(root(), 0x3080, same, 1);
    bp_as_read(mem(), 0x3080, 1);
    g_assert_cmpstr(probe_take(late), ==, "r1@0");
    g_assert_cmpstr(probe_take(hi), ==, "");

    bp_mr_free(same);
    bp_mr_free(over);
    bp_mr_free(under);
    bp_mr_free(ram);
    probe_free(lo);
    probe_free(hi);
    probe_free(late);
}

static void test_nested_containers(void)
{
    fresh();
    Probe *pr = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write };
    BpMemoryRegion *box = bp_mr_new_container(NULL, "box", 0x1000);
    BpMemoryRegion *dev = bp_mr_new_io(NULL, "dev", 0x2000, &ops, pr);
    bp_mr_add_subregion(box, 0x800, dev, 0);          /* clipped to the box */
    bp_mr_add_subregion(root(), 0x10000, box, 0);
    bp_as_read(mem(), 0x10800, 1);
    g_assert_cmpstr(probe_take(pr), ==, "r1@0");
    bp_as_read(mem(), 0x10fff, 1);
    g_assert_cmpstr(probe_take(pr), ==, "r1@7ff");
    g_assert_cmphex(bp_as_read(mem(), 0x11000, 1), ==, 0xff);
    g_assert_cmpstr(probe_take(pr), ==, "");
    g_assert_cmphex(bp_as_read(mem(), 0x107ff, 1), ==, 0xff);   /* the box's own hole */
    bp_mr_free(dev);
    bp_mr_free(box);
    probe_free(pr);
}

static void test_alias(void)
{
    fresh();
    BpMemoryRegion *ram = new_ram("pc.ram", 0x20000);
    BpMemoryRegion *low = bp_mr_new_alias(NULL, "ram-low", ram, 0, 0x10000);
    BpMemoryRegion *win = bp_mr_new_alias(NULL, "ram-win", ram, 0x18000, 0x4000);
    bp_mr_add_subregion(root(), 0, low, 0);
    bp_mr_add_subregion(root(), 0x100000, win, 0);

    bp_as_write(mem(), 0x100010, 0xdeadbeef, 4);
    uint8_t *p = bp_mr_ptr(ram);
    g_assert_cmphex(p[0x18010], ==, 0xef);
    g_assert_cmphex(bp_as_read(mem(), 0x100010, 4), ==, 0xdeadbeef);
    bp_as_write(mem(), 0x20, 0x5a, 1);
    g_assert_cmphex(p[0x20], ==, 0x5a);
    /* Outside both windows. */
    g_assert_cmphex(bp_as_read(mem(), 0x10000, 4), ==, 0xffffffff);
    g_assert_cmphex(bp_as_read(mem(), 0x104000, 1), ==, 0xff);
    /* The alias is a page of RAM for the CPU too. */
    g_assert_true(bp_as_page_ptr(mem(), 0x100123, true) == p + 0x18000);

    /* A readonly alias shadows RAM for writes only. */
    bp_mr_set_readonly(win, true);
    bp_as_write(mem(), 0x100010, 0x11, 1);
    g_assert_cmphex(p[0x18010], ==, 0xef);
    g_assert_null(bp_as_page_ptr(mem(), 0x100000, true));
    g_assert_nonnull(bp_as_page_ptr(mem(), 0x100000, false));

    bp_mr_free(win);
    bp_mr_free(low);
    bp_mr_free(ram);
}

static void test_enable_move(void)
{
    fresh();
    Probe *pr = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write };
    BpMemoryRegion *ram = new_ram("ram", 0x100000);
    BpMemoryRegion *bar = bp_mr_new_io(NULL, "bar", 0x1000, &ops, pr);
    bp_mr_add_subregion(root(), 0, ram, 0);
    bp_mr_add_subregion(root(), 0x8000, bar, 1);
    bp_as_read(mem(), 0x8004, 1);
    g_assert_cmpstr(probe_take(pr), ==, "r1@4");

    bp_mr_set_enabled(bar, false);
    bp_as_write(mem(), 0x8004, 0x77, 1);
    g_assert_cmpstr(probe_take(pr), ==, "");
    g_assert_cmphex(bp_as_read(mem(), 0x8004, 1), ==, 0x77);   /* RAM below shows */

    bp_mr_set_enabled(bar, true);
    bp_mr_set_address(bar, 0x20000);
    g_assert_cmphex(bp_as_read(mem(), 0x8004, 1), ==, 0x77);
    g_assert_cmpstr(probe_take(pr), ==, "");
    bp_as_read(mem(), 0x20008, 1);
    g_assert_cmpstr(probe_take(pr), ==, "r1@8");

    bp_mr_del_subregion(root(), bar);
    bp_as_read(mem(), 0x20008, 1);
    g_assert_cmpstr(probe_take(pr), ==, "");
    bp_mr_free(bar);
    bp_mr_free(ram);
    probe_free(pr);
}

static void test_split_narrow(void)
{
    fresh();
    Probe *pr = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write, .max_access = 1 };
    BpMemoryRegion *r = bp_mr_new_io(NULL, "bytes", 8, &ops, pr);
    bp_mr_add_subregion(bp_as_root(io()), 0x3f8, r, 0);
    g_assert_cmphex(bp_as_read(io(), 0x3f8, 4), ==, 0x03020100);
    g_assert_cmpstr(probe_take(pr), ==, "r1@0 r1@1 r1@2 r1@3");
    bp_as_write(io(), 0x3fa, 0xbbaa, 2);
    g_assert_cmpstr(probe_take(pr), ==, "w1@2=aa w1@3=bb");
    bp_mr_free(r);
    probe_free(pr);
}

static void test_split_unaligned(void)
{
    fresh();
    Probe *pr = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write, .max_access = 4 };
    BpMemoryRegion *r = bp_mr_new_io(NULL, "dwords", 16, &ops, pr);
    bp_mr_add_subregion(bp_as_root(io()), 0xcf8, r, 0);
    g_assert_cmphex(bp_as_read(io(), 0xcf9, 4), ==, 0x04030201);
    g_assert_cmpstr(probe_take(pr), ==, "r1@1 r2@2 r1@4");
    g_assert_cmphex(bp_as_read(mem(), 0, 8), ==, UINT64_MAX);
    bp_as_read(io(), 0xcf8, 8);
    g_assert_cmpstr(probe_take(pr), ==, "r4@0 r4@4");
    bp_mr_free(r);
    probe_free(pr);
}

static void test_widen(void)
{
    fresh();
    Probe *pr = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write, .min_access = 4, .max_access = 4 };
    BpMemoryRegion *r = bp_mr_new_io(NULL, "wide", 16, &ops, pr);
    bp_mr_add_subregion(root(), 0xfee00000, r, 0);
    g_assert_cmphex(bp_as_read(mem(), 0xfee00006, 1), ==, 0x06);
    g_assert_cmpstr(probe_take(pr), ==, "r4@4");
    g_assert_cmphex(bp_as_read(mem(), 0xfee00001, 2), ==, 0x0201);
    g_assert_cmpstr(probe_take(pr), ==, "r4@0");
    bp_as_write(mem(), 0xfee00009, 0x5a, 1);
    g_assert_cmpstr(probe_take(pr), ==, "w4@8=5a00");
    bp_mr_free(r);
    probe_free(pr);
}

static void test_readonly_and_rom(void)
{
    fresh();
    GError *err = NULL;
    BpMemoryRegion *ram = new_ram("shadow", 0x4000);
    BpMemoryRegion *rom = bp_mr_new_rom(NULL, "rom", 0x1000, &err);
    g_assert_no_error(err);
    memset(bp_mr_ptr(rom), 0xea, 0x1000);
    bp_mr_add_subregion(root(), 0xe0000, ram, 0);
    bp_mr_add_subregion(root(), 0xf0000, rom, 0);

    bp_as_write(mem(), 0xe0000, 0x1234, 2);
    bp_mr_set_readonly(ram, true);
    bp_as_write(mem(), 0xe0000, 0xffff, 2);
    g_assert_cmphex(bp_as_read(mem(), 0xe0000, 2), ==, 0x1234);
    g_assert_null(bp_as_page_ptr(mem(), 0xe0000, true));
    g_assert_true(bp_as_page_ptr(mem(), 0xe1fff, false) == (uint8_t *)bp_mr_ptr(ram) + 0x1000);
    bp_mr_set_readonly(ram, false);
    g_assert_nonnull(bp_as_page_ptr(mem(), 0xe0000, true));

    bp_as_write(mem(), 0xf0010, 0, 4);
    g_assert_cmphex(bp_as_read(mem(), 0xf0010, 4), ==, 0xeaeaeaea);
    g_assert_null(bp_as_page_ptr(mem(), 0xf0000, true));
    g_assert_true(bp_as_page_ptr(mem(), 0xf0fff, false) == bp_mr_ptr(rom));
    uint8_t byte = 0;
    g_assert_true(bp_dma_write(mem(), 0xf0000, &byte, 1));
    g_assert_cmphex(((uint8_t *)bp_mr_ptr(rom))[0], ==, 0xea);

    bp_mr_free(rom);
    bp_mr_free(ram);
}

static void test_unassigned(void)
{
    fresh();
    BpMemoryRegion *ram = new_ram("ram", 0x1000);
    bp_mr_add_subregion(root(), 0x1000, ram, 0);
    g_assert_cmphex(bp_as_read(mem(), 0, 4), ==, 0xffffffff);
    g_assert_cmphex(bp_as_read(mem(), 0xfffffffffffffff8ULL, 8), ==, UINT64_MAX);
    bp_as_write(mem(), 0x500, 0, 4);                       /* dropped */
    g_assert_cmphex(bp_as_read(mem(), 0x500, 4), ==, 0xffffffff);
    /* Half in RAM, half not. */
    bp_as_write(mem(), 0xffe, 0x44332211, 4);
    g_assert_cmphex(bp_as_read(mem(), 0xffe, 4), ==, 0x4433ffff);
    g_assert_cmphex(bp_as_read(mem(), 0x1ffe, 4), ==, 0xffff0000);
    /* The I/O space ends at 64 KiB. */
    g_assert_cmphex(bp_as_read(io(), 0xffff, 2), ==, 0xffff);
    g_assert_cmphex(bp_as_read(io(), 0x10000, 1), ==, 0xff);
    /* No page pointer for a page RAM only partly covers. */
    g_assert_nonnull(bp_as_page_ptr(mem(), 0x1800, true));
    g_assert_null(bp_as_page_ptr(mem(), 0x0800, false));
    bp_mr_free(ram);
}

static void test_dma(void)
{
    fresh();
    Probe *pr = probe_new();
    BpMemOps ops = { .read = probe_read, .write = probe_write, .max_access = 4 };
    BpMemoryRegion *a = new_ram("a", 0x1000);
    BpMemoryRegion *dev = bp_mr_new_io(NULL, "dev", 8, &ops, pr);
    BpMemoryRegion *b = new_ram("b", 0x1000);
    bp_mr_add_subregion(root(), 0x0000, a, 0);
    bp_mr_add_subregion(root(), 0x1000, dev, 0);
    bp_mr_add_subregion(root(), 0x1008, b, 0);

    uint8_t buf[32];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = 0x80 + i;
    }
    g_assert_true(bp_dma_write(mem(), 0xff8, buf, 24));
    g_assert_cmpmem((uint8_t *)bp_mr_ptr(a) + 0xff8, 8, buf, 8);
    g_assert_cmpmem(bp_mr_ptr(b), 8, buf + 16, 8);
    g_assert_cmpstr(probe_take(pr), ==, "w4@0=8b8a8988 w4@4=8f8e8d8c");

    uint8_t in[24];
    g_assert_true(bp_dma_read(mem(), 0xff8, in, 24));
    g_assert_cmpmem(in, 8, buf, 8);
    const uint8_t want[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    g_assert_cmpmem(in + 8, 8, want, 8);
    g_assert_cmpmem(in + 16, 8, buf + 16, 8);
    probe_take(pr);

    /* Into the hole above b: the RAM part is still done. */
    memset(in, 0, sizeof(in));
    memset((uint8_t *)bp_mr_ptr(b) + 0xff8, 0x3c, 8);
    g_assert_false(bp_dma_read(mem(), 0x2000, in, 16));
    g_assert_cmphex(in[7], ==, 0x3c);
    g_assert_cmphex(in[8], ==, 0xff);
    g_assert_cmphex(in[15], ==, 0xff);
    g_assert_false(bp_dma_write(mem(), 0x2000, buf, 16));
    g_assert_cmphex(((uint8_t *)bp_mr_ptr(b))[0xff8], ==, buf[0]);
    g_assert_cmphex(((uint8_t *)bp_mr_ptr(b))[0xfff], ==, buf[7]);

    bp_mr_free(b);
    bp_mr_free(dev);
    bp_mr_free(a);
    probe_free(pr);
}

typedef struct Heard {
    int topology;
    int written;
    uint64_t addr, len;
} Heard;

static void heard_topology(void *opaque)
{
    ((Heard *)opaque)->topology++;
}

static void heard_written(void *opaque, uint64_t addr, uint64_t len)
{
    Heard *h = opaque;
    h->written++;
    h->addr = addr;
    h->len = len;
}

static void test_listeners(void)
{
    fresh();
    Heard h = { 0 };
    BpMemoryListener l = { heard_topology, heard_written, &h };
    bp_memory_add_listener(&l);

    BpMemoryRegion *ram = new_ram("ram", 0x10000);
    g_assert_cmpint(h.topology, ==, 0);              /* not mapped yet */
    bp_mr_add_subregion(root(), 0, ram, 0);
    g_assert_cmpint(h.topology, ==, 1);
    bp_mr_set_address(ram, 0x10000);
    g_assert_cmpint(h.topology, ==, 2);
    bp_mr_set_enabled(ram, true);                    /* no change */
    g_assert_cmpint(h.topology, ==, 2);

    uint8_t buf[16] = { 0 };
    bp_dma_write(mem(), 0x10100, buf, sizeof(buf));
    g_assert_cmpint(h.written, ==, 1);
    g_assert_cmphex(h.addr, ==, 0x10100);
    g_assert_cmpuint(h.len, ==, 16);
    bp_as_write(mem(), 0x10200, 1, 2);
    g_assert_cmpint(h.written, ==, 2);
    g_assert_cmphex(h.addr, ==, 0x10200);
    bp_dma_read(mem(), 0x10100, buf, sizeof(buf));
    g_assert_cmpint(h.written, ==, 2);

    bp_memory_remove_listener(&l);
    bp_mr_set_address(ram, 0);
    g_assert_cmpint(h.topology, ==, 2);
    bp_mr_free(ram);
}

static void test_info_mtree(void)
{
    fresh();
    BpMemOps ops = { .read = probe_read, .write = probe_write };
    BpMemoryRegion *ram = new_ram("pc.ram", 0x8000000);
    BpMemoryRegion *low = bp_mr_new_alias(NULL, "ram-below-4g", ram, 0, 0xa0000);
    BpMemoryRegion *vga = bp_mr_new_io(NULL, "vga-lowmem", 0x20000, &ops, NULL);
    BpMemoryRegion *ser = bp_mr_new_io(NULL, "serial", 8, &ops, NULL);
    bp_mr_add_subregion(root(), 0, low, 0);
    bp_mr_add_subregion(root(), 0xa0000, vga, 1);
    bp_mr_add_subregion(bp_as_root(io()), 0x3f8, ser, 0);
    bp_mr_set_enabled(vga, false);
    g_autofree char *text = bp_info_mtree();
    g_assert_cmpstr(text, ==,
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, container): system\n"
        "    0000000000000000-000000000009ffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-000000000009ffff\n"
        "    00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem [disabled]\n"
        "\n"
        "address-space: I/O\n"
        "  0000000000000000-000000000000ffff (prio 0, container): io\n"
        "    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
        "\n"
        "memory-region: pc.ram\n"
        "  0000000000000000-0000000007ffffff (prio 0, ram): pc.ram\n"
        "\n");
    bp_mr_free(ser);
    bp_mr_free(vga);
    bp_mr_free(low);
    bp_mr_free(ram);
}

static void test_load_rom(void)
{
    fresh();
    g_autofree char *path = NULL;
    GError *err = NULL;
    int fd = g_file_open_tmp("bp-rom-XXXXXX", &path, &err);
    g_assert_no_error(err);
    close(fd);
    uint8_t image[0x2000];
    for (unsigned i = 0; i < sizeof(image); i++) {
        image[i] = (uint8_t)(i * 7);
    }
    g_assert_true(g_file_set_contents(path, (const char *)image, sizeof(image), NULL));
    BpMemoryRegion *rom = bp_memory_load_rom("bios.bin", path, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(bp_mr_size(rom), ==, sizeof(image));
    g_assert_cmpstr(bp_mr_name(rom), ==, "bios.bin");
    bp_mr_add_subregion(root(), 0x100000000ULL - sizeof(image), rom, 0);
    g_assert_cmphex(bp_as_read(mem(), 0xfffffff0, 1), ==, image[0x1ff0]);
    bp_mr_free(rom);
    g_unlink(path);

    g_assert_null(bp_memory_load_rom("x", "/nonexistent/bios.bin", &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent/bios.bin"));
    g_clear_error(&err);
}

/* ISA: a device that maps 8 ports at iobase and takes IRQ 5. */
typedef struct TPorts {
    BpDevice parent;
    uint16_t iobase;
    uint8_t irq;
    Probe *probe;
    BpMemoryRegion *io;
    BpIrq *line;
} TPorts;

static bool tports_realize(BpDevice *dev, GError **errp)
{
    TPorts *t = (TPorts *)dev;
    static const BpMemOps ops = { .read = probe_read, .write = probe_write, .max_access = 1 };
    t->line = bp_isa_irq(dev, t->irq, errp);
    if (!t->line) {
        return false;
    }
    t->probe = probe_new();
    t->io = bp_isa_map_io(dev, "tports", t->iobase, 8, &ops, t->probe, errp);
    if (!t->io) {
        probe_free(t->probe);
        t->probe = NULL;
        return false;
    }
    return true;
}

/* Leaves its ports mapped on purpose: the bus takes them back. */
static void tports_unrealize(BpDevice *dev)
{
}

static void tports_finalize(BpDevice *dev)
{
    TPorts *t = (TPorts *)dev;
    if (t->probe) {
        probe_free(t->probe);
    }
}

static const BpProperty tports_props[] = {
    BP_PROP_U16("iobase", TPorts, iobase, 0x3f8),
    BP_PROP_U8("irq", TPorts, irq, 5),
    BP_PROP_END
};

static const BpDeviceType tports_type = {
    .name = "t-ports",
    .parent = BP_TYPE_ISA_DEVICE,
    .instance_size = sizeof(TPorts),
    .props = tports_props,
    .realize = tports_realize,
    .unrealize = tports_unrealize,
    .instance_finalize = tports_finalize,
};

static BpDevice *tports_new(BpBus *bus, const char *id, const char *iobase,
                            const char *irq, GError **errp)
{
    GError *err = NULL;
    BpDevice *dev = bp_device_create("t-ports", id, &err);
    g_assert_no_error(err);
    g_assert_true(bp_device_set_prop(dev, "iobase", iobase, &err));
    g_assert_true(bp_device_set_prop(dev, "irq", irq, &err));
    g_assert_no_error(err);
    if (!bp_device_realize(dev, bus, errp)) {
        bp_device_destroy(dev);
        return NULL;
    }
    return dev;
}

static void test_isa_bus(void)
{
    fresh();
    GError *err = NULL;
    bp_registry_init();
    g_assert_true(bp_type_register(&tports_type, NULL, &err));
    g_assert_no_error(err);
    BpBus *bus = bp_isa_bus_create(&err);
    g_assert_no_error(err);
    g_assert_cmpstr(bp_bus_name(bus), ==, "isa.0");

    BpDevice *a = tports_new(bus, "a", "0x3f8", "5", &err);
    g_assert_no_error(err);
    TPorts *ta = (TPorts *)a;
    g_assert_cmphex(bp_as_read(io(), 0x3fa, 2), ==, 0x0302);
    g_assert_cmpstr(probe_take(ta->probe), ==, "r1@2 r1@3");
    g_assert_true(ta->line == bp_isa_bus_irq(bus, 5));
    bp_irq_raise(ta->line);
    g_assert_true(bp_irq_level(bp_isa_bus_irq(bus, 5)));
    bp_irq_lower(ta->line);

    /* Overlap: refused, naming the holder. */
    g_assert_null(tports_new(bus, "b", "0x3fc", "4", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "0x3f8-0x3ff"));
    g_assert_nonnull(strstr(err->message, "'a'"));
    g_assert_nonnull(strstr(err->message, "t-ports"));
    g_clear_error(&err);
    g_assert_null(tports_new(bus, "c", "0x100", "16", &err));
    g_assert_nonnull(strstr(err->message, "out of range"));
    g_clear_error(&err);
    g_assert_null(tports_new(bus, "d", "0xfffc", "3", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* Gone with the device: the bus unmapped what a left behind. */
    bp_device_destroy(a);
    g_assert_cmphex(bp_as_read(io(), 0x3f8, 1), ==, 0xff);
    BpDevice *b = tports_new(bus, "b", "0x3fc", "4", &err);
    g_assert_no_error(err);
    TPorts *tb = (TPorts *)b;
    bp_isa_unmap_io(b, tb->io);
    tb->io = NULL;
    g_assert_cmphex(bp_as_read(io(), 0x3fc, 1), ==, 0xff);
    bp_device_destroy(b);
    bp_isa_bus_destroy(bus);
}

/* CPU pins: what the engine hears. */
typedef struct PinLog {
    GString *s;
} PinLog;

static void pin_intr(void *opaque, bool level)
{
    g_string_append_printf(((PinLog *)opaque)->s, "intr%d ", level);
}

static void pin_nmi(void *opaque)
{
    g_string_append(((PinLog *)opaque)->s, "nmi ");
}

static void pin_a20(void *opaque, bool on)
{
    g_string_append_printf(((PinLog *)opaque)->s, "a20=%d ", on);
}

static uint8_t pin_ack(void *opaque)
{
    return 0x08;
}

static bool msr_rd(void *opaque, uint32_t msr, uint64_t *val)
{
    *val = *(uint64_t *)opaque;
    return true;
}

static bool msr_wr(void *opaque, uint32_t msr, uint64_t val)
{
    *(uint64_t *)opaque = val;
    return true;
}

static void test_cpu_pins(void)
{
    PinLog l = { g_string_new(NULL) };
    BpCpuSink sink = { pin_intr, pin_nmi, pin_a20, &l };
    BpIrq *intr = bp_cpu_intr(0);
    bp_irq_raise(intr);                          /* before the CPU exists */
    bp_cpu_pins_attach(0, &sink);
    g_assert_cmpstr(l.s->str, ==, "a20=1 intr1 ");
    g_string_truncate(l.s, 0);
    bp_irq_lower(intr);
    bp_irq_pulse(bp_cpu_nmi(0));
    g_assert_cmpstr(l.s->str, ==, "intr0 nmi ");
    g_string_truncate(l.s, 0);

    /* A20: enabled while any input is high. */
    BpIrq *kbd = bp_cpu_a20_input("i8042");
    BpIrq *fast = bp_cpu_a20_input("port92");
    g_assert_cmpstr(l.s->str, ==, "a20=0 ");
    bp_irq_raise(kbd);
    bp_irq_raise(fast);
    bp_irq_lower(kbd);
    g_assert_cmpstr(l.s->str, ==, "a20=0 a20=1 ");
    g_assert_true(bp_cpu_pins_a20());
    bp_irq_lower(fast);
    g_assert_false(bp_cpu_pins_a20());

    g_assert_cmphex(bp_cpu_pins_intack(0), ==, 0xff);
    bp_cpu_set_intack(0, pin_ack, NULL);
    g_assert_cmphex(bp_cpu_pins_intack(0), ==, 0x08);

    uint64_t apic_base = 0xfee00900, v = 0;
    g_assert_false(bp_cpu_pins_msr_read(0, 0x1b, &v));
    bp_cpu_set_msr_handler(0, 0x1b, msr_rd, msr_wr, &apic_base);
    g_assert_true(bp_cpu_pins_msr_read(0, 0x1b, &v));
    g_assert_cmphex(v, ==, 0xfee00900);
    g_assert_true(bp_cpu_pins_msr_write(0, 0x1b, 0xfee00000));
    g_assert_cmphex(apic_base, ==, 0xfee00000);
    bp_cpu_set_msr_handler(0, 0x1b, NULL, NULL, NULL);
    g_assert_false(bp_cpu_pins_msr_write(0, 0x1b, 0));

    bp_machine_set_ram_size(64 << 20);
    g_assert_cmpuint(bp_machine_ram_size(), ==, 64 << 20);
    bp_cpu_pins_cleanup();
    g_string_free(l.s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/ram-little-endian", test_ram_little_endian);
    g_test_add_func("/memory/priorities", test_priorities);
    g_test_add_func("/memory/nested-containers", test_nested_containers);
    g_test_add_func("/memory/alias", test_alias);
    g_test_add_func("/memory/enable-move", test_enable_move);
    g_test_add_func("/memory/split-narrow", test_split_narrow);
    g_test_add_func("/memory/split-unaligned", test_split_unaligned);
    g_test_add_func("/memory/widen", test_widen);
    g_test_add_func("/memory/readonly-rom", test_readonly_and_rom);
    g_test_add_func("/memory/unassigned", test_unassigned);
    g_test_add_func("/memory/dma", test_dma);
    g_test_add_func("/memory/listeners", test_listeners);
    g_test_add_func("/memory/info-mtree", test_info_mtree);
    g_test_add_func("/memory/load-rom", test_load_rom);
    g_test_add_func("/memory/isa-bus", test_isa_bus);
    g_test_add_func("/cpu-pins/lines", test_cpu_pins);
    int ret = g_test_run();
    bp_memory_cleanup();
    return ret;
}
