/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MMX (Intel SDM vol. 1 ch. 9, vol. 2 instruction pages) and the 0F AE
 * FXSAVE/FXRSTOR entry, for the models whose CPUID reports them
 * (x86_fpu_cpuid_features: Pentium II and max).
 *
 * MMn is the 64-bit significand of physical x87 register n. Every MMX
 * instruction but EMMS sets TOP to 0 and all tags to valid; writing MMn
 * also sets the register's sign and exponent bits (79-64) to ones. EMMS
 * empties all tags. Checks, in order: CR0.EM -> #UD, CR0.TS -> #NM, a
 * pending unmasked x87 exception -> #MF (CR0.NE=1). Before any of these,
 * exec-0f.c raises #UD for a 66/F2/F3 prefix: with one, these opcodes are
 * the SSE2/SSE3 instructions, which no model implements.
 */
#include "cpu/x86/exec-inline.h"

static uint64_t mm_get(X86Cpu *cpu, int i)
{
    uint8_t r[10];
    uint64_t v;
    x86_fpu_get_reg80(cpu, i & 7, r);
    memcpy(&v, r, 8);
    return v;
}

static void mm_set(X86Cpu *cpu, int i, uint64_t v)
{
    uint8_t r[10];
    memcpy(r, &v, 8);
    r[8] = r[9] = 0xff;
    x86_fpu_set_reg80(cpu, i & 7, r);
}

/* Lanes: n-bit elements of a 64-bit value. */
static inline uint64_t lane(uint64_t v, int bits, int k)
{
    return (v >> (k * bits)) & (bits == 64 ? ~0ull : ((1ull << bits) - 1));
}

static inline int64_t slane(uint64_t v, int bits, int k)
{
    uint64_t u = lane(v, bits, k);
    return bits == 64 ? (int64_t)u : (int64_t)(u << (64 - bits)) >> (64 - bits);
}

static inline uint64_t put_lane(uint64_t acc, int bits, int k, uint64_t x)
{
    uint64_t m = bits == 64 ? ~0ull : ((1ull << bits) - 1);
    return acc | ((x & m) << (k * bits));
}

static int64_t clamp(int64_t x, int64_t lo, int64_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* op: 0 wrap, 1 signed saturate, 2 unsigned saturate */
static uint64_t padd(uint64_t a, uint64_t b, int bits, int sat, bool sub)
{
    uint64_t r = 0;
    int n = 64 / bits;
    for (int k = 0; k < n; k++) {
        int64_t x;
        if (sat == 1) {
            int64_t lim = 1ll << (bits - 1);
            x = sub ? slane(a, bits, k) - slane(b, bits, k) : slane(a, bits, k) + slane(b, bits, k);
            x = clamp(x, -lim, lim - 1);
        } else if (sat == 2) {
            x = sub ? (int64_t)lane(a, bits, k) - (int64_t)lane(b, bits, k)
                    : (int64_t)lane(a, bits, k) + (int64_t)lane(b, bits, k);
            x = clamp(x, 0, (1ll << bits) - 1);
        } else {
            x = (int64_t)(sub ? lane(a, bits, k) - lane(b, bits, k) : lane(a, bits, k) + lane(b, bits, k));
        }
        r = put_lane(r, bits, k, (uint64_t)x);
    }
    return r;
}

static uint64_t pcmp(uint64_t a, uint64_t b, int bits, bool gt)
{
    uint64_t r = 0;
    for (int k = 0; k < 64 / bits; k++) {
        bool t = gt ? slane(a, bits, k) > slane(b, bits, k) : lane(a, bits, k) == lane(b, bits, k);
        r = put_lane(r, bits, k, t ? ~0ull : 0);
    }
    return r;
}

/* Pack: the 'bits'-wide signed lanes of a (low half) then b (high half)
 * into half-width lanes, signed (sat 1) or unsigned (sat 2) saturation. */
static uint64_t pack(uint64_t a, uint64_t b, int bits, int sat)
{
    int half = bits / 2, n = 64 / bits;
    int64_t lo = sat == 1 ? -(1ll << (half - 1)) : 0;
    int64_t hi = sat == 1 ? (1ll << (half - 1)) - 1 : (1ll << half) - 1;
    uint64_t r = 0;
    for (int k = 0; k < n; k++) {
        r = put_lane(r, half, k, (uint64_t)clamp(slane(a, bits, k), lo, hi));
        r = put_lane(r, half, k + n, (uint64_t)clamp(slane(b, bits, k), lo, hi));
    }
    return r;
}

/* Interleave the low (high=false) or high halves' lanes of a and b. */
static uint64_t punpck(uint64_t a, uint64_t b, int bits, bool high)
{
    int n = 32 / bits, base = high ? n : 0;
    uint64_t r = 0;
    for (int k = 0; k < n; k++) {
        r = put_lane(r, bits, 2 * k, lane(a, bits, base + k));
        r = put_lane(r, bits, 2 * k + 1, lane(b, bits, base + k));
    }
    return r;
}

/* kind: 0 logical right, 1 arithmetic right, 2 left */
static uint64_t pshift(uint64_t a, uint64_t cnt, int bits, int kind)
{
    uint64_t r = 0;
    for (int k = 0; k < 64 / bits; k++) {
        uint64_t x;
        if (kind == 1) {
            int64_t s = slane(a, bits, k);
            x = (uint64_t)(cnt >= (uint64_t)bits ? (s < 0 ? -1 : 0) : s >> cnt);
        } else if (cnt >= (uint64_t)bits) {
            x = 0;
        } else {
            x = kind == 0 ? lane(a, bits, k) >> cnt : lane(a, bits, k) << cnt;
        }
        r = put_lane(r, bits, k, x);
    }
    return r;
}

static uint64_t pmul(uint64_t a, uint64_t b, int which)
{
    uint64_t r = 0;
    if (which == 2) { /* PMADDWD */
        for (int k = 0; k < 2; k++) {
            int64_t s = slane(a, 16, 2 * k) * slane(b, 16, 2 * k) +
                        slane(a, 16, 2 * k + 1) * slane(b, 16, 2 * k + 1);
            r = put_lane(r, 32, k, (uint64_t)s);
        }
        return r;
    }
    for (int k = 0; k < 4; k++) {
        int64_t p = slane(a, 16, k) * slane(b, 16, k);
        r = put_lane(r, 16, k, (uint64_t)(which == 0 ? p : p >> 16));
    }
    return r;
}

static bool mmx_valid(uint8_t op)
{
    if (op >= 0x60 && op <= 0x6b) return true;
    switch (op) {
    case 0x6e: case 0x6f: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75:
    case 0x76: case 0x77: case 0x7e: case 0x7f:
    case 0xd1: case 0xd2: case 0xd3: case 0xd5: case 0xd8: case 0xd9: case 0xdb:
    case 0xdc: case 0xdd: case 0xdf: case 0xe1: case 0xe2: case 0xe5: case 0xe8:
    case 0xe9: case 0xeb: case 0xec: case 0xed: case 0xef: case 0xf1: case 0xf2:
    case 0xf3: case 0xf5: case 0xf8: case 0xf9: case 0xfa: case 0xfc: case 0xfd:
    case 0xfe:
        return true;
    default:
        return false;
    }
}

static _Noreturn void mmx_ud(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    x86_log(cpu, "guest-error", "invalid opcode 0f %02x %02x at %04x:%08x", op, modrm,
            cpu->seg[S_CS].sel, cpu->eip);
    x86_raise(cpu, EXC_UD, -1);
}

static void fxsave_op(X86Cpu *cpu, uint8_t modrm, const X86FpuMem *m)
{
    int reg = (modrm >> 3) & 7;
    if (!x86_has_feature(cpu, FEAT_FXSR) || modrm >= 0xc0 || reg > 1) {
        mmx_ud(cpu, 0xae, modrm);
    }
    if (cpu->cr0 & CR0_EM) {
        x86_raise(cpu, EXC_UD, -1);
    }
    if (cpu->cr0 & CR0_TS) {
        x86_raise(cpu, EXC_NM, -1);
    }
    if ((cpu->seg[m->seg].base + m->off) & 15) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if (reg == 0) {
        x86_fpu_fxsave(cpu, m);
    } else {
        x86_fpu_fxrstor(cpu, m);
    }
}

void x86_mmx_exec(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    if (op == 0xae) {
        fxsave_op(cpu, modrm, m);
        return;
    }
    if (!x86_has_feature(cpu, FEAT_MMX) || !mmx_valid(op)) {
        mmx_ud(cpu, op, modrm);
    }
    bool regform = modrm >= 0xc0;
    int reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (op >= 0x71 && op <= 0x73) {
        if (!regform || (reg != 2 && reg != 4 && reg != 6) || (op == 0x73 && reg == 4)) {
            mmx_ud(cpu, op, modrm);
        }
    }
    if (cpu->cr0 & CR0_EM) {
        x86_raise(cpu, EXC_UD, -1);
    }
    if (cpu->cr0 & CR0_TS) {
        x86_raise(cpu, EXC_NM, -1);
    }
    x86_fpu_check_pending(cpu);

    X86Fpu *f = &cpu->fpu;
    if (op == 0x77) { /* EMMS */
        f->ftw = 0xffff;
        return;
    }
    /* the stores first: a fault leaves the MMX state unchanged */
    if (op == 0x7e) { /* MOVD r/m32, mm */
        uint32_t v = (uint32_t)mm_get(cpu, reg);
        if (regform) {
            cpu->regs[rm] = v;
        } else {
            x86_mem_write(cpu, m->seg, m->off, v, 4);
        }
        f->top = 0;
        f->ftw = 0;
        return;
    }
    if (op == 0x7f) { /* MOVQ mm/m64, mm */
        uint64_t v = mm_get(cpu, reg);
        if (!regform) {
            x86_mem_write64(cpu, m->seg, m->off, v);
        }
        f->top = 0;
        f->ftw = 0;
        if (regform) {
            mm_set(cpu, rm, v);
        }
        return;
    }
    uint64_t src;
    if (op >= 0x71 && op <= 0x73) {
        src = fetch8(cpu);
    } else if (op == 0x6e) {
        src = regform ? cpu->regs[rm] : x86_mem_read(cpu, m->seg, m->off, 4);
    } else if (regform) {
        src = mm_get(cpu, rm);
    } else if (op >= 0x60 && op <= 0x62) {
        src = x86_mem_read(cpu, m->seg, m->off, 4);   /* PUNPCKL*: m32 */
    } else {
        src = x86_mem_read64(cpu, m->seg, m->off);
    }
    int dst = (op >= 0x71 && op <= 0x73) ? rm : reg;
    uint64_t a = mm_get(cpu, dst), r;
    switch (op) {
    case 0x60: r = punpck(a, src, 8, false); break;
    case 0x61: r = punpck(a, src, 16, false); break;
    case 0x62: r = punpck(a, src, 32, false); break;
    case 0x63: r = pack(a, src, 16, 1); break;
    case 0x64: r = pcmp(a, src, 8, true); break;
    case 0x65: r = pcmp(a, src, 16, true); break;
    case 0x66: r = pcmp(a, src, 32, true); break;
    case 0x67: r = pack(a, src, 16, 2); break;
    case 0x68: r = punpck(a, src, 8, true); break;
    case 0x69: r = punpck(a, src, 16, true); break;
    case 0x6a: r = punpck(a, src, 32, true); break;
    case 0x6b: r = pack(a, src, 32, 1); break;
    case 0x6e: r = (uint32_t)src; break;
    case 0x6f: r = src; break;
    case 0x71: case 0x72: case 0x73: {
        int bits = op == 0x71 ? 16 : op == 0x72 ? 32 : 64;
        r = pshift(a, src, bits, reg == 2 ? 0 : reg == 4 ? 1 : 2);
        break;
    }
    case 0x74: r = pcmp(a, src, 8, false); break;
    case 0x75: r = pcmp(a, src, 16, false); break;
    case 0x76: r = pcmp(a, src, 32, false); break;
    case 0xd1: r = pshift(a, src, 16, 0); break;
    case 0xd2: r = pshift(a, src, 32, 0); break;
    case 0xd3: r = pshift(a, src, 64, 0); break;
    case 0xd5: r = pmul(a, src, 0); break;
    case 0xd8: r = padd(a, src, 8, 2, true); break;
    case 0xd9: r = padd(a, src, 16, 2, true); break;
    case 0xdb: r = a & src; break;
    case 0xdc: r = padd(a, src, 8, 2, false); break;
    case 0xdd: r = padd(a, src, 16, 2, false); break;
    case 0xdf: r = ~a & src; break;
    case 0xe1: r = pshift(a, src, 16, 1); break;
    case 0xe2: r = pshift(a, src, 32, 1); break;
    case 0xe5: r = pmul(a, src, 1); break;
    case 0xe8: r = padd(a, src, 8, 1, true); break;
    case 0xe9: r = padd(a, src, 16, 1, true); break;
    case 0xeb: r = a | src; break;
    case 0xec: r = padd(a, src, 8, 1, false); break;
    case 0xed: r = padd(a, src, 16, 1, false); break;
    case 0xef: r = a ^ src; break;
    case 0xf1: r = pshift(a, src, 16, 2); break;
    case 0xf2: r = pshift(a, src, 32, 2); break;
    case 0xf3: r = pshift(a, src, 64, 2); break;
    case 0xf5: r = pmul(a, src, 2); break;
    case 0xf8: r = padd(a, src, 8, 0, true); break;
    case 0xf9: r = padd(a, src, 16, 0, true); break;
    case 0xfa: r = padd(a, src, 32, 0, true); break;
    case 0xfc: r = padd(a, src, 8, 0, false); break;
    case 0xfd: r = padd(a, src, 16, 0, false); break;
    default:   r = padd(a, src, 32, 0, false); break;   /* 0xfe */
    }
    f->top = 0;
    f->ftw = 0;
    mm_set(cpu, dst, r);
}
