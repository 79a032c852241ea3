/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deterministic device fuzzing: a guest that programs a device wrongly must
 * never crash or corrupt the emulator. Each case starts a machine with
 * -accel qtest (devices, no CPU) and throws bursts of random port, MMIO,
 * PCI configuration and fw_cfg (selector and DMA) accesses at it, stepping
 * the virtual clock between bursts; after every burst the process must
 * still answer (RAM written and read back, the I/O APIC version register,
 * QMP query-status). At the end it must exit cleanly on SIGTERM and its
 * stderr must hold no sanitizer report (build with --enable-sanitizers).
 *
 * BP_FUZZ_SEED=N picks the seed (printed in the TAP output),
 * BP_FUZZ_ITERATIONS=N the accesses per case (default 8000 per case).
 * The regression cases at the end replay the accesses that once broke a
 * device.
 */
#include "bptest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SEED 0x5eedf00dcafe1234ull
#define DEFAULT_ITERATIONS 8000
#define BURST 200
#define RAM_CHECK 0x1f0000      /* in RAM with -m 2M too */
#define DEBUG_EXIT_PORT 0x501

static uint64_t fuzz_seed;
static unsigned fuzz_iterations;
static char *child_err_path;

/* xorshift64*: the same sequence on every host. */
typedef struct {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

static uint32_t rng_below(Rng *r, uint32_t n)
{
    return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static void rng_init(Rng *r, const char *salt)
{
    r->s = fuzz_seed ^ g_str_hash(salt) * 0x9e3779b97f4a7c15ull;
    if (!r->s) {
        r->s = 1;
    }
    for (int i = 0; i < 8; i++) {
        rng_next(r);
    }
}

/* Values that tend to find edges more often than uniform ones do. */
static uint32_t rng_value(Rng *r)
{
    static const uint32_t special[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
        0x10000, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu,
    };
    switch (rng_below(r, 4)) {
    case 0:
        return special[rng_below(r, G_N_ELEMENTS(special))];
    case 1:
        return rng_below(r, 256);
    default:
        return (uint32_t)rng_next(r);
    }
}

typedef struct {
    uint64_t start, end;   /* inclusive */
} Range;

typedef struct {
    BpTest *t;
    Rng rng;
    GArray *io;            /* Range: mapped port ranges */
    GArray *mmio;          /* Range: mapped i/o memory ranges */
    bool pci;              /* 0xcf8/0xcfc present */
    bool fwcfg;
    bool ioapic;
    uint32_t ram_token;
} Fuzz;

/* ---- the child's stderr ------------------------------------------------ */

static void dump_child_stderr(void)
{
    g_autofree char *err = NULL;

    if (child_err_path && g_file_get_contents(child_err_path, &err, NULL, NULL) && *err) {
        fprintf(stderr, "---- backplane stderr ----\n%s---- end ----\n", err);
    }
}

/* A transport error (the child died) ends the test through g_error: show
 * what the child said first. */
static void fatal_log_handler(const gchar *domain, GLogLevelFlags level,
                              const gchar *message, gpointer data)
{
    dump_child_stderr();
    g_log_default_handler(domain, level, message, data);
}

/* Start backplane with its stderr in a file of its own. */
static BpTest *fuzz_start(const char *args)
{
    int saved = dup(STDERR_FILENO);
    int fd;
    BpTest *t;

    g_free(child_err_path);
    child_err_path = bp_test_path("child-stderr.txt");
    fd = open(child_err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(saved, >=, 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    close(fd);
    g_autoptr(GError) err = NULL;
    t = bp_test_try_start(&err, "%s", args);
    dup2(saved, STDERR_FILENO);
    close(saved);
    if (!t) {
        dump_child_stderr();
        g_error("cannot start backplane %s: %s", args, err->message);
    }
    return t;
}

static void assert_no_sanitizer_report(void)
{
    g_autofree char *err = NULL;

    g_assert_true(g_file_get_contents(child_err_path, &err, NULL, NULL));
    if (strstr(err, "runtime error:") || strstr(err, "Sanitizer") ||
        strstr(err, "CRITICAL") || strstr(err, "WARNING **")) {
        dump_child_stderr();
        g_test_fail();
        g_test_message("backplane printed a sanitizer report or a warning");
    }
}

static void fuzz_finish(Fuzz *f)
{
    int st = bp_test_quit(f->t);

    if (st != 0) {
        dump_child_stderr();
    }
    g_assert_cmpint(st, ==, 0);
    assert_no_sanitizer_report();
    bp_test_free(f->t);
    g_array_free(f->io, TRUE);
    g_array_free(f->mmio, TRUE);
}

/* ---- the machine's map ------------------------------------------------- */

static void parse_mtree(Fuzz *f)
{
    g_autofree char *mtree = bp_test_hmp(f->t, "info mtree");
    g_auto(GStrv) lines = g_strsplit(mtree, "\n", -1);
    GArray *cur = NULL;

    for (int i = 0; lines[i]; i++) {
        const char *l = lines[i];
        unsigned long long a, b;
        char kind[32];

        if (g_str_has_prefix(l, "address-space: memory")) {
            cur = f->mmio;
            continue;
        }
        if (g_str_has_prefix(l, "address-space: I/O")) {
            cur = f->io;
            continue;
        }
        if (g_str_has_prefix(l, "address-space:")) {
            cur = NULL;
            continue;
        }
        if (!cur || sscanf(l, " %llx-%llx (prio %*d, %31[^)])", &a, &b, kind) != 3) {
            continue;
        }
        if (strcmp(kind, "i/o") != 0) {
            continue;
        }
        Range r = { a, b };
        g_array_append_val(cur, r);
        if (cur == f->io && a == 0xcf8) {
            f->pci = true;
        }
        if (cur == f->io && a == 0x510) {
            f->fwcfg = true;
        }
        if (cur == f->mmio && a == 0xfec00000) {
            f->ioapic = true;
        }
    }
}

static void fuzz_init(Fuzz *f, const char *salt, const char *args)
{
    memset(f, 0, sizeof(*f));
    rng_init(&f->rng, salt);
    f->io = g_array_new(FALSE, FALSE, sizeof(Range));
    f->mmio = g_array_new(FALSE, FALSE, sizeof(Range));
    g_test_message("fuzz %s: seed 0x%" G_GINT64_MODIFIER "x, %u iterations, args: %s",
                   salt, fuzz_seed, fuzz_iterations, args);
    f->t = fuzz_start(args);
    parse_mtree(f);
    g_test_message("%u port ranges, %u MMIO ranges", f->io->len, f->mmio->len);
}

/* ---- liveness ------------------------------------------------------------ */

static void fuzz_check_alive(Fuzz *f)
{
    uint32_t tok = (uint32_t)rng_next(&f->rng) | 1;

    bp_test_writel(f->t, RAM_CHECK, tok);
    g_assert_cmphex(bp_test_readl(f->t, RAM_CHECK), ==, tok);
    if (f->ioapic) {
        /* IOREGSEL 1: the version register is read-only. */
        bp_test_writel(f->t, 0xfec00000, 1);
        g_assert_cmphex(bp_test_readl(f->t, 0xfec00010) & 0xff, ==, 0x11);
    }
    g_autoptr(JsonNode) r = bp_test_qmp(f->t, "{'execute': 'query-status'}");
    bp_test_qmp_assert_ok(r);
}

static void fuzz_clock(Fuzz *f)
{
    /* Mostly short steps, sometimes up to 50 ms of virtual time, rarely up
     * to 5 s. */
    int64_t ns = rng_below(&f->rng, 4) ? rng_below(&f->rng, 100000) + 1
                                       : rng_below(&f->rng, 50000000) + 1;

    /* Rarely a long one, for counters that wrap (PM timer, RTC). */
    if (!rng_below(&f->rng, 64)) {
        ns = (int64_t)rng_below(&f->rng, 5000) * 1000000;
    }
    bp_test_clock_step(f->t, ns);
}

/* ---- accessors -------------------------------------------------------------- */

static unsigned rng_size(Rng *r)
{
    static const unsigned sizes[] = { 1, 2, 4 };
    return sizes[rng_below(r, 3)];
}

static void port_access(Fuzz *f, uint16_t port, unsigned size, bool write, uint32_t v)
{
    /* isa-debug-exit ends the process by design. */
    if (port <= DEBUG_EXIT_PORT && port + size > DEBUG_EXIT_PORT) {
        return;
    }
    if (write) {
        switch (size) {
        case 1: bp_test_outb(f->t, port, v); break;
        case 2: bp_test_outw(f->t, port, v); break;
        default: bp_test_outl(f->t, port, v); break;
        }
    } else {
        switch (size) {
        case 1: bp_test_inb(f->t, port); break;
        case 2: bp_test_inw(f->t, port); break;
        default: bp_test_inl(f->t, port); break;
        }
    }
}

static void mem_access(Fuzz *f, uint64_t addr, unsigned size, bool write, uint64_t v)
{
    if (write) {
        switch (size) {
        case 1: bp_test_writeb(f->t, addr, v); break;
        case 2: bp_test_writew(f->t, addr, v); break;
        case 4: bp_test_writel(f->t, addr, v); break;
        default: bp_test_writeq(f->t, addr, v); break;
        }
    } else {
        switch (size) {
        case 1: bp_test_readb(f->t, addr); break;
        case 2: bp_test_readw(f->t, addr); break;
        case 4: bp_test_readl(f->t, addr); break;
        default: bp_test_readq(f->t, addr); break;
        }
    }
}

static uint32_t pci_addr(unsigned bus, unsigned devfn, unsigned off)
{
    return 0x80000000u | bus << 16 | devfn << 8 | (off & 0xfc);
}

static uint32_t pci_read(BpTest *t, unsigned devfn, unsigned off, unsigned size)
{
    bp_test_outl(t, 0xcf8, pci_addr(0, devfn, off));
    switch (size) {
    case 1: return bp_test_inb(t, 0xcfc + (off & 3));
    case 2: return bp_test_inw(t, 0xcfc + (off & 2));
    default: return bp_test_inl(t, 0xcfc);
    }
}

static void pci_write(BpTest *t, unsigned devfn, unsigned off, unsigned size, uint32_t v)
{
    bp_test_outl(t, 0xcf8, pci_addr(0, devfn, off));
    switch (size) {
    case 1: bp_test_outb(t, 0xcfc + (off & 3), v); break;
    case 2: bp_test_outw(t, 0xcfc + (off & 2), v); break;
    default: bp_test_outl(t, 0xcfc, v); break;
    }
}

/* ---- the fuzzers ---------------------------------------------------------- */

static void fuzz_one_port(Fuzz *f)
{
    Rng *r = &f->rng;
    uint16_t port;

    if (f->io->len && rng_below(r, 5)) {
        Range *rg = &g_array_index(f->io, Range, rng_below(r, f->io->len));
        /* In the range, or just around its edges. */
        port = rg->start + rng_below(r, rg->end - rg->start + 4) - (rng_below(r, 8) ? 0 : 2);
    } else {
        port = rng_below(r, 0x10000);
    }
    port_access(f, port, rng_size(r), rng_below(r, 2), rng_value(r));
}

/* Index/data devices need several accesses in a row to reach their
 * deeper state (PIC ICWs, PIT control word then count, RTC index then
 * data, UART with DLAB, i8042 command then parameter): a short run of
 * accesses inside one mapped range, writes mostly. */
static void fuzz_one_seq(Fuzz *f)
{
    Rng *r = &f->rng;
    Range *rg;

    if (!f->io->len) {
        fuzz_one_port(f);
        return;
    }
    rg = &g_array_index(f->io, Range, rng_below(r, f->io->len));
    for (unsigned n = 2 + rng_below(r, 6); n; n--) {
        uint16_t port = rg->start + rng_below(r, rg->end - rg->start + 1);
        port_access(f, port, rng_below(r, 4) ? 1 : rng_size(r), rng_below(r, 3) != 0,
                    rng_value(r));
    }
}

/* Interrupt delivery: the I/O APIC's registers through IOREGSEL/IOWIN,
 * the local APIC's 16-byte aligned registers (ICR included), and the ISA
 * lines going up and down so the PIC, I/O APIC and LAPIC pass requests
 * on with whatever state they hold. */
static void fuzz_one_irq(Fuzz *f)
{
    Rng *r = &f->rng;

    switch (rng_below(r, 4)) {
    case 0:
        bp_test_writel(f->t, 0xfec00000, rng_below(r, 4) ? rng_below(r, 0x40) : rng_value(r));
        if (rng_below(r, 3)) {
            bp_test_writel(f->t, 0xfec00010, rng_value(r));
        } else {
            bp_test_readl(f->t, 0xfec00010);
        }
        break;
    case 1:
        mem_access(f, 0xfee00000 + (rng_below(r, 0x40) << 4), 4, rng_below(r, 3) != 0,
                   rng_value(r));
        break;
    case 2:
        if (f->io->len) {
            fuzz_one_seq(f);   /* the PICs among others */
            break;
        }
        /* fall through */
    default:
        bp_test_set_irq_in(f->t, "isa.0", "irq", rng_below(r, 16), rng_below(r, 2));
        break;
    }
}

static void fuzz_one_mmio(Fuzz *f)
{
    Rng *r = &f->rng;
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    unsigned size = sizes[rng_below(r, 4)];
    uint64_t addr;

    switch (rng_below(r, 6)) {
    case 0:
        addr = 0xfec00000 + rng_below(r, 0x1000);
        break;
    case 1:
        addr = 0xfee00000 + rng_below(r, 0x1000);
        break;
    case 2:
        addr = 0xa0000 + rng_below(r, 0x60000);
        break;
    case 3:
        if (f->mmio->len) {
            Range *rg = &g_array_index(f->mmio, Range, rng_below(r, f->mmio->len));
            addr = rg->start + rng_next(r) % (rg->end - rg->start + 1);
            break;
        }
        /* fall through */
    case 4:
        addr = 0xff000000 + rng_below(r, 0x10000);
        break;
    default:
        addr = rng_below(r, 2) ? (uint32_t)rng_next(r) : rng_next(r);
        break;
    }
    /* Keep the IOAPIC index off its version check only for that check. */
    mem_access(f, addr, size, rng_below(r, 2), rng_next(r));
}

static const unsigned bar_offsets[] = { 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30 };

static void fuzz_one_pci(Fuzz *f)
{
    Rng *r = &f->rng;
    unsigned devfn, off;

    /* Devices that exist more often than not. */
    devfn = rng_below(r, 3) ? rng_below(r, 16) : rng_below(r, 256);
    switch (rng_below(r, 8)) {
    case 0: {
        /* BAR sizing: all ones, read back, restore. */
        off = bar_offsets[rng_below(r, G_N_ELEMENTS(bar_offsets))];
        uint32_t old = pci_read(f->t, devfn, off, 4);
        pci_write(f->t, devfn, off, 4, 0xffffffff);
        pci_read(f->t, devfn, off, 4);
        pci_write(f->t, devfn, off, 4, rng_below(r, 2) ? old : rng_value(r));
        return;
    }
    case 1:
        /* PAM (0x59-0x5f) and SMRAM (0x72) of the host bridge, then a look
         * at the shadowed area. */
        off = rng_below(r, 4) ? 0x59 + rng_below(r, 7) : 0x72;
        pci_write(f->t, 0, off, 1, rng_value(r));
        mem_access(f, 0xa0000 + rng_below(r, 0x60000), rng_size(r), rng_below(r, 2),
                   rng_next(r));
        return;
    case 2: {
        /* A raw 0xcf8 value, any bus, any enable bit, then any data port. */
        uint32_t a = rng_value(r);
        bp_test_outl(f->t, 0xcf8, a);
        port_access(f, 0xcfc + rng_below(r, 4), rng_size(r), rng_below(r, 2), rng_value(r));
        return;
    }
    case 3:
        /* Sub-dword accesses to 0xcf8..0xcfb. */
        port_access(f, 0xcf8 + rng_below(r, 4), rng_size(r), rng_below(r, 2), rng_value(r));
        return;
    default: {
        unsigned size = rng_size(r);
        off = rng_below(r, 256) & ~(size - 1);
        if (rng_below(r, 2)) {
            pci_write(f->t, devfn, off, size, rng_value(r));
        } else {
            pci_read(f->t, devfn, off, size);
        }
        return;
    }
    }
}

static void fuzz_one_fwcfg(Fuzz *f)
{
    Rng *r = &f->rng;

    switch (rng_below(r, 4)) {
    case 0: {
        /* Selector walk: a key (known ones, files, any), then a few reads. */
        uint16_t key = rng_below(r, 3) ? rng_below(r, 0x40) : rng_below(r, 2) ?
                       0x20 + rng_below(r, 0x40) : rng_below(r, 0x10000);
        if (rng_below(r, 2)) {
            key |= 0x4000 | 0x8000 * rng_below(r, 2);
        }
        bp_test_outw(f->t, 0x510, key);
        for (unsigned n = rng_below(r, 40); n; n--) {
            port_access(f, 0x511, rng_size(r), false, 0);
        }
        return;
    }
    case 1:
        port_access(f, 0x510 + rng_below(r, 2), rng_size(r), rng_below(r, 2), rng_value(r));
        return;
    default: {
        /* A DMA descriptor somewhere in RAM (or not), pointing anywhere. */
        uint64_t desc;
        uint32_t control, len;
        uint64_t addr;
        uint8_t d[16];

        switch (rng_below(r, 4)) {
        case 0: desc = rng_next(r); break;
        case 1: desc = 0x8000000 - rng_below(r, 32); break;   /* end of 128M RAM */
        default: desc = 0x300000 + rng_below(r, 0x10000); break;
        }
        control = rng_below(r, 2) ? rng_value(r)
                                  : (uint32_t)rng_below(r, 0x40) << 16 | (rng_below(r, 31) & 0x1e);
        switch (rng_below(r, 4)) {
        case 0: len = rng_value(r); break;
        case 1: len = 0xffffffff - rng_below(r, 16); break;
        default: len = rng_below(r, 0x2000); break;
        }
        switch (rng_below(r, 5)) {
        case 0: addr = rng_next(r); break;
        case 1: addr = desc + rng_below(r, 32) - 16; break;   /* over itself */
        case 2: addr = 0x8000000 - rng_below(r, 0x1000); break;
        case 3: addr = 0xfec00000 + rng_below(r, 0x2000); break;
        default: addr = 0x300000 + rng_below(r, 0x20000); break;
        }
        for (int i = 0; i < 4; i++) {
            d[i] = control >> (24 - 8 * i);
            d[4 + i] = len >> (24 - 8 * i);
        }
        for (int i = 0; i < 8; i++) {
            d[8 + i] = addr >> (56 - 8 * i);
        }
        if (desc < 0x8000000 - 16) {
            bp_test_memwrite(f->t, desc, d, sizeof(d));
        }
        if (rng_below(r, 8)) {
            /* Big-endian address halves: high at 0x514, low at 0x518. */
            bp_test_outl(f->t, 0x514, GUINT32_TO_BE(desc >> 32));
            bp_test_outl(f->t, 0x518, GUINT32_TO_BE((uint32_t)desc));
        } else {
            port_access(f, 0x514 + rng_below(r, 8), rng_size(r), true, rng_value(r));
        }
        return;
    }
    }
}

typedef void (*FuzzOne)(Fuzz *f);

/* Between bursts, now and then: a machine reset (every device's reset
 * from whatever state the burst left) or a stop/cont. */
static void fuzz_run_control(Fuzz *f)
{
    switch (rng_below(&f->rng, 16)) {
    case 0: {
        g_autoptr(JsonNode) r = bp_test_qmp(f->t, "{'execute': 'system_reset'}");
        bp_test_qmp_assert_ok(r);
        break;
    }
    case 1: {
        g_autoptr(JsonNode) r1 = bp_test_qmp(f->t, "{'execute': 'stop'}");
        fuzz_clock(f);
        g_autoptr(JsonNode) r2 = bp_test_qmp(f->t, "{'execute': 'cont'}");
        bp_test_qmp_assert_ok(r1);
        bp_test_qmp_assert_ok(r2);
        break;
    }
    default:
        break;
    }
}

static void fuzz_run(Fuzz *f, FuzzOne one)
{
    for (unsigned i = 0; i < fuzz_iterations; i++) {
        one(f);
        if (i % BURST == BURST - 1) {
            fuzz_clock(f);
            fuzz_run_control(f);
            fuzz_check_alive(f);
        }
    }
    fuzz_check_alive(f);
}

static void fuzz_mix(Fuzz *f)
{
    switch (rng_below(&f->rng, 6)) {
    case 0: fuzz_one_port(f); break;
    case 4: fuzz_one_seq(f); break;
    case 5:
        if (f->ioapic) {
            fuzz_one_irq(f);
        } else {
            fuzz_one_seq(f);
        }
        break;
    case 1: fuzz_one_mmio(f); break;
    case 2:
        if (f->pci) {
            fuzz_one_pci(f);
        } else {
            fuzz_one_port(f);
        }
        break;
    default:
        if (f->fwcfg) {
            fuzz_one_fwcfg(f);
        } else {
            fuzz_one_mmio(f);
        }
        break;
    }
}

/* ---- cases ------------------------------------------------------------------ */

#define PC_ARGS "-M pc -no-shutdown"

static void run_case(const char *salt, const char *args, FuzzOne one)
{
    Fuzz f;

    fuzz_init(&f, salt, args);
    fuzz_run(&f, one);
    fuzz_finish(&f);
}

static void test_pc_ports(void)
{
    run_case("pc-ports", PC_ARGS, fuzz_one_port);
}

static void test_pc_sequences(void)
{
    run_case("pc-seq", PC_ARGS, fuzz_one_seq);
}

static void test_pc_interrupts(void)
{
    run_case("pc-irq", PC_ARGS, fuzz_one_irq);
}

static void test_pc_mmio(void)
{
    run_case("pc-mmio", PC_ARGS " -device pc-testdev", fuzz_one_mmio);
}

static void test_pc_pci(void)
{
    run_case("pc-pci", PC_ARGS, fuzz_one_pci);
}

static void test_pc_fwcfg(void)
{
    run_case("pc-fwcfg", PC_ARGS, fuzz_one_fwcfg);
}

static void test_pc_mix(void)
{
    run_case("pc-mix", PC_ARGS " -device pc-testdev", fuzz_mix);
}

/* More of the ISA devices (COM2-4, LPT2, debugcon: pc-testdev's ports
 * 0xe8-0xeb would conflict with it) and the least RAM
 * the i440fx takes (so DMA and PAM run off its end soon). */
static void test_pc_extra(void)
{
    run_case("pc-extra", "-M pc -no-shutdown -m 2M -device isa-serial,index=1 "
             "-device isa-serial,index=2 -device isa-serial,index=3 "
             "-device isa-parallel,index=1 -chardev null,id=dc "
             "-device isa-debugcon,chardev=dc", fuzz_mix);
}

static void test_pc_nodefaults(void)
{
    run_case("pc-nodefaults", PC_ARGS " -nodefaults", fuzz_mix);
}

/* The PM I/O space of piix4-pm: enable it at a random base now and then. */
static void fuzz_one_pm(Fuzz *f)
{
    Rng *r = &f->rng;
    /* piix4-pm is 00:01.3 on the pc machine. */
    const unsigned pm = 1 << 3 | 3;

    if (!rng_below(r, 50)) {
        uint32_t base = rng_below(r, 4) ? 0xb000 : (rng_below(r, 0x10000) & ~0x3fu);
        if (base <= 0xcff && base + 0x40 > 0xcf8) {
            base = 0xb000;   /* keep the configuration ports reachable */
        }
        pci_write(f->t, pm, 0x40, 4, base | 1);
        pci_write(f->t, pm, 0x80, 1, rng_below(r, 4) ? 1 : rng_value(r));
        pci_write(f->t, pm, 0x04, 2, rng_value(r) | 1);
        return;
    }
    if (rng_below(r, 4)) {
        uint16_t port = 0xb000 + rng_below(r, 0x40);
        port_access(f, port, rng_size(r), rng_below(r, 2), rng_value(r));
    } else {
        fuzz_one_pci(f);
    }
}

static void test_pc_pm(void)
{
    run_case("pc-pm", PC_ARGS, fuzz_one_pm);
}

/* Each ISA device alone on an empty machine (RAM, the I/O space). */
static void test_none_device(gconstpointer data)
{
    const char *dev = data;
    g_autofree char *args = g_strdup_printf("-M none -nodefaults -m 128M -device %s", dev);
    g_autofree char *salt = g_strdup_printf("none-%.*s", (int)strcspn(dev, ","), dev);

    run_case(salt, args, fuzz_mix);
}

/* ---- regressions ------------------------------------------------------------ */

/* i440fx pci-hole-low (0xa0000-0xdffff) read as 8 bytes: all ones, not a
 * shift by 64 (UBSan) that gave 0. */
static void test_regress_hole_readq(void)
{
    BpTest *t = fuzz_start(PC_ARGS);

    g_assert_cmphex(bp_test_readq(t, 0xa0000), ==, UINT64_MAX);
    g_assert_cmphex(bp_test_readq(t, 0xdfff8), ==, UINT64_MAX);
    g_assert_cmphex(bp_test_readl(t, 0xa0004), ==, UINT32_MAX);
    g_assert_cmpint(bp_test_quit(t), ==, 0);
    assert_no_sanitizer_report();
    bp_test_free(t);
}

static void fw_cfg_dma(BpTest *t, uint64_t desc, uint32_t control, uint32_t len, uint64_t addr)
{
    uint8_t d[16];

    for (int i = 0; i < 4; i++) {
        d[i] = control >> (24 - 8 * i);
        d[4 + i] = len >> (24 - 8 * i);
    }
    for (int i = 0; i < 8; i++) {
        d[8 + i] = addr >> (56 - 8 * i);
    }
    bp_test_memwrite(t, desc, d, sizeof(d));
    bp_test_outl(t, 0x514, GUINT32_TO_BE(desc >> 32));
    bp_test_outl(t, 0x518, GUINT32_TO_BE((uint32_t)desc));
}

/* fw_cfg DMA read of 4 GiB - 1 (the guest's length): the item's bytes, then
 * zeros up to the end of RAM, then the error status; the emulator must not
 * allocate a buffer of the guest's length (it did: g_malloc0(len)). */
static void test_regress_fwcfg_dma_huge(void)
{
    BpTest *t = fuzz_start(PC_ARGS);
    const uint64_t dst = 0x8000000 - 0x100;   /* the last 256 bytes of RAM */
    uint8_t buf[0x100];

    bp_test_memset(t, dst, 0xaa, sizeof(buf));
    /* Select the signature (key 0, "QEMU") and read it. */
    fw_cfg_dma(t, 0x1000, 0x0000u << 16 | 0x08 | 0x02, 0xffffffffu, dst);
    bp_test_memread(t, dst, buf, sizeof(buf));
    g_assert_cmpmem(buf, 4, "QEMU", 4);
    for (size_t i = 4; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0);
    }
    /* Control word: the error bit, as the transfer ran off RAM. */
    g_assert_cmphex(bp_test_readl(t, 0x1000), ==, GUINT32_TO_BE(1));
    /* A huge read past the end of the item, to RAM at 1 MiB: zeros only
     * until the memory ends. */
    bp_test_memset(t, 0x100000, 0xaa, 16);
    fw_cfg_dma(t, 0x1000, 0x0000u << 16 | 0x08 | 0x04, 0x100, 0);   /* select, skip it all */
    fw_cfg_dma(t, 0x1000, 0x02, 0xfffffff0u, 0x100000);
    g_assert_cmphex(bp_test_readq(t, 0x100000), ==, 0);
    g_assert_cmphex(bp_test_readl(t, 0x1000), ==, GUINT32_TO_BE(1));
    g_assert_cmpint(bp_test_quit(t), ==, 0);
    assert_no_sanitizer_report();
    bp_test_free(t);
}

int main(int argc, char **argv)
{
    static const char *const devices[] = {
        "isa-pic", "isa-pit", "mc146818rtc", "isa-serial", "isa-parallel", "i8042",
        "port92", "pc-testdev", "fw-cfg", "ioapic", "apic", "isa-debugcon,chardev=c0 -chardev null,id=c0",
    };
    const char *s;

    g_test_init(&argc, &argv, NULL);
    /* A GLib critical in backplane (a failed g_return_if_fail a guest
     * reached) ends it, as under make check. */
    g_setenv("G_DEBUG", "fatal-criticals", FALSE);
    g_log_set_handler(NULL, G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                      fatal_log_handler, NULL);
    s = g_getenv("BP_FUZZ_SEED");
    fuzz_seed = s ? g_ascii_strtoull(s, NULL, 0) : DEFAULT_SEED;
    s = g_getenv("BP_FUZZ_ITERATIONS");
    fuzz_iterations = s ? (unsigned)g_ascii_strtoull(s, NULL, 0) : DEFAULT_ITERATIONS;

    g_test_add_func("/fuzz/regress/i440fx-hole-readq", test_regress_hole_readq);
    g_test_add_func("/fuzz/regress/fw-cfg-dma-huge", test_regress_fwcfg_dma_huge);
    g_test_add_func("/fuzz/pc/ports", test_pc_ports);
    g_test_add_func("/fuzz/pc/sequences", test_pc_sequences);
    g_test_add_func("/fuzz/pc/interrupts", test_pc_interrupts);
    g_test_add_func("/fuzz/pc/mmio", test_pc_mmio);
    g_test_add_func("/fuzz/pc/pci", test_pc_pci);
    g_test_add_func("/fuzz/pc/fw-cfg", test_pc_fwcfg);
    g_test_add_func("/fuzz/pc/pm", test_pc_pm);
    g_test_add_func("/fuzz/pc/mix", test_pc_mix);
    g_test_add_func("/fuzz/pc/extra", test_pc_extra);
    g_test_add_func("/fuzz/pc-nodefaults/mix", test_pc_nodefaults);
    for (size_t i = 0; i < G_N_ELEMENTS(devices); i++) {
        g_autofree char *name = g_strndup(devices[i], strcspn(devices[i], ","));
        g_autofree char *path = g_strdup_printf("/fuzz/none/%s", name);
        g_test_add_data_func(path, devices[i], test_none_device);
    }
    return g_test_run();
}
