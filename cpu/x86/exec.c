/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decoder and integer instruction set through the Pentium II (Intel SDM
 * vol. 2): prefixes, 16/32-bit operand and address sizes, ModRM/SIB, the
 * one-byte opcode map (the 0F map is in exec-0f.c). x87 escapes go to fpu.c, MMX/FXSAVE opcodes
 * to x86_mmx_exec().
 *
 * Instructions are decoded straight from guest memory through the code
 * fetch pointer each time they run, which keeps self-modifying code exact.
 * Shifts, rotates, multiplies and BCD compute their flags eagerly; ALU
 * operations leave them lazy (cpu.c).
 */
#include "cpu/x86/exec-inline.h"

uint32_t x86_mem_read(X86Cpu *cpu, int s, uint32_t off, unsigned size)
{
    return x86_lread(cpu, seg_lin(cpu, s, off, size, false), size);
}

uint64_t x86_mem_read64(X86Cpu *cpu, int s, uint32_t off)
{
    uint32_t lin = seg_lin(cpu, s, off, 8, false);
    x86_ac_check(cpu, lin, 8);
    uint64_t lo = x86_lread(cpu, lin, 4);
    return lo | ((uint64_t)x86_lread(cpu, lin + 4, 4) << 32);
}

void x86_mem_write64(X86Cpu *cpu, int s, uint32_t off, uint64_t val)
{
    uint32_t lin = seg_lin(cpu, s, off, 8, true);
    x86_ac_check(cpu, lin, 8);
    probe_write(cpu, lin + 4, 4);   /* both halves writable before either lands */
    x86_lwrite(cpu, lin, (uint32_t)val, 4);
    x86_lwrite(cpu, lin + 4, (uint32_t)(val >> 32), 4);
}

void x86_mem_write(X86Cpu *cpu, int s, uint32_t off, uint32_t val, unsigned size)
{
    x86_lwrite(cpu, seg_lin(cpu, s, off, size, true), val, size);
}

void x86_decode_modrm_mem(X86Cpu *cpu, Dec *d)
{
    d->base_esp = false;
    d->mem = true;
    uint32_t off = 0;
    int seg = S_DS;
    if (!d->a32) {
        const uint32_t *r = cpu->regs;
        switch (d->rm) {
        case 0: off = r[R_EBX] + r[R_ESI]; break;
        case 1: off = r[R_EBX] + r[R_EDI]; break;
        case 2: off = r[R_EBP] + r[R_ESI]; seg = S_SS; break;
        case 3: off = r[R_EBP] + r[R_EDI]; seg = S_SS; break;
        case 4: off = r[R_ESI]; break;
        case 5: off = r[R_EDI]; break;
        case 6:
            if (d->mod == 0) {
                off = fetch16(cpu);
            } else {
                off = r[R_EBP];
                seg = S_SS;
            }
            break;
        default: off = r[R_EBX]; break;
        }
        if (d->mod == 1) {
            off += (uint32_t)(int8_t)fetch8(cpu);
        } else if (d->mod == 2) {
            off += fetch16(cpu);
        }
        off &= 0xffff;
    } else {
        if (d->rm == 4) {
            uint8_t sib = fetch8(cpu);
            int base = sib & 7, idx = (sib >> 3) & 7, scale = sib >> 6;
            if (base == 5 && d->mod == 0) {
                off = fetch32(cpu);
            } else {
                off = cpu->regs[base];
                if (base == R_ESP || base == R_EBP) {
                    seg = S_SS;
                }
                d->base_esp = base == R_ESP;
            }
            if (idx != 4) {
                off += cpu->regs[idx] << scale;
            }
        } else if (d->rm == 5 && d->mod == 0) {
            off = fetch32(cpu);
        } else {
            off = cpu->regs[d->rm];
            if (d->rm == R_EBP) {
                seg = S_SS;
            }
        }
        if (d->mod == 1) {
            off += (uint32_t)(int8_t)fetch8(cpu);
        } else if (d->mod == 2) {
            off += fetch32(cpu);
        }
    }
    d->eseg = d->seg >= 0 ? d->seg : seg;
    d->eoff = off;
}


/* Eager flags: SF/ZF/PF from r, plus the given CF/OF/AF. */
void x86_set_szp(X86Cpu *cpu, uint32_t r, unsigned sz, bool cf, bool of, bool af)
{
    set_szp(cpu, r, sz, cf, of, af);
}

/* Shifts and rotates (group 2). Count already masked to 5 bits. */
uint32_t x86_shift(X86Cpu *cpu, int op, uint32_t a, unsigned cnt, unsigned sz)
{
    unsigned bits = sz * 8;
    uint32_t mask = szmask(sz), msb = 1u << (bits - 1);
    uint32_t r;
    bool cf, of;
    a &= mask;
    if (cnt == 0) {
        return a;
    }
    uint32_t f;
    switch (op) {
    case 0: { /* ROL */
        unsigned c = cnt % bits;
        r = c ? ((a << c) | (a >> (bits - c))) & mask : a;
        cf = r & 1;
        of = !!(r & msb) != cf;
        x86_set_flags(cpu, (cf ? F_CF : 0) | (of ? F_OF : 0), F_CF | F_OF);
        return r;
    }
    case 1: { /* ROR */
        unsigned c = cnt % bits;
        r = c ? ((a >> c) | (a << (bits - c))) & mask : a;
        cf = r & msb;
        of = !!(r & msb) != !!(r & (msb >> 1));
        x86_set_flags(cpu, (cf ? F_CF : 0) | (of ? F_OF : 0), F_CF | F_OF);
        return r;
    }
    case 2: { /* RCL */
        f = x86_get_flags(cpu);
        unsigned c = cnt % (bits + 1);
        uint64_t v = ((uint64_t)((f & F_CF) ? 1 : 0) << bits) | a;
        if (c) {
            v = ((v << c) | (v >> (bits + 1 - c))) & ((2ull << bits) - 1);
        }
        r = (uint32_t)v & mask;
        cf = (v >> bits) & 1;
        of = !!(r & msb) != cf;
        x86_set_flags(cpu, (cf ? F_CF : 0) | (of ? F_OF : 0), F_CF | F_OF);
        return r;
    }
    case 3: { /* RCR */
        f = x86_get_flags(cpu);
        unsigned c = cnt % (bits + 1);
        of = !!(a & msb) != !!(f & F_CF);
        uint64_t v = ((uint64_t)((f & F_CF) ? 1 : 0) << bits) | a;
        if (c) {
            v = ((v >> c) | (v << (bits + 1 - c))) & ((2ull << bits) - 1);
        }
        r = (uint32_t)v & mask;
        cf = (v >> bits) & 1;
        x86_set_flags(cpu, (cf ? F_CF : 0) | (of ? F_OF : 0), F_CF | F_OF);
        return r;
    }
    case 4: case 6: /* SHL/SAL */
        r = cnt < 32 ? (a << cnt) & mask : 0;
        cf = cnt <= bits ? (a >> (bits - cnt)) & 1 : 0;
        of = !!(r & msb) != cf;
        set_szp(cpu, r, sz, cf, of, false);
        return r;
    case 5: /* SHR */
        r = cnt < 32 ? a >> cnt : 0;
        cf = cnt <= bits ? (a >> (cnt - 1)) & 1 : 0;
        of = a & msb;
        set_szp(cpu, r, sz, cf, of, false);
        return r;
    default: { /* SAR */
        int32_t s = (int32_t)sext(a, sz);
        unsigned c = cnt >= bits ? bits - 1 : cnt;
        r = (uint32_t)(s >> c) & mask;
        cf = cnt >= bits ? (s < 0) : ((s >> (cnt - 1)) & 1);
        set_szp(cpu, r, sz, cf, false, false);
        return r;
    }
    }
}

static int iopl(X86Cpu *cpu)
{
    return (cpu->eflags >> 12) & 3;
}

static void io_check(X86Cpu *cpu, uint16_t port, unsigned sz)
{
    if (!x86_io_allowed(cpu, port, sz)) {
        x86_raise(cpu, EXC_GP, 0);
    }
}

static uint32_t io_in(X86Cpu *cpu, uint16_t port, unsigned sz)
{
    if (unlikely(cpu->dbg_check & DBG_IO)) {
        x86_dbg_io(cpu, port, sz);   /* I/O breakpoint: a trap after it */
    }
    return cpu->bus.io_read(cpu->bus.opaque, port, sz) & szmask(sz);
}

static void io_out(X86Cpu *cpu, uint16_t port, uint32_t v, unsigned sz)
{
    if (unlikely(cpu->dbg_check & DBG_IO)) {
        x86_dbg_io(cpu, port, sz);
    }
    cpu->bus.io_write(cpu->bus.opaque, port, v & szmask(sz), sz);
}

/* String instructions */

static inline uint32_t sreg_get(X86Cpu *cpu, Dec *d, int r)
{
    return d->a32 ? cpu->regs[r] : (cpu->regs[r] & 0xffff);
}

static inline void sreg_add(X86Cpu *cpu, Dec *d, int r, int32_t delta)
{
    if (d->a32) {
        cpu->regs[r] += (uint32_t)delta;
    } else {
        cpu->regs[r] = (cpu->regs[r] & 0xffff0000u) | ((cpu->regs[r] + (uint32_t)delta) & 0xffff);
    }
}

static inline bool irq_deliverable(X86Cpu *cpu)
{
    /* dbg_pending: a data breakpoint or watchpoint hit in this iteration */
    return cpu->exit_req || cpu->nmi_pending || (cpu->intr && (cpu->eflags & F_IF)) ||
           cpu->dbg_pending;
}

/* REP MOVS/STOS forward, page by page through host pointers. Returns true
 * when the instruction is finished (or suspended for an interrupt); false
 * hands the rest to the element-by-element loop (page or segment edges,
 * MMIO). */
static bool rep_fast(X86Cpu *cpu, Dec *d, uint8_t op, unsigned sz, int sseg)
{
    bool movs = op <= 0xa5;
    for (;;) {
        uint32_t cnt = sreg_get(cpu, d, R_ECX);
        if (cnt == 0) {
            return true;
        }
        uint32_t di = sreg_get(cpu, d, R_EDI), si = sreg_get(cpu, d, R_ESI);
        X86Seg *es = &cpu->seg[S_ES], *ss = &cpu->seg[sseg];
        uint32_t ld = es->base + di, ls = ss->base + si;
        uint32_t n = (4096 - (ld & 0xfff)) / sz;
        if (movs) {
            uint32_t ns = (4096 - (ls & 0xfff)) / sz;
            n = ns < n ? ns : n;
        }
        if (!d->a32) {
            uint32_t nd = (0x10000 - di) / sz, ns = (0x10000 - si) / sz;
            n = nd < n ? nd : n;
            n = ns < n ? ns : n;
        }
        n = cnt < n ? cnt : n;
        if (n == 0) {
            return false;
        }
        uint32_t bytes = n * sz;
        if (di < es->lo || (uint64_t)di + bytes - 1 > es->hi || !es->wok) {
            return false;
        }
        if (movs && (si < ss->lo || (uint64_t)si + bytes - 1 > ss->hi || !ss->rok)) {
            return false;
        }
        uint8_t *src = NULL, *dst;
        if (movs) {
            src = x86_host_page(cpu, ls, ACC_R);
            if (!src) {
                return false;
            }
            src += ls & 0xfff;
        }
        dst = x86_host_page(cpu, ld, ACC_W);
        if (!dst) {
            return false;
        }
        dst += ld & 0xfff;
        if (movs) {
            if (dst > src && dst < src + bytes) {
                /* overlapping forward copy: element by element, as the CPU */
                for (uint32_t i = 0; i < bytes; i += sz) {
                    stn(dst + i, ldn(src + i, sz), sz);
                }
            } else {
                memmove(dst, src, bytes);
            }
            sreg_add(cpu, d, R_ESI, (int32_t)bytes);
        } else if (sz == 1) {
            memset(dst, (int)(cpu->regs[R_EAX] & 0xff), bytes);
        } else {
            for (uint32_t i = 0; i < n; i++) {
                stn(dst + i * sz, cpu->regs[R_EAX], sz);
            }
        }
        sreg_add(cpu, d, R_EDI, (int32_t)bytes);
        sreg_add(cpu, d, R_ECX, -(int32_t)n);
        if (sreg_get(cpu, d, R_ECX) != 0 && unlikely(cpu->pending) && irq_deliverable(cpu)) {
            cpu->next_eip = cpu->eip;
            return true;
        }
    }
}

static void string_op(X86Cpu *cpu, Dec *d, uint8_t op, unsigned sz)
{
    int32_t delta = (cpu->eflags & F_DF) ? -(int32_t)sz : (int32_t)sz;
    int sseg = d->seg >= 0 ? d->seg : S_DS;
    bool rep = d->rep != 0;
    uint16_t port = (uint16_t)cpu->regs[R_EDX];

    if ((op & 0xfc) == 0x6c) {
        io_check(cpu, port, sz);
    }
    if (rep && !(cpu->eflags & F_DF) && (op == 0xa4 || op == 0xa5 || op == 0xaa || op == 0xab)) {
        if (rep_fast(cpu, d, op, sz, sseg)) {
            return;
        }
    }
    for (;;) {
        if (rep && sreg_get(cpu, d, R_ECX) == 0) {
            break;
        }
        switch (op) {
        case 0xa4: case 0xa5: { /* MOVS */
            uint32_t v = x86_mem_read(cpu, sseg, sreg_get(cpu, d, R_ESI), sz);
            x86_mem_write(cpu, S_ES, sreg_get(cpu, d, R_EDI), v, sz);
            sreg_add(cpu, d, R_ESI, delta);
            sreg_add(cpu, d, R_EDI, delta);
            break;
        }
        case 0xa6: case 0xa7: { /* CMPS */
            uint32_t a = x86_mem_read(cpu, sseg, sreg_get(cpu, d, R_ESI), sz);
            uint32_t b = x86_mem_read(cpu, S_ES, sreg_get(cpu, d, R_EDI), sz);
            alu(cpu, 7, a, b, sz);
            sreg_add(cpu, d, R_ESI, delta);
            sreg_add(cpu, d, R_EDI, delta);
            break;
        }
        case 0xaa: case 0xab: /* STOS */
            x86_mem_write(cpu, S_ES, sreg_get(cpu, d, R_EDI), cpu->regs[R_EAX], sz);
            sreg_add(cpu, d, R_EDI, delta);
            break;
        case 0xac: case 0xad: /* LODS */
            setreg(cpu, R_EAX, x86_mem_read(cpu, sseg, sreg_get(cpu, d, R_ESI), sz), sz);
            sreg_add(cpu, d, R_ESI, delta);
            break;
        case 0xae: case 0xaf: { /* SCAS */
            uint32_t b = x86_mem_read(cpu, S_ES, sreg_get(cpu, d, R_EDI), sz);
            alu(cpu, 7, getreg(cpu, R_EAX, sz), b, sz);
            sreg_add(cpu, d, R_EDI, delta);
            break;
        }
        case 0x6c: case 0x6d: { /* INS: check the destination before the port read */
            uint32_t lin = seg_lin(cpu, S_ES, sreg_get(cpu, d, R_EDI), sz, true);
            probe_write(cpu, lin, sz);
            x86_lwrite(cpu, lin, io_in(cpu, port, sz), sz);
            sreg_add(cpu, d, R_EDI, delta);
            break;
        }
        default: { /* OUTS */
            uint32_t v = x86_mem_read(cpu, sseg, sreg_get(cpu, d, R_ESI), sz);
            io_out(cpu, port, v, sz);
            sreg_add(cpu, d, R_ESI, delta);
            break;
        }
        }
        if (!rep) {
            break;
        }
        sreg_add(cpu, d, R_ECX, -1);
        if ((op & 0xf6) == 0xa6) { /* CMPS/SCAS: REPE/REPNE */
            bool zf = x86_get_flags(cpu) & F_ZF;
            if ((d->rep == 0xf3 && !zf) || (d->rep == 0xf2 && zf)) {
                break;
            }
        }
        /* long runs: let interrupts in between iterations */
        if (unlikely(cpu->pending) && sreg_get(cpu, d, R_ECX) != 0 && irq_deliverable(cpu)) {
            cpu->next_eip = cpu->eip;
            return;
        }
    }
}

/* MUL/IMUL/DIV/IDIV (group 3 /4-/7) */
static void muldiv(X86Cpu *cpu, int op, uint32_t src, unsigned sz)
{
    uint32_t mask = szmask(sz);
    if (sz == 1) {
        uint32_t al = cpu->regs[R_EAX] & 0xff, ax = cpu->regs[R_EAX] & 0xffff;
        switch (op) {
        case 4: {
            uint32_t r = al * src;
            setreg(cpu, R_EAX, r, 2);
            x86_set_szp(cpu, r, 1, r > 0xff, r > 0xff, false);
            return;
        }
        case 5: {
            int32_t r = (int8_t)al * (int8_t)src;
            setreg(cpu, R_EAX, (uint32_t)r, 2);
            bool c = r != (int8_t)r;
            x86_set_szp(cpu, (uint32_t)r, 1, c, c, false);
            return;
        }
        case 6: {
            if (src == 0 || ax / src > 0xff) {
                x86_raise(cpu, EXC_DE, -1);
            }
            setreg(cpu, R_EAX, ((ax % src) << 8) | (ax / src), 2);
            return;
        }
        default: {
            int32_t n = (int16_t)ax, dv = (int8_t)src;
            if (dv == 0) {
                x86_raise(cpu, EXC_DE, -1);
            }
            int32_t q = n / dv, rm = n % dv;
            if (q > 127 || q < -128) {
                x86_raise(cpu, EXC_DE, -1);
            }
            setreg(cpu, R_EAX, (((uint32_t)rm & 0xff) << 8) | ((uint32_t)q & 0xff), 2);
            return;
        }
        }
    }
    unsigned bits = sz * 8;
    uint64_t a = cpu->regs[R_EAX] & mask;
    uint64_t dx = cpu->regs[R_EDX] & mask;
    switch (op) {
    case 4: {
        uint64_t r = a * src;
        uint32_t hi = (uint32_t)(r >> bits) & mask;
        setreg(cpu, R_EAX, (uint32_t)r, sz);
        setreg(cpu, R_EDX, hi, sz);
        x86_set_szp(cpu, (uint32_t)r, sz, hi != 0, hi != 0, false);
        return;
    }
    case 5: {
        int64_t r = (int64_t)(int32_t)sext((uint32_t)a, sz) * (int32_t)sext(src, sz);
        setreg(cpu, R_EAX, (uint32_t)r, sz);
        setreg(cpu, R_EDX, (uint32_t)((uint64_t)r >> bits), sz);
        bool c = sz == 4 ? r != (int32_t)r : r != (int16_t)r;
        x86_set_szp(cpu, (uint32_t)r, sz, c, c, false);
        return;
    }
    case 6: {
        uint64_t n = (dx << bits) | a;
        if (src == 0 || n / src > mask) {
            x86_raise(cpu, EXC_DE, -1);
        }
        setreg(cpu, R_EAX, (uint32_t)(n / src), sz);
        setreg(cpu, R_EDX, (uint32_t)(n % src), sz);
        return;
    }
    default: {
        int64_t n = (int64_t)((dx << bits) | a);
        if (sz == 2) {
            n = (int32_t)(uint32_t)n;
        }
        int64_t dv = (int32_t)sext(src, sz);
        if (dv == 0) {
            x86_raise(cpu, EXC_DE, -1);
        }
        if (sz == 4 && n == INT64_MIN && dv == -1) {
            x86_raise(cpu, EXC_DE, -1);
        }
        int64_t q = n / dv, rm = n % dv;
        int64_t lim = sz == 4 ? 0x7fffffffll : 0x7fff;
        if (q > lim || q < -lim - 1) {
            x86_raise(cpu, EXC_DE, -1);
        }
        setreg(cpu, R_EAX, (uint32_t)q, sz);
        setreg(cpu, R_EDX, (uint32_t)rm, sz);
        return;
    }
    }
}

uint32_t x86_imul2(X86Cpu *cpu, uint32_t a, uint32_t b, unsigned sz)
{
    int64_t r = (int64_t)(int32_t)sext(a, sz) * (int32_t)sext(b, sz);
    bool c = sz == 4 ? r != (int32_t)r : r != (int16_t)r;
    x86_set_szp(cpu, (uint32_t)r, sz, c, c, false);
    return (uint32_t)r & szmask(sz);
}

/* BCD */
static void bcd(X86Cpu *cpu, uint8_t op, uint8_t imm)
{
    uint32_t f = x86_get_flags(cpu);
    uint32_t al = cpu->regs[R_EAX] & 0xff, ah = (cpu->regs[R_EAX] >> 8) & 0xff;
    bool cf = f & F_CF, af = f & F_AF;
    switch (op) {
    case 0x27: { /* DAA */
        uint32_t old = al;
        bool ncf = false;
        if ((al & 0xf) > 9 || af) {
            ncf = cf || (al + 6 > 0xff);
            al = (al + 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old > 0x99 || cf) {
            al = (al + 0x60) & 0xff;
            ncf = true;
        }
        setreg(cpu, R_EAX, al, 1);
        x86_set_szp(cpu, al, 1, ncf, false, af);
        return;
    }
    case 0x2f: { /* DAS */
        uint32_t old = al;
        bool ncf = false;
        if ((al & 0xf) > 9 || af) {
            ncf = cf || al < 6;
            al = (al - 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old > 0x99 || cf) {
            al = (al - 0x60) & 0xff;
            ncf = true;
        }
        setreg(cpu, R_EAX, al, 1);
        x86_set_szp(cpu, al, 1, ncf, false, af);
        return;
    }
    case 0x37: case 0x3f: { /* AAA, AAS */
        if ((al & 0xf) > 9 || af) {
            uint32_t ax = cpu->regs[R_EAX] & 0xffff;
            if (op == 0x37) {
                ax = ax + 0x106;
            } else {
                ax = (ax - 6) & 0xffff;
                ax = (ax & 0xff) | ((((ax >> 8) - 1) & 0xff) << 8);
            }
            ax = (ax & 0xff0f);
            setreg(cpu, R_EAX, ax, 2);
            x86_set_szp(cpu, ax & 0xff, 1, true, false, true);
        } else {
            setreg(cpu, R_EAX, (cpu->regs[R_EAX] & 0xff0f), 2);
            x86_set_szp(cpu, cpu->regs[R_EAX] & 0xff, 1, false, false, false);
        }
        return;
    }
    case 0xd4: /* AAM */
        if (imm == 0) {
            x86_raise(cpu, EXC_DE, -1);
        }
        ah = al / imm;
        al = al % imm;
        setreg(cpu, R_EAX, (ah << 8) | al, 2);
        x86_set_szp(cpu, al, 1, false, false, false);
        return;
    default: { /* AAD */
        uint32_t b = (ah * imm) & 0xff;
        uint32_t r = (al + b) & 0xff;
        setreg(cpu, R_EAX, r, 2);
        set_cc(cpu, CC_ADD, al, b, r, 1);
        return;
    }
    }
}

/* PUSHF/POPF/CLI/STI honour IOPL, V86 and VME/PVI. */
static void do_pushf(X86Cpu *cpu, Dec *d)
{
    uint32_t f = x86_get_flags(cpu);
    if (cpu->v86 && iopl(cpu) < 3) {
        if (!(cpu->cr4 & CR4_VME) || d->op32) {
            x86_raise(cpu, EXC_GP, 0);
        }
        f = (f & ~F_IF) | ((f & F_VIF) ? F_IF : 0) | F_IOPL;
        push(cpu, f, 2);
        return;
    }
    push(cpu, f & ~(F_VM | F_RF), d->op32 ? 4 : 2);
}

static void do_popf(X86Cpu *cpu, Dec *d)
{
    unsigned sz = d->op32 ? 4 : 2;
    if (cpu->v86 && iopl(cpu) < 3) {
        if (!(cpu->cr4 & CR4_VME) || d->op32) {
            x86_raise(cpu, EXC_GP, 0);
        }
        uint32_t f = peek(cpu, 2, 0);
        if ((f & F_TF) || ((f & F_IF) && (cpu->eflags & F_VIP))) {
            x86_raise(cpu, EXC_GP, 0);
        }
        add_esp(cpu, 2);
        x86_set_flags(cpu, f, F_ARITH | F_DF | F_NT);
        cpu->eflags = (cpu->eflags & ~F_VIF) | ((f & F_IF) ? F_VIF : 0);
        return;
    }
    uint32_t f = pop(cpu, sz);
    uint32_t mask = F_ARITH | F_TF | F_DF | F_NT;
    if (d->op32) {
        mask |= F_AC | F_ID;
    }
    if (!cpu->pe || cpu->cpl == 0) {
        mask |= F_IOPL;
    }
    if (!cpu->pe || cpu->cpl <= iopl(cpu)) {
        mask |= F_IF;
    }
    bool if_was = cpu->eflags & F_IF;
    x86_set_flags(cpu, f, mask);
    cpu->eflags &= ~F_RF;
    if (!if_was && (cpu->eflags & F_IF)) {
        cpu->pending = true;
    }
}

static void do_cli_sti(X86Cpu *cpu, bool sti)
{
    bool ok = !cpu->pe || cpu->cpl <= iopl(cpu);
    if (!ok) {
        bool vif_mode = (cpu->v86 && (cpu->cr4 & CR4_VME)) ||
                        (!cpu->v86 && cpu->cpl == 3 && (cpu->cr4 & CR4_PVI));
        if (!vif_mode || (sti && (cpu->eflags & F_VIP))) {
            x86_raise(cpu, EXC_GP, 0);
        }
        cpu->eflags = sti ? (cpu->eflags | F_VIF) : (cpu->eflags & ~F_VIF);
        return;
    }
    if (sti) {
        if (!(cpu->eflags & F_IF)) {
            cpu->eflags |= F_IF;
            cpu->inhibit_irq = true;
            cpu->pending = true;
        }
    } else {
        cpu->eflags &= ~F_IF;
    }
}

void x86_load_far_ptr(X86Cpu *cpu, Dec *d, int s)
{
    if (!d->mem) {
        ud(cpu);
    }
    unsigned sz = d->op32 ? 4 : 2;
    uint32_t off = x86_mem_read(cpu, d->eseg, d->eoff, sz);
    uint16_t sel = (uint16_t)x86_mem_read(cpu, d->eseg, ea_off(d, sz), 2);
    x86_seg_load(cpu, s, sel);
    if (s == S_SS) {
        cpu->inhibit_irq = true;
        cpu->pending = true;
    }
    setreg(cpu, d->reg, off, sz);
}

static inline __attribute__((always_inline)) void exec_one(X86Cpu *cpu)
{
    Dec d;
    d.op32 = d.a32 = cpu->code32;
    d.seg = -1;
    d.rep = 0;
    d.lock = false;
    d.mem = false;
    cpu->next_eip = cpu->eip;
    if (unlikely(cpu->eip > cpu->seg[S_CS].limit)) {
        x86_raise(cpu, EXC_GP, 0);
    }
    /* an instruction may end past the limit: check every byte */
    cpu->fetch_near_limit = cpu->seg[S_CS].limit - cpu->eip < 15;
    if (unlikely(cpu->fetch_near_limit)) {
        cpu->fetch_page = TLB_INVALID;
    }

    uint8_t op;
    for (int n = 0;; n++) {
        if (unlikely(n >= 14)) {
            x86_raise(cpu, EXC_GP, 0);
        }
        op = fetch8(cpu);
        switch (op) {
        case 0x26: d.seg = S_ES; continue;
        case 0x2e: d.seg = S_CS; continue;
        case 0x36: d.seg = S_SS; continue;
        case 0x3e: d.seg = S_DS; continue;
        case 0x64: d.seg = S_FS; continue;
        case 0x65: d.seg = S_GS; continue;
        case 0x66: d.op32 = !cpu->code32; continue;
        case 0x67: d.a32 = !cpu->code32; continue;
        case 0xf0: d.lock = true; continue;
        case 0xf2: case 0xf3: d.rep = op; continue;
        default: break;
        }
        break;
    }

    unsigned sz = d.op32 ? 4 : 2;
    uint32_t a, b, r, lin = 0;

    /* ALU r/m,reg / reg,r/m / acc,imm */
    if (op < 0x40 && (op & 7) < 6) {
        int aop = op >> 3;
        unsigned s = (op & 1) ? sz : 1;
        if ((op & 7) < 4) {
            decode_modrm(cpu, &d);
            if (!d.mem && s == 4 && !d.lock) {
                /* the common register-register 32-bit form */
                uint32_t *dst = &cpu->regs[(op & 2) ? d.reg : d.rm];
                uint32_t src = cpu->regs[(op & 2) ? d.rm : d.reg];
                r = alu(cpu, aop, *dst, src, 4);
                if (aop != 7) {
                    *dst = r;
                }
                cpu->eip = cpu->next_eip;
                return;
            }
        }
        switch (op & 7) {
        case 0: case 1:
            lock_check(cpu, &d, aop != 7);
            if (aop == 7) {
                alu(cpu, 7, rm_read(cpu, &d, s), getreg(cpu, d.reg, s), s);
            } else {
                a = rm_read_rmw(cpu, &d, s, &lin);
                r = alu(cpu, aop, a, getreg(cpu, d.reg, s), s);
                rm_write_rmw(cpu, &d, lin, r, s);
            }
            break;
        case 2: case 3:
            lock_check(cpu, &d, false);
            r = alu(cpu, aop, getreg(cpu, d.reg, s), rm_read(cpu, &d, s), s);
            if (aop != 7) {
                setreg(cpu, d.reg, r, s);
            }
            break;
        default:
            lock_check(cpu, &d, false);
            b = fetchv(cpu, s);
            r = alu(cpu, aop, getreg(cpu, R_EAX, s), b, s);
            if (aop != 7) {
                setreg(cpu, R_EAX, r, s);
            }
            break;
        }
        cpu->eip = cpu->next_eip;
        return;
    }
    if (d.lock) {
        bool lockable = op == 0x80 || op == 0x81 || op == 0x82 || op == 0x83 || op == 0x86 ||
                        op == 0x87 || op == 0xf6 || op == 0xf7 || op == 0xfe || op == 0xff ||
                        op == 0x0f;
        if (!lockable) {
            ud(cpu);
        }
    }

    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e: /* PUSH sreg */
        push(cpu, cpu->seg[op >> 3].sel, sz);
        break;
    case 0x07: case 0x17: case 0x1f: { /* POP sreg */
        uint16_t sel = (uint16_t)peek(cpu, sz, 0);
        x86_seg_load(cpu, op >> 3, sel);
        add_esp(cpu, sz);
        if (op == 0x17) {
            cpu->inhibit_irq = true;
            cpu->inhibit_db = true;
            cpu->pending = true;
        }
        break;
    }
    case 0x0f: x86_exec_0f(cpu, &d); break;
    case 0x27: case 0x2f: case 0x37: case 0x3f: bcd(cpu, op, 0); break;
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
        setreg(cpu, op & 7, inc_dec(cpu, getreg(cpu, op & 7, sz), false, sz), sz);
        break;
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
        setreg(cpu, op & 7, inc_dec(cpu, getreg(cpu, op & 7, sz), true, sz), sz);
        break;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        push(cpu, getreg(cpu, op & 7, sz), sz);
        break;
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        r = pop(cpu, sz);
        setreg(cpu, op & 7, r, sz);
        break;
    case 0x60: { /* PUSHA */
        uint32_t sp = cpu->regs[R_ESP];
        uint32_t esp = sp - 8 * sz;
        uint32_t off = cpu->stack32 ? esp : (esp & 0xffff);
        seg_lin(cpu, S_SS, off, 8 * sz, true);
        for (int i = 0; i < 8; i++) {
            push(cpu, i == R_ESP ? (sz == 4 ? sp : sp & 0xffff) : getreg(cpu, i, sz), sz);
        }
        break;
    }
    case 0x61: { /* POPA */
        uint32_t v[8];
        for (int i = 7; i >= 0; i--) {
            v[i] = peek(cpu, sz, (7 - i) * sz);
        }
        for (int i = 0; i < 8; i++) {
            if (i != R_ESP) {
                setreg(cpu, i, v[i], sz);
            }
        }
        add_esp(cpu, 8 * sz);
        break;
    }
    case 0x62: { /* BOUND */
        decode_modrm(cpu, &d);
        if (!d.mem) {
            ud(cpu);
        }
        int32_t idx = (int32_t)sext(getreg(cpu, d.reg, sz), sz);
        int32_t lo = (int32_t)sext(x86_mem_read(cpu, d.eseg, d.eoff, sz), sz);
        int32_t hi = (int32_t)sext(x86_mem_read(cpu, d.eseg, ea_off(&d, sz), sz), sz);
        if (idx < lo || idx > hi) {
            x86_raise(cpu, EXC_BR, -1);
        }
        break;
    }
    case 0x63: { /* ARPL */
        if (!cpu->pe || cpu->v86) {
            ud(cpu);
        }
        decode_modrm(cpu, &d);
        a = rm_read_rmw(cpu, &d, 2, &lin);
        b = getreg(cpu, d.reg, 2);
        if ((a & 3) < (b & 3)) {
            rm_write_rmw(cpu, &d, lin, (a & ~3u) | (b & 3), 2);
            x86_set_flags(cpu, F_ZF, F_ZF);
        } else {
            x86_set_flags(cpu, 0, F_ZF);
        }
        break;
    }
    case 0x68: push(cpu, fetchv(cpu, sz), sz); break;
    case 0x6a: push(cpu, sext(fetch8(cpu), 1), sz); break;
    case 0x69: case 0x6b: {
        decode_modrm(cpu, &d);
        b = op == 0x69 ? fetchv(cpu, sz) : sext(fetch8(cpu), 1);
        setreg(cpu, d.reg, x86_imul2(cpu, rm_read(cpu, &d, sz), b, sz), sz);
        break;
    }
    case 0x6c: string_op(cpu, &d, op, 1); break;
    case 0x6d: string_op(cpu, &d, op, sz); break;
    case 0x6e: string_op(cpu, &d, op, 1); break;
    case 0x6f: string_op(cpu, &d, op, sz); break;
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        uint32_t rel = sext(fetch8(cpu), 1);
        if (cond(cpu, op & 15)) {
            jump(cpu, &d, cpu->next_eip + rel);
        }
        break;
    }
    case 0x80: case 0x81: case 0x82: case 0x83: {
        unsigned s = op == 0x81 || op == 0x83 ? sz : 1;
        decode_modrm(cpu, &d);
        b = op == 0x81 ? fetchv(cpu, s) : sext(fetch8(cpu), 1);
        lock_check(cpu, &d, d.reg != 7);
        if (d.reg == 7) {
            alu(cpu, 7, rm_read(cpu, &d, s), b, s);
        } else {
            a = rm_read_rmw(cpu, &d, s, &lin);
            r = alu(cpu, d.reg, a, b, s);
            rm_write_rmw(cpu, &d, lin, r, s);
        }
        break;
    }
    case 0x84: case 0x85: {
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, &d);
        alu(cpu, 4, rm_read(cpu, &d, s), getreg(cpu, d.reg, s), s);
        break;
    }
    case 0x86: case 0x87: {
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, &d);
        a = rm_read_rmw(cpu, &d, s, &lin);
        b = getreg(cpu, d.reg, s);
        rm_write_rmw(cpu, &d, lin, b, s);
        setreg(cpu, d.reg, a, s);
        break;
    }
    case 0x88: decode_modrm(cpu, &d); rm_write(cpu, &d, getreg(cpu, d.reg, 1), 1); break;
    case 0x89: decode_modrm(cpu, &d); rm_write(cpu, &d, getreg(cpu, d.reg, sz), sz); break;
    case 0x8a: decode_modrm(cpu, &d); setreg(cpu, d.reg, rm_read(cpu, &d, 1), 1); break;
    case 0x8b: decode_modrm(cpu, &d); setreg(cpu, d.reg, rm_read(cpu, &d, sz), sz); break;
    case 0x8c: /* MOV r/m, sreg */
        decode_modrm(cpu, &d);
        if (d.reg > 5) {
            ud(cpu);
        }
        rm_write(cpu, &d, cpu->seg[d.reg].sel, d.mem ? 2 : sz);
        break;
    case 0x8d: /* LEA */
        decode_modrm(cpu, &d);
        if (!d.mem) {
            ud(cpu);
        }
        setreg(cpu, d.reg, d.eoff, sz);
        break;
    case 0x8e: /* MOV sreg, r/m */
        decode_modrm(cpu, &d);
        if (d.reg == S_CS || d.reg > 5) {
            ud(cpu);
        }
        x86_seg_load(cpu, d.reg, (uint16_t)rm_read(cpu, &d, 2));
        if (d.reg == S_SS) {
            cpu->inhibit_irq = true;
            cpu->inhibit_db = true;
            cpu->pending = true;
        }
        break;
    case 0x8f: { /* POP r/m */
        decode_modrm(cpu, &d);
        if (d.reg != 0) {
            ud(cpu);
        }
        uint32_t v = peek(cpu, sz, 0);
        if (d.mem) {
            uint32_t off = d.base_esp ? ea_off(&d, sz) : d.eoff;
            x86_mem_write(cpu, d.eseg, off, v, sz);
            add_esp(cpu, sz);
        } else {
            add_esp(cpu, sz);
            setreg(cpu, d.rm, v, sz);
        }
        break;
    }
    case 0x90:
        if (d.rep == 0xf3) {
            break;  /* PAUSE */
        }
        break;
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
        a = getreg(cpu, op & 7, sz);
        setreg(cpu, op & 7, getreg(cpu, R_EAX, sz), sz);
        setreg(cpu, R_EAX, a, sz);
        break;
    case 0x98: /* CBW/CWDE */
        if (d.op32) {
            cpu->regs[R_EAX] = sext(cpu->regs[R_EAX] & 0xffff, 2);
        } else {
            setreg(cpu, R_EAX, sext(cpu->regs[R_EAX] & 0xff, 1), 2);
        }
        break;
    case 0x99: /* CWD/CDQ */
        if (d.op32) {
            cpu->regs[R_EDX] = (cpu->regs[R_EAX] & 0x80000000u) ? 0xffffffffu : 0;
        } else {
            setreg(cpu, R_EDX, (cpu->regs[R_EAX] & 0x8000) ? 0xffff : 0, 2);
        }
        break;
    case 0x9a: { /* CALL far ptr */
        uint32_t off = fetchv(cpu, sz);
        uint16_t sel = fetch16(cpu);
        x86_far_call(cpu, sel, off, d.op32, cpu->next_eip);
        cpu->next_eip = cpu->eip;
        return;
    }
    case 0x9b: x86_fpu_wait(cpu); break;
    case 0x9c: do_pushf(cpu, &d); break;
    case 0x9d: do_popf(cpu, &d); break;
    case 0x9e: /* SAHF */
        x86_set_flags(cpu, (cpu->regs[R_EAX] >> 8) & 0xff, F_CF | F_PF | F_AF | F_ZF | F_SF);
        break;
    case 0x9f: /* LAHF */
        setreg(cpu, 4, (x86_get_flags(cpu) & 0xd5) | 2, 1);
        break;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: { /* MOV acc <-> moffs */
        unsigned s = op & 1 ? sz : 1;
        uint32_t off = d.a32 ? fetch32(cpu) : fetch16(cpu);
        int sg = d.seg >= 0 ? d.seg : S_DS;
        if (op < 0xa2) {
            setreg(cpu, R_EAX, x86_mem_read(cpu, sg, off, s), s);
        } else {
            x86_mem_write(cpu, sg, off, getreg(cpu, R_EAX, s), s);
        }
        break;
    }
    case 0xa4: case 0xa6: case 0xaa: case 0xac: case 0xae:
        string_op(cpu, &d, op, 1);
        break;
    case 0xa5: case 0xa7: case 0xab: case 0xad: case 0xaf:
        string_op(cpu, &d, op, sz);
        break;
    case 0xa8: alu(cpu, 4, getreg(cpu, R_EAX, 1), fetch8(cpu), 1); break;
    case 0xa9: alu(cpu, 4, getreg(cpu, R_EAX, sz), fetchv(cpu, sz), sz); break;
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        setreg(cpu, op & 7, fetch8(cpu), 1);
        break;
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        setreg(cpu, op & 7, fetchv(cpu, sz), sz);
        break;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, &d);
        unsigned cnt = op <= 0xc1 ? fetch8(cpu) : op <= 0xd1 ? 1 : (cpu->regs[R_ECX] & 0xff);
        cnt &= 31;
        a = rm_read_rmw(cpu, &d, s, &lin);
        if (cnt == 0) {
            break;
        }
        /* flags are committed by shift(); write the result first */
        uint32_t saved_fl = x86_get_flags(cpu);
        r = x86_shift(cpu, d.reg, a, cnt, s);
        uint32_t new_fl = cpu->eflags;
        cpu->eflags = saved_fl;
        rm_write_rmw(cpu, &d, lin, r, s);
        cpu->eflags = new_fl;
        break;
    }
    case 0xc2: { /* RET imm16 */
        uint16_t imm = fetch16(cpu);
        uint32_t t = peek(cpu, sz, 0);
        jump(cpu, &d, t);
        add_esp(cpu, sz + imm);
        break;
    }
    case 0xc3: {
        uint32_t t = peek(cpu, sz, 0);
        jump(cpu, &d, t);
        add_esp(cpu, sz);
        break;
    }
    case 0xc4: decode_modrm(cpu, &d); x86_load_far_ptr(cpu, &d, S_ES); break;
    case 0xc5: decode_modrm(cpu, &d); x86_load_far_ptr(cpu, &d, S_DS); break;
    case 0xc6: case 0xc7: {
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, &d);
        if (d.reg != 0) {
            ud(cpu);
        }
        rm_write(cpu, &d, fetchv(cpu, s), s);
        break;
    }
    case 0xc8: { /* ENTER */
        uint16_t size = fetch16(cpu);
        unsigned level = fetch8(cpu) & 31;
        bool s32 = cpu->stack32;
        uint32_t esp = cpu->regs[R_ESP], ebp = cpu->regs[R_EBP];
        uint32_t smask = s32 ? 0xffffffffu : 0xffff;
        esp -= sz;
        x86_mem_write(cpu, S_SS, esp & smask, ebp, sz);
        uint32_t frame = esp;
        for (unsigned i = 1; i < level; i++) {
            ebp -= sz;
            uint32_t v = x86_mem_read(cpu, S_SS, ebp & smask, sz);
            esp -= sz;
            x86_mem_write(cpu, S_SS, esp & smask, v, sz);
        }
        if (level > 0) {
            esp -= sz;
            x86_mem_write(cpu, S_SS, esp & smask, frame, sz);
        }
        esp -= size;
        if (s32) {
            x86_mem_read(cpu, S_SS, esp, 1);
        }
        if (d.op32) {
            cpu->regs[R_EBP] = s32 ? frame : (cpu->regs[R_EBP] & 0xffff0000u) | (frame & 0xffff);
        } else {
            setreg(cpu, R_EBP, frame, 2);
        }
        cpu->regs[R_ESP] = s32 ? esp : (cpu->regs[R_ESP] & 0xffff0000u) | (esp & 0xffff);
        break;
    }
    case 0xc9: { /* LEAVE */
        uint32_t ebp = cpu->stack32 ? cpu->regs[R_EBP] : (cpu->regs[R_EBP] & 0xffff);
        uint32_t v = x86_mem_read(cpu, S_SS, ebp, sz);
        if (cpu->stack32) {
            cpu->regs[R_ESP] = ebp + sz;
        } else {
            cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | ((ebp + sz) & 0xffff);
        }
        setreg(cpu, R_EBP, v, sz);
        break;
    }
    case 0xca: case 0xcb: { /* RETF */
        uint16_t imm = op == 0xca ? fetch16(cpu) : 0;
        x86_far_ret(cpu, d.op32, imm);
        cpu->next_eip = cpu->eip;
        return;
    }
    case 0xcc: case 0xcd: case 0xce: { /* INT3, INT n, INTO */
        int vec = op == 0xcc ? 3 : op == 0xcd ? fetch8(cpu) : 4;
        if (op == 0xce && !(x86_get_flags(cpu) & F_OF)) {
            break;
        }
        if (cpu->v86 && op == 0xcd) {
            x86_v86_int(cpu, vec, cpu->next_eip);
            return;
        }
        x86_interrupt(cpu, vec, true, -1, cpu->next_eip);
        return;
    }
    case 0xcf: /* IRET */
        x86_iret(cpu, d.op32);
        cpu->next_eip = cpu->eip;
        return;
    case 0xd4: case 0xd5: bcd(cpu, op, fetch8(cpu)); break;
    case 0xd6: setreg(cpu, R_EAX, get_cf(cpu) ? 0xff : 0, 1); break; /* SALC */
    case 0xd7: { /* XLAT */
        uint32_t off = (d.a32 ? cpu->regs[R_EBX] : (cpu->regs[R_EBX] & 0xffff)) + (cpu->regs[R_EAX] & 0xff);
        if (!d.a32) {
            off &= 0xffff;
        }
        setreg(cpu, R_EAX, x86_mem_read(cpu, d.seg >= 0 ? d.seg : S_DS, off, 1), 1);
        break;
    }
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf: {
        decode_modrm(cpu, &d);
        uint8_t m = (uint8_t)((d.mod << 6) | (d.reg << 3) | d.rm);
        X86FpuMem fm = { d.eseg, d.eoff, d.op32 };
        x86_fpu_exec(cpu, op, m, &fm);
        break;
    }
    case 0xe0: case 0xe1: case 0xe2: { /* LOOPNE, LOOPE, LOOP */
        uint32_t rel = sext(fetch8(cpu), 1);
        uint32_t c = (d.a32 ? cpu->regs[R_ECX] : (cpu->regs[R_ECX] & 0xffff)) - 1;
        if (d.a32) {
            cpu->regs[R_ECX] = c;
        } else {
            setreg(cpu, R_ECX, c, 2);
            c &= 0xffff;
        }
        bool take = c != 0;
        if (op == 0xe0) {
            take = take && !(x86_get_flags(cpu) & F_ZF);
        } else if (op == 0xe1) {
            take = take && (x86_get_flags(cpu) & F_ZF);
        }
        if (take) {
            jump(cpu, &d, cpu->next_eip + rel);
        }
        break;
    }
    case 0xe3: { /* JCXZ */
        uint32_t rel = sext(fetch8(cpu), 1);
        uint32_t c = d.a32 ? cpu->regs[R_ECX] : (cpu->regs[R_ECX] & 0xffff);
        if (c == 0) {
            jump(cpu, &d, cpu->next_eip + rel);
        }
        break;
    }
    case 0xe4: case 0xe5: case 0xec: case 0xed: { /* IN */
        unsigned s = op & 1 ? sz : 1;
        uint16_t port = op < 0xec ? fetch8(cpu) : (uint16_t)cpu->regs[R_EDX];
        io_check(cpu, port, s);
        setreg(cpu, R_EAX, io_in(cpu, port, s), s);
        break;
    }
    case 0xe6: case 0xe7: case 0xee: case 0xef: { /* OUT */
        unsigned s = op & 1 ? sz : 1;
        uint16_t port = op < 0xee ? fetch8(cpu) : (uint16_t)cpu->regs[R_EDX];
        io_check(cpu, port, s);
        cpu->eip = cpu->next_eip;
        io_out(cpu, port, getreg(cpu, R_EAX, s), s);
        return;
    }
    case 0xe8: { /* CALL rel */
        uint32_t rel = fetchv(cpu, sz);
        uint32_t ret = cpu->next_eip;
        uint32_t t = ret + rel;
        if (!d.op32) {
            t &= 0xffff;
        }
        if (t > cpu->seg[S_CS].limit && cpu->pe && !cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        push(cpu, ret, sz);
        cpu->next_eip = t;
        break;
    }
    case 0xe9: {
        uint32_t rel = fetchv(cpu, sz);
        jump(cpu, &d, cpu->next_eip + rel);
        break;
    }
    case 0xea: { /* JMP far ptr */
        uint32_t off = fetchv(cpu, sz);
        uint16_t sel = fetch16(cpu);
        x86_far_jmp(cpu, sel, off, cpu->next_eip);
        cpu->next_eip = cpu->eip;
        return;
    }
    case 0xeb: {
        uint32_t rel = sext(fetch8(cpu), 1);
        jump(cpu, &d, cpu->next_eip + rel);
        break;
    }
    case 0xf1: /* INT1 / ICEBP: a #DB trap without the gate DPL check */
        x86_interrupt(cpu, EXC_DB, false, -1, cpu->next_eip);
        return;
    case 0xf4: /* HLT */
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        cpu->halted = true;
        cpu->pending = true;
        break;
    case 0xf5: x86_set_flags(cpu, x86_get_flags(cpu) ^ F_CF, F_CF); break;
    case 0xf6: case 0xf7: {
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, &d);
        switch (d.reg) {
        case 0: case 1:
            b = fetchv(cpu, s);
            alu(cpu, 4, rm_read(cpu, &d, s), b, s);
            break;
        case 2:
            lock_check(cpu, &d, true);
            a = rm_read_rmw(cpu, &d, s, &lin);
            rm_write_rmw(cpu, &d, lin, ~a, s);
            break;
        case 3:
            lock_check(cpu, &d, true);
            a = rm_read_rmw(cpu, &d, s, &lin);
            r = alu(cpu, 5, 0, a, s);
            rm_write_rmw(cpu, &d, lin, r, s);
            break;
        default:
            lock_check(cpu, &d, false);
            muldiv(cpu, d.reg, rm_read(cpu, &d, s), s);
            break;
        }
        break;
    }
    case 0xf8: x86_set_flags(cpu, 0, F_CF); break;
    case 0xf9: x86_set_flags(cpu, F_CF, F_CF); break;
    case 0xfa: do_cli_sti(cpu, false); break;
    case 0xfb: do_cli_sti(cpu, true); break;
    case 0xfc: cpu->eflags &= ~F_DF; break;
    case 0xfd: cpu->eflags |= F_DF; break;
    case 0xfe: case 0xff: {
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, &d);
        switch (d.reg) {
        case 0: case 1:
            lock_check(cpu, &d, true);
            a = rm_read_rmw(cpu, &d, s, &lin);
            r = inc_dec(cpu, a, d.reg == 1, s);
            rm_write_rmw(cpu, &d, lin, r, s);
            break;
        case 2: { /* CALL near r/m */
            if (op == 0xfe) ud(cpu);
            lock_check(cpu, &d, false);
            uint32_t t = rm_read(cpu, &d, sz);
            if (!d.op32) {
                t &= 0xffff;
            }
            if (t > cpu->seg[S_CS].limit && cpu->pe && !cpu->v86) {
                x86_raise(cpu, EXC_GP, 0);
            }
            push(cpu, cpu->next_eip, sz);
            cpu->next_eip = t;
            break;
        }
        case 3: case 5: { /* CALL/JMP far m16:16/32 */
            if (op == 0xfe || !d.mem) ud(cpu);
            lock_check(cpu, &d, false);
            uint32_t off = x86_mem_read(cpu, d.eseg, d.eoff, sz);
            uint16_t sel = (uint16_t)x86_mem_read(cpu, d.eseg, ea_off(&d, sz), 2);
            if (d.reg == 3) {
                x86_far_call(cpu, sel, off, d.op32, cpu->next_eip);
            } else {
                x86_far_jmp(cpu, sel, off, cpu->next_eip);
            }
            cpu->next_eip = cpu->eip;
            return;
        }
        case 4: /* JMP near r/m */
            if (op == 0xfe) ud(cpu);
            lock_check(cpu, &d, false);
            jump(cpu, &d, rm_read(cpu, &d, sz));
            break;
        case 6: /* PUSH r/m */
            if (op == 0xfe) ud(cpu);
            lock_check(cpu, &d, false);
            push(cpu, rm_read(cpu, &d, sz), sz);
            break;
        default:
            ud(cpu);
        }
        break;
    }
    default: /* 0x64-0x67 etc. handled as prefixes; 0xd6-like holes */
        ud(cpu);
    }
    cpu->eip = cpu->next_eip;
}

void x86_exec_generic(X86Cpu *cpu)
{
    exec_one(cpu);
    /* IRET, POPF, STI, task switches…: an INTR that IF masked may be
     * deliverable now (update_pending leaves masked ones out), and a TF
     * just set must reach the run loop before it chains to another block */
    if ((cpu->intr && (cpu->eflags & F_IF)) || (cpu->eflags & F_TF)) {
        cpu->pending = true;
    }
}
