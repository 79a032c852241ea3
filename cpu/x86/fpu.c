/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x87 FPU (opcodes D8-DF; Intel SDM vol. 1 ch. 8, vol. 2 instruction
 * pages), computed in the host's long double (x87 80-bit extended on x86
 * hosts, so loads, stores and the basic operations are exact for the
 * default control word).
 *
 * Implemented: the register stack with tags, stack overflow/underflow
 * (IE+SF, masked response = indefinite), loads/stores of all real, integer
 * and BCD formats, arithmetic (incl. reversed and popping forms), compares
 * incl. FCOMI/FUCOMI and FCMOVcc (P6 models), FXAM/FTST, constants,
 * transcendental functions, FPREM/FPREM1/FSCALE/FXTRACT/FRNDINT, control
 * and environment instructions (FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW,
 * FNSTENV/FLDENV, FNSAVE/FRSTOR), CR0.EM/TS/MP (#NM) and CR0.NE (#MF on the
 * next waiting instruction after an unmasked exception).
 *
 * Not exact: precision control (always 64-bit significand), rounding
 * control for arithmetic (always to nearest; FRNDINT and integer stores do
 * honour RC), the precision (PE), denormal (DE) and underflow/overflow
 * exception flags, C1 round-up reporting, and transcendental results are
 * those of the host libm. The legacy FERR#/IRQ13 path (CR0.NE=0) is not
 * wired: unmasked exceptions then only set ES/B. Real-mode FSTENV images
 * use the protected-mode layout. MMX and FXSAVE/FXRSTOR raise #UD (CPUID
 * does not advertise them).
 */
#include <float.h>
#include <math.h>
#include "cpu/x86/cpu-internal.h"

typedef long double f80;

#define FSW_IE 0x0001
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_C3 0x4000
#define FSW_B  0x8000

enum { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

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
#error "the x87 model needs an 80-bit long double host"
#endif
}

void x86_fpu_set_reg80(X86Cpu *cpu, int i, const uint8_t in[10])
{
    memset(&cpu->fpu.st[i & 7], 0, sizeof(f80));
    memcpy(&cpu->fpu.st[i & 7], in, 10);
}

/* Register stack */

static inline int phys(X86Cpu *cpu, int i)
{
    return (cpu->fpu.top + i) & 7;
}

static inline int tag_of(X86Cpu *cpu, int p)
{
    return (cpu->fpu.ftw >> (2 * p)) & 3;
}

static inline void set_tag(X86Cpu *cpu, int p, int t)
{
    cpu->fpu.ftw = (uint16_t)((cpu->fpu.ftw & ~(3u << (2 * p))) | ((unsigned)t << (2 * p)));
}

static int tag_for(f80 v)
{
    if (v == 0) {
        return TAG_ZERO;
    }
    return isnormal(v) ? TAG_VALID : TAG_SPECIAL;
}

static f80 indefinite(void)
{
    /* the x87 "real indefinite": negative quiet NaN */
    return -NAN;
}

/* Record exception flags; unmasked ones set ES and B. */
static void fpu_exc(X86Cpu *cpu, uint16_t flags)
{
    X86Fpu *f = &cpu->fpu;
    f->fsw |= flags;
    if (f->fsw & ~f->fcw & 0x3f) {
        f->fsw |= FSW_ES | FSW_B;
    }
}

static bool masked(X86Cpu *cpu, uint16_t flag)
{
    return cpu->fpu.fcw & flag;
}

static inline bool empty(X86Cpu *cpu, int i)
{
    return tag_of(cpu, phys(cpu, i)) == TAG_EMPTY;
}

static inline f80 get(X86Cpu *cpu, int i)
{
    return cpu->fpu.st[phys(cpu, i)];
}

static inline void put(X86Cpu *cpu, int i, f80 v)
{
    int p = phys(cpu, i);
    cpu->fpu.st[p] = v;
    set_tag(cpu, p, tag_for(v));
}

/* Stack underflow on reading an empty register. Returns false when the
 * instruction must not write its result (unmasked IE). */
static bool underflow(X86Cpu *cpu)
{
    cpu->fpu.fsw &= ~FSW_C1;
    fpu_exc(cpu, FSW_IE | FSW_SF);
    return masked(cpu, FSW_IE);
}

static bool check_st(X86Cpu *cpu, int i)
{
    return !empty(cpu, i) || underflow(cpu);
}

static void fpush(X86Cpu *cpu, f80 v)
{
    int p = (cpu->fpu.top - 1) & 7;
    if (tag_of(cpu, p) != TAG_EMPTY) {
        cpu->fpu.fsw |= FSW_C1;
        fpu_exc(cpu, FSW_IE | FSW_SF);
        if (!masked(cpu, FSW_IE)) {
            return;
        }
        v = indefinite();
    }
    cpu->fpu.top = (uint8_t)p;
    put(cpu, 0, v);
}

static void fpop(X86Cpu *cpu)
{
    set_tag(cpu, phys(cpu, 0), TAG_EMPTY);
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
}

/* Memory formats */

static f80 load_real(X86Cpu *cpu, const X86FpuMem *m, int size)
{
    if (size == 4) {
        uint32_t v = x86_mem_read(cpu, m->seg, m->off, 4);
        float fl;
        memcpy(&fl, &v, 4);
        if (isnan(fl) && !(v & 0x00400000u)) {
            fpu_exc(cpu, FSW_IE);
        }
        return fl;
    }
    if (size == 8) {
        uint64_t v = x86_mem_read64(cpu, m->seg, m->off);
        double d;
        memcpy(&d, &v, 8);
        if (isnan(d) && !(v & 0x0008000000000000ull)) {
            fpu_exc(cpu, FSW_IE);
        }
        return d;
    }
    uint8_t b[16] = { 0 };
    uint32_t lo = x86_mem_read(cpu, m->seg, m->off, 4);
    uint32_t mid = x86_mem_read(cpu, m->seg, m->off + 4, 4);
    uint32_t hi = x86_mem_read(cpu, m->seg, m->off + 8, 2);
    memcpy(b, &lo, 4);
    memcpy(b + 4, &mid, 4);
    memcpy(b + 8, &hi, 2);
    f80 v;
    memcpy(&v, b, sizeof(v));
    return v;
}

static void store_real(X86Cpu *cpu, const X86FpuMem *m, int size, f80 v)
{
    if (size == 4) {
        float fl = (float)v;
        uint32_t u;
        memcpy(&u, &fl, 4);
        x86_mem_write(cpu, m->seg, m->off, u, 4);
        return;
    }
    if (size == 8) {
        double d = (double)v;
        uint64_t u;
        memcpy(&u, &d, 8);
        x86_mem_write64(cpu, m->seg, m->off, u);
        return;
    }
    uint8_t b[16] = { 0 };
    memcpy(b, &v, 10);
    uint32_t w0, w1, w2 = 0;
    memcpy(&w0, b, 4);
    memcpy(&w1, b + 4, 4);
    memcpy(&w2, b + 8, 2);
    x86_mem_read(cpu, m->seg, m->off + 8, 2);
    x86_mem_write(cpu, m->seg, m->off, w0, 4);
    x86_mem_write(cpu, m->seg, m->off + 4, w1, 4);
    x86_mem_write(cpu, m->seg, m->off + 8, w2, 2);
}

static f80 load_int(X86Cpu *cpu, const X86FpuMem *m, int size)
{
    if (size == 2) {
        return (int16_t)x86_mem_read(cpu, m->seg, m->off, 2);
    }
    if (size == 4) {
        return (int32_t)x86_mem_read(cpu, m->seg, m->off, 4);
    }
    return (f80)(int64_t)x86_mem_read64(cpu, m->seg, m->off);
}

static f80 round_rc(X86Cpu *cpu, f80 v)
{
    switch ((cpu->fpu.fcw >> 10) & 3) {
    case 0: return rintl(v);    /* host default: nearest even */
    case 1: return floorl(v);
    case 2: return ceill(v);
    default: return truncl(v);
    }
}

static void store_int(X86Cpu *cpu, const X86FpuMem *m, int size, f80 v)
{
    f80 r = round_rc(cpu, v);
    int64_t lim = size == 2 ? 0x7fff : size == 4 ? 0x7fffffffll : INT64_MAX;
    int64_t iv;
    bool bad = isnan(r) || r > (f80)lim || r < -(f80)lim - 1;
    if (size == 8 && !bad && r == (f80)INT64_MAX + 1.0L) {
        bad = true;
    }
    if (bad) {
        fpu_exc(cpu, FSW_IE);
        if (!masked(cpu, FSW_IE)) {
            return;
        }
        iv = size == 2 ? -0x8000 : size == 4 ? INT32_MIN : INT64_MIN;
    } else {
        iv = (int64_t)r;
    }
    if (size == 8) {
        x86_mem_write64(cpu, m->seg, m->off, (uint64_t)iv);
    } else {
        x86_mem_write(cpu, m->seg, m->off, (uint32_t)iv, (unsigned)size);
    }
}

static f80 load_bcd(X86Cpu *cpu, const X86FpuMem *m)
{
    f80 v = 0;
    for (int i = 8; i >= 0; i--) {
        uint32_t b = x86_mem_read(cpu, m->seg, m->off + i, 1);
        v = v * 100 + ((b >> 4) & 15) * 10 + (b & 15);
    }
    if (x86_mem_read(cpu, m->seg, m->off + 9, 1) & 0x80) {
        v = -v;
    }
    return v;
}

static void store_bcd(X86Cpu *cpu, const X86FpuMem *m, f80 v)
{
    f80 r = round_rc(cpu, v);
    uint8_t out[10] = { 0 };
    if (isnan(r) || fabsl(r) >= 1e18L) {
        fpu_exc(cpu, FSW_IE);
        if (!masked(cpu, FSW_IE)) {
            return;
        }
        /* packed BCD indefinite */
        memset(out, 0, sizeof(out));
        out[7] = 0xc0;
        out[8] = 0xff;
        out[9] = 0xff;
    } else {
        uint64_t u = (uint64_t)fabsl(r);
        for (int i = 0; i < 9; i++) {
            out[i] = (uint8_t)((u % 10) | (((u / 10) % 10) << 4));
            u /= 100;
        }
        out[9] = signbit(r) ? 0x80 : 0;
    }
    x86_mem_read(cpu, m->seg, m->off + 9, 1);
    for (int i = 0; i < 10; i++) {
        x86_mem_write(cpu, m->seg, m->off + i, out[i], 1);
    }
}

/* Arithmetic: op 0 add, 1 mul, 4 sub (a-b), 5 subr (b-a), 6 div (a/b),
 * 7 divr (b/a). */
static f80 arith(X86Cpu *cpu, int op, f80 a, f80 b)
{
    f80 r;
    switch (op) {
    case 0: r = a + b; break;
    case 1: r = a * b; break;
    case 4: r = a - b; break;
    case 5: r = b - a; break;
    case 6: case 7: {
        f80 n = op == 6 ? a : b, d = op == 6 ? b : a;
        if (d == 0 && !isnan(n)) {
            if (n == 0) {
                fpu_exc(cpu, FSW_IE);
                return indefinite();
            }
            fpu_exc(cpu, FSW_ZE);
        }
        r = n / d;
        break;
    }
    default: r = a; break;
    }
    if (isnan(r) && !isnan(a) && !isnan(b)) {
        fpu_exc(cpu, FSW_IE);
        r = indefinite();
    }
    return r;
}

/* Compare: sets C3/C2/C0 (or ZF/PF/CF for FCOMI). */
static int compare(X86Cpu *cpu, f80 a, f80 b, bool unordered_ok)
{
    if (isnan(a) || isnan(b)) {
        if (!unordered_ok) {
            fpu_exc(cpu, FSW_IE);
        }
        return 3;
    }
    return a > b ? 0 : a < b ? 1 : 2;
}

static void set_cc(X86Cpu *cpu, int rel)
{
    static const uint16_t cc[4] = { 0, FSW_C0, FSW_C3, FSW_C3 | FSW_C2 | FSW_C0 };
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | cc[rel]);
}

static void set_eflags_cmp(X86Cpu *cpu, int rel)
{
    static const uint32_t fl[4] = { 0, F_CF, F_ZF, F_ZF | F_PF | F_CF };
    x86_set_flags(cpu, fl[rel], F_ARITH);
    cpu->fpu.fsw &= ~FSW_C1;
}

static void fxam(X86Cpu *cpu)
{
    uint16_t c;
    f80 v = get(cpu, 0);
    if (empty(cpu, 0)) {
        c = FSW_C3 | FSW_C0;
    } else if (isnan(v)) {
        c = FSW_C0;
    } else if (isinf(v)) {
        c = FSW_C2 | FSW_C0;
    } else if (v == 0) {
        c = FSW_C3;
    } else if (!isnormal(v)) {
        c = FSW_C3 | FSW_C2;
    } else {
        c = FSW_C2;
    }
    if (signbit(v)) {
        c |= FSW_C1;
    }
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | c);
}

/* Environment */

static void env_store(X86Cpu *cpu, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    unsigned w = m->op32 ? 4 : 2;
    uint32_t hi = m->op32 ? 0xffff0000u : 0;
    uint32_t vals[7] = {
        f->fcw | hi, fsw_get(cpu) | hi, f->ftw | hi, f->fip,
        f->fcs | (m->op32 ? ((uint32_t)(f->fop & 0x7ff) << 16) : 0), f->fdp, f->fds | hi,
    };
    x86_mem_read(cpu, m->seg, m->off + 6 * w, w);
    for (int i = 0; i < 7; i++) {
        x86_mem_write(cpu, m->seg, m->off + i * w, vals[i], w);
    }
}

static void env_load(X86Cpu *cpu, const X86FpuMem *m)
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
    /* an unmasked pending exception stays pending */
    if (f->fsw & ~f->fcw & 0x3f) {
        f->fsw |= FSW_ES | FSW_B;
    } else {
        f->fsw &= ~(FSW_ES | FSW_B);
    }
}

static _Noreturn void fpu_ud(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    x86_log(cpu, "unimplemented", "x87 opcode %02x %02x at %04x:%08x", op, modrm,
            cpu->seg[S_CS].sel, cpu->eip);
    x86_raise(cpu, EXC_UD, -1);
}

void x86_fpu_wait(X86Cpu *cpu)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_raise(cpu, EXC_NM, -1);
    }
    if ((cpu->fpu.fsw & FSW_ES) && (cpu->cr0 & CR0_NE)) {
        x86_raise(cpu, EXC_MF, -1);
    }
}

static bool is_control(uint8_t op, uint8_t modrm)
{
    int reg = (modrm >> 3) & 7;
    if (modrm < 0xc0) {
        return (op == 0xd9 && (reg == 5 || reg == 6 || reg == 7)) ||
               (op == 0xdd && (reg == 6 || reg == 7));
    }
    return (op == 0xdb && (modrm == 0xe2 || modrm == 0xe3)) || (op == 0xdf && modrm == 0xe0);
}

static void mem_arith(X86Cpu *cpu, int reg, f80 v)
{
    if (!check_st(cpu, 0)) {
        return;
    }
    if (reg == 2 || reg == 3) {
        set_cc(cpu, compare(cpu, get(cpu, 0), v, false));
        if (reg == 3) {
            fpop(cpu);
        }
        return;
    }
    put(cpu, 0, arith(cpu, reg, get(cpu, 0), v));
}

static void exec_mem(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    int reg = (modrm >> 3) & 7;
    switch (op) {
    case 0xd8: mem_arith(cpu, reg, load_real(cpu, m, 4)); return;
    case 0xdc: mem_arith(cpu, reg, load_real(cpu, m, 8)); return;
    case 0xda: mem_arith(cpu, reg, load_int(cpu, m, 4)); return;
    case 0xde: mem_arith(cpu, reg, load_int(cpu, m, 2)); return;
    case 0xd9:
        switch (reg) {
        case 0: fpush(cpu, load_real(cpu, m, 4)); return;
        case 2: case 3:
            if (!check_st(cpu, 0)) return;
            store_real(cpu, m, 4, get(cpu, 0));
            if (reg == 3) fpop(cpu);
            return;
        case 4: env_load(cpu, m); return;
        case 5: f->fcw = (uint16_t)((x86_mem_read(cpu, m->seg, m->off, 2) & 0x1f7f) | 0x40); return;
        case 6: env_store(cpu, m); f->fcw |= 0x3f; return;
        case 7: x86_mem_write(cpu, m->seg, m->off, f->fcw, 2); return;
        default: break;
        }
        break;
    case 0xdb:
        switch (reg) {
        case 0: fpush(cpu, load_int(cpu, m, 4)); return;
        case 2: case 3:
            if (!check_st(cpu, 0)) return;
            store_int(cpu, m, 4, get(cpu, 0));
            if (reg == 3) fpop(cpu);
            return;
        case 5: fpush(cpu, load_real(cpu, m, 10)); return;
        case 7:
            if (!check_st(cpu, 0)) return;
            store_real(cpu, m, 10, get(cpu, 0));
            fpop(cpu);
            return;
        default: break;
        }
        break;
    case 0xdd:
        switch (reg) {
        case 0: fpush(cpu, load_real(cpu, m, 8)); return;
        case 2: case 3:
            if (!check_st(cpu, 0)) return;
            store_real(cpu, m, 8, get(cpu, 0));
            if (reg == 3) fpop(cpu);
            return;
        case 4: { /* FRSTOR */
            unsigned n = m->op32 ? 28 : 14;
            uint8_t regs[8][10];
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 10; j++) {
                    regs[i][j] = (uint8_t)x86_mem_read(cpu, m->seg, m->off + n + i * 10 + j, 1);
                }
            }
            env_load(cpu, m);
            for (int i = 0; i < 8; i++) {
                x86_fpu_set_reg80(cpu, phys(cpu, i), regs[i]);
            }
            return;
        }
        case 6: { /* FNSAVE */
            unsigned n = m->op32 ? 28 : 14;
            x86_mem_read(cpu, m->seg, m->off + n + 79, 1);
            env_store(cpu, m);
            uint8_t buf[10];
            for (int i = 0; i < 8; i++) {
                x86_fpu_get_reg80(cpu, phys(cpu, i), buf);
                for (int j = 0; j < 10; j++) {
                    x86_mem_write(cpu, m->seg, m->off + n + i * 10 + j, buf[j], 1);
                }
            }
            fninit(cpu);
            return;
        }
        case 7: x86_mem_write(cpu, m->seg, m->off, fsw_get(cpu), 2); return;
        default: break;
        }
        break;
    default: /* 0xdf */
        switch (reg) {
        case 0: fpush(cpu, load_int(cpu, m, 2)); return;
        case 2: case 3:
            if (!check_st(cpu, 0)) return;
            store_int(cpu, m, 2, get(cpu, 0));
            if (reg == 3) fpop(cpu);
            return;
        case 4: fpush(cpu, load_bcd(cpu, m)); return;
        case 5: fpush(cpu, load_int(cpu, m, 8)); return;
        case 6:
            if (!check_st(cpu, 0)) return;
            store_bcd(cpu, m, get(cpu, 0));
            fpop(cpu);
            return;
        case 7:
            if (!check_st(cpu, 0)) return;
            store_int(cpu, m, 8, get(cpu, 0));
            fpop(cpu);
            return;
        default: break;
        }
        break;
    }
    fpu_ud(cpu, op, modrm);
}

static bool fcmov_cond(X86Cpu *cpu, uint8_t op, int reg)
{
    uint32_t fl = x86_get_flags(cpu);
    bool c;
    switch (reg & 3) {
    case 0: c = fl & F_CF; break;
    case 1: c = fl & F_ZF; break;
    case 2: c = fl & (F_CF | F_ZF); break;
    default: c = fl & F_PF; break;
    }
    return op == 0xda ? c : !c;
}

/* D9 E0-FF: one-operand and constant instructions */
static void exec_d9_misc(X86Cpu *cpu, uint8_t modrm)
{
    static const f80 consts[7] = {
        1.0L, 3.32192809488736234787L, 1.44269504088896340736L, 3.14159265358979323846L,
        0.301029995663981195214L, 0.693147180559945309417L, 0.0L,
    };
    X86Fpu *f = &cpu->fpu;
    if (modrm >= 0xe8 && modrm <= 0xee) {
        fpush(cpu, consts[modrm - 0xe8]);
        return;
    }
    if (modrm == 0xf6) {
        f->top = (f->top - 1) & 7;
        f->fsw &= ~FSW_C1;
        return;
    }
    if (modrm == 0xf7) {
        f->top = (f->top + 1) & 7;
        f->fsw &= ~FSW_C1;
        return;
    }
    if (modrm == 0xe5) {
        fxam(cpu);
        return;
    }
    if (!check_st(cpu, 0)) {
        return;
    }
    f80 x = get(cpu, 0);
    bool two = modrm == 0xf1 || modrm == 0xf3 || modrm == 0xf5 || modrm == 0xf8 ||
               modrm == 0xf9 || modrm == 0xfd;
    if (two && !check_st(cpu, 1)) {
        return;
    }
    f80 y = two ? get(cpu, 1) : 0;
    f->fsw &= ~(FSW_C1 | FSW_C2);
    switch (modrm) {
    case 0xe0: put(cpu, 0, -x); return;
    case 0xe1: put(cpu, 0, fabsl(x)); return;
    case 0xe4: set_cc(cpu, compare(cpu, x, 0.0L, false)); return;
    case 0xf0: put(cpu, 0, exp2l(x) - 1.0L); return;
    case 0xf1: /* FYL2X */
        if (x < 0) {
            fpu_exc(cpu, FSW_IE);
            put(cpu, 1, indefinite());
        } else {
            if (x == 0) {
                fpu_exc(cpu, FSW_ZE);
            }
            put(cpu, 1, y * log2l(x));
        }
        fpop(cpu);
        return;
    case 0xf2: /* FPTAN */
        if (fabsl(x) >= 0x1p63L) {
            f->fsw |= FSW_C2;
            return;
        }
        put(cpu, 0, tanl(x));
        fpush(cpu, 1.0L);
        return;
    case 0xf3: put(cpu, 1, atan2l(y, x)); fpop(cpu); return;
    case 0xf4: { /* FXTRACT */
        if (x == 0) {
            fpu_exc(cpu, FSW_ZE);
            put(cpu, 0, -INFINITY);
            fpush(cpu, x);
            return;
        }
        int e;
        f80 mant = frexpl(x, &e);
        put(cpu, 0, (f80)(e - 1));
        fpush(cpu, mant * 2);
        return;
    }
    case 0xf5: case 0xf8: { /* FPREM1, FPREM */
        if (y == 0 || isinf(x) || isnan(x) || isnan(y)) {
            fpu_exc(cpu, FSW_IE);
            put(cpu, 0, indefinite());
            return;
        }
        int ex, ey;
        frexpl(x, &ex);
        frexpl(y, &ey);
        if (ex - ey >= 64) {
            /* partial: reduce by y * 2^(ex-ey-32..63) and report C2 */
            int n = ex - ey - 32;
            f80 q = truncl(x / ldexpl(y, n));
            put(cpu, 0, x - q * ldexpl(y, n));
            f->fsw |= FSW_C2;
            return;
        }
        f80 q = modrm == 0xf8 ? truncl(x / y) : rintl(x / y);
        f80 r = modrm == 0xf8 ? fmodl(x, y) : remainderl(x, y);
        uint64_t qi = (uint64_t)fabsl(q);
        f->fsw &= ~(FSW_C0 | FSW_C1 | FSW_C3);
        if (qi & 1) f->fsw |= FSW_C1;
        if (qi & 2) f->fsw |= FSW_C3;
        if (qi & 4) f->fsw |= FSW_C0;
        put(cpu, 0, r);
        return;
    }
    case 0xf9: put(cpu, 1, y * log2l(x + 1.0L)); fpop(cpu); return;
    case 0xfa:
        if (x < 0) {
            fpu_exc(cpu, FSW_IE);
            put(cpu, 0, indefinite());
        } else {
            put(cpu, 0, sqrtl(x));
        }
        return;
    case 0xfb: /* FSINCOS */
        if (fabsl(x) >= 0x1p63L) {
            f->fsw |= FSW_C2;
            return;
        }
        put(cpu, 0, sinl(x));
        fpush(cpu, cosl(x));
        return;
    case 0xfc: put(cpu, 0, round_rc(cpu, x)); return;
    case 0xfd: put(cpu, 0, ldexpl(x, (int)fmaxl(fminl(truncl(y), 100000.0L), -100000.0L))); return;
    case 0xfe: case 0xff:
        if (fabsl(x) >= 0x1p63L) {
            f->fsw |= FSW_C2;
            return;
        }
        put(cpu, 0, modrm == 0xfe ? sinl(x) : cosl(x));
        return;
    default:
        fpu_ud(cpu, 0xd9, modrm);
    }
}

static void exec_reg(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    X86Fpu *f = &cpu->fpu;
    int reg = (modrm >> 3) & 7, i = modrm & 7;
    switch (op) {
    case 0xd8:
        if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
        if (reg == 2 || reg == 3) {
            set_cc(cpu, compare(cpu, get(cpu, 0), get(cpu, i), false));
            if (reg == 3) fpop(cpu);
            return;
        }
        put(cpu, 0, arith(cpu, reg, get(cpu, 0), get(cpu, i)));
        return;
    case 0xdc: case 0xde: {
        if (op == 0xde && modrm == 0xd9) { /* FCOMPP */
            if (!check_st(cpu, 0) || !check_st(cpu, 1)) return;
            set_cc(cpu, compare(cpu, get(cpu, 0), get(cpu, 1), false));
            fpop(cpu);
            fpop(cpu);
            return;
        }
        if (reg == 2 || reg == 3) {
            if (op == 0xde) break;
            if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
            set_cc(cpu, compare(cpu, get(cpu, 0), get(cpu, i), false));
            if (reg == 3) fpop(cpu);
            return;
        }
        if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
        int aop = reg >= 4 ? reg ^ 1 : reg;
        put(cpu, i, arith(cpu, aop, get(cpu, i), get(cpu, 0)));
        if (op == 0xde) fpop(cpu);
        return;
    }
    case 0xd9:
        if (reg == 0) { /* FLD ST(i) */
            if (!check_st(cpu, i)) return;
            fpush(cpu, get(cpu, i));
            return;
        }
        if (reg == 1) { /* FXCH */
            if (empty(cpu, 0) || empty(cpu, i)) {
                if (!underflow(cpu)) return;
                if (empty(cpu, 0)) put(cpu, 0, indefinite());
                if (empty(cpu, i)) put(cpu, i, indefinite());
            }
            f80 a = get(cpu, 0), b = get(cpu, i);
            put(cpu, 0, b);
            put(cpu, i, a);
            f->fsw &= ~FSW_C1;
            return;
        }
        if (modrm == 0xd0) return; /* FNOP */
        if (modrm >= 0xe0) {
            exec_d9_misc(cpu, modrm);
            return;
        }
        if (reg == 3) { /* FSTP1 (alias of DD D8+i) */
            if (!check_st(cpu, 0)) return;
            put(cpu, i, get(cpu, 0));
            fpop(cpu);
            return;
        }
        break;
    case 0xda: case 0xdb:
        if (modrm < 0xe0) { /* FCMOVcc */
            if (cpu->model < X86_MODEL_PENTIUM2) break;
            if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
            if (fcmov_cond(cpu, op, reg)) put(cpu, 0, get(cpu, i));
            return;
        }
        if (op == 0xda) {
            if (modrm != 0xe9) break;
            if (!check_st(cpu, 0) || !check_st(cpu, 1)) return; /* FUCOMPP */
            set_cc(cpu, compare(cpu, get(cpu, 0), get(cpu, 1), true));
            fpop(cpu);
            fpop(cpu);
            return;
        }
        switch (modrm) {
        case 0xe0: case 0xe1: case 0xe4: return;       /* FENI/FDISI/FSETPM */
        case 0xe2: f->fsw &= 0x7f00; return;          /* FNCLEX */
        case 0xe3: fninit(cpu); return;
        default: break;
        }
        if (reg == 5 || reg == 6) { /* FUCOMI, FCOMI */
            if (cpu->model < X86_MODEL_PENTIUM2) break;
            if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
            set_eflags_cmp(cpu, compare(cpu, get(cpu, 0), get(cpu, i), reg == 5));
            return;
        }
        break;
    case 0xdd:
        switch (reg) {
        case 0: set_tag(cpu, phys(cpu, i), TAG_EMPTY); return;  /* FFREE */
        case 1: exec_reg(cpu, 0xd9, (uint8_t)(0xc8 | i)); return;
        case 2: case 3:
            if (!check_st(cpu, 0)) return;
            put(cpu, i, get(cpu, 0));
            if (reg == 3) fpop(cpu);
            return;
        case 4: case 5:
            if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
            set_cc(cpu, compare(cpu, get(cpu, 0), get(cpu, i), true));
            if (reg == 5) fpop(cpu);
            return;
        default: break;
        }
        break;
    default: /* 0xdf */
        if (modrm == 0xe0) {
            cpu->regs[R_EAX] = (cpu->regs[R_EAX] & 0xffff0000u) | fsw_get(cpu);
            return;
        }
        if (reg == 0) { /* FFREEP */
            set_tag(cpu, phys(cpu, i), TAG_EMPTY);
            fpop(cpu);
            return;
        }
        if (reg == 5 || reg == 6) { /* FUCOMIP, FCOMIP */
            if (cpu->model < X86_MODEL_PENTIUM2) break;
            if (!check_st(cpu, 0) || !check_st(cpu, i)) return;
            set_eflags_cmp(cpu, compare(cpu, get(cpu, 0), get(cpu, i), reg == 5));
            fpop(cpu);
            return;
        }
        break;
    }
    fpu_ud(cpu, op, modrm);
}

void x86_fpu_exec(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        x86_raise(cpu, EXC_NM, -1);
    }
    bool control = is_control(op, modrm);
    if (!control && (f->fsw & FSW_ES) && (cpu->cr0 & CR0_NE)) {
        x86_raise(cpu, EXC_MF, -1);
    }
    if (!control) {
        f->fop = (uint16_t)(((op & 7) << 8) | modrm);
        f->fip = cpu->eip;
        f->fcs = cpu->seg[S_CS].sel;
        if (modrm < 0xc0) {
            f->fdp = m->off;
            f->fds = cpu->seg[m->seg].sel;
        }
    }
    if (modrm < 0xc0) {
        exec_mem(cpu, op, modrm, m);
    } else {
        exec_reg(cpu, op, modrm);
    }
}

void x86_mmx_exec(X86Cpu *cpu, uint8_t op2, uint8_t modrm, const X86FpuMem *m)
{
    (void)m;
    x86_log(cpu, "unimplemented", "opcode 0f %02x %02x at %04x:%08x", op2, modrm,
            cpu->seg[S_CS].sel, cpu->eip);
    x86_raise(cpu, EXC_UD, -1);
}
