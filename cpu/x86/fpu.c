/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x87 FPU (opcodes D8-DF; Intel SDM vol. 1 ch. 8, vol. 2 instruction
 * pages). Every computational instruction runs on the host's own x87: the
 * guest state (control word, condition codes, TOP, tags, the eight 80-bit
 * registers) is loaded into the host FPU with FRSTOR, the same instruction
 * (same opcode and ModRM, memory forms redirected to a host buffer) is
 * executed from a table of stubs, and the state is taken back with FNSAVE,
 * which never waits, so an unmasked exception only leaves ES/B pending in
 * the saved image and never reaches the host. Precision and rounding
 * control, the exception flags (IE DE ZE OE UE PE SF), C0-C3, stack
 * overflow/underflow, denormals, unsupported formats, NaN propagation,
 * masked responses and the unmasked ones (no result for IE/ZE/DE, biased
 * result for OE/UE with a register destination, no memory write) are
 * therefore those of a real x87 (the host's), bit for bit. The host image
 * starts with clear exception flags so that only this instruction's flags
 * come back; they are ORed into the guest's sticky flags. The common
 * instructions take a fast path that loads only their operands (see
 * fast_exec); the differential test (tests/guest/cpu/difftest.c) checks
 * both paths against the host.
 *
 * Done here in software: FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW,
 * FNSTENV/FLDENV and FNSAVE/FRSTOR (real/V86 and protected layouts, 16- and
 * 32-bit), FXSAVE/FXRSTOR, the FPU instruction/data pointers and opcode,
 * CR0.EM/TS/MP (#NM), CR0.NE (#MF on the next waiting instruction; with
 * NE=0 the pending exception is signalled on the bus FERR# line, see
 * X86Bus.ferr, and the next waiting instruction freezes the CPU until an
 * interrupt, or runs regardless while IGNNE# is high: x86_cpu_set_ignne).
 *
 * Transcendental results (FSIN, F2XM1, ...) are those of the host CPU.
 * Opcodes that are invalid (or FISTTP, SSE3) raise #UD; FCMOVcc and
 * (F)(U)COMI(P) only exist on P6 models.
 */
#include <stddef.h>
#include "cpu/x86/exec-inline.h"

#if !defined(__x86_64__) && !defined(__i386__)
#error "the x87 model runs guest x87 instructions on the host's x87"
#endif

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
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_FLAGS 0x007f

enum { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

uint32_t x86_fpu_cpuid_features(const X86Cpu *cpu)
{
    /* The Pentium (P54C) has no MMX; the Pentium II (family 6 model 5)
     * has MMX and FXSAVE/FXRSTOR. No SSE anywhere. */
    if (cpu->model >= X86_MODEL_PENTIUM2) {
        return FEAT_FPU | FEAT_MMX | FEAT_FXSR;
    }
    return FEAT_FPU;
}

/* The FERR# output follows ES while CR0.NE=0 (legacy error reporting). */
static void ferr_update(X86Cpu *cpu)
{
    bool level = (cpu->fpu.fsw & FSW_ES) && !(cpu->cr0 & CR0_NE);
    if (level != cpu->fpu.ferr) {
        cpu->fpu.ferr = level;
        if (cpu->bus.ferr) {
            cpu->bus.ferr(cpu->bus.opaque, level);
        }
    }
}

void x86_fpu_reset(X86Cpu *cpu)
{
    X86Fpu *f = &cpu->fpu;
    bool ferr = f->ferr;
    memset(f, 0, sizeof(*f));
    f->fcw = 0x0040;
    f->ftw = 0x5555;
    f->ferr = ferr;
    ferr_update(cpu);
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
    ferr_update(cpu);
}

/* ES and B follow the unmasked pending exceptions. */
static void update_es(X86Cpu *cpu)
{
    X86Fpu *f = &cpu->fpu;
    if (f->fsw & ~f->fcw & 0x3f) {
        f->fsw |= FSW_ES | FSW_B;
    } else {
        f->fsw &= ~(FSW_ES | FSW_B);
    }
    ferr_update(cpu);
}

uint16_t x86_fpu_fsw(X86Cpu *cpu)
{
    return (uint16_t)((cpu->fpu.fsw & ~0x3800u) | ((cpu->fpu.top & 7u) << 11));
}

static void fsw_set(X86Cpu *cpu, uint16_t v)
{
    cpu->fpu.fsw = v & ~0x3800u;
    cpu->fpu.top = (v >> 11) & 7;
}

void x86_fpu_get_reg80(X86Cpu *cpu, int i, uint8_t out[10])
{
    memcpy(out, &cpu->fpu.st[i & 7], 10);
}

void x86_fpu_set_reg80(X86Cpu *cpu, int i, const uint8_t in[10])
{
    memset(&cpu->fpu.st[i & 7], 0, sizeof(cpu->fpu.st[0]));
    memcpy(&cpu->fpu.st[i & 7], in, 10);
}

static inline int phys_reg(X86Cpu *cpu, int i)
{
    return (cpu->fpu.top + i) & 7;
}

/* The tag a register's contents give (FSTENV, FSAVE, FXRSTOR). */
static int tag_class(const uint8_t r[10])
{
    uint64_t mant;
    memcpy(&mant, r, 8);
    unsigned exp = (r[8] | (unsigned)r[9] << 8) & 0x7fff;
    if (exp == 0) {
        return mant == 0 ? TAG_ZERO : TAG_SPECIAL;
    }
    if (exp == 0x7fff || !(mant >> 63)) {
        return TAG_SPECIAL;
    }
    return TAG_VALID;
}

/* Full tag word: empty registers stay empty, the others are classified. */
static uint16_t full_tags(X86Cpu *cpu)
{
    uint16_t tw = 0;
    for (int p = 0; p < 8; p++) {
        int t = (cpu->fpu.ftw >> (2 * p)) & 3;
        if (t != TAG_EMPTY) {
            uint8_t r[10];
            x86_fpu_get_reg80(cpu, p, r);
            t = tag_class(r);
        }
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

uint8_t x86_fpu_abridged_tags(X86Cpu *cpu)
{
    uint8_t t = 0;
    for (int p = 0; p < 8; p++) {
        if (((cpu->fpu.ftw >> (2 * p)) & 3) != TAG_EMPTY) {
            t |= (uint8_t)(1u << p);
        }
    }
    return t;
}

void x86_fpu_set_abridged_tags(X86Cpu *cpu, uint8_t t)
{
    cpu->fpu.ftw = 0xffff;
    for (int p = 0; p < 8; p++) {
        if (t & (1u << p)) {
            cpu->fpu.ftw &= (uint16_t)~(3u << (2 * p));
        }
    }
    cpu->fpu.ftw = full_tags(cpu);
}

/* Host execution */

/* FNSAVE/FRSTOR image in the 32-bit protected-mode layout (108 bytes),
 * which is the one both i386 and x86-64 hosts use by default. */
typedef struct __attribute__((packed)) HostEnv {
    uint32_t cw, sw, tw, ip, cs, dp, ds;
    uint8_t st[8][10];
} HostEnv;

/* One stub per (opcode, ModRM): ENDBR (a NOP where CET is off), the two
 * instruction bytes and RET, padded to 8 bytes. Memory forms are only
 * ever called with mod=00 rm=000, i.e. [eax]/[rax], pointing at the host
 * operand buffer. */
__asm__(".pushsection .text\n"
        ".p2align 4\n"
        ".type bp_x87_stubs, @function\n"
        "bp_x87_stubs:\n"
        ".irp op,0xd8,0xd9,0xda,0xdb,0xdc,0xdd,0xde,0xdf\n"
        ".set bp_x87_m, 0\n"
        ".rept 256\n"
#ifdef __x86_64__
        ".byte 0xf3, 0x0f, 0x1e, 0xfa\n"
#else
        ".byte 0xf3, 0x0f, 0x1e, 0xfb\n"
#endif
        ".byte \\op, bp_x87_m, 0xc3, 0xcc\n"
        ".set bp_x87_m, bp_x87_m + 1\n"
        ".endr\n"
        ".endr\n"
        ".size bp_x87_stubs, . - bp_x87_stubs\n"
        ".popsection\n");
extern const uint8_t bp_x87_stubs[];

/* FRSTOR the image, call the stub (below the x86-64 red zone), FNSAVE it
 * back. The EFLAGS variant loads the guest's CF/PF/ZF first (FCMOVcc) and
 * returns the host's after (FCOMI). */
#ifdef __x86_64__
#define SP_DOWN "lea -128(%%rsp), %%rsp\n\t"
#define SP_UP   "lea 128(%%rsp), %%rsp\n\t"
#define POPF    "popfq\n\t"
#define PUSHF   "pushfq\n\t"
#else
#define SP_DOWN ""
#define SP_UP   ""
#define POPF    "popfl\n\t"
#define PUSHF   "pushfl\n\t"
#endif
#define X87_CLOBBERS "memory", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", \
                     "st(6)", "st(7)"
#define HOST_CALL(env, stub, mem)                                             \
    __asm__ volatile("frstor (%[e])\n\t" SP_DOWN "call *%[s]\n\t" SP_UP      \
                     "fnsave (%[e])\n\t"                                      \
                     : "+a"(mem) : [e] "r"(env), [s] "r"(stub) : X87_CLOBBERS)
#define HOST_CALL_FLAGS(env, stub, mem, flags)                                \
    __asm__ volatile("push %[fl]\n\t" POPF "frstor (%[e])\n\t" SP_DOWN       \
                     "call *%[s]\n\t" SP_UP "fnsave (%[e])\n\t" PUSHF         \
                     "pop %[fl]\n\t"                                          \
                     : [fl] "+r"(flags), "+a"(mem) : [e] "r"(env), [s] "r"(stub) \
                     : X87_CLOBBERS)

static void to_host(X86Cpu *cpu, HostEnv *h)
{
    X86Fpu *f = &cpu->fpu;
    memset(h, 0, sizeof(*h));
    h->cw = f->fcw;
    h->sw = (f->fsw & FSW_CC) | ((f->top & 7u) << 11);
    h->tw = f->ftw;
    for (int i = 0; i < 8; i++) {
        x86_fpu_get_reg80(cpu, (f->top + i) & 7, h->st[i]);
    }
}

static void from_host(X86Cpu *cpu, const HostEnv *h)
{
    X86Fpu *f = &cpu->fpu;
    f->top = (h->sw >> 11) & 7;
    f->fsw = (uint16_t)((f->fsw & FSW_FLAGS) | (h->sw & (FSW_FLAGS | FSW_CC)));
    f->ftw = (uint16_t)h->tw;
    for (int i = 0; i < 8; i++) {
        x86_fpu_set_reg80(cpu, (f->top + i) & 7, h->st[i]);
    }
    update_es(cpu);
}

/* The exception flags this thread's host x87 may hold from the fast path
 * (the FNSAVE of host_exec clears them); see the fast path below. Per thread because the host FPU
 * state is; nothing else in the engine uses the host x87. */
static __thread uint16_t host_flags __attribute__((tls_model("initial-exec")));

/* Run op/modrm on the host over a copy of the guest state; buf is the
 * memory operand. Returns the host EFLAGS after the instruction. */
static uint32_t host_exec(X86Cpu *cpu, HostEnv *h, uint8_t op, uint8_t modrm, void *buf)
{
    to_host(cpu, h);
    const void *stub = bp_x87_stubs + ((op & 7) * 256 + (modrm >= 0xc0 ? modrm : (modrm & 0x38))) * 8;
    void *mem = buf;
    if ((op == 0xda || op == 0xdb || op == 0xdf) && modrm >= 0xc0 && modrm < 0xf8) {
        /* FCMOVcc reads CF/PF/ZF; (U)COMI(P) write them */
        unsigned long flags = 0x2 | (x86_get_flags(cpu) & (F_CF | F_PF | F_ZF));
        HOST_CALL_FLAGS(h, stub, mem, flags);
        host_flags = 0;
        return (uint32_t)flags;
    }
    HOST_CALL(h, stub, mem);
    host_flags = 0;
    return 0;
}

/* The pointers and opcode of the last non-control instruction. */
static void fpu_pointers(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    f->fop = (uint16_t)(((op & 7) << 8) | modrm);
    f->fip = cpu->eip;
    f->fcs = cpu->seg[S_CS].sel;
    if (modrm < 0xc0) {
        f->fdp = m->off;
        f->fds = cpu->seg[m->seg].sel;
    }
}

static _Noreturn void fpu_ud(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    x86_log(cpu, "guest-error", "invalid x87 opcode %02x %02x at %04x:%08x", op, modrm,
            cpu->seg[S_CS].sel, cpu->eip);
    x86_raise(cpu, EXC_UD, -1);
}

/* Register forms that the host may run; false: #UD (or handled apart). */
static bool reg_form_ok(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    bool p6 = cpu->model >= X86_MODEL_PENTIUM2;
    switch (op) {
    case 0xd8: case 0xdc:
        return true;
    case 0xd9:
        return modrm < 0xd1 || (modrm >= 0xd8 && modrm <= 0xe1) || modrm == 0xe4 ||
               modrm == 0xe5 || (modrm >= 0xe8 && modrm <= 0xee) || modrm >= 0xf0;
    case 0xda:
        return modrm == 0xe9 || (modrm < 0xe0 && p6);
    case 0xdb:
        return p6 && (modrm < 0xe0 || (modrm >= 0xe8 && modrm < 0xf8));
    case 0xdd:
        return modrm < 0xf0;
    case 0xde:
        return modrm < 0xd8 || modrm == 0xd9 || modrm >= 0xe0;
    default: /* 0xdf */
        return modrm < 0xe0 || (p6 && modrm >= 0xe8 && modrm < 0xf8);
    }
}

/* Memory forms: operand size, negative for stores, 0 for not a data
 * operation (control/environment or invalid). */
static int mem_form(uint8_t op, int reg)
{
    switch (op) {
    case 0xd8: return 4;
    case 0xda: return 4;
    case 0xdc: return 8;
    case 0xde: return 2;
    case 0xd9: return reg == 0 ? 4 : (reg == 2 || reg == 3) ? -4 : 0;
    case 0xdb:
        switch (reg) {
        case 0: return 4;
        case 2: case 3: return -4;
        case 5: return 10;
        case 7: return -10;
        default: return 0;
        }
    case 0xdd: return reg == 0 ? 8 : (reg == 2 || reg == 3) ? -8 : 0;
    default: /* 0xdf */
        switch (reg) {
        case 0: return 2;
        case 2: case 3: return -2;
        case 4: return 10;
        case 5: return 8;
        case 6: return -10;
        case 7: return -8;
        default: return 0;
        }
    }
}

static void mem_load(X86Cpu *cpu, const X86FpuMem *m, uint8_t *buf, int size)
{
    if (size >= 8) {
        uint64_t v = x86_mem_read64(cpu, m->seg, m->off);
        memcpy(buf, &v, 8);
        if (size == 10) {
            uint16_t w = (uint16_t)x86_mem_read(cpu, m->seg, m->off + 8, 2);
            memcpy(buf + 8, &w, 2);
        }
    } else {
        uint32_t v = x86_mem_read(cpu, m->seg, m->off, (unsigned)size);
        memcpy(buf, &v, 4);
    }
}

static void mem_store(X86Cpu *cpu, const X86FpuMem *m, const uint8_t *buf, int size)
{
    if (size >= 8) {
        uint64_t v;
        if (size == 10) {
            uint16_t w;
            memcpy(&w, buf + 8, 2);
            x86_mem_write(cpu, m->seg, m->off + 8, w, 2);
        }
        memcpy(&v, buf, 8);
        x86_mem_write64(cpu, m->seg, m->off, v);
    } else {
        uint32_t v;
        memcpy(&v, buf, 4);
        x86_mem_write(cpu, m->seg, m->off, v, (unsigned)size);
    }
}

/* Environment images (SDM vol. 1 figures 8-9 to 8-12). */

static bool real_layout(X86Cpu *cpu)
{
    return !cpu->pe || cpu->v86;
}

static void env_store(X86Cpu *cpu, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    uint32_t v[7];
    uint16_t fop = f->fop & 0x7ff;
    v[0] = f->fcw;
    v[1] = x86_fpu_fsw(cpu);
    v[2] = full_tags(cpu);
    if (real_layout(cpu)) {
        uint32_t ip = ((uint32_t)f->fcs << 4) + f->fip;
        uint32_t dp = ((uint32_t)f->fds << 4) + f->fdp;
        /* the same fields in words and dwords: IP/DP bits 15-0, then bits
         * 31-16 (19-16 in the 16-bit form) at bit 12, FOP in bits 10-0 */
        v[3] = ip & 0xffff;
        v[4] = ((ip >> 16) << 12) | fop;
        v[5] = dp & 0xffff;
        v[6] = (dp >> 16) << 12;
    } else {
        v[3] = f->fip;
        v[4] = f->fcs | (m->op32 ? (uint32_t)fop << 16 : 0);
        v[5] = f->fdp;
        v[6] = f->fds;
    }
    unsigned w = m->op32 ? 4 : 2;
    if (m->op32) {
        v[0] |= 0xffff0000u;
        v[1] |= 0xffff0000u;
        v[2] |= 0xffff0000u;
        v[6] |= real_layout(cpu) ? 0 : 0xffff0000u;
    }
    /* the last byte first: a fault leaves nothing written */
    x86_mem_write(cpu, m->seg, m->off + 6 * w, v[6], w);
    for (int i = 0; i < 6; i++) {
        x86_mem_write(cpu, m->seg, m->off + (unsigned)i * w, v[i], w);
    }
}

/* Reads the image; applies it only when apply (FRSTOR reads its registers
 * after this and applies everything at once). */
static void env_read(X86Cpu *cpu, const X86FpuMem *m, uint32_t v[7])
{
    unsigned w = m->op32 ? 4 : 2;
    for (int i = 0; i < 7; i++) {
        v[i] = x86_mem_read(cpu, m->seg, m->off + (unsigned)i * w, w);
    }
}

static void env_apply(X86Cpu *cpu, const X86FpuMem *m, const uint32_t v[7])
{
    X86Fpu *f = &cpu->fpu;
    f->fcw = (uint16_t)v[0];
    fsw_set(cpu, (uint16_t)v[1]);
    f->ftw = (uint16_t)v[2];
    if (real_layout(cpu)) {
        f->fip = (v[3] & 0xffff) | ((v[4] >> 12) << 16);
        f->fop = (uint16_t)(v[4] & 0x7ff);
        f->fdp = (v[5] & 0xffff) | ((v[6] >> 12) << 16);
        f->fcs = f->fds = 0;
        if (!m->op32) {
            f->fip &= 0xfffff;
            f->fdp &= 0xfffff;
        }
    } else {
        f->fip = v[3];
        f->fcs = (uint16_t)v[4];
        f->fop = m->op32 ? (uint16_t)((v[4] >> 16) & 0x7ff) : 0;
        f->fdp = v[5];
        f->fds = (uint16_t)v[6];
    }
}

static void fsave(X86Cpu *cpu, const X86FpuMem *m)
{
    unsigned n = m->op32 ? 28 : 14;
    X86FpuMem r = *m;
    uint8_t buf[10];
    x86_ac_operand(cpu, cpu->seg[m->seg].base + m->off, m->op32 ? 4 : 2);
    /* registers from the end so that a fault comes before any write */
    for (int i = 7; i >= 0; i--) {
        x86_fpu_get_reg80(cpu, phys_reg(cpu, i), buf);
        r.off = m->off + n + (unsigned)i * 10;
        mem_store(cpu, &r, buf, 10);
    }
    env_store(cpu, m);
    x86_ac_operand_end(cpu);
    fninit(cpu);
}

static void frstor(X86Cpu *cpu, const X86FpuMem *m)
{
    unsigned n = m->op32 ? 28 : 14;
    uint8_t regs[8][10];
    uint32_t v[7];
    X86FpuMem r = *m;
    x86_ac_operand(cpu, cpu->seg[m->seg].base + m->off, m->op32 ? 4 : 2);
    env_read(cpu, m, v);
    for (int i = 0; i < 8; i++) {
        r.off = m->off + n + (unsigned)i * 10;
        mem_load(cpu, &r, regs[i], 10);
    }
    x86_ac_operand_end(cpu);
    env_apply(cpu, m, v);
    for (int i = 0; i < 8; i++) {
        x86_fpu_set_reg80(cpu, phys_reg(cpu, i), regs[i]);
    }
    cpu->fpu.ftw = full_tags(cpu);
    update_es(cpu);
}

/* FXSAVE/FXRSTOR (SDM vol. 2, FXSAVE: the legacy 512-byte area). There is
 * no SSE: MXCSR is saved as its reset value 0x1F80 with MXCSR_MASK 0xFFBF,
 * the XMM area is written as zeros (only with CR4.OSFXSR, as real CPUs
 * may skip it otherwise) and ignored on restore. */
void x86_fpu_fxsave(X86Cpu *cpu, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    uint8_t img[288];
    memset(img, 0, sizeof(img));
    uint16_t w;
    uint32_t d;
    w = f->fcw; memcpy(img + 0, &w, 2);
    w = x86_fpu_fsw(cpu); memcpy(img + 2, &w, 2);
    img[4] = x86_fpu_abridged_tags(cpu);
    w = f->fop & 0x7ff; memcpy(img + 6, &w, 2);
    memcpy(img + 8, &f->fip, 4);
    w = f->fcs; memcpy(img + 12, &w, 2);
    memcpy(img + 16, &f->fdp, 4);
    w = f->fds; memcpy(img + 20, &w, 2);
    d = 0x1f80; memcpy(img + 24, &d, 4);
    d = 0xffbf; memcpy(img + 28, &d, 4);
    for (int i = 0; i < 8; i++) {
        x86_fpu_get_reg80(cpu, phys_reg(cpu, i), img + 32 + 16 * i);
    }
    unsigned len = (cpu->cr4 & CR4_OSFXSR) ? 288 : 160;
    /* the end first: a fault there leaves memory untouched */
    x86_mem_read(cpu, m->seg, m->off + 511, 1);
    x86_mem_write(cpu, m->seg, m->off + len - 4, 0, 4);
    for (unsigned i = 0; i < len; i += 4) {
        memcpy(&d, img + i, 4);
        x86_mem_write(cpu, m->seg, m->off + i, d, 4);
    }
}

void x86_fpu_fxrstor(X86Cpu *cpu, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    uint8_t img[160];
    for (unsigned i = 0; i < 160; i += 4) {
        uint32_t d = x86_mem_read(cpu, m->seg, m->off + i, 4);
        memcpy(img + i, &d, 4);
    }
    x86_mem_read(cpu, m->seg, m->off + 511, 1);
    uint32_t mxcsr;
    memcpy(&mxcsr, img + 24, 4);
    if ((cpu->cr4 & CR4_OSFXSR) && (mxcsr & ~0xffbfu)) {
        x86_raise(cpu, EXC_GP, 0);
    }
    uint16_t w;
    memcpy(&w, img + 0, 2); f->fcw = w;
    memcpy(&w, img + 2, 2); fsw_set(cpu, w);
    memcpy(&w, img + 6, 2); f->fop = w & 0x7ff;
    memcpy(&f->fip, img + 8, 4);
    memcpy(&w, img + 12, 2); f->fcs = w;
    memcpy(&f->fdp, img + 16, 4);
    memcpy(&w, img + 20, 2); f->fds = w;
    for (int i = 0; i < 8; i++) {
        x86_fpu_set_reg80(cpu, phys_reg(cpu, i), img + 32 + 16 * i);
    }
    x86_fpu_set_abridged_tags(cpu, img[4]);
    update_es(cpu);
}

void x86_fpu_wait(X86Cpu *cpu)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_raise(cpu, EXC_NM, -1);
    }
    x86_fpu_check_pending(cpu);
}

void x86_fpu_check_pending(X86Cpu *cpu)
{
    if (cpu->fpu.fsw & FSW_ES) {
        if (cpu->cr0 & CR0_NE) {
            x86_raise(cpu, EXC_MF, -1);
        }
        ferr_update(cpu);
        /* MS-DOS compatibility mode (SDM vol. 1 8.7.3.2, app. D.2.1): the
         * CPU freezes before the instruction until the FERR# interrupt
         * (IRQ 13) comes, unless IGNNE# says to go on regardless */
        if (!cpu->ignne) {
            x86_raise(cpu, EXC_FREEZE, -1);
        }
        return;
    }
    ferr_update(cpu);
}

/* Control instructions: no #MF check, FIP/FOP/FDP left alone. */
static bool is_control(uint8_t op, uint8_t modrm)
{
    int reg = (modrm >> 3) & 7;
    if (modrm < 0xc0) {
        return (op == 0xd9 && (reg == 4 || reg == 5 || reg == 6 || reg == 7)) ||
               (op == 0xdd && (reg == 4 || reg == 6 || reg == 7));
    }
    return (op == 0xdb && (modrm >= 0xe0 && modrm <= 0xe4)) || (op == 0xdf && modrm == 0xe0);
}

/* Control instructions done in software; false when not one. */
static bool exec_control(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    int reg = (modrm >> 3) & 7;
    if (modrm >= 0xc0) {
        if (op == 0xdf && modrm == 0xe0) {          /* FNSTSW AX */
            cpu->regs[R_EAX] = (cpu->regs[R_EAX] & 0xffff0000u) | x86_fpu_fsw(cpu);
            return true;
        }
        if (op != 0xdb || modrm < 0xe0 || modrm > 0xe4) {
            return false;
        }
        if (modrm == 0xe2) {                        /* FNCLEX */
            f->fsw &= ~(FSW_FLAGS | FSW_ES | FSW_B);
            ferr_update(cpu);
        } else if (modrm == 0xe3) {                 /* FNINIT */
            fninit(cpu);
        }
        /* E0 FENI, E1 FDISI, E4 FSETPM: no-ops since the 287/387 */
        return true;
    }
    if (op == 0xd9) {
        switch (reg) {
        case 4: { /* FLDENV */
            uint32_t v[7];
            env_read(cpu, m, v);
            env_apply(cpu, m, v);
            f->ftw = full_tags(cpu);
            update_es(cpu);
            return true;
        }
        case 5: /* FLDCW */
            f->fcw = (uint16_t)x86_mem_read(cpu, m->seg, m->off, 2);
            update_es(cpu);
            return true;
        case 6: /* FNSTENV: then all exceptions masked */
            env_store(cpu, m);
            f->fcw |= 0x3f;
            update_es(cpu);
            return true;
        case 7: /* FNSTCW */
            x86_mem_write(cpu, m->seg, m->off, f->fcw, 2);
            return true;
        default:
            return false;
        }
    }
    if (op == 0xdd) {
        switch (reg) {
        case 4: frstor(cpu, m); return true;
        case 6: fsave(cpu, m); return true;
        case 7: x86_mem_write(cpu, m->seg, m->off, x86_fpu_fsw(cpu), 2); return true;
        default: return false;
        }
    }
    return false;
}

/* Fast path: the common instructions whose register operands are all
 * present (no stack fault possible) run on the host without the full
 * FRSTOR/FNSAVE round trip. Each is one inline-assembly block that loads
 * only its operands (FLDT from the guest registers; a memory operand is
 * read by the host instruction itself, in guest RAM through the TLB), runs
 * the guest's own opcode and ModRM byte (memory forms at [rax]), stores
 * the status word (FNSTSW, for C1 and the exception flags) and the result.
 * Covered: FLD/FST(P)/FILD/FIST(P) of every memory format but BCD, the
 * D8/DA/DC/DE arithmetic and compares with memory or register operands,
 * FCOMPP, FUCOM(P)(P), (U)COMI(P), FTST, FXAM, FSQRT, FRNDINT, and D9
 * F0-FF (transcendentals, FPREM, FSCALE, FXTRACT...; these with FLDENV
 * first, see fast_d9f0); moves that cannot raise anything (FLD ST(i),
 * FXCH, FST(P) ST(i), FCHS, FABS, FLD1, FLDZ, FLD m80, FSTP m80, FCMOVcc)
 * are done in software, and so are FILD, and FLD, FST(P) and FIST(P) of
 * normal values that stay in range (see soft_load). The rest (the other
 * constants, BCD, FFREE, the control instructions) takes the full path or
 * exec_control().
 *
 * The host runs with the guest's precision and rounding control and all
 * exceptions masked; the control word is loaded only when it differs from
 * the host's, and put back after (it is callee-saved in the host ABI).
 * Exception flags are sticky on the host too, so instead of an FNCLEX per
 * instruction (slow: microcoded) the host's flags are only cleared when
 * they hold one that the guest does not (the guest cleared it since) or
 * one the guest has unmasked; this instruction's flags are then the
 * host's flags ORed into the guest's. When an exception the guest has
 * unmasked comes back, the result is dropped and the instruction reruns on
 * the full path, which gives the unmasked response (with UE unmasked
 * everything takes the full path: an unmasked UE is signalled on tininess
 * alone, a masked one only when the result is also inexact, which the
 * masked run cannot tell). Condition codes the instruction leaves
 * undefined keep their old values, as on the real x87 (the full path shows
 * it); the differential test compares both paths with the host. */
#ifdef __x86_64__

/* The instruction bytes OP, MODRM for an inline-assembly block. */
#define X87_INSN(op, modrm) ".byte " #op ", " #modrm "\n\t"

static inline uint16_t host_enter(const X86Fpu *f)
{
    uint16_t hcw, cw = f->fcw | 0x3f;
    if (unlikely(host_flags & ~(f->fsw & f->fcw) & 0x3f)) {
        __asm__ volatile("fnclex" ::: "memory");
        host_flags = 0;
    }
    __asm__ volatile("fnstcw %0" : "=m"(hcw));
    if (unlikely(hcw != cw)) {
        __asm__ volatile("fldcw %0" :: "m"(cw) : "memory");
    }
    return hcw;
}

/* Puts the host's control word back and keeps the host's exception flags
 * (sw: the status word after the instruction). The caller then drops the
 * result when sw has an exception the guest has unmasked (that check
 * returned from here measured 1-2% slower on bench/cpu x87). */
static inline void host_leave(const X86Fpu *f, uint16_t hcw, uint16_t sw)
{
    if (unlikely(hcw != (f->fcw | 0x3f))) {
        __asm__ volatile("fldcw %0" :: "m"(hcw) : "memory");
    }
    host_flags = sw & 0x3f;
}

/* Host pointer to a memory operand in RAM (segment checks and faults as
 * the access would have them), NULL when it is not plain RAM or crosses a
 * page: the full path reads it then. */
static inline const uint8_t *fast_src(X86Cpu *cpu, const X86FpuMem *m, unsigned size)
{
    uint32_t lin = seg_lin(cpu, m->seg, m->off, size, false);
    X86TlbEntry *e = &cpu->tlb[cpu->tlb_mode][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_r == (lin & ~0xfffu) && (lin & 0xfff) <= 4096 - size)) {
        return e->host + (lin & 0xfff);
    }
    return NULL;
}

static inline void fast_dst(X86Cpu *cpu, const X86FpuMem *m, const uint8_t *buf, unsigned size)
{
    uint32_t lin = seg_lin(cpu, m->seg, m->off, size, true);
    X86TlbEntry *e = &cpu->tlb[cpu->tlb_mode][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_w == (lin & ~0xfffu) && (lin & 0xfff) <= 4096 - size)) {
        uint8_t *p = e->host + (lin & 0xfff);
        switch (size) {
        case 2: memcpy(p, buf, 2); break;
        case 4: memcpy(p, buf, 4); break;
        case 8: memcpy(p, buf, 8); break;
        default: memcpy(p, buf, 10); break;
        }
        return;
    }
    mem_store(cpu, m, buf, (int)size);
}

static inline bool phys_empty(const X86Fpu *f, int p)
{
    return ((f->ftw >> (2 * p)) & 3) == TAG_EMPTY;
}

/* Writes physical register p with its tag. */
static inline void fast_put(X86Fpu *f, int p, const void *raw)
{
    memmove(&f->st[p], raw, 10);
    f->ftw = (uint16_t)((f->ftw & ~(3u << (2 * p))) |
                        ((unsigned)tag_class(raw) << (2 * p)));
}

static inline void fast_pop(X86Fpu *f)
{
    f->ftw |= (uint16_t)(3u << (2 * (f->top & 7)));
    f->top = (f->top + 1) & 7;
}

static inline void fast_push(X86Fpu *f, const void *raw)
{
    f->top = (f->top - 1) & 7;
    fast_put(f, f->top, raw);
}

/* The guest's flags after an instruction whose status word is sw:
 * the condition codes in ccmask from it, the exception flags ORed in. */
static inline void fast_flags(X86Fpu *f, uint16_t sw, uint16_t ccmask)
{
    f->fsw = (uint16_t)((f->fsw & ~ccmask) | (sw & (ccmask | FSW_FLAGS)));
}

/* The end of a D8-group operation (reg: its ModRM reg field) whose status
 * word is sw: FCOM and FCOMP (2, 3) set the condition codes, FCOMP pops;
 * the others write res to physical register p. */
static inline void arith_done(X86Fpu *f, int reg, uint16_t sw, int p, const long double *res)
{
    if (reg == 2 || reg == 3) {
        fast_flags(f, sw, FSW_CC);
        if (reg == 3) {
            fast_pop(f);
        }
        return;
    }
    fast_flags(f, sw, FSW_C1);
    fast_put(f, p, res);
}

#define X87_CLOBBERS_M "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", \
                       "st(6)", "st(7)"

/* Software FLD m32/m64 and FST(P) m32/m64 for normal values (the common
 * case): the conversions are exact or a plain rounding of the significand
 * with the guest's rounding control, so the host FPU (and its FNSTSW, the
 * slow part) is not needed. Anything else (zeros and normals only on
 * loads; on stores only results that stay normal, with PE masked when
 * inexact) returns false and goes to the host. */
static inline bool soft_load(const uint8_t *src, int size, uint8_t out[10])
{
    uint64_t mant;
    unsigned sign, e;
    int bias;
    if (size == 8) {
        uint64_t d;
        memcpy(&d, src, 8);
        sign = (unsigned)(d >> 63);
        e = (unsigned)(d >> 52) & 0x7ff;
        mant = d << 11;
        bias = 1023;
        if (e == 0x7ff) {
            return false;
        }
    } else {
        uint32_t v;
        memcpy(&v, src, 4);
        sign = v >> 31;
        e = (v >> 23) & 0xff;
        mant = (uint64_t)v << 40;
        bias = 127;
        if (e == 0xff) {
            return false;
        }
    }
    mant &= ~(1ull << 63);
    if (e == 0) {
        if (mant) {
            return false;                            /* denormal: DE */
        }
        memset(out, 0, 8);
    } else {
        mant |= 1ull << 63;
        memcpy(out, &mant, 8);
        e = e - (unsigned)bias + 16383;
    }
    uint16_t se = (uint16_t)((sign << 15) | e);
    memcpy(out + 8, &se, 2);
    return true;
}

/* *c1 and *pe: rounded up, inexact */
static inline bool soft_store(const uint8_t in[10], int size, unsigned rc, uint8_t *dst,
                              bool *c1, bool *pe)
{
    uint64_t mant;
    uint16_t se;
    memcpy(&mant, in, 8);
    memcpy(&se, in + 8, 2);
    unsigned sign = se >> 15;
    int e = se & 0x7fff;
    int bits = size == 8 ? 53 : 24, emax = size == 8 ? 2046 : 254;
    int de = e - 16383 + (size == 8 ? 1023 : 127);
    if (!(mant >> 63) || e == 0x7fff || de < 1 || de > emax) {
        return false;                                /* zero, special, out of range */
    }
    unsigned shift = (unsigned)(64 - bits);
    uint64_t low = mant & ((1ull << shift) - 1), half = 1ull << (shift - 1);
    uint64_t hi = mant >> shift;
    bool up;
    switch (rc) {
    case 0: up = low > half || (low == half && (hi & 1)); break;
    case 1: up = low && sign; break;
    case 2: up = low && !sign; break;
    default: up = false; break;
    }
    if (up && ++hi >> bits) {
        hi >>= 1;
        if (++de > emax) {
            return false;                            /* overflow */
        }
    }
    *c1 = up;
    *pe = low != 0;
    if (size == 8) {
        uint64_t d = ((uint64_t)sign << 63) | ((uint64_t)de << 52) | (hi & ((1ull << 52) - 1));
        memcpy(dst, &d, 8);
    } else {
        uint32_t v = (sign << 31) | ((uint32_t)de << 23) | (uint32_t)(hi & ((1u << 23) - 1));
        memcpy(dst, &v, 4);
    }
    return true;
}

/* FILD: every integer converts exactly. (These two out of line: inlined,
 * they slow the other paths of fast_mem() down.) */
static __attribute__((noinline)) void soft_ild(const uint8_t *src, int size, uint8_t out[10])
{
    int64_t v;
    if (size == 2) {
        int16_t w;
        memcpy(&w, src, 2);
        v = w;
    } else if (size == 4) {
        int32_t w;
        memcpy(&w, src, 4);
        v = w;
    } else {
        memcpy(&v, src, 8);
    }
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    uint16_t se = v < 0 ? 0x8000 : 0;
    if (mag) {
        int lz = __builtin_clzll(mag);
        mag <<= lz;
        se |= (uint16_t)(16383 + 63 - lz);
    }
    memcpy(out, &mag, 8);
    memcpy(out + 8, &se, 2);
}

/* FIST(P) of a normal value or zero whose rounded value fits: *c1 and
 * *pe as for soft_store; false for the rest (IE, denormals, specials). */
static __attribute__((noinline)) bool soft_ist(const uint8_t in[10], int size, unsigned rc,
                                                uint8_t *dst, bool *c1, bool *pe)
{
    uint64_t mant, ip, frac, half;
    uint16_t se;
    memcpy(&mant, in, 8);
    memcpy(&se, in + 8, 2);
    unsigned sign = se >> 15;
    int e = se & 0x7fff, shift = 16383 + 63 - e;
    bool above, tie, up;
    if (e == 0 && mant == 0) {
        ip = frac = 0;
        above = tie = false;
    } else if (!(mant >> 63) || e == 0x7fff || shift <= 0) {
        return false;
    } else if (shift >= 65) {
        ip = 0;
        frac = 1;
        above = tie = false;
    } else {
        ip = shift == 64 ? 0 : mant >> shift;
        frac = shift == 64 ? mant : mant & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
        above = frac > half;
        tie = frac == half;
    }
    switch (rc) {
    case 0: up = above || (tie && (ip & 1)); break;
    case 1: up = frac && sign; break;
    case 2: up = frac && !sign; break;
    default: up = false; break;
    }
    ip += up;
    uint64_t max = (size == 2 ? 0x7fffull : size == 4 ? 0x7fffffffull : (uint64_t)INT64_MAX) + sign;
    if (ip > max) {
        return false;
    }
    uint64_t v = sign ? 0 - ip : ip;
    memcpy(dst, &v, (size_t)size);                   /* little-endian: the low bytes */
    *c1 = up;
    *pe = frac != 0;
    return true;
}

/* ST0 op= [mem]: a, the result to res */
#define MEM_ARITH(op, reg)                                                    \
    __asm__ volatile("fldt %[a]\n\t" X87_INSN(op, (reg << 3))                 \
                     "fnstsw %[sw]\n\tfstpt %[r]"                             \
                     : [sw] "=m"(sw), [r] "=m"(res)                           \
                     : [a] "m"(*a), "a"(src) : X87_CLOBBERS_M)
/* FCOM [mem] */
#define MEM_COM(op)                                                           \
    __asm__ volatile("fldt %[a]\n\t" X87_INSN(op, 0x10)                       \
                     "fnstsw %[sw]\n\tfstp %%st(0)"                           \
                     : [sw] "=m"(sw) : [a] "m"(*a), "a"(src) : X87_CLOBBERS_M)
/* A switch on the ModRM reg field of the D8 group: X(op, n) with n a
 * constant for the arithmetic operations, COM for FCOM and FCOMP. */
#define ARITH_SWITCH(X, op, COM)                                              \
    switch (reg) {                                                            \
    case 0: X(op, 0); break;                                                  \
    case 1: X(op, 1); break;                                                  \
    case 2: case 3: COM; break;                                               \
    case 4: X(op, 4); break;                                                  \
    case 5: X(op, 5); break;                                                  \
    case 6: X(op, 6); break;                                                  \
    default: X(op, 7); break;                                                 \
    }
#define MEM_ARITH_ALL(op) ARITH_SWITCH(MEM_ARITH, op, MEM_COM(op))
/* push the converted [mem] */
#define MEM_LOAD(op, reg)                                                     \
    __asm__ volatile(X87_INSN(op, (reg << 3)) "fnstsw %[sw]\n\tfstpt %[r]"    \
                     : [sw] "=m"(sw), [r] "=m"(res) : "a"(src) : X87_CLOBBERS_M)
/* the store-and-pop form of ST0 into the buffer */
#define MEM_STORE(op, reg)                                                    \
    __asm__ volatile("fldt %[a]\n\t" X87_INSN(op, (reg << 3)) "fnstsw %[sw]"  \
                     : [sw] "=m"(sw) : [a] "m"(*a), "a"(dst) : X87_CLOBBERS_M)

/* A switch on the opcode of a load or store (D9 DD DB DF): X(op, n), or
 * X(0xdf, n64) for DF's 64-bit integer forms (reg 5 and 7). */
#define MEM_BY_OP(X, n, n64)                                                  \
    switch (op) {                                                             \
    case 0xd9: X(0xd9, n); break;                                             \
    case 0xdd: X(0xdd, n); break;                                             \
    case 0xdb: X(0xdb, n); break;                                             \
    default:                                                                  \
        if (reg >= 5) {                                                       \
            X(0xdf, n64);                                                     \
        } else {                                                              \
            X(0xdf, n);                                                       \
        }                                                                     \
        break;                                                                \
    }

/* Memory forms; false: the full path runs it. */
static bool fast_mem(X86Cpu *cpu, uint8_t op, int reg, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
    int p0 = f->top & 7;
    const long double *a = &f->st[p0];
    const uint8_t *src;
    long double res;
    uint16_t sw, hcw;
    int size;
    enum { ARITH, LOAD, STORE, LOAD80, STORE80 } kind;

    switch (op) {
    case 0xd8: case 0xda: kind = ARITH; size = 4; break;
    case 0xdc: kind = ARITH; size = 8; break;
    case 0xde: kind = ARITH; size = 2; break;
    case 0xd9: case 0xdd:
        size = op == 0xd9 ? 4 : 8;
        if (reg == 0) {
            kind = LOAD;
        } else if (reg == 2 || reg == 3) {
            kind = STORE;
        } else {
            return false;
        }
        break;
    case 0xdb:
        size = 4;
        switch (reg) {
        case 0: kind = LOAD; break;
        case 2: case 3: kind = STORE; break;
        case 5: kind = LOAD80; size = 10; break;
        case 7: kind = STORE80; size = 10; break;
        default: return false;
        }
        break;
    default: /* 0xdf */
        switch (reg) {
        case 0: kind = LOAD; size = 2; break;
        case 2: case 3: kind = STORE; size = 2; break;
        case 5: kind = LOAD; size = 8; break;
        case 7: kind = STORE; size = 8; break;
        default: return false;
        }
        break;
    }

    if (kind == LOAD || kind == LOAD80) {
        if (!phys_empty(f, (p0 - 1) & 7) || !(src = fast_src(cpu, m, (unsigned)size))) {
            return false;
        }
        if (kind == LOAD80) {
            fast_push(f, src);
            f->fsw &= ~FSW_C1;
            return true;
        }
        uint8_t v[10];
        if (op == 0xdb || op == 0xdf) {                /* FILD */
            soft_ild(src, size, v);
            fast_push(f, v);
            f->fsw &= ~FSW_C1;
            return true;
        }
        if (soft_load(src, size, v)) {
            fast_push(f, v);
            f->fsw &= ~FSW_C1;
            return true;
        }
        hcw = host_enter(f);
        MEM_BY_OP(MEM_LOAD, 0, 5);
        host_leave(f, hcw, sw);
        if (sw & ~f->fcw & 0x3f) {
            return false;
        }
        fast_flags(f, sw, FSW_C1);
        fast_push(f, &res);
        return true;
    }
    if (phys_empty(f, p0)) {
        return false;
    }
    if (kind == STORE80) {
        fast_dst(cpu, m, (const uint8_t *)a, 10);
        fast_pop(f);
        f->fsw &= ~FSW_C1;
        return true;
    }
    if (kind == STORE) {
        uint8_t buf[16];
        uint8_t *dst = buf;
        bool c1, pe, done;
        if (op == 0xd9 || op == 0xdd) {
            done = soft_store((const uint8_t *)a, size, (f->fcw >> 10) & 3, buf, &c1, &pe);
        } else {
            done = soft_ist((const uint8_t *)a, size, (f->fcw >> 10) & 3, buf, &c1, &pe);
        }
        if (done && (!pe || (f->fcw & FSW_PE))) {
            fast_dst(cpu, m, buf, (unsigned)size);   /* may fault: nothing changed yet */
            f->fsw = (uint16_t)((f->fsw & ~FSW_C1) | (c1 ? FSW_C1 : 0) | (pe ? FSW_PE : 0));
            if (reg & 1) {
                fast_pop(f);
            }
            return true;
        }
        hcw = host_enter(f);
        MEM_BY_OP(MEM_STORE, 3, 7);
        host_leave(f, hcw, sw);
        if (sw & ~f->fcw & 0x3f) {
            return false;
        }
        fast_dst(cpu, m, buf, (unsigned)size);   /* may fault: nothing changed yet */
        fast_flags(f, sw, FSW_C1);
        if (reg & 1) {
            fast_pop(f);
        }
        return true;
    }
    /* D8 DA DC DE: arithmetic and compares with a memory operand */
    if (!(src = fast_src(cpu, m, (unsigned)size))) {
        return false;
    }
    hcw = host_enter(f);
    switch (op) {
    case 0xd8: MEM_ARITH_ALL(0xd8); break;
    case 0xdc: MEM_ARITH_ALL(0xdc); break;
    case 0xda: MEM_ARITH_ALL(0xda); break;
    default: MEM_ARITH_ALL(0xde); break;
    }
    host_leave(f, hcw, sw);
    if (sw & ~f->fcw & 0x3f) {
        return false;
    }
    arith_done(f, reg, sw, p0, &res);
    return true;
}

/* What the host's FCOMI, FCMOVcc and FTST do to the condition codes they
 * do not compute: not the same on every x87 (the SDM has FCOMI clear C1,
 * AMD parts keep it), and the full path gives the host's behaviour. It is
 * measured once on the full path's FRSTOR/FNSAVE machinery, with C0-C3
 * preset to ones and to zeros and EFLAGS.CF/PF/ZF clear and set: keep is
 * the bits that stayed as preset in every run, set the value of the
 * others where all runs agree (ok: every bit is one or the other); the
 * fast path takes the bits not kept from the host's status word, or from
 * set when it does the instruction in software. A property of the host
 * CPU, the same for every instance. (FPREM shows that such rules can
 * depend on the operands: the D9 F0-FF group below loads the guest's
 * condition codes into the host instead.) */
typedef struct CcRule {
    uint16_t keep, set;
    bool ok;
} CcRule;

enum { RULE_FCOMI, RULE_FCMOV, RULE_FTST, RULE_N };
static CcRule cc_rules[RULE_N];
static gsize cc_rules_once;

static uint16_t cc_probe(uint8_t op, uint8_t modrm, uint16_t cc, unsigned long eflags)
{
    static const uint8_t one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
    static const uint8_t two[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x40 };
    HostEnv h;
    void *mem = NULL;
    memset(&h, 0, sizeof(h));
    h.cw = 0x037f;
    h.sw = cc | (6u << 11);          /* ST0, ST1 = physical 6, 7 */
    h.tw = 0x0fff;
    memcpy(h.st[0], one, 10);
    memcpy(h.st[1], two, 10);
    unsigned long fl = 0x2 | eflags;
    HOST_CALL_FLAGS(&h, bp_x87_stubs + ((op & 7) * 256 + modrm) * 8, mem, fl);
    host_flags = 0;
    return (uint16_t)(h.sw & FSW_CC);
}

static CcRule cc_rule(uint8_t op, uint8_t modrm)
{
    uint16_t keep = FSW_CC, same = FSW_CC, first = 0;
    for (int k = 0; k < 4; k++) {
        uint16_t preset = (k & 1) ? FSW_CC : 0;
        uint16_t after = cc_probe(op, modrm, preset, (k & 2) ? (F_CF | F_PF | F_ZF) : 0);
        if (k == 0) {
            first = after;
        }
        keep &= (uint16_t)~(after ^ preset);
        same &= (uint16_t)~(after ^ first);
    }
    return (CcRule){ keep, (uint16_t)(first & same & ~keep), ((keep | same) & FSW_CC) == FSW_CC };
}

static const CcRule *host_cc_rule(int which)
{
    if (g_once_init_enter(&cc_rules_once)) {
        cc_rules[RULE_FCOMI] = cc_rule(0xdb, 0xf1);   /* fcomi st1 */
        cc_rules[RULE_FCMOV] = cc_rule(0xda, 0xc1);   /* fcmovb st1 */
        cc_rules[RULE_FTST] = cc_rule(0xd9, 0xe4);
        g_once_init_leave(&cc_rules_once, 1);
    }
    return &cc_rules[which];
}

/* host ST0 = a, ST1 = b; D8 form: result in ST0 */
#define REG_D8(op, reg)                                                       \
    __asm__ volatile("fldt %[b]\n\tfldt %[a]\n\t" X87_INSN(op, (0xc1 | (reg << 3))) \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfstp %%st(0)"              \
                     : [sw] "=m"(sw), [r] "=m"(res) : [a] "m"(*a), [b] "m"(*b) \
                     : X87_CLOBBERS_M)
/* DC form: result in ST1 */
#define REG_DC(reg)                                                           \
    __asm__ volatile("fldt %[b]\n\tfldt %[a]\n\t" X87_INSN(0xdc, (0xc1 | (reg << 3))) \
                     "fnstsw %[sw]\n\tfstp %%st(0)\n\tfstpt %[r]"              \
                     : [sw] "=m"(sw), [r] "=m"(res) : [a] "m"(*a), [b] "m"(*b) \
                     : X87_CLOBBERS_M)
/* compares of ST0 = a with ST1 = b */
#define REG_COM(op, modrm)                                                    \
    __asm__ volatile("fldt %[b]\n\tfldt %[a]\n\t" X87_INSN(op, modrm)         \
                     "fnstsw %[sw]\n\tfstp %%st(0)\n\tfstp %%st(0)"            \
                     : [sw] "=m"(sw) : [a] "m"(*a), [b] "m"(*b) : X87_CLOBBERS_M)
/* ST0 = op(a) */
#define REG_UNARY(modrm)                                                      \
    __asm__ volatile("fldt %[a]\n\t" X87_INSN(0xd9, modrm) "fnstsw %[sw]\n\tfstpt %[r]" \
                     : [sw] "=m"(sw), [r] "=m"(res) : [a] "m"(*a) : X87_CLOBBERS_M)

/* (U)COMI of ST0 = a with ST1 = b: EFLAGS through flag outputs */
#define REG_COMI(modrm)                                                       \
    __asm__ volatile("fldt %[b]\n\tfldt %[a]\n\t" X87_INSN(0xdb, modrm)      \
                     "fnstsw %[sw]\n\tfstp %%st(0)\n\tfstp %%st(0)"            \
                     : [sw] "=m"(sw), "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf)   \
                     : [a] "m"(*a), [b] "m"(*b) : X87_CLOBBERS_M)
/* FTST, FXAM of ST0 = a */
#define REG_EXAM(modrm)                                                       \
    __asm__ volatile("fldt %[a]\n\t" X87_INSN(0xd9, modrm)                    \
                     "fnstsw %[sw]\n\tfstp %%st(0)"                          \
                     : [sw] "=m"(sw) : [a] "m"(*a) : X87_CLOBBERS_M)

/* D9 F0-FF (FSQRT and FRNDINT apart). The condition codes these leave
 * undefined are kept by some hosts in some cases only (AMD's FPREM keeps
 * C0 C1 C3 when ST0 is already smaller than ST1), so the host gets the
 * guest's condition codes first, with FLDENV (an environment with the
 * guest's precision and rounding control, all exceptions masked, no
 * flags, TOP 0, all registers empty): whatever the host then does to them
 * is what the full path would give. Dearer than the plain fast path, much
 * cheaper than FRSTOR/FNSAVE. ST0 = a, ST1 = b on the host. */
enum { TR_UN, TR_BIN, TR_POP, TR_PUSH, TR_TOP };
static const uint8_t tr_shape[16] = {
    TR_UN, TR_POP, TR_PUSH, TR_POP,     /* F2XM1 FYL2X FPTAN FPATAN */
    TR_PUSH, TR_BIN, TR_TOP, TR_TOP,    /* FXTRACT FPREM1 FDECSTP FINCSTP */
    TR_BIN, TR_POP, TR_UN, TR_PUSH,     /* FPREM FYL2XP1 (FSQRT) FSINCOS */
    TR_UN, TR_BIN, TR_UN, TR_UN,        /* (FRNDINT) FSCALE FSIN FCOS */
};
#define TR_ENV "fldenv %[e]\n\t"
/* FDECSTP, FINCSTP: only the condition codes from the host */
#define TR_TOP_ASM(modrm)                                                     \
    __asm__ volatile(TR_ENV X87_INSN(0xd9, modrm) "fnstsw %[sw]"              \
                     : [sw] "=m"(sw) : [e] "m"(env) : X87_CLOBBERS_M)
/* one result in ST0, the same stack depth */
#define TR_UN_ASM(modrm)                                                      \
    __asm__ volatile(TR_ENV "fldt %[a]\n\t" X87_INSN(0xd9, modrm)             \
                     "fnstsw %[sw]\n\tfstpt %[r0]"                            \
                     : [sw] "=m"(sw), [r0] "=m"(r0) : [e] "m"(env), [a] "m"(*a) \
                     : X87_CLOBBERS_M)
/* ST0 from ST0 and ST1 (ST1 unchanged) */
#define TR_BIN_ASM(modrm)                                                     \
    __asm__ volatile(TR_ENV "fldt %[b]\n\tfldt %[a]\n\t" X87_INSN(0xd9, modrm) \
                     "fnstsw %[sw]\n\tfstpt %[r0]\n\tfstp %%st(0)"            \
                     : [sw] "=m"(sw), [r0] "=m"(r0)                           \
                     : [e] "m"(env), [a] "m"(*a), [b] "m"(*b) : X87_CLOBBERS_M)
/* ST1 from ST0 and ST1, then a pop */
#define TR_POP_ASM(modrm)                                                     \
    __asm__ volatile(TR_ENV "fldt %[b]\n\tfldt %[a]\n\t" X87_INSN(0xd9, modrm) \
                     "fnstsw %[sw]\n\tfstpt %[r0]"                            \
                     : [sw] "=m"(sw), [r0] "=m"(r0)                           \
                     : [e] "m"(env), [a] "m"(*a), [b] "m"(*b) : X87_CLOBBERS_M)
/* ST0 replaced, then a push: r0 the new ST0, r1 the new ST1 */
#define TR_PUSH_ASM(modrm)                                                    \
    __asm__ volatile(TR_ENV "fldt %[a]\n\t" X87_INSN(0xd9, modrm)             \
                     "fnstsw %[sw]\n\tfstpt %[r0]\n\tfstpt %[r1]"             \
                     : [sw] "=m"(sw), [r0] "=m"(r0), [r1] "=m"(r1)            \
                     : [e] "m"(env), [a] "m"(*a) : X87_CLOBBERS_M)

static bool fast_d9f0(X86Cpu *cpu, uint8_t modrm)
{
    X86Fpu *f = &cpu->fpu;
    int k = modrm & 15, shape = tr_shape[k];
    int p0 = f->top & 7, p1 = (p0 + 1) & 7;
    const long double *a = &f->st[p0], *b = &f->st[p1];
    /* FLDENV image, 32-bit layout: CW, SW, TW, then the pointers */
    uint32_t env[7] = { f->fcw | 0x3fu, f->fsw & FSW_CC, 0xffff, 0, 0, 0, 0 };
    long double r0, r1;
    uint16_t sw, hcw;

    if ((shape != TR_TOP && phys_empty(f, p0)) ||
        ((shape == TR_BIN || shape == TR_POP) && phys_empty(f, p1)) ||
        (shape == TR_PUSH && !phys_empty(f, (p0 - 1) & 7))) {
        return false;
    }
    __asm__ volatile("fnstcw %0" : "=m"(hcw));
    switch (k) {
    case 0x0: TR_UN_ASM(0xf0); break;
    case 0x1: TR_POP_ASM(0xf1); break;
    case 0x2: TR_PUSH_ASM(0xf2); break;
    case 0x3: TR_POP_ASM(0xf3); break;
    case 0x4: TR_PUSH_ASM(0xf4); break;
    case 0x5: TR_BIN_ASM(0xf5); break;
    case 0x6: TR_TOP_ASM(0xf6); break;
    case 0x7: TR_TOP_ASM(0xf7); break;
    case 0x8: TR_BIN_ASM(0xf8); break;
    case 0x9: TR_POP_ASM(0xf9); break;
    case 0xb: TR_PUSH_ASM(0xfb); break;
    case 0xd: TR_BIN_ASM(0xfd); break;
    case 0xe: TR_UN_ASM(0xfe); break;
    default: TR_UN_ASM(0xff); break;
    }
    /* an unmasked exception, or FPTAN/FSINCOS out of range (C2: no push;
     * the second store above ran on an empty register): the full path */
    host_leave(f, hcw, sw);
    if ((sw & ~f->fcw & 0x3f) || ((k == 0x2 || k == 0xb) && (sw & FSW_C2))) {
        return false;
    }
    fast_flags(f, sw, FSW_CC);
    switch (shape) {
    case TR_TOP:
        f->top = (f->top + (k == 6 ? 7 : 1)) & 7;
        break;
    case TR_UN: case TR_BIN:
        fast_put(f, p0, &r0);
        break;
    case TR_POP:
        fast_put(f, p1, &r0);
        fast_pop(f);
        break;
    default: /* TR_PUSH */
        fast_put(f, p0, &r1);
        fast_push(f, &r0);
        break;
    }
    return true;
}

/* FCMOVcc's condition: DA C0-DF B E BE U, DB C0-DF their negations */
static bool fcmov_cond(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    uint32_t fl = x86_get_flags(cpu);
    bool c;
    switch ((modrm >> 3) & 3) {
    case 0: c = fl & F_CF; break;
    case 1: c = fl & F_ZF; break;
    case 2: c = fl & (F_CF | F_ZF); break;
    default: c = fl & F_PF; break;
    }
    return op == 0xda ? c : !c;
}

/* Register forms; false: the full path runs it. */
static bool fast_reg(X86Cpu *cpu, uint8_t op, uint8_t modrm)
{
    X86Fpu *f = &cpu->fpu;
    int reg = (modrm >> 3) & 7, i = modrm & 7;
    int p0 = f->top & 7, pi = (p0 + i) & 7;
    const long double *a = &f->st[p0], *b = &f->st[pi];
    long double res;
    uint16_t sw, hcw;

    switch (op) {
    case 0xd8:
        if (phys_empty(f, p0) || phys_empty(f, pi)) {
            return false;
        }
        hcw = host_enter(f);
        ARITH_SWITCH(REG_D8, 0xd8, REG_COM(0xd8, 0xd1));
        host_leave(f, hcw, sw);
        if (sw & ~f->fcw & 0x3f) {
            return false;
        }
        arith_done(f, reg, sw, p0, &res);
        return true;
    case 0xda: case 0xdb: case 0xdf:
        if (modrm < 0xe0 && op != 0xdf && cpu->model >= X86_MODEL_PENTIUM2) {   /* FCMOVcc */
            const CcRule *r = host_cc_rule(RULE_FCMOV);
            if (!r->ok || phys_empty(f, p0) || phys_empty(f, pi)) {
                return false;
            }
            if (fcmov_cond(cpu, op, modrm)) {
                fast_put(f, p0, b);
            }
            f->fsw = (uint16_t)((f->fsw & ~(FSW_CC & ~r->keep)) | r->set);
            return true;
        }
        if (op != 0xda && modrm >= 0xe8 && modrm < 0xf8 &&
            cpu->model >= X86_MODEL_PENTIUM2) {      /* (U)COMI(P) */
            const CcRule *r = host_cc_rule(RULE_FCOMI);
            bool zf, pf, cf;
            if (phys_empty(f, p0) || phys_empty(f, pi)) {
                return false;
            }
            hcw = host_enter(f);
            if (modrm < 0xf0) {
                REG_COMI(0xe9);
            } else {
                REG_COMI(0xf1);
            }
            host_leave(f, hcw, sw);
            if (sw & ~f->fcw & 0x3f) {
                return false;
            }
            fast_flags(f, sw, FSW_CC & ~r->keep);
            /* ZF PF CF from the compare, OF SF AF cleared */
            x86_set_flags(cpu, (zf ? F_ZF : 0) | (pf ? F_PF : 0) | (cf ? F_CF : 0), F_ARITH);
            if (op == 0xdf) {
                fast_pop(f);
            }
            return true;
        }
        if (op != 0xda) {
            return false;
        }
        __attribute__((fallthrough));   /* DA E9 (FUCOMPP) with the compares below */
    case 0xdc: case 0xde: case 0xdd:
        if (op == 0xde && modrm == 0xd9) {           /* FCOMPP */
            reg = -1;
        } else if (op == 0xda && modrm == 0xe9) {    /* FUCOMPP */
            reg = -2;
        } else if (op == 0xdd && reg >= 4 && reg <= 5) {   /* FUCOM(P) ST(i) */
            reg = -3;
        } else if (op == 0xdd && (reg == 2 || reg == 3)) { /* FST(P) ST(i) */
            if (phys_empty(f, p0)) {
                return false;
            }
            fast_put(f, pi, a);
            if (reg == 3) {
                fast_pop(f);
            }
            f->fsw &= ~FSW_C1;
            return true;
        } else if (op == 0xda || op == 0xdd || reg == 2 || reg == 3) {
            return false;
        }
        if (phys_empty(f, p0) || phys_empty(f, pi)) {
            return false;
        }
        hcw = host_enter(f);
        switch (reg) {
        case -1: REG_COM(0xd8, 0xd1); break;
        case -2: case -3: REG_COM(0xdd, 0xe1); break;
        case 0: REG_DC(0); break;
        case 1: REG_DC(1); break;
        case 4: REG_DC(4); break;
        case 5: REG_DC(5); break;
        case 6: REG_DC(6); break;
        default: REG_DC(7); break;
        }
        host_leave(f, hcw, sw);
        if (sw & ~f->fcw & 0x3f) {
            return false;
        }
        if (reg < 0) {
            fast_flags(f, sw, FSW_CC);
            if (reg != -3 || (modrm & 8)) {
                fast_pop(f);
            }
            if (reg != -3) {
                fast_pop(f);
            }
            return true;
        }
        arith_done(f, reg, sw, pi, &res);
        if (op == 0xde) {
            fast_pop(f);
        }
        return true;
    case 0xd9:
        if (modrm < 0xc8) {                          /* FLD ST(i) */
            if (phys_empty(f, pi) || !phys_empty(f, (p0 - 1) & 7)) {
                return false;
            }
            long double v;
            memcpy(&v, b, 10);
            fast_push(f, &v);
        } else if (modrm < 0xd0) {                   /* FXCH */
            if (phys_empty(f, p0) || phys_empty(f, pi)) {
                return false;
            }
            long double v;
            memcpy(&v, a, 10);
            fast_put(f, p0, b);
            fast_put(f, pi, &v);
        } else if (modrm == 0xe0 || modrm == 0xe1) {  /* FCHS, FABS */
            if (phys_empty(f, p0)) {
                return false;
            }
            uint8_t *se = (uint8_t *)&f->st[p0] + 9;
            *se = modrm == 0xe0 ? *se ^ 0x80 : *se & 0x7f;
        } else if (modrm == 0xe8 || modrm == 0xee) {  /* FLD1, FLDZ */
            if (!phys_empty(f, (p0 - 1) & 7)) {
                return false;
            }
            uint8_t v[10] = { 0 };
            if (modrm == 0xe8) {
                v[7] = 0x80;
                v[8] = 0xff;
                v[9] = 0x3f;
            }
            fast_push(f, v);
        } else if (modrm == 0xe4 || modrm == 0xe5) {  /* FTST, FXAM */
            const CcRule *r = host_cc_rule(RULE_FTST);
            uint16_t keep = modrm == 0xe4 ? r->keep : 0;   /* FXAM sets all four */
            if (phys_empty(f, p0)) {
                return false;
            }
            hcw = host_enter(f);
            if (modrm == 0xe4) {
                REG_EXAM(0xe4);
            } else {
                REG_EXAM(0xe5);
            }
            host_leave(f, hcw, sw);
            if (sw & ~f->fcw & 0x3f) {
                return false;
            }
            fast_flags(f, sw, FSW_CC & ~keep);
            return true;
        } else if (modrm >= 0xf0 && modrm != 0xfa && modrm != 0xfc) {
            return fast_d9f0(cpu, modrm);
        } else if (modrm == 0xfa || modrm == 0xfc) {  /* FSQRT, FRNDINT */
            if (phys_empty(f, p0)) {
                return false;
            }
            hcw = host_enter(f);
            if (modrm == 0xfa) {
                REG_UNARY(0xfa);
            } else {
                REG_UNARY(0xfc);
            }
            host_leave(f, hcw, sw);
            if (sw & ~f->fcw & 0x3f) {
                return false;
            }
            fast_flags(f, sw, FSW_C1);
            fast_put(f, p0, &res);
            return true;
        } else {
            return false;
        }
        f->fsw &= ~FSW_C1;
        return true;
    default:
        return false;
    }
}

static bool fast_exec(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    if (!(cpu->fpu.fcw & FSW_UE)) {
        return false;
    }
    return modrm < 0xc0 ? fast_mem(cpu, op, (modrm >> 3) & 7, m) : fast_reg(cpu, op, modrm);
}
#endif

void x86_fpu_exec(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m)
{
    X86Fpu *f = &cpu->fpu;
#ifdef __x86_64__
    /* nothing to signal first (#NM, #MF): the fast path may run it */
    if (likely(!(cpu->cr0 & (CR0_EM | CR0_TS)) && !(f->fsw & FSW_ES) && !f->ferr) &&
        fast_exec(cpu, op, modrm, m)) {
        fpu_pointers(cpu, op, modrm, m);
        return;
    }
#endif
    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        x86_raise(cpu, EXC_NM, -1);
    }
    if (is_control(op, modrm)) {
        exec_control(cpu, op, modrm, m);
        return;
    }
    HostEnv h;
    uint8_t buf[16] = { 0 };
    int size = 0;
    if (modrm >= 0xc0) {
        if (!reg_form_ok(cpu, op, modrm)) {
            fpu_ud(cpu, op, modrm);
        }
    } else {
        size = mem_form(op, (modrm >> 3) & 7);
        if (size == 0) {
            fpu_ud(cpu, op, modrm);
        }
    }
    x86_fpu_check_pending(cpu);
    if (size > 0) {
        mem_load(cpu, m, buf, size);
    }
    uint32_t fl = host_exec(cpu, &h, op, modrm, buf);
    uint16_t unmasked = (uint16_t)(h.sw & ~f->fcw & 0x3f);
    if (size < 0 && !(unmasked & (FSW_IE | FSW_DE | FSW_ZE | FSW_OE | FSW_UE))) {
        mem_store(cpu, m, buf, -size);
    }
    fpu_pointers(cpu, op, modrm, m);
    from_host(cpu, &h);
    if (modrm >= 0xc0 && (op == 0xdb || op == 0xdf) && modrm >= 0xe8) {
        /* (U)COMI(P): ZF PF CF from the compare, OF SF AF cleared */
        x86_set_flags(cpu, fl & (F_ZF | F_PF | F_CF), F_ARITH);
    }
}
