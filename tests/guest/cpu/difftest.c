/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Differential test of the x86 engine against the host CPU: random
 * single instructions from user-mode integer templates run both in the
 * engine (flat 32-bit protected mode, CPL 0) and natively in a 32-bit
 * helper process (difftest-native); registers and the flags each template
 * defines are compared. Prints TAP: one line per template.
 *
 *   difftest NATIVE_HELPER [SEED [CASES_PER_TEMPLATE]]
 *
 * The templates avoid ESP; memory operands live in a 512-byte scratch
 * window at 0x800000 that both sides load and compare. Flags the SDM leaves
 * undefined for an instruction are masked out (the host may be AMD or
 * Intel; the engine models a P6).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cpu/x86/cpu-internal.h"

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

#define ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

typedef struct Gen {
    GRand *rng;
    uint8_t *p;
    uint32_t fmask;     /* flags to compare */
    uint32_t fixed[8];  /* register values forced by the template (fixmask) */
    uint32_t fixmask;
    uint8_t *mem;       /* the scratch window's initial contents */
    int ign_off, ign_len;   /* scratch bytes not compared (FPU pointers) */
} Gen;

static uint32_t rnd(Gen *g, uint32_t n)
{
    return (uint32_t)g_rand_int_range(g->rng, 0, (gint32)n);
}

static int reg_no_esp(Gen *g)
{
    int r;
    do {
        r = (int)rnd(g, 8);
    } while (r == 4);
    return r;
}

static void modrm_rr(Gen *g, int reg)
{
    *g->p++ = (uint8_t)(0xc0 | (reg << 3) | reg_no_esp(g));
}

static uint32_t interesting(Gen *g)
{
    static const uint32_t vals[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 31, 32, 33, 8, 16,
    };
    if (rnd(g, 3) == 0) {
        return vals[rnd(g, G_N_ELEMENTS(vals))];
    }
    return g_rand_int(g->rng);
}

/* Templates: each writes one instruction and sets the flag mask. */
typedef void (*GenFn)(Gen *g);

static void t_alu(Gen *g)
{
    static const uint8_t ops[] = { 0x00, 0x01, 0x02, 0x03 };
    int alu = (int)rnd(g, 8);
    int form = (int)rnd(g, 4);
    if (form & 1 && rnd(g, 3) == 0) {
        *g->p++ = 0x66;
    }
    *g->p++ = (uint8_t)((alu << 3) | ops[form]);
    if (form & 1) {
        modrm_rr(g, reg_no_esp(g));
    } else {
        *g->p++ = (uint8_t)(0xc0 | rnd(g, 64));   /* 8-bit: all registers */
    }
    g->fmask = ARITH;
    if (alu == 1 || alu == 4 || alu == 6) {
        g->fmask &= ~F_AF;
    }
}

static void t_alu_imm(Gen *g)
{
    int alu = (int)rnd(g, 8);
    int form = (int)rnd(g, 3);
    if (form == 0) {
        *g->p++ = 0x80;
        *g->p++ = (uint8_t)(0xc0 | (alu << 3) | rnd(g, 8));
        *g->p++ = (uint8_t)rnd(g, 256);
    } else if (form == 1) {
        *g->p++ = 0x81;
        modrm_rr(g, alu);
        uint32_t v = interesting(g);
        memcpy(g->p, &v, 4);
        g->p += 4;
    } else {
        *g->p++ = 0x83;
        modrm_rr(g, alu);
        *g->p++ = (uint8_t)rnd(g, 256);
    }
    g->fmask = ARITH;
    if (alu == 1 || alu == 4 || alu == 6) {
        g->fmask &= ~F_AF;
    }
}

static void t_incdec_neg(Gen *g)
{
    switch (rnd(g, 3)) {
    case 0: *g->p++ = (uint8_t)(0x40 + reg_no_esp(g) + 8 * rnd(g, 2)); break;
    case 1: *g->p++ = 0xf7; modrm_rr(g, 2 + (int)rnd(g, 2)); break;
    default: *g->p++ = 0xfe; *g->p++ = (uint8_t)(0xc0 | (rnd(g, 2) << 3) | rnd(g, 8)); break;
    }
    g->fmask = ARITH;
}

static void t_shift(Gen *g)
{
    int op = (int)rnd(g, 8);
    int form = (int)rnd(g, 4);
    unsigned cnt;
    bool byte = rnd(g, 3) == 0, word = !byte && rnd(g, 3) == 0;
    if (word) {
        *g->p++ = 0x66;
    }
    if (form == 0) {
        *g->p++ = byte ? 0xd0 : 0xd1;
        cnt = 1;
    } else if (form == 1) {
        *g->p++ = byte ? 0xc0 : 0xc1;
        cnt = rnd(g, 40);
    } else {
        *g->p++ = byte ? 0xd2 : 0xd3;
        cnt = rnd(g, 40);
        /* CL is set by the caller through ECX: encode in the immediate slot */
    }
    if (op == 6) {
        op = 4;
    }
    int rm = reg_no_esp(g);
    if (form >= 2 && rm == 1) {
        rm = 0;
    }
    *g->p++ = (uint8_t)(0xc0 | (op << 3) | rm);
    if (form == 1) {
        *g->p++ = (uint8_t)cnt;
    }
    g->fmask = 0xff000000u | cnt;   /* decoded by the caller */
    (void)op;
}

static void t_mul(Gen *g)
{
    switch (rnd(g, 4)) {
    case 0: *g->p++ = 0xf7; modrm_rr(g, 4 + (int)rnd(g, 2)); break;
    case 1: *g->p++ = 0x0f; *g->p++ = 0xaf; modrm_rr(g, reg_no_esp(g)); break;
    case 2: *g->p++ = 0x6b; modrm_rr(g, reg_no_esp(g)); *g->p++ = (uint8_t)rnd(g, 256); break;
    default: *g->p++ = 0xf6; *g->p++ = (uint8_t)(0xc0 | ((4 + rnd(g, 2)) << 3) | rnd(g, 8)); break;
    }
    g->fmask = F_CF | F_OF;
}

static void t_bits(Gen *g)
{
    switch (rnd(g, 5)) {
    case 0: /* BT/BTS/BTR/BTC r, r */
        *g->p++ = 0x0f;
        *g->p++ = (uint8_t)(0xa3 + 8 * rnd(g, 4));
        modrm_rr(g, reg_no_esp(g));
        g->fmask = F_CF;
        break;
    case 1: /* BT* r, imm8 */
        *g->p++ = 0x0f;
        *g->p++ = 0xba;
        modrm_rr(g, 4 + (int)rnd(g, 4));
        *g->p++ = (uint8_t)rnd(g, 256);
        g->fmask = F_CF;
        break;
    case 2: /* BSF/BSR */
        *g->p++ = 0x0f;
        *g->p++ = (uint8_t)(0xbc + rnd(g, 2));
        modrm_rr(g, reg_no_esp(g));
        g->fmask = F_ZF;
        break;
    case 3: /* BSWAP, MOVZX, MOVSX */
        *g->p++ = 0x0f;
        if (rnd(g, 2)) {
            *g->p++ = (uint8_t)(0xc8 + reg_no_esp(g));
        } else {
            static const uint8_t ops[] = { 0xb6, 0xb7, 0xbe, 0xbf };
            uint8_t op = ops[rnd(g, 4)];
            *g->p++ = op;
            /* a 16-bit source of 4 is SP: not comparable */
            int rm = (op & 1) ? reg_no_esp(g) : (int)rnd(g, 8);
            *g->p++ = (uint8_t)(0xc0 | (reg_no_esp(g) << 3) | rm);
        }
        g->fmask = ARITH;
        break;
    default: { /* SHLD/SHRD imm */
        *g->p++ = 0x0f;
        *g->p++ = rnd(g, 2) ? 0xa4 : 0xac;
        modrm_rr(g, reg_no_esp(g));
        unsigned c = rnd(g, 32);
        *g->p++ = (uint8_t)c;
        g->fmask = c == 0 ? ARITH : c == 1 ? (ARITH & ~F_AF) : (F_CF | F_ZF | F_SF | F_PF);
        break;
    }
    }
}

static void t_cond(Gen *g)
{
    switch (rnd(g, 3)) {
    case 0: /* SETcc */
        *g->p++ = 0x0f;
        *g->p++ = (uint8_t)(0x90 + rnd(g, 16));
        *g->p++ = (uint8_t)(0xc0 | rnd(g, 8));
        break;
    case 1: /* CMOVcc */
        *g->p++ = 0x0f;
        *g->p++ = (uint8_t)(0x40 + rnd(g, 16));
        modrm_rr(g, reg_no_esp(g));
        break;
    default: { /* flag ops, LAHF/SAHF, CBW.. */
        static const uint8_t ops[] = { 0xf5, 0xf8, 0xf9, 0x9e, 0x9f, 0x98, 0x99, 0xd6 };
        *g->p++ = ops[rnd(g, G_N_ELEMENTS(ops))];
        break;
    }
    }
    g->fmask = ARITH;
}

static void t_bcd(Gen *g)
{
    static const uint8_t ops[] = { 0x27, 0x2f, 0x37, 0x3f, 0xd4, 0xd5 };
    uint8_t op = ops[rnd(g, G_N_ELEMENTS(ops))];
    *g->p++ = op;
    if (op == 0xd4 || op == 0xd5) {
        *g->p++ = (uint8_t)(1 + rnd(g, 255));
        g->fmask = F_SF | F_ZF | F_PF;
    } else if (op == 0x27 || op == 0x2f) {
        g->fmask = F_CF | F_AF | F_SF | F_ZF | F_PF;
    } else {
        g->fmask = F_CF | F_AF;
    }
}

static void t_xchg(Gen *g)
{
    switch (rnd(g, 4)) {
    case 0: *g->p++ = 0x87; modrm_rr(g, reg_no_esp(g)); break;
    case 1: *g->p++ = 0x0f; *g->p++ = 0xc1; modrm_rr(g, reg_no_esp(g)); break;
    case 2: *g->p++ = 0x0f; *g->p++ = 0xb1; modrm_rr(g, reg_no_esp(g)); break;
    default: *g->p++ = 0x8d; /* LEA with SIB */
        *g->p++ = (uint8_t)((reg_no_esp(g) << 3) | 0x44);
        *g->p++ = (uint8_t)((rnd(g, 4) << 6) | (reg_no_esp(g) << 3) | reg_no_esp(g));
        *g->p++ = (uint8_t)rnd(g, 256);
        break;
    }
    g->fmask = ARITH;
}

/* Memory operands: [EBX+disp8] with EBX in the middle of the scratch
 * window; EBX is never a destination here. */
static int reg_no_esp_ebx(Gen *g)
{
    int r;
    do {
        r = (int)rnd(g, 8);
    } while (r == 4 || r == 3);
    return r;
}

static void mem_operand(Gen *g, int reg)
{
    g->fixed[3] = SCRATCH_BASE + 0x100;
    g->fixmask |= 1u << 3;
    *g->p++ = (uint8_t)(0x43 | (reg << 3));
    *g->p++ = (uint8_t)(rnd(g, 0xf8) - 0x7c);
}

static void t_mem_alu(Gen *g)
{
    int alu = (int)rnd(g, 8);
    switch (rnd(g, 6)) {
    case 0: *g->p++ = (uint8_t)((alu << 3) | 0x01); mem_operand(g, reg_no_esp_ebx(g)); break;
    case 1: *g->p++ = (uint8_t)((alu << 3) | 0x03); mem_operand(g, reg_no_esp_ebx(g)); break;
    case 2: *g->p++ = (uint8_t)((alu << 3) | 0x00); mem_operand(g, (int)rnd(g, 8) & ~3); break;
    case 3: *g->p++ = 0x83; mem_operand(g, alu); *g->p++ = (uint8_t)rnd(g, 256); break;
    case 4: *g->p++ = 0x66; *g->p++ = 0x81; mem_operand(g, alu);
        *g->p++ = (uint8_t)rnd(g, 256); *g->p++ = (uint8_t)rnd(g, 256); break;
    default: *g->p++ = 0xf7; mem_operand(g, 2 + (int)rnd(g, 2)); break;
    }
    g->fmask = ARITH;
    if (alu == 1 || alu == 4 || alu == 6) {
        g->fmask &= ~F_AF;
    }
}

static void t_mem_misc(Gen *g)
{
    switch (rnd(g, 8)) {
    case 0: *g->p++ = 0xff; mem_operand(g, (int)rnd(g, 2)); g->fmask = ARITH; break;  /* INC/DEC */
    case 1: *g->p++ = 0x87; mem_operand(g, reg_no_esp_ebx(g)); g->fmask = ARITH; break;
    case 2: *g->p++ = 0x0f; *g->p++ = 0xc1; mem_operand(g, reg_no_esp_ebx(g)); g->fmask = ARITH; break;
    case 3: *g->p++ = 0x0f; *g->p++ = 0xb1; mem_operand(g, reg_no_esp_ebx(g)); g->fmask = ARITH; break;
    case 4: *g->p++ = 0x0f; *g->p++ = 0xc7; mem_operand(g, 1); g->fmask = F_ZF; break;
    case 5: *g->p++ = 0x0f; *g->p++ = 0xba; mem_operand(g, 4 + (int)rnd(g, 4));
        *g->p++ = (uint8_t)rnd(g, 256); g->fmask = F_CF; break;
    case 6: { /* BT* m, r with a small bit offset */
        int r = reg_no_esp_ebx(g);
        g->fixed[r] = rnd(g, 512) - 256;
        g->fixmask |= 1u << r;
        *g->p++ = 0x0f;
        *g->p++ = (uint8_t)(0xa3 + 8 * rnd(g, 4));
        mem_operand(g, r);
        g->fmask = F_CF;
        break;
    }
    default: { /* shifts on memory */
        int op = (int)rnd(g, 8);
        if (op == 6) op = 4;
        *g->p++ = 0xc1;
        mem_operand(g, op);
        unsigned c = rnd(g, 32);
        *g->p++ = (uint8_t)c;
        g->fmask = c == 0 ? ARITH : op < 4 ? (c == 1 ? (F_CF | F_OF) : F_CF)
                                            : (F_CF | F_ZF | F_SF | F_PF | (c == 1 ? F_OF : 0));
        break;
    }
    }
}

static void t_string(Gen *g)
{
    static const uint8_t ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
    bool down = rnd(g, 4) == 0;
    uint8_t op = ops[rnd(g, G_N_ELEMENTS(ops))];
    if (down) {
        *g->p++ = 0xfd;
    }
    int rep = (int)rnd(g, 3);
    if (rep) {
        *g->p++ = rep == 1 ? 0xf3 : 0xf2;
    }
    if (rnd(g, 4) == 0) {
        *g->p++ = 0x66;
    }
    *g->p++ = op;
    if (down) {
        *g->p++ = 0xfc;
    }
    g->fixed[6] = SCRATCH_BASE + 0x80 + rnd(g, 0x100);
    g->fixed[7] = SCRATCH_BASE + 0x80 + rnd(g, 0x100);
    g->fixed[1] = rnd(g, 24);
    g->fixmask |= (1u << 6) | (1u << 7) | (1u << 1);
    g->fmask = ARITH;
}


/* x87 and MMX templates. EBX points at the scratch window: +0 control
 * word, +0x10/+0x20 80-bit operands, +0x30 a memory operand/store target,
 * +0x40 the FNSAVE image that ends each case (its FPU instruction and data
 * pointers, +0x4c..+0x5b, are host addresses natively and are not
 * compared). */
static void put80(uint8_t *p, uint64_t mant, uint16_t se)
{
    memcpy(p, &mant, 8);
    memcpy(p + 8, &se, 2);
}

static void x87_value(Gen *g, uint8_t *p)
{
    uint64_t m = ((uint64_t)g_rand_int(g->rng) << 32) | g_rand_int(g->rng);
    uint16_t sign = rnd(g, 2) ? 0x8000 : 0;
    switch (rnd(g, 12)) {
    case 0: put80(p, 0, sign); break;                                   /* zero */
    case 1: put80(p, 1ull << 63, sign | 0x7fff); break;                 /* infinity */
    case 2: put80(p, (3ull << 62) | (m >> 2), sign | 0x7fff); break;     /* QNaN */
    case 3: put80(p, (1ull << 63) | (m >> 2), sign | 0x7fff); break;     /* SNaN (or inf) */
    case 4: put80(p, m >> 1, sign); break;                               /* denormal */
    case 5: put80(p, m | (1ull << 63), sign); break;                     /* pseudo-denormal */
    case 6: put80(p, m >> 1, sign | (uint16_t)(1 + rnd(g, 0x7ffe))); break;  /* unnormal */
    case 7: put80(p, m | (1ull << 63), sign | (uint16_t)(rnd(g, 2) ? 1 + rnd(g, 64) : 0x7ffe - rnd(g, 64)));
        break;                                                           /* extreme exponents */
    case 8: put80(p, (1ull << 63) | (rnd(g, 2) ? 0 : (m & 0xffffffull) << 20),
                  sign | (uint16_t)(0x3fff + rnd(g, 70) - 5)); break;   /* small integers */
    default: put80(p, m | (1ull << 63), sign | (uint16_t)(0x3fff + rnd(g, 160) - 80)); break;
    }
}

static void x87_prologue(Gen *g)
{
    g->fixed[3] = SCRATCH_BASE;
    g->fixmask |= 1u << 3;
    /* control word: random PC and RC, usually all exceptions masked */
    uint16_t cw = (uint16_t)((rnd(g, 4) << 8) | (rnd(g, 4) << 10) | 0x40 |
                             (rnd(g, 4) ? 0x3f : rnd(g, 64)));
    memcpy(g->mem, &cw, 2);
    x87_value(g, g->mem + 0x10);
    x87_value(g, g->mem + 0x20);
    *g->p++ = 0xdb; *g->p++ = 0xe3;                  /* fninit */
    *g->p++ = 0xd9; *g->p++ = 0x2b;                  /* fldcw [ebx] */
}

static void x87_epilogue(Gen *g)
{
    *g->p++ = 0xdd; *g->p++ = 0x73; *g->p++ = 0x40;  /* fnsave [ebx+0x40] */
    g->ign_off = 0x40 + 12;
    g->ign_len = 16;
}

static void x87_load(Gen *g, uint8_t disp)
{
    static const uint8_t ops[][2] = {
        { 0xdb, 5 }, { 0xdb, 5 }, { 0xdb, 5 }, { 0xd9, 0 }, { 0xdd, 0 }, { 0xdf, 0 }, { 0xdb, 0 },
        { 0xdf, 5 }, { 0xdf, 4 },
    };
    int k = (int)rnd(g, G_N_ELEMENTS(ops));
    *g->p++ = ops[k][0];
    *g->p++ = (uint8_t)(0x43 | (ops[k][1] << 3));
    *g->p++ = disp;
}

static void t_x87(Gen *g)
{
    x87_prologue(g);
    x87_load(g, 0x10);
    x87_load(g, 0x20);
    switch (rnd(g, 3)) {   /* condition codes the next instruction may keep */
    case 0: *g->p++ = 0xd9; *g->p++ = 0xe5; break;   /* fxam */
    case 1: *g->p++ = 0xd8; *g->p++ = 0xd1; break;   /* fcom st1 */
    default: break;
    }
    uint8_t *v = g->mem + 0x30;
    for (int k = 0; k < 8; k++) {
        v[k] = (uint8_t)g_rand_int(g->rng);
    }
    if (rnd(g, 2)) {   /* a double or float with a plain exponent */
        v[7] = (uint8_t)((v[7] & 0x80) | (0x3c + rnd(g, 8)));
        v[3] = (uint8_t)((v[3] & 0x80) | (0x3c + rnd(g, 8)));
    }
    int i = (int)rnd(g, 8);
    switch (rnd(g, 10)) {
    case 0: case 1: /* D8/DC/DE register arithmetic and compares */
        *g->p++ = (uint8_t)(0xd8 + 4 * rnd(g, 2) + 2 * rnd(g, 2));
        *g->p++ = (uint8_t)(0xc0 | (rnd(g, 8) << 3) | (rnd(g, 4) ? 1 : i));
        if (g->p[-2] == 0xde && (g->p[-1] & 0xf8) == 0xd8) {
            g->p[-1] = 0xd9;   /* only FCOMPP in DE D8-DF */
        }
        break;
    case 2: { /* memory arithmetic: m32real, m64real, m32int, m16int */
        static const uint8_t mops[] = { 0xd8, 0xdc, 0xda, 0xde };
        *g->p++ = mops[rnd(g, 4)];
        *g->p++ = (uint8_t)(0x43 | (rnd(g, 8) << 3));
        *g->p++ = 0x30;
        break;
    }
    case 3: case 4: { /* D9 E0-FF */
        static const uint8_t d9[] = {
            0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xf0, 0xf1, 0xf2, 0xf3,
            0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
        };
        *g->p++ = 0xd9;
        *g->p++ = d9[rnd(g, G_N_ELEMENTS(d9))];
        break;
    }
    case 5: { /* stores: fst(p) m32/m64/m80, fist(p) m16/m32/m64, fbstp */
        static const uint8_t sops[][2] = {
            { 0xd9, 2 }, { 0xd9, 3 }, { 0xdd, 2 }, { 0xdd, 3 }, { 0xdb, 7 }, { 0xdf, 2 },
            { 0xdf, 3 }, { 0xdb, 2 }, { 0xdb, 3 }, { 0xdf, 7 }, { 0xdf, 6 },
        };
        int k = (int)rnd(g, G_N_ELEMENTS(sops));
        *g->p++ = sops[k][0];
        *g->p++ = (uint8_t)(0x43 | (sops[k][1] << 3));
        *g->p++ = 0x30;
        break;
    }
    case 6: /* (F)(U)COMI(P), FCMOVcc */
        *g->p++ = (uint8_t)(0xda + rnd(g, 2) + 4 * rnd(g, 2));
        if (g->p[-1] == 0xde || g->p[-1] == 0xda) {
            g->p[-1] = 0xda;
            *g->p++ = (uint8_t)(0xc0 + rnd(g, 32));
        } else {
            uint8_t m = (uint8_t)(g->p[-1] == 0xdb && rnd(g, 2) ? 0xc0 + rnd(g, 32) : 0xe8 + rnd(g, 16));
            *g->p++ = m;
        }
        g->fmask = F_ZF | F_PF | F_CF;
        break;
    case 7: /* FXCH, FLD ST(i), FST(P) ST(i), FFREE, FUCOM(P)(P) */
        switch (rnd(g, 6)) {
        case 0: *g->p++ = 0xd9; *g->p++ = (uint8_t)(0xc8 + i); break;
        case 1: *g->p++ = 0xd9; *g->p++ = (uint8_t)(0xc0 + i); break;
        case 2: *g->p++ = 0xdd; *g->p++ = (uint8_t)(0xd0 + rnd(g, 16)); break;
        case 3: *g->p++ = 0xdd; *g->p++ = (uint8_t)(0xc0 + i); break;
        case 4: *g->p++ = 0xdd; *g->p++ = (uint8_t)(0xe0 + rnd(g, 16)); break;
        default: *g->p++ = 0xda; *g->p++ = 0xe9; break;
        }
        break;
    default: /* two operations */
        *g->p++ = (uint8_t)(0xd8 + 4 * rnd(g, 2) + 2 * rnd(g, 2));
        *g->p++ = (uint8_t)(0xc1 | (rnd(g, 2) << 5) | (rnd(g, 2) << 3));
        *g->p++ = 0xd9;
        *g->p++ = (uint8_t)(rnd(g, 2) ? 0xfa : 0xfc);   /* fsqrt / frndint */
        break;
    }
    x87_epilogue(g);
}

static void mmx_modrm_mem(Gen *g, int reg, uint8_t disp)
{
    *g->p++ = (uint8_t)(0x43 | (reg << 3));
    *g->p++ = disp;
}

static void t_mmx(Gen *g)
{
    static const uint8_t ops[] = {
        0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x74, 0x75, 0x76,
        0xd1, 0xd2, 0xd3, 0xd5, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xdf, 0xe1, 0xe2, 0xe5, 0xe8, 0xe9,
        0xeb, 0xec, 0xed, 0xef, 0xf1, 0xf2, 0xf3, 0xf5, 0xf8, 0xf9, 0xfa, 0xfc, 0xfd, 0xfe,
    };
    g->fixed[3] = SCRATCH_BASE;
    g->fixmask |= 1u << 3;
    int a = (int)rnd(g, 8), b = (int)rnd(g, 8);
    uint8_t op = ops[rnd(g, G_N_ELEMENTS(ops))];
    bool shift = (op & 0xf0) != 0x60 && (op & 0x0f) >= 1 && (op & 0x0f) <= 3;
    if (shift && rnd(g, 2)) {   /* small counts matter most */
        memset(g->mem + 0x18, 0, 8);
        g->mem[0x18] = (uint8_t)rnd(g, 70);
        memset(g->mem + 0x20, 0, 8);
        g->mem[0x20] = (uint8_t)rnd(g, 70);
    }
    if (rnd(g, 3) == 0) {   /* saturation edges */
        for (int k = 0x10; k < 0x28; k++) {
            static const uint8_t e[] = { 0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe };
            g->mem[k] = e[rnd(g, 6)];
        }
    }
    *g->p++ = 0x0f; *g->p++ = 0x6f; mmx_modrm_mem(g, a, 0x10);     /* movq mmA, [ebx+0x10] */
    *g->p++ = 0x0f; *g->p++ = 0x6f; mmx_modrm_mem(g, b, 0x18);     /* movq mmB, [ebx+0x18] */
    switch (rnd(g, 6)) {
    case 0: /* memory source */
        *g->p++ = 0x0f; *g->p++ = op; mmx_modrm_mem(g, a, 0x20);
        break;
    case 1: /* immediate shifts */
        *g->p++ = 0x0f;
        *g->p++ = (uint8_t)(0x71 + rnd(g, 3));
        int sub = g->p[-1] == 0x73 ? 2 + 4 * (int)rnd(g, 2) : 2 + 2 * (int)rnd(g, 3);
        *g->p++ = (uint8_t)(0xc0 | (sub << 3) | a);
        *g->p++ = (uint8_t)(rnd(g, 2) ? rnd(g, 70) : rnd(g, 256));
        break;
    case 2: /* MOVD in/out of general registers */
        *g->p++ = 0x0f; *g->p++ = 0x7e; *g->p++ = (uint8_t)(0xc0 | (b << 3) | reg_no_esp_ebx(g));
        *g->p++ = 0x0f; *g->p++ = 0x6e; *g->p++ = (uint8_t)(0xc0 | (a << 3) | reg_no_esp_ebx(g));
        break;
    default:
        *g->p++ = 0x0f; *g->p++ = op; *g->p++ = (uint8_t)(0xc0 | (a << 3) | b);
        break;
    }
    *g->p++ = 0x0f; *g->p++ = 0x7f; mmx_modrm_mem(g, a, 0x30);     /* movq [ebx+0x30], mmA */
    if (rnd(g, 4) == 0) {
        *g->p++ = 0x0f; *g->p++ = 0x77;                            /* emms */
    }
    x87_epilogue(g);
}

static const struct { const char *name; GenFn fn; } templates[] = {
    { "memory ALU", t_mem_alu }, { "memory RMW/atomics/bits/shifts", t_mem_misc },
    { "string instructions", t_string },
    { "ALU r/m, r", t_alu }, { "ALU imm", t_alu_imm }, { "INC/DEC/NEG/NOT", t_incdec_neg },
    { "shifts and rotates", t_shift }, { "MUL/IMUL", t_mul }, { "bit operations", t_bits },
    { "SETcc/CMOVcc/flag ops", t_cond }, { "BCD", t_bcd }, { "XCHG/XADD/CMPXCHG/LEA", t_xchg },
    { "x87", t_x87 }, { "MMX", t_mmx },
};

/* Flags defined after a shift/rotate (SDM vol. 2, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR). */
static uint32_t shift_mask(const uint8_t *code, unsigned cnt_field, uint32_t ecx)
{
    const uint8_t *p = code;
    unsigned width = 32;
    if (*p == 0x66) {
        width = 16;
        p++;
    }
    uint8_t op = *p++;
    if (op == 0xd0 || op == 0xc0 || op == 0xd2) {
        width = 8;
    }
    unsigned cnt = (op == 0xd0 || op == 0xd1) ? 1 : (op == 0xd2 || op == 0xd3) ? (ecx & 0xff) : cnt_field;
    cnt &= 31;
    int kind = (*p >> 3) & 7;
    if (cnt == 0) {
        return ARITH;
    }
    if (kind < 4) { /* rotates: CF, OF for count 1 */
        if (kind >= 2) {
            unsigned m = cnt % (width + 1);
            (void)m;
        }
        return cnt == 1 ? (F_CF | F_OF) : F_CF;
    }
    uint32_t m = F_SF | F_ZF | F_PF | F_CF;
    if (cnt == 1) {
        m |= F_OF;
    }
    if (cnt > width) {
        m &= ~F_CF;   /* undefined for SHL/SHR with count > width */
    }
    return m;
}

typedef struct Ctx {
    X86Cpu *cpu;
    uint8_t *ram;
    uint32_t ncase;
} Ctx;

static uint8_t *ctx_page_ptr(void *opaque, uint64_t paddr, bool write)
{
    Ctx *c = opaque;
    return paddr < (16u << 20) ? c->ram + paddr : NULL;
}

static uint64_t ctx_mem_read(void *opaque, uint64_t paddr, unsigned size)
{
    return ~0ull;
}

static void ctx_mem_write(void *opaque, uint64_t paddr, uint64_t val, unsigned size)
{
}

static uint32_t ctx_io_read(void *opaque, uint16_t port, unsigned size)
{
    return ~0u;
}

static void ctx_io_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
}

static int64_t ctx_clock(void *opaque)
{
    return 0;
}

static bool emulate(Ctx *c, const DiffCase *dc, DiffResult *r)
{
    X86Cpu *cpu = c->cpu;
    x86_cpu_reset(cpu);
    cpu->cr0 |= CR0_PE;
    cpu->pe = true;
    for (int s = 0; s < 6; s++) {
        x86_seg_set_cache(cpu, s, 0x10, 0, 0xffffffffu, 0xc093);
    }
    x86_seg_set_cache(cpu, S_CS, 0x08, 0, 0xffffffffu, 0xc09b);
    x86_update_mode(cpu);
    /* a new page per case (mostly): exercises the decoded-instruction
     * cache as well as its invalidation */
    uint32_t code = (0x100 + (c->ncase++ % 0x700)) << 12;
    memcpy(c->ram + code, dc->code, dc->len);
    c->ram[code + dc->len] = 0xf4;
    x86_cpu_invalidate_code(cpu, code, dc->len + 1);
    memcpy(cpu->regs, dc->regs, sizeof(dc->regs));
    memcpy(c->ram + SCRATCH_BASE, dc->mem, SCRATCH_SIZE);
    cpu->eip = code;
    cpu->cc_op = CC_EFLAGS;
    cpu->eflags = 2 | (dc->flags & ARITH);
    /* the FNINIT state the native side starts from (registers are +0) */
    cpu->fpu.fcw = 0x037f;
    cpu->fpu.fsw = 0;
    cpu->fpu.top = 0;
    cpu->fpu.ftw = 0xffff;
    uint64_t n;
    x86_cpu_run(cpu, 16, &n);
    memcpy(r->regs, cpu->regs, sizeof(r->regs));
    r->flags = x86_get_flags(cpu);
    memcpy(r->mem, c->ram + SCRATCH_BASE, SCRATCH_SIZE);
    return cpu->halted && cpu->eip == code + dc->len + 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: difftest NATIVE_HELPER [SEED [CASES]]\n");
        return 2;
    }
    guint32 seed = argc > 2 ? (guint32)strtoul(argv[2], NULL, 0) : 1;
    int cases = argc > 3 ? atoi(argv[3]) : 2000;

    int to_child[2], from_child[2];
    if (pipe(to_child) || pipe(from_child)) {
        perror("pipe");
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        close(to_child[1]);
        close(from_child[0]);
        execl(argv[1], argv[1], (char *)NULL);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    FILE *wr = fdopen(to_child[1], "wb");
    FILE *rd = fdopen(from_child[0], "rb");

    Ctx ctx = { .ram = g_malloc0(16u << 20) };
    X86Bus bus = {
        .opaque = &ctx, .page_ptr = ctx_page_ptr, .mem_read = ctx_mem_read,
        .mem_write = ctx_mem_write, .io_read = ctx_io_read, .io_write = ctx_io_write,
        .clock_ns = ctx_clock,
    };
    ctx.cpu = x86_cpu_new(X86_MODEL_PENTIUM2, &bus);
    GRand *rng = g_rand_new_with_seed(seed);
    int failed_total = 0;

    printf("1..%zu\n", G_N_ELEMENTS(templates));
    for (size_t t = 0; t < G_N_ELEMENTS(templates); t++) {
        int bad = 0, skipped = 0;
        for (int i = 0; i < cases; i++) {
            DiffCase dc = { 0 };
            for (int k = 0; k < SCRATCH_SIZE; k++) {
                dc.mem[k] = (uint8_t)g_rand_int(rng);
            }
            Gen g = { .rng = rng, .p = dc.code, .mem = dc.mem };
            templates[t].fn(&g);
            dc.len = (uint32_t)(g.p - dc.code);
            g_assert(dc.len <= sizeof(dc.code));
            for (int r = 0; r < 8; r++) {
                dc.regs[r] = (g.fixmask >> r) & 1 ? g.fixed[r] : interesting(&g);
            }
            dc.regs[4] = 0;
            dc.flags = 2 | (g_rand_int(rng) & ARITH);
            uint32_t mask = g.fmask;
            if ((mask & 0xff000000u) == 0xff000000u) {
                mask = shift_mask(dc.code, mask & 0xff, dc.regs[1]);
            }
            DiffResult nat, emu;
            if (fwrite(&dc, sizeof(dc), 1, wr) != 1 || fflush(wr) != 0 ||
                fread(&nat, sizeof(nat), 1, rd) != 1) {
                printf("Bail out! native helper failed\n");
                return 1;
            }
            if (nat.signal) {
                skipped++;
                continue;
            }
            bool ok = emulate(&ctx, &dc, &emu);
            if (g.ign_len) {
                memset(nat.mem + g.ign_off, 0, (size_t)g.ign_len);
                memset(emu.mem + g.ign_off, 0, (size_t)g.ign_len);
            }
            bool same = ok && memcmp(nat.regs, emu.regs, sizeof(nat.regs)) == 0 &&
                        ((nat.flags ^ emu.flags) & mask) == 0 &&
                        memcmp(nat.mem, emu.mem, SCRATCH_SIZE) == 0;
            /* BSF/BSR with a zero source: destination undefined */
            if (!same && ok && dc.code[0] == 0x0f && (dc.code[1] == 0xbc || dc.code[1] == 0xbd) &&
                (nat.flags & F_ZF) && (emu.flags & F_ZF)) {
                same = true;
            }
            if (!same) {
                if (bad < 5) {
                    GString *s = g_string_new(NULL);
                    for (uint32_t k = 0; k < dc.len; k++) {
                        g_string_append_printf(s, "%02x ", dc.code[k]);
                    }
                    printf("# %s: code %sflags in %03x mask %03x%s\n", templates[t].name, s->str,
                           dc.flags & ARITH, mask, ok ? "" : " (emulation did not finish)");
                    for (int r = 0; r < 8; r++) {
                        if (nat.regs[r] != emu.regs[r]) {
                            printf("#   reg %d: in %08x native %08x emulated %08x\n", r,
                                   dc.regs[r], nat.regs[r], emu.regs[r]);
                        }
                    }
                    for (int k = 0; k < SCRATCH_SIZE; k++) {
                        if (nat.mem[k] != emu.mem[k]) {
                            printf("#   mem +%03x: native %02x emulated %02x\n", k, nat.mem[k], emu.mem[k]);
                            break;
                        }
                    }
                    if ((nat.flags ^ emu.flags) & mask) {
                        printf("#   flags: native %03x emulated %03x\n", nat.flags & ARITH,
                               emu.flags & ARITH);
                    }
                    g_string_free(s, TRUE);
                }
                bad++;
            }
        }
        printf("%s %zu - %s (%d cases, %d mismatches, %d skipped)\n", bad ? "not ok" : "ok",
               t + 1, templates[t].name, cases, bad, skipped);
        failed_total += bad;
    }
    fclose(wr);
    fclose(rd);
    waitpid(pid, NULL, 0);
    x86_cpu_free(ctx.cpu);
    g_free(ctx.ram);
    g_rand_free(rng);
    return 0;
}
