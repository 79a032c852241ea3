/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two-byte (0F xx) opcode map through the Pentium II: system
 * instructions (LLDT/LTR/LAR/LSL/VERR/VERW, SGDT/LGDT/SMSW/LMSW/INVLPG,
 * MOV CRn/DRn, CLTS, INVD/WBINVD, RDMSR/WRMSR, RDTSC, RDPMC, SYSENTER/
 * SYSEXIT, CPUID), bit operations, SHLD/SHRD, CMPXCHG/XADD/CMPXCHG8B,
 * MOVZX/MOVSX, BSF/BSR, BSWAP, Jcc/SETcc/CMOVcc, FS/GS pushes and loads.
 * MMX and FXSAVE opcodes are passed to x86_mmx_exec (mmx.c).
 *
 * Every other opcode raises #UD, in particular all of SSE/SSE2 (0F 10-17,
 * 0F 28-2F, 0F 50-5F, 0F C2-C6, the MMX-range opcodes that only exist as
 * SSE integer instructions, and any MMX opcode with a 66/F2/F3 prefix):
 * no model has SSE, and CPUID does not claim it. Prefixes that only change
 * the meaning of an opcode on later CPUs and are ignored by these ones stay
 * ignored (F3 0F BC/BD run as BSF/BSR, F3 0F 1E as a hint NOP).
 */
#include "cpu/x86/exec-inline.h"

static uint32_t shld_shrd(X86Cpu *cpu, bool right, uint32_t dst, uint32_t src, unsigned cnt, unsigned sz)
{
    unsigned bits = sz * 8;
    cnt &= 31;
    if (cnt == 0) {
        return dst;
    }
    uint32_t r;
    bool cf;
    if (sz == 4) {
        if (!right) {
            uint64_t v = ((uint64_t)dst << 32) | src;
            r = (uint32_t)((v << cnt) >> 32);
            cf = (dst >> (32 - cnt)) & 1;
        } else {
            uint64_t v = ((uint64_t)src << 32) | dst;
            r = (uint32_t)(v >> cnt);
            cf = (dst >> (cnt - 1)) & 1;
        }
    } else {
        /* 16-bit: counts above 16 behave as on P6 (a 48-bit pattern) */
        uint64_t v;
        if (!right) {
            v = ((uint64_t)(dst & 0xffff) << 32) | ((uint64_t)(src & 0xffff) << 16) | (dst & 0xffff);
            r = (uint32_t)((v << cnt) >> 32) & 0xffff;
            cf = (v >> (48 - cnt)) & 1;
        } else {
            v = ((uint64_t)(dst & 0xffff)) | ((uint64_t)(src & 0xffff) << 16) |
                ((uint64_t)(dst & 0xffff) << 32);
            r = (uint32_t)(v >> cnt) & 0xffff;
            cf = (v >> (cnt - 1)) & 1;
        }
    }
    bool of = ((r ^ dst) >> (bits - 1)) & 1;
    x86_set_szp(cpu, r, sz, cf, of, false);
    return r;
}

static void bt_op(X86Cpu *cpu, Dec *d, int op, uint32_t bitoff, bool imm)
{
    /* op: 0 BT, 1 BTS, 2 BTR, 3 BTC */
    unsigned sz = d->op32 ? 4 : 2, bits = sz * 8;
    uint32_t v, lin = 0, bit;
    if (!d->mem || imm) {
        bit = bitoff & (bits - 1);
        if (op == 0) {
            v = rm_read(cpu, d, sz);
        } else {
            v = rm_read_rmw(cpu, d, sz, &lin);
        }
    } else {
        int32_t so = sz == 4 ? (int32_t)bitoff : (int16_t)bitoff;
        int32_t disp = (so >> (sz == 4 ? 5 : 4)) * (int32_t)sz;
        bit = (uint32_t)so & (bits - 1);
        uint32_t off = ea_off(d, (uint32_t)disp);
        if (op == 0) {
            v = x86_mem_read(cpu, d->eseg, off, sz);
        } else {
            lin = seg_lin(cpu, d->eseg, off, sz, true);
            probe_write(cpu, lin, sz);
            v = x86_lread(cpu, lin, sz);
        }
    }
    bool cf = (v >> bit) & 1;
    if (op != 0) {
        uint32_t nv = op == 1 ? (v | (1u << bit)) : op == 2 ? (v & ~(1u << bit)) : (v ^ (1u << bit));
        if (!d->mem) {
            setreg(cpu, d->rm, nv, sz);
        } else {
            x86_lwrite(cpu, lin, nv, sz);
        }
    }
    x86_set_flags(cpu, cf ? F_CF : 0, F_CF);
}

static void mov_cr(X86Cpu *cpu, Dec *d, bool to)
{
    need_cpl0(cpu);
    if (cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    int n = d->reg;
    if (!to) {
        uint32_t v;
        switch (n) {
        case 0: v = cpu->cr0; break;
        case 2: v = cpu->cr2; break;
        case 3: v = cpu->cr3; break;
        case 4:
            if (cpu->model == X86_MODEL_486 && !x86_has_feature(cpu, FEAT_VME)) {
                ud(cpu);
            }
            v = cpu->cr4;
            break;
        default: ud(cpu);
        }
        cpu->regs[d->rm] = v;
        return;
    }
    uint32_t v = cpu->regs[d->rm];
    switch (n) {
    case 0: x86_set_cr0(cpu, v); break;
    case 2: cpu->cr2 = v; break;
    case 3: x86_set_cr3(cpu, v); break;
    case 4: x86_set_cr4(cpu, v); break;
    default: ud(cpu);
    }
}

static void mov_dr(X86Cpu *cpu, Dec *d, bool to)
{
    need_cpl0(cpu);
    if (cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    /* DR4/DR5 aliasing, #UD with CR4.DE, DR7.GD: x86_dr_read/x86_dr_write */
    if (!to) {
        cpu->regs[d->rm] = x86_dr_read(cpu, d->reg);
        return;
    }
    x86_dr_write(cpu, d->reg, cpu->regs[d->rm]);
}

static void grp6(X86Cpu *cpu, Dec *d)
{
    if (!cpu->pe || cpu->v86) {
        ud(cpu);
    }
    switch (d->reg) {
    case 0: /* SLDT */
        rm_write(cpu, d, cpu->seg[S_LDTR].sel, (!d->mem && d->op32) ? 4 : 2);
        return;
    case 1: /* STR */
        rm_write(cpu, d, cpu->seg[S_TR].sel, (!d->mem && d->op32) ? 4 : 2);
        return;
    case 2: need_cpl0(cpu); x86_lldt(cpu, (uint16_t)rm_read(cpu, d, 2)); return;
    case 3: need_cpl0(cpu); x86_ltr(cpu, (uint16_t)rm_read(cpu, d, 2)); return;
    case 4: case 5: {
        bool ok = x86_verr_verw(cpu, (uint16_t)rm_read(cpu, d, 2), d->reg == 5);
        x86_set_flags(cpu, ok ? F_ZF : 0, F_ZF);
        return;
    }
    default: ud(cpu);
    }
}

static void grp7(X86Cpu *cpu, Dec *d)
{
    switch (d->reg) {
    case 0: case 1: { /* SGDT, SIDT */
        if (!d->mem) {
            ud(cpu);
        }
        X86Dtr *t = d->reg ? &cpu->idtr : &cpu->gdtr;
        x86_ac_operand(cpu, cpu->seg[d->eseg].base + d->eoff, 4);
        x86_mem_write(cpu, d->eseg, d->eoff, t->limit, 2);
        x86_mem_write(cpu, d->eseg, ea_off(d, 2), t->base, 4);
        x86_ac_operand_end(cpu);
        return;
    }
    case 2: case 3: { /* LGDT, LIDT */
        if (!d->mem) {
            ud(cpu);
        }
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        uint16_t limit = (uint16_t)x86_mem_read(cpu, d->eseg, d->eoff, 2);
        uint32_t base = x86_mem_read(cpu, d->eseg, ea_off(d, 2), 4);
        if (!d->op32) {
            base &= 0xffffff;
        }
        X86Dtr *t = d->reg == 3 ? &cpu->idtr : &cpu->gdtr;
        t->limit = limit;
        t->base = base;
        return;
    }
    case 4: /* SMSW */
        rm_write(cpu, d, cpu->cr0, (!d->mem && d->op32) ? 4 : 2);
        return;
    case 6: { /* LMSW: cannot clear PE */
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        uint32_t v = rm_read(cpu, d, 2) & 0xf;
        x86_set_cr0(cpu, (cpu->cr0 & ~0xeu) | v | (cpu->cr0 & CR0_PE));
        return;
    }
    case 7: /* INVLPG */
        if (!d->mem) {
            ud(cpu);
        }
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        x86_tlb_flush_page(cpu, cpu->seg[d->eseg].base + d->eoff);
        return;
    default:
        ud(cpu);
    }
}

void x86_exec_0f(X86Cpu *cpu, Dec *d)
{
    uint8_t op = fetch8(cpu);
    unsigned sz = d->op32 ? 4 : 2;
    uint32_t lin = 0, a, b;

    if (d->lock) {
        bool lockable = op == 0xab || op == 0xb3 || op == 0xbb || op == 0xba ||
                        op == 0xb0 || op == 0xb1 || op == 0xc0 || op == 0xc1 || op == 0xc7;
        if (!lockable) {
            ud(cpu);
        }
    }
    switch (op) {
    case 0x00: decode_modrm(cpu, d); grp6(cpu, d); return;
    case 0x01: decode_modrm(cpu, d); grp7(cpu, d); return;
    case 0x02: case 0x03: { /* LAR, LSL */
        if (!cpu->pe || cpu->v86) {
            ud(cpu);
        }
        decode_modrm(cpu, d);
        uint32_t out;
        if (x86_lar_lsl(cpu, (uint16_t)rm_read(cpu, d, 2), op == 3, &out)) {
            setreg(cpu, d->reg, out, sz);
            x86_set_flags(cpu, F_ZF, F_ZF);
        } else {
            x86_set_flags(cpu, 0, F_ZF);
        }
        return;
    }
    case 0x06: /* CLTS */
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        cpu->cr0 &= ~CR0_TS;
        return;
    case 0x08: case 0x09: /* INVD, WBINVD */
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        return;
    case 0x0b: case 0xb9: case 0xff: ud(cpu);
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        if (cpu->model < X86_MODEL_PENTIUM2) {
            ud(cpu);
        }
        decode_modrm(cpu, d);   /* hint NOPs (P6) */
        return;
    case 0x20: case 0x21: case 0x22: case 0x23:
        decode_modrm(cpu, d);
        if (op & 1) {
            mov_dr(cpu, d, op & 2);
        } else {
            mov_cr(cpu, d, op & 2);
        }
        return;
    case 0x30: case 0x32: { /* WRMSR, RDMSR */
        if (!x86_has_feature(cpu, FEAT_MSR)) {
            ud(cpu);
        }
        need_cpl0(cpu);
        if (cpu->v86) {
            x86_raise(cpu, EXC_GP, 0);
        }
        uint32_t msr = cpu->regs[R_ECX];
        if (op == 0x30) {
            uint64_t v = ((uint64_t)cpu->regs[R_EDX] << 32) | cpu->regs[R_EAX];
            if (!x86_wrmsr(cpu, msr, v)) {
                x86_raise(cpu, EXC_GP, 0);
            }
        } else {
            uint64_t v;
            if (!x86_rdmsr(cpu, msr, &v)) {
                x86_raise(cpu, EXC_GP, 0);
            }
            cpu->regs[R_EAX] = (uint32_t)v;
            cpu->regs[R_EDX] = (uint32_t)(v >> 32);
        }
        return;
    }
    case 0x31: { /* RDTSC */
        if (!x86_has_feature(cpu, FEAT_TSC)) {
            ud(cpu);
        }
        if ((cpu->cr4 & CR4_TSD) && cpu->pe && cpu->cpl != 0) {
            x86_raise(cpu, EXC_GP, 0);
        }
        uint64_t t = x86_rdtsc(cpu);
        cpu->regs[R_EAX] = (uint32_t)t;
        cpu->regs[R_EDX] = (uint32_t)(t >> 32);
        return;
    }
    case 0x33: /* RDPMC */
        if (cpu->model < X86_MODEL_PENTIUM2) {
            ud(cpu);
        }
        if ((cpu->pe && cpu->cpl != 0 && !(cpu->cr4 & CR4_PCE)) || cpu->regs[R_ECX] > 1) {
            x86_raise(cpu, EXC_GP, 0);
        }
        cpu->regs[R_EAX] = cpu->regs[R_EDX] = 0;
        return;
    case 0x34:
        if (!x86_has_feature(cpu, FEAT_SEP)) {
            ud(cpu);
        }
        x86_sysenter(cpu);
        cpu->next_eip = cpu->eip;
        return;
    case 0x35:
        if (!x86_has_feature(cpu, FEAT_SEP)) {
            ud(cpu);
        }
        x86_sysexit(cpu);
        cpu->next_eip = cpu->eip;
        return;
    case 0xa0: push(cpu, cpu->seg[S_FS].sel, sz); return;
    case 0xa8: push(cpu, cpu->seg[S_GS].sel, sz); return;
    case 0xa1: case 0xa9: {
        uint16_t sel = (uint16_t)peek(cpu, sz, 0);
        x86_seg_load(cpu, op == 0xa1 ? S_FS : S_GS, sel);
        add_esp(cpu, sz);
        return;
    }
    case 0xa2: x86_cpuid(cpu); return;
    case 0xa3: decode_modrm(cpu, d); bt_op(cpu, d, 0, getreg(cpu, d->reg, sz), false); return;
    case 0xab: decode_modrm(cpu, d); bt_op(cpu, d, 1, getreg(cpu, d->reg, sz), false); return;
    case 0xb3: decode_modrm(cpu, d); bt_op(cpu, d, 2, getreg(cpu, d->reg, sz), false); return;
    case 0xbb: decode_modrm(cpu, d); bt_op(cpu, d, 3, getreg(cpu, d->reg, sz), false); return;
    case 0xba: {
        decode_modrm(cpu, d);
        uint8_t imm = fetch8(cpu);
        if (d->reg < 4) {
            ud(cpu);
        }
        lock_check(cpu, d, d->reg != 4);
        bt_op(cpu, d, d->reg - 4, imm, true);
        return;
    }
    case 0xa4: case 0xa5: case 0xac: case 0xad: { /* SHLD, SHRD */
        decode_modrm(cpu, d);
        unsigned cnt = (op & 1) ? (cpu->regs[R_ECX] & 0xff) : fetch8(cpu);
        a = rm_read_rmw(cpu, d, sz, &lin);
        if ((cnt & 31) == 0) {
            return;
        }
        uint32_t r = shld_shrd(cpu, op >= 0xac, a, getreg(cpu, d->reg, sz), cnt, sz);
        rm_write_rmw(cpu, d, lin, r, sz);
        return;
    }
    case 0xaf: /* IMUL r, r/m */
        decode_modrm(cpu, d);
        setreg(cpu, d->reg, x86_imul2(cpu, getreg(cpu, d->reg, sz), rm_read(cpu, d, sz), sz), sz);
        return;
    case 0xb0: case 0xb1: { /* CMPXCHG */
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, d);
        lock_check(cpu, d, true);
        a = rm_read_rmw(cpu, d, s, &lin);
        uint32_t acc = getreg(cpu, R_EAX, s);
        if (acc == a) {
            rm_write_rmw(cpu, d, lin, getreg(cpu, d->reg, s), s);
        } else {
            rm_write_rmw(cpu, d, lin, a, s);
            setreg(cpu, R_EAX, a, s);
        }
        alu(cpu, 7, acc, a, s);
        return;
    }
    case 0xb2: decode_modrm(cpu, d); x86_load_far_ptr(cpu, d, S_SS); return;
    case 0xb4: decode_modrm(cpu, d); x86_load_far_ptr(cpu, d, S_FS); return;
    case 0xb5: decode_modrm(cpu, d); x86_load_far_ptr(cpu, d, S_GS); return;
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: { /* MOVZX, MOVSX */
        decode_modrm(cpu, d);
        unsigned s = (op & 1) ? 2 : 1;
        uint32_t v = rm_read(cpu, d, s);
        if (op & 8) {
            v = sext(v, s);
        }
        setreg(cpu, d->reg, v, sz);
        return;
    }
    case 0xbc: case 0xbd: { /* BSF, BSR */
        decode_modrm(cpu, d);
        uint32_t v = rm_read(cpu, d, sz);
        if (v == 0) {
            x86_set_flags(cpu, F_ZF, F_ZF);
            return;
        }
        setreg(cpu, d->reg, op == 0xbc ? (uint32_t)__builtin_ctz(v) : (uint32_t)(31 - __builtin_clz(v)), sz);
        x86_set_flags(cpu, 0, F_ZF);
        return;
    }
    case 0xc0: case 0xc1: { /* XADD */
        unsigned s = op & 1 ? sz : 1;
        decode_modrm(cpu, d);
        lock_check(cpu, d, true);
        a = rm_read_rmw(cpu, d, s, &lin);
        b = getreg(cpu, d->reg, s);
        uint32_t r = alu(cpu, 0, a, b, s);
        rm_write_rmw(cpu, d, lin, r, s);
        setreg(cpu, d->reg, a, s);
        if (!d->mem && d->rm == d->reg) {
            setreg(cpu, d->reg, r, s);
        }
        return;
    }
    case 0xc7: { /* CMPXCHG8B */
        decode_modrm(cpu, d);
        if (d->reg != 1 || !d->mem || !x86_has_feature(cpu, FEAT_CX8)) {
            ud(cpu);
        }
        uint32_t l0 = seg_lin(cpu, d->eseg, d->eoff, 4, true);
        uint32_t l1 = seg_lin(cpu, d->eseg, ea_off(d, 4), 4, true);
        x86_ac_check(cpu, l0, 8);
        probe_write(cpu, l0, 4);
        probe_write(cpu, l1, 4);
        uint32_t lo = x86_lread(cpu, l0, 4), hi = x86_lread(cpu, l1, 4);
        if (lo == cpu->regs[R_EAX] && hi == cpu->regs[R_EDX]) {
            x86_lwrite(cpu, l0, cpu->regs[R_EBX], 4);
            x86_lwrite(cpu, l1, cpu->regs[R_ECX], 4);
            x86_set_flags(cpu, F_ZF, F_ZF);
        } else {
            x86_lwrite(cpu, l0, lo, 4);
            x86_lwrite(cpu, l1, hi, 4);
            cpu->regs[R_EAX] = lo;
            cpu->regs[R_EDX] = hi;
            x86_set_flags(cpu, 0, F_ZF);
        }
        return;
    }
    default:
        break;
    }
    if (op >= 0x40 && op <= 0x4f) { /* CMOVcc */
        if (!x86_has_feature(cpu, FEAT_CMOV)) {
            ud(cpu);
        }
        decode_modrm(cpu, d);
        uint32_t v = rm_read(cpu, d, sz);
        if (cond(cpu, op & 15)) {
            setreg(cpu, d->reg, v, sz);
        }
        return;
    }
    if (op >= 0x80 && op <= 0x8f) { /* Jcc rel16/32 */
        uint32_t rel = d->op32 ? fetch32(cpu) : sext(fetch16(cpu), 2);
        if (cond(cpu, op & 15)) {
            jump(cpu, d, cpu->next_eip + rel);
        }
        return;
    }
    if (op >= 0x90 && op <= 0x9f) { /* SETcc */
        decode_modrm(cpu, d);
        rm_write(cpu, d, cond(cpu, op & 15) ? 1 : 0, 1);
        return;
    }
    if (op >= 0xc8 && op <= 0xcf) { /* BSWAP */
        uint32_t v = cpu->regs[op & 7];
        cpu->regs[op & 7] = d->op32 ? __builtin_bswap32(v) : (v & 0xffff0000u);
        return;
    }
    if ((op >= 0x60 && op <= 0x7f) || op == 0xae || (op >= 0xd0)) {
        /* With a 66, F2 or F3 prefix these opcodes are SSE/SSE2/SSE3
         * instructions (SDM vol. 2 app. A, table A-3; the MMX and FXSAVE
         * forms are "NP": no such prefix). No model here has SSE. */
        if (d->rep || d->op32 != cpu->code32) {
            ud(cpu);
        }
        uint8_t m = 0;
        X86FpuMem fm = { 0 };
        if (op != 0x77) {
            decode_modrm(cpu, d);
            m = (uint8_t)((d->mod << 6) | (d->reg << 3) | d->rm);
            fm.seg = d->eseg;
            fm.off = d->eoff;
        }
        fm.op32 = d->op32;
        x86_mmx_exec(cpu, op, m, &fm);
        return;
    }
    ud(cpu);
}
