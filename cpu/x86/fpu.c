/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x87 dispatcher (opcodes D8-DF) and the FPU's state-management
 * instructions: FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW (m16 and AX),
 * FNSTENV/FLDENV, FNSAVE/FRSTOR, FNOP, FWAIT, with the CR0.EM/TS/MP #NM
 * rules. This is what Linux's FPU probe and its lazy context switch use.
 *
 * Not done here: x87 arithmetic, loads/stores of values, comparisons,
 * transcendental functions, exceptions (#MF/FERR), MMX and FXSAVE/FXRSTOR.
 * Those opcodes raise #UD and log "unimplemented". The environment image is
 * always the protected-mode layout (also in real mode).
 */
#include <float.h>
#include "cpu/x86/cpu-internal.h"

uint32_t x86_fpu_cpuid_features(const X86Cpu *cpu)
{
    (void)cpu;
    return FEAT_FPU;
}

void x86_fpu_reset(X86Cpu *cpu)
{
    X86Fpu *f = &cpu->fpu;
    memset(f, 0, sizeof(*f));
    f->fcw = 0x0040;
    f->ftw = 0x5555;
}

static void fninit(X86Cpu *cpu)
{
    X86Fpu *f = &cpu->fpu;
    f->fcw = 0x037f;
    f->fsw = 0;
    f->top = 0;
    f->ftw = 0xffff;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

static uint16_t fsw_get(X86Cpu *cpu)
{
    return (uint16_t)((cpu->fpu.fsw & ~0x3800u) | ((cpu->fpu.top & 7u) << 11));
}

static void fsw_set(X86Cpu *cpu, uint16_t v)
{
    cpu->fpu.fsw = v;
    cpu->fpu.top = (v >> 11) & 7;
}

void x86_fpu_get_reg80(X86Cpu *cpu, int i, uint8_t out[10])
{
#if LDBL_MANT_DIG == 64
    memcpy(out, &cpu->fpu.st[i & 7], 10);
#else
    memset(out, 0, 10);
    (void)cpu;
    (void)i;
#endif
}

void x86_fpu_set_reg80(X86Cpu *cpu, int i, const uint8_t in[10])
{
#if LDBL_MANT_DIG == 64
    memset(&cpu->fpu.st[i & 7], 0, sizeof(long double));
    memcpy(&cpu->fpu.st[i & 7], in, 10);
#else
    (void)cpu;
    (void)i;
    (void)in;
#endif
}

static void check_nm(X86Cpu *cpu)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        x86_raise(cpu, EXC_NM, -1);
    }
}

void x86_fpu_wait(X86Cpu *cpu)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_raise(cpu, EXC_NM, -1);
    }
}

/* FNSTENV/FLDENV image (protected-mode layout); returns its size. */
static unsigned env_store(X86Cpu *cpu, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    unsigned w = m->op32 ? 4 : 2;
    uint32_t vals[7] = {
        f->fcw | (m->op32 ? 0xffff0000u : 0), fsw_get(cpu) | (m->op32 ? 0xffff0000u : 0),
        f->ftw | (m->op32 ? 0xffff0000u : 0), f->fip,
        f->fcs | ((uint32_t)(f->fop & 0x7ff) << 16), f->fdp, f->fds | (m->op32 ? 0xffff0000u : 0),
    };
    for (int i = 0; i < 7; i++) {
        x86_mem_write(cpu, m->seg, m->off + i * w, vals[i], w);
    }
    return 7 * w;
}

static unsigned env_load(X86Cpu *cpu, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    unsigned w = m->op32 ? 4 : 2;
    uint32_t v[7];
    for (int i = 0; i < 7; i++) {
        v[i] = x86_mem_read(cpu, m->seg, m->off + i * w, w);
    }
    f->fcw = (uint16_t)v[0];
    fsw_set(cpu, (uint16_t)v[1]);
    f->ftw = (uint16_t)v[2];
    f->fip = v[3];
    f->fcs = (uint16_t)v[4];
    f->fop = m->op32 ? (uint16_t)((v[4] >> 16) & 0x7ff) : 0;
    f->fdp = v[5];
    f->fds = (uint16_t)v[6];
    return 7 * w;
}

static _Noreturn void unimplemented(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    x86_log(cpu, "unimplemented", "x87 opcode %02x %02x at %04x:%08x", op, modrm,
            cpu->seg[S_CS].sel, cpu->eip);
    x86_raise(cpu, EXC_UD, -1);
}

void x86_fpu_exec(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    bool mem = modrm < 0xc0;
    int reg = (modrm >> 3) & 7;

    check_nm(cpu);
    if (mem) {
        switch ((op << 8) | (reg << 0)) {
        case 0xd905: /* FLDCW */
            f->fcw = (uint16_t)x86_mem_read(cpu, m->seg, m->off, 2);
            return;
        case 0xd907: /* FNSTCW */
            x86_mem_write(cpu, m->seg, m->off, f->fcw, 2);
            return;
        case 0xd904: /* FLDENV */
            env_load(cpu, m);
            return;
        case 0xd906: /* FNSTENV: also masks all exceptions */
            env_store(cpu, m);
            f->fcw |= 0x3f;
            return;
        case 0xdd07: /* FNSTSW m16 */
            x86_mem_write(cpu, m->seg, m->off, fsw_get(cpu), 2);
            return;
        case 0xdd06: { /* FNSAVE */
            unsigned n = env_store(cpu, m);
            uint8_t buf[10];
            for (int i = 0; i < 8; i++) {
                x86_fpu_get_reg80(cpu, (f->top + i) & 7, buf);
                for (int j = 0; j < 10; j++) {
                    x86_mem_write(cpu, m->seg, m->off + n + i * 10 + j, buf[j], 1);
                }
            }
            fninit(cpu);
            return;
        }
        case 0xdd04: { /* FRSTOR */
            uint8_t regs[8][10];
            unsigned n = m->op32 ? 28 : 14;
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 10; j++) {
                    regs[i][j] = (uint8_t)x86_mem_read(cpu, m->seg, m->off + n + i * 10 + j, 1);
                }
            }
            env_load(cpu, m);
            for (int i = 0; i < 8; i++) {
                x86_fpu_set_reg80(cpu, (f->top + i) & 7, regs[i]);
            }
            return;
        }
        default:
            unimplemented(cpu, op, modrm);
        }
    }
    switch ((op << 8) | modrm) {
    case 0xdbe3: fninit(cpu); return;                    /* FNINIT */
    case 0xdbe2: f->fsw &= 0x7f00; return;              /* FNCLEX */
    case 0xdbe0: case 0xdbe1: case 0xdbe4: return;       /* FENI/FDISI/FSETPM: no-ops on 387+ */
    case 0xd9d0: return;                                 /* FNOP */
    case 0xdfe0: /* FNSTSW AX */
        cpu->regs[R_EAX] = (cpu->regs[R_EAX] & 0xffff0000u) | fsw_get(cpu);
        return;
    default:
        unimplemented(cpu, op, modrm);
    }
}

void x86_mmx_exec(X86Cpu *cpu, uint8_t op2, uint8_t modrm, const X86FpuMem *m)
{
    (void)m;
    x86_log(cpu, "unimplemented", "opcode 0f %02x %02x at %04x:%08x", op2, modrm,
            cpu->seg[S_CS].sel, cpu->eip);
    x86_raise(cpu, EXC_UD, -1);
}
