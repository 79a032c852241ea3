/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FERR# output of the x87 (X86Bus.ferr): with CR0.NE=0 an unmasked
 * exception raises it and FNCLEX lowers it (the legacy IRQ 13 path); with
 * CR0.NE=1 it stays low (#MF instead). The guest is real-mode code in the
 * top page; each OUT stops the run so the test can look at the line.
 */
#include <glib.h>
#include <string.h>
#include "cpu/x86/x86.h"

typedef struct Env {
    X86Cpu *cpu;
    uint8_t ram[1 << 16];
    uint8_t rom[4096];      /* at 0xfffff000 */
    bool ferr;
    int ferr_changes;
} Env;

static uint8_t *env_page_ptr(void *opaque, uint64_t paddr, bool write)
{
    Env *e = opaque;
    if (paddr < sizeof(e->ram)) {
        return e->ram + paddr;
    }
    if (paddr == 0xfffff000ull && !write) {
        return e->rom;
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

static void env_io_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    Env *e = opaque;
    x86_cpu_exit_request(e->cpu);
}

static uint8_t env_intack(void *opaque)
{
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
}

static const uint8_t code[] = {
    0xdb, 0xe3,                         /* fninit */
    0xc7, 0x06, 0x00, 0x01, 0x7b, 0x03, /* mov word [0x100], 0x037b (ZE unmasked) */
    0xd9, 0x2e, 0x00, 0x01,             /* fldcw [0x100] */
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, /* fld1; fldz; fdivp: 1/0 */
    0xe6, 0x80,                         /* out 0x80, al: stop 1 */
    0x9b,                               /* fwait: no #MF with NE=0 */
    0xe6, 0x80,                         /* stop 2 */
    0xdb, 0xe2,                         /* fnclex */
    0xe6, 0x80,                         /* stop 3 */
    0x0f, 0x20, 0xc0, 0x0c, 0x20,       /* mov eax, cr0; or al, 0x20 (NE) */
    0x0f, 0x22, 0xc0,                   /* mov cr0, eax */
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, /* 1/0 again */
    0xe6, 0x80,                         /* stop 4 */
    0xf4,                               /* hlt */
};

static void run_to_stop(Env *e)
{
    uint64_t n;
    X86Exit r = x86_cpu_run(e->cpu, 10000, &n);
    g_assert_cmpint(r, ==, X86_EXIT_REQUEST);
}

static void test_ferr(void)
{
    Env *e = g_new0(Env, 1);
    memcpy(e->rom + 0xf00, code, sizeof(code));
    e->rom[0xff0] = 0xe9;               /* jmp near 0xff00 (rom + 0xf00) */
    e->rom[0xff1] = 0x0d;
    e->rom[0xff2] = 0xff;
    X86Bus bus = {
        .opaque = e, .page_ptr = env_page_ptr, .mem_read = env_mem_read,
        .mem_write = env_mem_write, .io_read = env_io_read, .io_write = env_io_write,
        .intack = env_intack, .clock_ns = env_clock, .shutdown = env_shutdown,
        .ferr = env_ferr,
    };
    e->cpu = x86_cpu_new(X86_MODEL_PENTIUM2, &bus);
    x86_cpu_reset(e->cpu);
    run_to_stop(e);
    g_assert_true(e->ferr);             /* unmasked ZE, CR0.NE=0 */
    g_assert_cmpint(e->ferr_changes, ==, 1);
    run_to_stop(e);
    g_assert_true(e->ferr);             /* FWAIT went on, still pending */
    run_to_stop(e);
    g_assert_false(e->ferr);            /* FNCLEX */
    g_assert_cmpint(e->ferr_changes, ==, 2);
    run_to_stop(e);
    g_assert_false(e->ferr);            /* CR0.NE=1: #MF is the path */
    g_assert_cmpint(e->ferr_changes, ==, 2);
    x86_cpu_free(e->cpu);
    g_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/fpu/ferr", test_ferr);
    return g_test_run();
}
