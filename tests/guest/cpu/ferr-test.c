/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Legacy x87 error reporting (CR0.NE=0; Intel SDM vol. 1 8.7.3.2 and app.
 * D.2.1): an unmasked exception raises FERR# (X86Bus.ferr) and FNCLEX
 * lowers it; the next waiting x87 instruction (here FWAIT) freezes the CPU
 * until an interrupt comes -- the IRQ 13 handler runs before the frozen
 * instruction and its successor, and the frozen instruction then runs --
 * unless IGNNE# (x86_cpu_set_ignne) is high, when it runs in spite of the
 * pending exception. With CR0.NE=1 FERR# stays low (#MF instead).
 *
 * The environment plays the PC chipset as Intel recommends it (and as
 * modules/pci/piix3.c does): an OUT to port 0xF0 while FERR# is high
 * raises IGNNE#, FERR# going low lowers it. The guest is real-mode code in
 * the top page, its IRQ handler (vector 0x20) in RAM at 0:1000; each OUT
 * to port 0x80 stops the run so the test can look at the lines.
 */
#include <glib.h>
#include <string.h>
#include "cpu/x86/x86.h"

typedef struct Env {
    X86Cpu *cpu;
    uint8_t ram[1 << 16];
    uint8_t rom[4096];      /* at 0xfffff000 and 0xff000 */
    bool ferr, ignne;
    int ferr_changes;
    int intacks;
} Env;

static uint8_t *env_page_ptr(void *opaque, uint64_t paddr, bool write)
{
    Env *e = opaque;
    if (paddr < sizeof(e->ram)) {
        return e->ram + paddr;
    }
    if ((paddr == 0xfffff000ull || paddr == 0xff000) && !write) {
        return e->rom;              /* and its alias below 1 MiB */
    }
    return NULL;
}

static uint64_t env_mem_read(void *opaque, uint64_t paddr, unsigned size)
{
    return ~0ull;
}

static void env_mem_write(void *opaque, uint64_t paddr, uint64_t val, unsigned size)
{
}

static uint32_t env_io_read(void *opaque, uint16_t port, unsigned size)
{
    return 0xff;
}

static void env_set_ignne(Env *e, bool level)
{
    e->ignne = level;
    x86_cpu_set_ignne(e->cpu, level);
}

static void env_io_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    Env *e = opaque;
    if (port == 0xf0) {
        if (e->ferr) {
            env_set_ignne(e, true);
        }
        return;
    }
    x86_cpu_exit_request(e->cpu);
}

static uint8_t env_intack(void *opaque)
{
    Env *e = opaque;
    e->intacks++;
    x86_cpu_set_intr(e->cpu, false);
    return 0x20;
}

static int64_t env_clock(void *opaque)
{
    return 0;
}

static void env_shutdown(void *opaque, const char *why)
{
}

static void env_ferr(void *opaque, bool level)
{
    Env *e = opaque;
    e->ferr = level;
    e->ferr_changes++;
    if (!level) {
        env_set_ignne(e, false);
    }
}

/* at 0xff00 */
static const uint8_t code[] = {
    0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, /* xor ax, ax; mov ds, ax; mov ss, ax */
    0xbc, 0x00, 0x80, 0xfb,             /* mov sp, 0x8000; sti */
    0xdb, 0xe3,                         /* fninit */
    0xc7, 0x06, 0x00, 0x01, 0x7b, 0x03, /* mov word [0x100], 0x037b (ZE unmasked) */
    0xd9, 0x2e, 0x00, 0x01,             /* fldcw [0x100] */
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, /* fld1; fldz; fdivp: 1/0 */
    0xe6, 0x80,                         /* out 0x80, al: stop 1 */
    0x9b,                               /* 0xff1e: fwait: freezes */
    0xc6, 0x06, 0x01, 0x02, 0x01,       /* mov byte [0x201], 1 */
    0xe6, 0x80,                         /* stop 2 */
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, /* 1/0 again */
    0xe6, 0x80,                         /* stop 3 */
    0xd9, 0xe8,                         /* fld1: runs with IGNNE# high */
    0xc6, 0x06, 0x03, 0x02, 0x01,       /* mov byte [0x203], 1 */
    0xe6, 0x80,                         /* stop 4 */
    0xdb, 0xe2,                         /* fnclex */
    0xe6, 0x80,                         /* stop 5 */
    0x0f, 0x20, 0xc0, 0x0c, 0x20,       /* mov eax, cr0; or al, 0x20 (NE) */
    0x0f, 0x22, 0xc0,                   /* mov cr0, eax */
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, /* 1/0 again */
    0xe6, 0x80,                         /* stop 6 */
    0xf4,                               /* hlt */
};
#define FWAIT_IP 0xff1e

/* IRQ handler at 0:1000 */
static const uint8_t handler[] = {
    0xfe, 0x06, 0x00, 0x02,             /* inc byte [0x200]: handler count */
    0xa0, 0x01, 0x02, 0xa2, 0x02, 0x02, /* [0x202] = [0x201]: successor ran? */
    0xe6, 0xf0,                         /* out 0xf0, al: IRQ 13 off, IGNNE# on */
    0xd9, 0xe8, 0xdd, 0xd8,             /* fld1; fstp st0: needs IGNNE# */
    0xdb, 0xe2,                         /* fnclex: FERR# and IGNNE# off */
    0xcf,                               /* iret: back to the FWAIT */
};

static X86Exit run(Env *e)
{
    uint64_t n;
    return x86_cpu_run(e->cpu, 10000, &n);
}

static uint32_t eip(Env *e)
{
    uint8_t b[4];
    g_assert_cmpuint(x86_cpu_gdb_read_reg(e->cpu, 8, b), ==, 4);
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void test_ferr(void)
{
    Env *e = g_new0(Env, 1);
    memcpy(e->rom + 0xf00, code, sizeof(code));
    e->rom[0xff0] = 0xe9;               /* jmp near 0xff00 (rom + 0xf00) */
    e->rom[0xff1] = 0x0d;
    e->rom[0xff2] = 0xff;
    memcpy(e->ram + 0x1000, handler, sizeof(handler));
    e->ram[0x80] = 0x00;                /* IVT[0x20] = 0000:1000 */
    e->ram[0x81] = 0x10;
    X86Bus bus = {
        .opaque = e, .page_ptr = env_page_ptr, .mem_read = env_mem_read,
        .mem_write = env_mem_write, .io_read = env_io_read, .io_write = env_io_write,
        .intack = env_intack, .clock_ns = env_clock, .shutdown = env_shutdown,
        .ferr = env_ferr,
    };
    e->cpu = x86_cpu_new(X86_MODEL_PENTIUM2, &bus);
    x86_cpu_reset(e->cpu);

    g_assert_cmpint(run(e), ==, X86_EXIT_REQUEST);          /* stop 1 */
    g_assert_true(e->ferr);             /* unmasked ZE, CR0.NE=0 */
    g_assert_cmpint(e->ferr_changes, ==, 1);

    /* FWAIT freezes: no #MF, no progress while no interrupt comes */
    g_assert_cmpint(run(e), ==, X86_EXIT_HALTED);
    g_assert_cmphex(eip(e), ==, FWAIT_IP);
    g_assert_cmpint(run(e), ==, X86_EXIT_HALTED);
    g_assert_cmphex(eip(e), ==, FWAIT_IP);
    g_assert_cmpint(e->ram[0x200], ==, 0);
    g_assert_cmpint(e->ram[0x201], ==, 0);

    /* IRQ 13 (as the chipset routes FERR#): the handler runs, then the
     * FWAIT (now with nothing pending) and its successor */
    x86_cpu_set_intr(e->cpu, true);
    g_assert_cmpint(run(e), ==, X86_EXIT_REQUEST);          /* stop 2 */
    g_assert_cmpint(e->intacks, ==, 1);
    g_assert_cmpint(e->ram[0x200], ==, 1);   /* the handler ran once, */
    g_assert_cmpint(e->ram[0x202], ==, 0);   /* before the successor */
    g_assert_cmpint(e->ram[0x201], ==, 1);
    g_assert_false(e->ferr);
    g_assert_false(e->ignne);
    g_assert_cmpint(e->ferr_changes, ==, 2);

    /* IGNNE# high: a waiting instruction runs despite the exception */
    g_assert_cmpint(run(e), ==, X86_EXIT_REQUEST);          /* stop 3 */
    g_assert_true(e->ferr);
    env_set_ignne(e, true);
    g_assert_cmpint(run(e), ==, X86_EXIT_REQUEST);          /* stop 4 */
    g_assert_cmpint(e->ram[0x203], ==, 1);
    g_assert_cmpint(e->ram[0x200], ==, 1);   /* no interrupt needed */
    g_assert_true(e->ferr);                  /* still pending */
    g_assert_cmpint(run(e), ==, X86_EXIT_REQUEST);          /* stop 5 */
    g_assert_false(e->ferr);                 /* FNCLEX */
    g_assert_false(e->ignne);

    g_assert_cmpint(run(e), ==, X86_EXIT_REQUEST);          /* stop 6 */
    g_assert_false(e->ferr);            /* CR0.NE=1: #MF is the path */
    g_assert_cmpint(e->ferr_changes, ==, 4);
    x86_cpu_free(e->cpu);
    g_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/fpu/ferr-freeze-ignne", test_ferr);
    return g_test_run();
}
