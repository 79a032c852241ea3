/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native side of the differential CPU test: a 32-bit (-m32) process that
 * runs instruction bytes on the host CPU. It reads DiffCase records on
 * stdin and answers with DiffResult records on stdout (see difftest.c).
 * Each case is wrapped in generated code that loads EFLAGS and all
 * registers but ESP, runs the bytes, and stores registers and EFLAGS; a
 * 512-byte scratch window at 0x800000 is loaded before and returned after.
 * Built by run-difftest.sh with `cc -m32`.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SCRATCH_BASE 0x00800000u
#define SCRATCH_SIZE 512

typedef struct DiffCase {
    uint8_t code[24];
    uint32_t len;
    uint32_t regs[8];
    uint32_t flags;
    uint8_t mem[SCRATCH_SIZE];
} DiffCase;

typedef struct DiffResult {
    uint32_t regs[8];
    uint32_t flags;
    uint32_t signal;
    uint8_t mem[SCRATCH_SIZE];
} DiffResult;

static uint32_t out[9];
static sigjmp_buf env;
static uint8_t *page;

static void on_signal(int sig)
{
    siglongjmp(env, sig);
}

static uint8_t *emit32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

static int run(const DiffCase *c, DiffResult *r)
{
    uint8_t *p = page;
    *p++ = 0x60;                 /* pushad */
    *p++ = 0x9c;                 /* pushfd */
    *p++ = 0x68;                 /* push flags; popfd */
    p = emit32(p, c->flags);
    *p++ = 0x9d;
    /* x87: FNINIT state with all eight registers holding +0 (as after the
     * engine's reset) */
    *p++ = 0xdb; *p++ = 0xe3;
    for (int i = 0; i < 8; i++) {
        *p++ = 0xd9; *p++ = 0xee;   /* fldz */
    }
    *p++ = 0xdb; *p++ = 0xe3;
    for (int i = 0; i < 8; i++) {
        if (i == 4) continue;
        *p++ = (uint8_t)(0xb8 + i);
        p = emit32(p, c->regs[i]);
    }
    memcpy(p, c->code, c->len);
    p += c->len;
    *p++ = 0x9c;                 /* pushfd */
    for (int i = 0; i < 8; i++) {
        if (i == 4) continue;
        *p++ = 0x89;             /* mov [abs32], reg */
        *p++ = (uint8_t)(0x05 | (i << 3));
        p = emit32(p, (uint32_t)(uintptr_t)&out[i]);
    }
    *p++ = 0x8f;                 /* pop dword [abs32] */
    *p++ = 0x05;
    p = emit32(p, (uint32_t)(uintptr_t)&out[8]);
    *p++ = 0x9d;                 /* popfd */
    *p++ = 0x61;                 /* popad */
    *p++ = 0xc3;
    memcpy((void *)(uintptr_t)SCRATCH_BASE, c->mem, SCRATCH_SIZE);
    int sig = sigsetjmp(env, 1);
    if (sig == 0) {
        ((void (*)(void))page)();
    }
    memcpy(r->regs, out, 32);
    r->regs[4] = c->regs[4];
    r->flags = out[8];
    r->signal = (uint32_t)sig;
    memcpy(r->mem, (void *)(uintptr_t)SCRATCH_BASE, SCRATCH_SIZE);
    return 0;
}

int main(void)
{
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (mmap((void *)(uintptr_t)SCRATCH_BASE, 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        perror("mmap scratch");
        return 1;
    }
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    DiffCase c;
    DiffResult r;
    while (fread(&c, sizeof(c), 1, stdin) == 1) {
        if (c.len > sizeof(c.code)) {
            return 1;
        }
        memset(&r, 0, sizeof(r));
        run(&c, &r);
        if (fwrite(&r, sizeof(r), 1, stdout) != 1) {
            return 1;
        }
        fflush(stdout);
    }
    return 0;
}
