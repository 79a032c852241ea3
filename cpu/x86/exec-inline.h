/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inline helpers shared by the decoder (exec.c, exec-0f.c) and the
 * decoded-instruction cache (dcache.c): code fetch, register access,
 * segment checks, stack, lazy-flag ALU operations, conditions, ModRM.
 */
#ifndef BP_CPU_X86_EXEC_INLINE_H
#define BP_CPU_X86_EXEC_INLINE_H

#include "cpu/x86/cpu-internal.h"

/* Code fetch */

static inline uint8_t fetch8(X86Cpu *cpu)
{
    uint32_t lin = cpu->seg[S_CS].base + cpu->next_eip;
    cpu->next_eip++;
    if (likely((lin & ~0xfffu) == cpu->fetch_page)) {
        return cpu->fetch_host[lin & 0xfff];
    }
    return x86_fetch_slow(cpu, lin);
}

static inline uint16_t fetch16(X86Cpu *cpu)
{
    uint32_t lin = cpu->seg[S_CS].base + cpu->next_eip;
    if (likely((lin & ~0xfffu) == cpu->fetch_page && (lin & 0xfff) <= 0xffe)) {
        cpu->next_eip += 2;
        return (uint16_t)ldn(cpu->fetch_host + (lin & 0xfff), 2);
    }
    uint16_t v = fetch8(cpu);
    return (uint16_t)(v | (fetch8(cpu) << 8));
}

static inline uint32_t fetch32(X86Cpu *cpu)
{
    uint32_t lin = cpu->seg[S_CS].base + cpu->next_eip;
    if (likely((lin & ~0xfffu) == cpu->fetch_page && (lin & 0xfff) <= 0xffc)) {
        cpu->next_eip += 4;
        return ldn(cpu->fetch_host + (lin & 0xfff), 4);
    }
    uint32_t v = fetch16(cpu);
    return v | ((uint32_t)fetch16(cpu) << 16);
}

static inline uint32_t fetchv(X86Cpu *cpu, unsigned sz)
{
    return sz == 4 ? fetch32(cpu) : sz == 2 ? fetch16(cpu) : fetch8(cpu);
}

/* Registers */

static inline __attribute__((always_inline)) uint32_t getreg(X86Cpu *cpu, int r, unsigned sz)
{
    if (sz == 4) return cpu->regs[r];
    if (sz == 2) return cpu->regs[r] & 0xffff;
    return r < 4 ? cpu->regs[r] & 0xff : (cpu->regs[r - 4] >> 8) & 0xff;
}

static inline __attribute__((always_inline)) void setreg(X86Cpu *cpu, int r, uint32_t v, unsigned sz)
{
    if (sz == 4) {
        cpu->regs[r] = v;
    } else if (sz == 2) {
        cpu->regs[r] = (cpu->regs[r] & 0xffff0000u) | (v & 0xffff);
    } else if (r < 4) {
        cpu->regs[r] = (cpu->regs[r] & 0xffffff00u) | (v & 0xff);
    } else {
        cpu->regs[r - 4] = (cpu->regs[r - 4] & 0xffff00ffu) | ((v & 0xff) << 8);
    }
}

static inline uint32_t szmask(unsigned sz)
{
    return sz == 4 ? 0xffffffffu : sz == 2 ? 0xffff : 0xff;
}

static inline uint32_t sext(uint32_t v, unsigned sz)
{
    return sz == 4 ? v : sz == 2 ? (uint32_t)(int32_t)(int16_t)v : (uint32_t)(int32_t)(int8_t)v;
}

/* Segmented memory */

static inline _Noreturn void seg_fault(X86Cpu *cpu, int s)
{
    x86_raise(cpu, s == S_SS ? EXC_SS : EXC_GP, 0);
}

static inline __attribute__((always_inline)) uint32_t seg_lin(X86Cpu *cpu, int s, uint32_t off, unsigned size, bool write)
{
    X86Seg *sg = &cpu->seg[s];
    if (likely(write ? sg->flat_w : sg->flat_r) && likely(off <= 0xffffffffu - (size - 1))) {
        return off;
    }
    if (unlikely(off < sg->lo || (uint64_t)off + size - 1 > sg->hi || !(write ? sg->wok : sg->rok))) {
        seg_fault(cpu, s);
    }
    return sg->base + off;
}

/* Make sure lin is writable before a read-modify-write reads it, so a
 * fault reports a write access. */
static inline __attribute__((always_inline)) void probe_write(X86Cpu *cpu, uint32_t lin, unsigned size)
{
    X86TlbEntry *e = &cpu->tlb[cpu->tlb_mode][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_w == (lin & ~0xfffu) && (lin & 0xfff) <= 4096 - size)) {
        return;
    }
    uint32_t v = x86_slow_read(cpu, lin, size, ACC_R);
    x86_slow_write(cpu, lin, v, size, ACC_W);
}

/* Stack */

static inline __attribute__((always_inline)) void push(X86Cpu *cpu, uint32_t v, unsigned sz)
{
    uint32_t esp = cpu->regs[R_ESP] - sz;
    uint32_t off = cpu->stack32 ? esp : (esp & 0xffff);
    x86_lwrite(cpu, seg_lin(cpu, S_SS, off, sz, true), v, sz);
    if (cpu->stack32) {
        cpu->regs[R_ESP] = esp;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | (esp & 0xffff);
    }
}

/* Read the value at the top of the stack (plus extra bytes) without popping. */
static inline __attribute__((always_inline)) uint32_t peek(X86Cpu *cpu, unsigned sz, uint32_t extra)
{
    uint32_t esp = cpu->regs[R_ESP] + extra;
    uint32_t off = cpu->stack32 ? esp : (esp & 0xffff);
    return x86_lread(cpu, seg_lin(cpu, S_SS, off, sz, false), sz);
}

static inline __attribute__((always_inline)) void add_esp(X86Cpu *cpu, uint32_t n)
{
    if (cpu->stack32) {
        cpu->regs[R_ESP] += n;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | ((cpu->regs[R_ESP] + n) & 0xffff);
    }
}

static inline __attribute__((always_inline)) uint32_t pop(X86Cpu *cpu, unsigned sz)
{
    uint32_t v = peek(cpu, sz, 0);
    add_esp(cpu, sz);
    return v;
}

/* Flags */

static inline __attribute__((always_inline)) bool get_cf(X86Cpu *cpu)
{
    uint32_t m = szmask((unsigned)cpu->cc_size);
    switch (cpu->cc_op) {
    case CC_EFLAGS: return cpu->eflags & F_CF;
    case CC_ADD: return (cpu->cc_res & m) < (cpu->cc_a & m);
    case CC_SUB: return (cpu->cc_a & m) < (cpu->cc_b & m);
    case CC_ADC: return cpu->cc_cf ? (cpu->cc_res & m) <= (cpu->cc_a & m) : (cpu->cc_res & m) < (cpu->cc_a & m);
    case CC_SBB: return cpu->cc_cf ? (cpu->cc_a & m) <= (cpu->cc_b & m) : (cpu->cc_a & m) < (cpu->cc_b & m);
    case CC_LOGIC: return false;
    case CC_INC: case CC_DEC: case CC_SHIFT: return cpu->cc_cf;
    default: return x86_get_flags(cpu) & F_CF;
    }
}

static inline __attribute__((always_inline)) void set_cc(X86Cpu *cpu, int op, uint32_t a, uint32_t b, uint32_t r, unsigned sz)
{
    cpu->cc_op = op;
    cpu->cc_size = (int)sz;
    cpu->cc_a = a;
    cpu->cc_b = b;
    cpu->cc_res = r;
}

static inline __attribute__((always_inline)) uint32_t alu(X86Cpu *cpu, int op, uint32_t a, uint32_t b, unsigned sz)
{
    uint32_t r, cin;
    switch (op) {
    case 0: r = a + b; set_cc(cpu, CC_ADD, a, b, r, sz); break;
    case 1: r = a | b; set_cc(cpu, CC_LOGIC, a, b, r, sz); break;
    case 2:
        cin = get_cf(cpu);
        r = a + b + cin;
        set_cc(cpu, CC_ADC, a, b, r, sz);
        cpu->cc_cf = cin;
        break;
    case 3:
        cin = get_cf(cpu);
        r = a - b - cin;
        set_cc(cpu, CC_SBB, a, b, r, sz);
        cpu->cc_cf = cin;
        break;
    case 4: r = a & b; set_cc(cpu, CC_LOGIC, a, b, r, sz); break;
    case 6: r = a ^ b; set_cc(cpu, CC_LOGIC, a, b, r, sz); break;
    default: r = a - b; set_cc(cpu, CC_SUB, a, b, r, sz); break;
    }
    return r & szmask(sz);
}

static inline __attribute__((always_inline)) uint32_t inc_dec(X86Cpu *cpu, uint32_t a, bool dec, unsigned sz)
{
    uint32_t cf = get_cf(cpu);
    uint32_t r = dec ? a - 1 : a + 1;
    set_cc(cpu, dec ? CC_DEC : CC_INC, a, 1, r, sz);
    cpu->cc_cf = cf;
    return r & szmask(sz);
}

/* Conditions: the common lazy cases inline, the rest in cpu.c */
static inline __attribute__((always_inline)) bool cond(X86Cpu *cpu, int cc)
{
    int op = cpu->cc_op;
    if (op == CC_EFLAGS) {
        /* flags already materialised: test the bits */
        return x86_eflags_cond(cpu->eflags, cc);
    }
    {
        unsigned sh = 32 - cpu->cc_size * 8;
        bool r;
        switch (cc >> 1) {
        case 2:
            r = (cpu->cc_res << sh) == 0;
            return (cc & 1) ? !r : r;
        case 4:
            r = (int32_t)(cpu->cc_res << sh) < 0;
            return (cc & 1) ? !r : r;
        case 1:
            /* B/NB (SETB/JC after ADD, ADC, shifts…): the carry alone */
            r = get_cf(cpu);
            return (cc & 1) ? !r : r;
        default:
            if (op == CC_SUB) {
                /* CMP/SUB + Jcc: compare the operands */
                uint32_t a = cpu->cc_a << sh, b = cpu->cc_b << sh;
                switch (cc >> 1) {
                case 1: r = a < b; break;                                /* B */
                case 3: r = a <= b; break;                               /* BE */
                case 6: r = (int32_t)a < (int32_t)b; break;              /* L */
                case 7: r = (int32_t)a <= (int32_t)b; break;             /* LE */
                default: return x86_cond(cpu, cc);
                }
                return (cc & 1) ? !r : r;
            }
            if (op == CC_LOGIC) {
                uint32_t res = cpu->cc_res << sh;
                switch (cc >> 1) {
                case 0: case 1: r = false; break;        /* OF, CF clear */
                case 3: r = res == 0; break;             /* BE: ZF */
                case 6: r = (int32_t)res < 0; break;     /* L: SF != OF */
                case 7: r = (int32_t)res <= 0; break;    /* LE */
                default: return x86_cond(cpu, cc);
                }
                return (cc & 1) ? !r : r;
            }
            break;
        }
    }
    return x86_cond(cpu, cc);
}

/* Eager flags: SF/ZF/PF from r, plus the given CF/OF/AF; every arithmetic
 * flag is replaced, so the lazy state is dropped, not computed. */
static inline __attribute__((always_inline)) void set_szp(X86Cpu *cpu, uint32_t r, unsigned sz,
                                                           bool cf, bool of, bool af)
{
    uint32_t f = 0;
    r &= szmask(sz);
    if (cf) f |= F_CF;
    if (of) f |= F_OF;
    if (af) f |= F_AF;
    if (r == 0) f |= F_ZF;
    if (r & (1u << (sz * 8 - 1))) f |= F_SF;
    if (!__builtin_parity(r & 0xff)) f |= F_PF;
    cpu->eflags = (cpu->eflags & ~F_ARITH) | f;
    cpu->cc_op = CC_EFLAGS;
}

/* Lazy flags of a 32-bit shift or IMUL: SF/ZF/PF from r, AF clear. */
static inline void set_cc_shift(X86Cpu *cpu, uint32_t r, bool cf, bool of)
{
    cpu->cc_op = CC_SHIFT;
    cpu->cc_size = 4;
    cpu->cc_res = r;
    cpu->cc_cf = cf;
    cpu->cc_b = of;
}

/* 32-bit IMUL r, r/m (flags as x86_imul2) */
static inline __attribute__((always_inline)) uint32_t imul32(X86Cpu *cpu, uint32_t a, uint32_t b)
{
    int64_t r = (int64_t)(int32_t)a * (int32_t)b;
    bool c = r != (int32_t)r;
    set_cc_shift(cpu, (uint32_t)r, c, c);
    return (uint32_t)r;
}

/* 32-bit shift or rotate by cnt (1-31): SHL/SHR/SAR inline, with the
 * flags x86_shift gives them. */
static inline __attribute__((always_inline)) uint32_t shift32(X86Cpu *cpu, int op, uint32_t a, unsigned cnt)
{
    uint32_t r;
    bool cf;
    switch (op) {
    case 4: case 6:
        r = a << cnt;
        cf = (a >> (32 - cnt)) & 1;
        set_cc_shift(cpu, r, cf, (r >> 31) != cf);
        return r;
    case 5:
        r = a >> cnt;
        set_cc_shift(cpu, r, (a >> (cnt - 1)) & 1, a >> 31);
        return r;
    case 7:
        r = (uint32_t)((int32_t)a >> cnt);
        set_cc_shift(cpu, r, ((int32_t)a >> (cnt - 1)) & 1, false);
        return r;
    default:
        return x86_shift(cpu, op, a, cnt, 4);
    }
}

typedef struct Dec {
    bool op32, a32;
    int seg;          /* override, -1 when none */
    int rep;          /* 0, 0xf2, 0xf3 */
    bool lock;
    bool mem;
    bool base_esp;    /* ModRM memory operand based on ESP (POP m quirk) */
    int mod, reg, rm;
    int eseg;
    uint32_t eoff;
} Dec;

/* ModRM */

void x86_decode_modrm_mem(X86Cpu *cpu, Dec *d);

static inline __attribute__((always_inline)) void decode_modrm(X86Cpu *cpu, Dec *d)
{
    uint8_t m = fetch8(cpu);
    d->mod = m >> 6;
    d->reg = (m >> 3) & 7;
    d->rm = m & 7;
    if (d->mod == 3) {
        d->mem = false;
        return;
    }
    x86_decode_modrm_mem(cpu, d);
}

static inline uint32_t rm_read(X86Cpu *cpu, Dec *d, unsigned sz)
{
    if (!d->mem) {
        return getreg(cpu, d->rm, sz);
    }
    return x86_lread(cpu, seg_lin(cpu, d->eseg, d->eoff, sz, false), sz);
}

static inline void rm_write(X86Cpu *cpu, Dec *d, uint32_t v, unsigned sz)
{
    if (!d->mem) {
        setreg(cpu, d->rm, v, sz);
        return;
    }
    x86_lwrite(cpu, seg_lin(cpu, d->eseg, d->eoff, sz, true), v, sz);
}

/* Read for read-modify-write; *lin receives the checked linear address. */
static inline uint32_t rm_read_rmw(X86Cpu *cpu, Dec *d, unsigned sz, uint32_t *lin)
{
    if (!d->mem) {
        return getreg(cpu, d->rm, sz);
    }
    *lin = seg_lin(cpu, d->eseg, d->eoff, sz, true);
    probe_write(cpu, *lin, sz);
    return x86_lread(cpu, *lin, sz);
}

static inline void rm_write_rmw(X86Cpu *cpu, Dec *d, uint32_t lin, uint32_t v, unsigned sz)
{
    if (!d->mem) {
        setreg(cpu, d->rm, v, sz);
    } else {
        x86_lwrite(cpu, lin, v, sz);
    }
}

static inline uint32_t ea_off(Dec *d, uint32_t extra)
{
    uint32_t o = d->eoff + extra;
    return d->a32 ? o : (o & 0xffff);
}

/* Control flow */

static inline void jump(X86Cpu *cpu, Dec *d, uint32_t target)
{
    if (!d->op32) {
        target &= 0xffff;
    }
    if (unlikely(target > cpu->seg[S_CS].limit) && cpu->pe && !cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    cpu->next_eip = target;
}

static inline _Noreturn void ud(X86Cpu *cpu)
{
    x86_raise(cpu, EXC_UD, -1);
}

static inline void need_cpl0(X86Cpu *cpu)
{
    if (cpu->pe && cpu->cpl != 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
}

static inline void lock_check(X86Cpu *cpu, Dec *d, bool ok)
{
    if (d->lock && (!ok || !d->mem)) {
        ud(cpu);
    }
}

/* exec.c helpers used by exec-0f.c */
void x86_set_szp(X86Cpu *cpu, uint32_t r, unsigned sz, bool cf, bool of, bool af);
uint32_t x86_imul2(X86Cpu *cpu, uint32_t a, uint32_t b, unsigned sz);
void x86_load_far_ptr(X86Cpu *cpu, Dec *d, int s);
void x86_exec_0f(X86Cpu *cpu, Dec *d);

#endif
