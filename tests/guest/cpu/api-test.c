/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's interface as the core and the GDB stub use it (x86.h):
 * reset state and `info registers`, GDB register access, budgets, exit
 * requests, breakpoints, single step, HLT and INTR, INIT against RESET,
 * triple fault, virtual memory access, model names. The guest is a few bytes at the reset vector.
 */
#include <glib.h>
#include <string.h>
#include "cpu/x86/x86.h"

typedef struct Env {
    X86Cpu *cpu;
    uint8_t ram[1 << 20];
    uint8_t rom[4096];      /* at 0xfffff000 */
    int shutdowns;
    int intacks;
    bool exit_on_out;
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
    if (e->exit_on_out) {
        x86_cpu_exit_request(e->cpu);
    }
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
    Env *e = opaque;
    e->shutdowns++;
}

static Env *env_new(const uint8_t *code, size_t len)
{
    Env *e = g_new0(Env, 1);
    memcpy(e->rom + 0xff0, code, len);
    X86Bus bus = {
        .opaque = e, .page_ptr = env_page_ptr, .mem_read = env_mem_read,
        .mem_write = env_mem_write, .io_read = env_io_read, .io_write = env_io_write,
        .intack = env_intack, .clock_ns = env_clock, .shutdown = env_shutdown,
    };
    e->cpu = x86_cpu_new(X86_MODEL_PENTIUM2, &bus);
    return e;
}

static void env_free(Env *e)
{
    x86_cpu_free(e->cpu);
    g_free(e);
}

static uint32_t reg(Env *e, int n)
{
    uint8_t b[16];
    g_assert_cmpuint(x86_cpu_gdb_read_reg(e->cpu, n, b), ==, 4);
    uint32_t v;
    memcpy(&v, b, 4);
    return v;
}

/* inc ax; inc ax; inc ax; hlt */
static const uint8_t code_inc[] = { 0x40, 0x40, 0x40, 0xf4 };

static void test_reset_state(void)
{
    Env *e = env_new(code_inc, sizeof(code_inc));
    char *d = x86_cpu_dump_state(e->cpu);
    g_assert_nonnull(strstr(d, "EIP=0000fff0 EFL=00000002"));
    g_assert_nonnull(strstr(d, "CS =f000 ffff0000 0000ffff 00009b00"));
    g_assert_nonnull(strstr(d, "CR0=60000010"));
    g_assert_nonnull(strstr(d, "DR6=ffff0ff0 DR7=00000400"));
    g_free(d);
    g_assert_cmphex(reg(e, 8), ==, 0xfff0);
    g_assert_cmphex(reg(e, 10), ==, 0xf000);
    g_assert_cmphex(reg(e, 2), ==, 0x0652);      /* EDX: family 6 model 5 */
    g_assert_true(x86_cpu_a20(e->cpu));
    env_free(e);
}

static void test_gdb_regs(void)
{
    Env *e = env_new(code_inc, sizeof(code_inc));
    uint8_t b[10] = { 0x78, 0x56, 0x34, 0x12 };
    g_assert_cmpuint(x86_cpu_gdb_write_reg(e->cpu, 0, b), ==, 4);
    g_assert_cmphex(reg(e, 0), ==, 0x12345678);
    g_assert_cmpuint(x86_cpu_gdb_read_reg(e->cpu, 16, b), ==, 10);   /* st0 */
    g_assert_cmpuint(x86_cpu_gdb_read_reg(e->cpu, 99, b), ==, 0);
    env_free(e);
}

static void test_budget_and_halt(void)
{
    Env *e = env_new(code_inc, sizeof(code_inc));
    uint64_t n = 0;
    g_assert_cmpint(x86_cpu_run(e->cpu, 2, &n), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_HALTED);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(reg(e, 0) & 0xffff, ==, 3);
    g_assert_cmpuint(x86_cpu_icount(e->cpu), ==, 4);
    /* halted with IF=0: INTR does not wake it */
    x86_cpu_set_intr(e->cpu, true);
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_HALTED);
    g_assert_cmpint(e->intacks, ==, 0);
    /* NMI does: the IVT is zero, so it runs from 0000:0000 */
    x86_cpu_nmi(e->cpu);
    g_assert_cmpint(x86_cpu_run(e->cpu, 1, &n), ==, X86_EXIT_BUDGET);
    g_assert_cmphex(reg(e, 10), ==, 0);
    env_free(e);
}

static void test_breakpoint_and_step(void)
{
    Env *e = env_new(code_inc, sizeof(code_inc));
    uint64_t n;
    g_assert_true(x86_cpu_add_breakpoint(e->cpu, 0xfffffff2ull));
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_REQUEST);
    g_assert_true(x86_cpu_hit_breakpoint(e->cpu));
    g_assert_cmphex(reg(e, 8), ==, 0xfff2);
    /* resuming executes the instruction at the breakpoint */
    x86_cpu_set_single_step(e->cpu, true);
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpuint(n, ==, 1);
    g_assert_false(x86_cpu_hit_breakpoint(e->cpu));
    g_assert_cmphex(reg(e, 8), ==, 0xfff3);
    x86_cpu_set_single_step(e->cpu, false);
    g_assert_true(x86_cpu_remove_breakpoint(e->cpu, 0xfffffff2ull));
    g_assert_false(x86_cpu_remove_breakpoint(e->cpu, 0xfffffff2ull));
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_HALTED);
    env_free(e);
}

static void test_exit_request(void)
{
    /* out 0x80, al; jmp $-2 */
    static const uint8_t code[] = { 0xe6, 0x80, 0xeb, 0xfc };
    Env *e = env_new(code, sizeof(code));
    uint64_t n;
    e->exit_on_out = true;
    g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmphex(reg(e, 8), ==, 0xfff2);
    env_free(e);
}

static void test_intr(void)
{
    /* sti; nop; hlt */
    static const uint8_t code[] = { 0xfb, 0x90, 0xf4 };
    Env *e = env_new(code, sizeof(code));
    uint64_t n;
    /* IVT entry 0x20 -> 0000:0500, which holds hlt */
    e->ram[0x80] = 0x00;
    e->ram[0x81] = 0x05;
    e->ram[0x500] = 0xf4;
    x86_cpu_set_intr(e->cpu, true);
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_HALTED);
    g_assert_cmpint(e->intacks, ==, 1);
    g_assert_cmpuint(n, ==, 3);              /* sti, nop (shadow), hlt at 0500 */
    g_assert_cmphex(reg(e, 8), ==, 0x501);
    env_free(e);
}

static void test_triple_fault(void)
{
    /* lidt [0x600] (limit 0); ud2 */
    static const uint8_t code[] = { 0x0f, 0x01, 0x1e, 0x00, 0x06, 0x0f, 0x0b };
    Env *e = env_new(code, sizeof(code));
    uint64_t n;
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_SHUTDOWN);
    g_assert_cmpint(e->shutdowns, ==, 1);
    g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_SHUTDOWN);
    x86_cpu_reset(e->cpu);
    g_assert_cmpint(x86_cpu_run(e->cpu, 1, &n), ==, X86_EXIT_BUDGET);
    env_free(e);
}

static void test_virt_access(void)
{
    Env *e = env_new(code_inc, sizeof(code_inc));
    uint32_t v = 0xcafef00d, r = 0;
    g_assert_true(x86_cpu_write_virt(e->cpu, 0x1ffe, &v, 4));   /* across a page */
    g_assert_true(x86_cpu_read_virt(e->cpu, 0x1ffe, &r, 4));
    g_assert_cmphex(r, ==, 0xcafef00d);
    g_assert_cmphex(e->ram[0x2001], ==, 0xca);
    g_assert_true(x86_cpu_read_virt(e->cpu, 0xfffffff0ull, &r, 4));
    g_assert_cmphex(r, ==, 0xf4404040);       /* the ROM at the reset vector */
    env_free(e);
}

/* INIT against RESET (Intel SDM vol. 3A 9.1, table 9-1). The first pass
 * (real mode, at 0xff00) clears CR0.CD/NW and sets NE, sets CR4.PSE, loads
 * pi with FCW 0x027f, writes SYSENTER_CS and MTRRdefType, dirties EBX and
 * ES and stops; later passes store EBX, EDX, CR0, CR4, FCW, FSW, the
 * FNSTENV image, the two MSRs and ES at 0x200 + 0x100 * pass, and stop. */
static const uint8_t code_init[] = {
    0x31, 0xc0, 0x8e, 0xd8, 0xfe, 0x06, 0x00, 0x03, 0x80, 0x3e, 0x00, 0x03,
    0x01, 0x75, 0x52, 0x0f, 0x20, 0xc0, 0x66, 0x25, 0xff, 0xff, 0xff, 0x9f,
    0x0c, 0x20, 0x0f, 0x22, 0xc0, 0x66, 0xb8, 0x10, 0x00, 0x00, 0x00, 0x0f,
    0x22, 0xe0, 0xdb, 0xe3, 0xd9, 0xeb, 0xc7, 0x06, 0x00, 0x01, 0x7f, 0x02,
    0xd9, 0x2e, 0x00, 0x01, 0x66, 0xb9, 0x74, 0x01, 0x00, 0x00, 0x66, 0xb8,
    0x34, 0x12, 0x00, 0x00, 0x66, 0x31, 0xd2, 0x0f, 0x30, 0x66, 0xb9, 0xff,
    0x02, 0x00, 0x00, 0x66, 0xb8, 0x06, 0x0c, 0x00, 0x00, 0x0f, 0x30, 0x66,
    0xbb, 0xaa, 0xaa, 0x55, 0x55, 0xb8, 0x34, 0x12, 0x8e, 0xc0, 0xe6, 0x80,
    0xf4, 0x0f, 0xb6, 0x36, 0x00, 0x03, 0xc1, 0xe6, 0x08, 0x81, 0xc6, 0x00,
    0x02, 0x66, 0x89, 0x1c, 0x66, 0x89, 0x54, 0x04, 0x0f, 0x20, 0xc0, 0x66,
    0x89, 0x44, 0x08, 0x0f, 0x20, 0xe0, 0x66, 0x89, 0x44, 0x0c, 0xd9, 0x7c,
    0x10, 0xdd, 0x7c, 0x12, 0xd9, 0x74, 0x20, 0x66, 0xb9, 0x74, 0x01, 0x00,
    0x00, 0x0f, 0x32, 0x66, 0x89, 0x44, 0x14, 0x66, 0xb9, 0xff, 0x02, 0x00,
    0x00, 0x0f, 0x32, 0x66, 0x89, 0x44, 0x18, 0x8c, 0x44, 0x1c, 0xe6, 0x80,
    0xf4,
};

static void test_init_signal(void)
{
    static const uint8_t jmp[] = { 0xe9, 0x0d, 0xff };     /* jmp 0xff00 */
    Env *e = env_new(jmp, sizeof(jmp));
    uint64_t n;
    memcpy(e->rom + 0xf00, code_init, sizeof(code_init));
    e->exit_on_out = true;
    g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpint(e->ram[0x300], ==, 1);

    x86_cpu_init_signal(e->cpu);
    g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpint(e->ram[0x300], ==, 2);
    const uint8_t *a = e->ram + 0x400;
    uint32_t v;
    uint16_t w;
    memcpy(&v, a + 0, 4);  g_assert_cmphex(v, ==, 0);           /* EBX */
    memcpy(&v, a + 4, 4);  g_assert_cmphex(v, ==, 0x652);       /* EDX */
    memcpy(&v, a + 8, 4);  g_assert_cmphex(v, ==, 0x10);        /* CR0: CD NW kept (0), ET */
    memcpy(&v, a + 12, 4); g_assert_cmphex(v, ==, 0);           /* CR4 */
    memcpy(&w, a + 16, 2); g_assert_cmphex(w, ==, 0x027f);      /* FCW kept */
    memcpy(&w, a + 18, 2); g_assert_cmphex(w, ==, 0x3800);      /* FSW: TOP 7 kept */
    memcpy(&w, a + 36, 2); g_assert_cmphex(w, ==, 0x3fff);      /* FTW: pi kept */
    memcpy(&v, a + 20, 4); g_assert_cmphex(v, ==, 0x1234);      /* SYSENTER_CS kept */
    memcpy(&v, a + 24, 4); g_assert_cmphex(v, ==, 0xc06);       /* MTRRdefType kept */
    memcpy(&w, a + 28, 2); g_assert_cmphex(w, ==, 0);           /* ES */

    x86_cpu_reset(e->cpu);
    g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpint(e->ram[0x300], ==, 3);
    a = e->ram + 0x500;
    memcpy(&v, a + 0, 4);  g_assert_cmphex(v, ==, 0);
    memcpy(&v, a + 4, 4);  g_assert_cmphex(v, ==, 0x652);
    memcpy(&v, a + 8, 4);  g_assert_cmphex(v, ==, 0x60000010);  /* CR0 */
    memcpy(&v, a + 12, 4); g_assert_cmphex(v, ==, 0);
    memcpy(&w, a + 16, 2); g_assert_cmphex(w, ==, 0x0040);      /* FCW */
    memcpy(&w, a + 18, 2); g_assert_cmphex(w, ==, 0);           /* FSW */
    memcpy(&w, a + 36, 2); g_assert_cmphex(w, ==, 0x5555);      /* FTW */
    memcpy(&v, a + 20, 4); g_assert_cmphex(v, ==, 0);           /* SYSENTER_CS */
    memcpy(&v, a + 24, 4); g_assert_cmphex(v, ==, 0);           /* MTRRdefType */
    memcpy(&w, a + 28, 2); g_assert_cmphex(w, ==, 0);
    env_free(e);
}

/* Budgets that end inside a decoded block (the run loop keeps EIP and the
 * count per block): the real-mode reset code enters 32-bit protected mode
 * (flat, CS base 0) and stops on OUT (15 instructions, counted by hand:
 * the JMP at the reset vector, CLI, LGDT, MOV, OR, MOV CR0, JMP FAR, MOV
 * AX, 3 segment loads, MOV ESP, 2 XOR, OUT); then the loop
 *   L0: 4d mov eax,1  52 mov ebx,2  57 add eax,ebx  59 mov [0x2000],eax
 *       5e inc ecx  5f lea edx,[eax+ebx]  62 push edx  63 pop esi
 *       64 jmp L1
 *   L1: 66 mov edi,0x77  6b add ebp,1  6e jmp L0
 * at 0xfffff000 + offset runs with budgets that stop in mid-block. */
static const uint8_t code_budget[] = {
    0xfa, 0x2e, 0x66, 0x0f, 0x01, 0x16, 0x18, 0xf0, 0x0f, 0x20, 0xc0, 0x0c,
    0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea, 0x38, 0xf0, 0xff, 0xff, 0x08, 0x00,
    0x17, 0x00, 0x20, 0xf0, 0xff, 0xff, 0x90, 0x90, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x66, 0xb8, 0x10, 0x00,
    0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0x80, 0x00, 0x00, 0x31,
    0xc9, 0x31, 0xed, 0xe6, 0x80, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, 0x02,
    0x00, 0x00, 0x00, 0x01, 0xd8, 0xa3, 0x00, 0x20, 0x00, 0x00, 0x41, 0x8d,
    0x14, 0x18, 0x52, 0x5e, 0xeb, 0x00, 0xbf, 0x77, 0x00, 0x00, 0x00, 0x83,
    0xc5, 0x01, 0xeb, 0xdd,
};

static void run_budget(Env *e, uint64_t budget, uint32_t eip)
{
    uint64_t n = 0, before = x86_cpu_icount(e->cpu);
    g_assert_cmpint(x86_cpu_run(e->cpu, budget, &n), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(n, ==, budget);
    g_assert_cmpuint(x86_cpu_icount(e->cpu), ==, before + budget);
    g_assert_cmphex(reg(e, 8), ==, eip);
}

static void test_budget_mid_block(void)
{
    static const uint8_t jmp[] = { 0xe9, 0x0d, 0xf0 };     /* jmp 0xf000 */
    Env *e = env_new(jmp, sizeof(jmp));
    uint64_t n;
    uint32_t v;
    memcpy(e->rom, code_budget, sizeof(code_budget));
    e->exit_on_out = true;
    g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpuint(n, ==, 15);
    g_assert_cmpuint(x86_cpu_icount(e->cpu), ==, 15);
    g_assert_cmphex(reg(e, 8), ==, 0xfffff04d);
    e->exit_on_out = false;
    for (int pass = 0; pass < 3; pass++) {
        /* the first pass decodes the blocks, the others reuse them */
        run_budget(e, 3, 0xfffff059);               /* before the store */
        g_assert_cmphex(reg(e, 0), ==, 3);
        memcpy(&v, e->ram + 0x2000, 4);
        g_assert_cmphex(v, ==, pass == 0 ? 0 : 3);
        memset(e->ram + 0x2000, 0, 4);
        run_budget(e, 1, 0xfffff05e);               /* the store alone */
        memcpy(&v, e->ram + 0x2000, 4);
        g_assert_cmphex(v, ==, 3);
        run_budget(e, 5, 0xfffff066);               /* through the JMP */
        g_assert_cmphex(reg(e, 1), ==, (uint32_t)(1 + pass * 102));  /* ECX */
        g_assert_cmphex(reg(e, 2), ==, 5);          /* EDX */
        g_assert_cmphex(reg(e, 6), ==, 5);          /* ESI */
        g_assert_cmphex(reg(e, 4), ==, 0x8000);     /* ESP */
        run_budget(e, 2, 0xfffff06e);               /* up to the JMP */
        g_assert_cmphex(reg(e, 7), ==, 0x77);
        g_assert_cmphex(reg(e, 5), ==, (uint32_t)(1 + pass * 102));  /* EBP */
        run_budget(e, 1, 0xfffff04d);
        /* 100 passes and 7 more instructions: stops before POP ESI */
        run_budget(e, 12 * 100 + 7, 0xfffff063);
        g_assert_cmphex(reg(e, 1), ==, (uint32_t)(1 + pass * 102 + 101));
        g_assert_cmphex(reg(e, 5), ==, (uint32_t)(1 + pass * 102 + 100));
        g_assert_cmphex(reg(e, 4), ==, 0x7ffc);     /* PUSH done, POP not */
        run_budget(e, 5, 0xfffff04d);               /* to L0 again */
        g_assert_cmphex(reg(e, 4), ==, 0x8000);
    }
    /* single step: one instruction per run, inside the block too */
    x86_cpu_set_single_step(e->cpu, true);
    static const uint32_t steps[] = { 0x52, 0x57, 0x59, 0x5e, 0x5f, 0x62, 0x63, 0x64, 0x66,
                                      0x6b, 0x6e, 0x4d };
    for (unsigned i = 0; i < G_N_ELEMENTS(steps); i++) {
        g_assert_cmpint(x86_cpu_run(e->cpu, 100, &n), ==, X86_EXIT_REQUEST);
        g_assert_cmpuint(n, ==, 1);
        g_assert_cmphex(reg(e, 8), ==, 0xfffff000u + steps[i]);
    }
    x86_cpu_set_single_step(e->cpu, false);
    env_free(e);
}

/* The same in real mode (16-bit decoded blocks): CS base 0xffff0000, IP
 * 0xf000 + offset; XOR CX, XOR BP, MOV SP, OUT stop after 5 instructions
 * (with the JMP at the reset vector), then
 *   L0: 09 mov ax,1  0c mov bx,2  0f add ax,bx  11 mov [0x2000],ax
 *       14 inc cx  15 lea dx,[bx+si+1]  18 push dx  19 pop di  1a jmp L1
 *   L1: 1c mov si,0x77  1f add bp,1  22 jmp L0 */
static const uint8_t code_budget16[] = {
    0x31, 0xc9, 0x31, 0xed, 0xbc, 0x00, 0x80, 0xe6, 0x80, 0xb8, 0x01, 0x00,
    0xbb, 0x02, 0x00, 0x01, 0xd8, 0xa3, 0x00, 0x20, 0x41, 0x8d, 0x50, 0x01,
    0x52, 0x5f, 0xeb, 0x00, 0xbe, 0x77, 0x00, 0x83, 0xc5, 0x01, 0xeb, 0xe5,
};

static void test_budget_mid_block16(void)
{
    static const uint8_t jmp[] = { 0xe9, 0x0d, 0xf0 };     /* jmp 0xf000 */
    Env *e = env_new(jmp, sizeof(jmp));
    uint64_t n;
    uint32_t v;
    memcpy(e->rom, code_budget16, sizeof(code_budget16));
    e->exit_on_out = true;
    g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    g_assert_cmpuint(n, ==, 5);
    g_assert_cmphex(reg(e, 8), ==, 0xf009);
    e->exit_on_out = false;
    for (int pass = 0; pass < 3; pass++) {
        run_budget(e, 3, 0xf011);
        g_assert_cmphex(reg(e, 0) & 0xffff, ==, 3);
        memset(e->ram + 0x2000, 0, 4);
        run_budget(e, 1, 0xf014);
        memcpy(&v, e->ram + 0x2000, 4);
        g_assert_cmphex(v, ==, 3);
        run_budget(e, 5, 0xf01c);
        g_assert_cmphex(reg(e, 1) & 0xffff, ==, (uint32_t)(1 + pass * 102));
        g_assert_cmphex(reg(e, 2) & 0xffff, ==, pass == 0 ? 3u : 0x7au);
        g_assert_cmphex(reg(e, 4) & 0xffff, ==, 0x8000);
        run_budget(e, 2, 0xf022);
        g_assert_cmphex(reg(e, 5) & 0xffff, ==, (uint32_t)(1 + pass * 102));
        run_budget(e, 1, 0xf009);
        run_budget(e, 12 * 100 + 7, 0xf019);
        g_assert_cmphex(reg(e, 1) & 0xffff, ==, (uint32_t)(1 + pass * 102 + 101));
        g_assert_cmphex(reg(e, 4) & 0xffff, ==, 0x7ffe);
        run_budget(e, 5, 0xf009);
    }
    env_free(e);
}

/* A write that leaves RAM (a device register) asks the engine to stop:
 * the run ends right after that store, in mid-block, with EIP and the
 * count exact. After code_budget's prologue (up to 0x4d):
 *   L0: 4d mov eax,1  52 mov [0x200000],eax  57 mov ebx,2
 *       5c mov ecx,[0x200000]  62 jmp L0 */
static const uint8_t code_mmio_tail[] = {
    0xb8, 0x01, 0x00, 0x00, 0x00, 0xa3, 0x00, 0x00, 0x20, 0x00, 0xbb, 0x02,
    0x00, 0x00, 0x00, 0x8b, 0x0d, 0x00, 0x00, 0x20, 0x00, 0xeb, 0xe9,
};

static int mmio_writes;

static void mmio_exit_write(void *opaque, uint64_t paddr, uint64_t val, unsigned size)
{
    Env *e = opaque;
    mmio_writes++;
    x86_cpu_exit_request(e->cpu);
}

static void test_mmio_exit_mid_block(void)
{
    Env *e = g_new0(Env, 1);
    memcpy(e->rom + 0xff0, (const uint8_t[]){ 0xe9, 0x0d, 0xf0 }, 3);
    memcpy(e->rom, code_budget, 0x4d);
    memcpy(e->rom + 0x4d, code_mmio_tail, sizeof(code_mmio_tail));
    X86Bus bus = {
        .opaque = e, .page_ptr = env_page_ptr, .mem_read = env_mem_read,
        .mem_write = mmio_exit_write, .io_read = env_io_read, .io_write = env_io_write,
        .intack = env_intack, .clock_ns = env_clock, .shutdown = env_shutdown,
    };
    e->cpu = x86_cpu_new(X86_MODEL_PENTIUM2, &bus);
    uint64_t n;
    e->exit_on_out = true;
    /* the descriptor loads of the prologue write their accessed bits to
     * the GDT in ROM through the bus too: each one stops the run */
    for (int i = 0; i < 10 && reg(e, 8) != 0xfffff04d; i++) {
        g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
    }
    g_assert_cmphex(reg(e, 8), ==, 0xfffff04d);
    g_assert_cmpuint(x86_cpu_icount(e->cpu), ==, 15);
    e->exit_on_out = false;
    mmio_writes = 0;
    for (int pass = 0; pass < 3; pass++) {
        uint64_t before = x86_cpu_icount(e->cpu);
        g_assert_cmpint(x86_cpu_run(e->cpu, 1000, &n), ==, X86_EXIT_REQUEST);
        /* from L0: MOV EAX and the store */
        g_assert_cmpuint(n, ==, 2);
        g_assert_cmpuint(x86_cpu_icount(e->cpu), ==, before + n);
        g_assert_cmphex(reg(e, 8), ==, 0xfffff057);
        g_assert_cmpint(mmio_writes, ==, pass + 1);
        g_assert_cmphex(reg(e, 3), ==, pass == 0 ? 0 : 2);     /* EBX */
        /* the next run takes it from the MOV EBX */
        g_assert_cmpint(x86_cpu_run(e->cpu, 2, &n), ==, X86_EXIT_BUDGET);
        g_assert_cmphex(reg(e, 3), ==, 2);
        g_assert_cmphex(reg(e, 1), ==, 0xffffffff);            /* ECX: bus read */
        g_assert_cmphex(reg(e, 8), ==, 0xfffff062);
        g_assert_cmpint(x86_cpu_run(e->cpu, 1, &n), ==, X86_EXIT_BUDGET);
        g_assert_cmphex(reg(e, 8), ==, 0xfffff04d);
    }
    env_free(e);
}

static void test_models(void)
{
    X86Model m;
    g_assert_true(x86_model_from_name("486", &m));
    g_assert_cmpint(m, ==, X86_MODEL_486);
    g_assert_true(x86_model_from_name("pentium", &m));
    g_assert_true(x86_model_from_name("pentium2", &m));
    g_assert_cmpint(m, ==, X86_MODEL_PENTIUM2);
    g_assert_true(x86_model_from_name("max", &m));
    g_assert_false(x86_model_from_name("core2duo", &m));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/reset-state", test_reset_state);
    g_test_add_func("/x86/gdb-regs", test_gdb_regs);
    g_test_add_func("/x86/budget-and-halt", test_budget_and_halt);
    g_test_add_func("/x86/breakpoint-and-step", test_breakpoint_and_step);
    g_test_add_func("/x86/exit-request", test_exit_request);
    g_test_add_func("/x86/intr", test_intr);
    g_test_add_func("/x86/triple-fault", test_triple_fault);
    g_test_add_func("/x86/virt-access", test_virt_access);
    g_test_add_func("/x86/models", test_models);
    g_test_add_func("/x86/init-signal", test_init_signal);
    g_test_add_func("/x86/budget-mid-block", test_budget_mid_block);
    g_test_add_func("/x86/budget-mid-block16", test_budget_mid_block16);
    g_test_add_func("/x86/mmio-exit-mid-block", test_mmio_exit_mid_block);
    return g_test_run();
}
