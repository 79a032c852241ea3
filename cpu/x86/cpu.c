/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 interpreter's life cycle and run loop: reset state, lazy flags,
 * interrupt and exception delivery policy (double and triple faults),
 * CPUID per model, MSRs, and the monitor/GDB views of the registers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <glib.h>
#include "cpu/x86/cpu-internal.h"

bool x86_model_from_name(const char *name, X86Model *out)
{
    static const struct { const char *name; X86Model m; } models[] = {
        { "486", X86_MODEL_486 }, { "pentium", X86_MODEL_PENTIUM },
        { "pentium2", X86_MODEL_PENTIUM2 }, { "max", X86_MODEL_MAX },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
        if (strcmp(name, models[i].name) == 0) {
            *out = models[i].m;
            return true;
        }
    }
    return false;
}

void x86_log(X86Cpu *cpu, const char *cat, const char *fmt, ...)
{
    /* guests can trigger these at will: keep the first ones only */
    if (!cpu->bus.log || cpu->log_count >= 64) {
        return;
    }
    if (++cpu->log_count == 64) {
        cpu->bus.log(cpu->bus.opaque, cat, "further CPU messages suppressed");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cpu->bus.log(cpu->bus.opaque, cat, msg);
    g_free(msg);
}

_Noreturn void x86_raise(X86Cpu *cpu, int vec, int err)
{
    cpu->exc_vec = vec;
    cpu->exc_err = err;
    longjmp(cpu->jmp, 1);
}

/* Lazy flags */

uint32_t x86_get_flags(X86Cpu *cpu)
{
    if (cpu->cc_op == CC_EFLAGS) {
        return cpu->eflags;
    }
    unsigned bits = cpu->cc_size * 8;
    uint32_t mask = bits == 32 ? ~0u : (1u << bits) - 1;
    uint32_t sign = 1u << (bits - 1);
    uint32_t a = cpu->cc_a & mask, b = cpu->cc_b & mask, r = cpu->cc_res & mask;
    uint32_t f = 0;
    bool cf = false, of = false, af;

    switch (cpu->cc_op) {
    case CC_ADD:
        cf = r < a;
        of = (a ^ r) & (b ^ r) & sign;
        break;
    case CC_ADC:
        cf = cpu->cc_cf ? r <= a : r < a;
        of = (a ^ r) & (b ^ r) & sign;
        break;
    case CC_SUB:
        cf = a < b;
        of = (a ^ b) & (a ^ r) & sign;
        break;
    case CC_SBB:
        cf = cpu->cc_cf ? a <= b : a < b;
        of = (a ^ b) & (a ^ r) & sign;
        break;
    case CC_INC:
        cf = cpu->cc_cf;
        of = r == sign;
        break;
    case CC_DEC:
        cf = cpu->cc_cf;
        of = r == sign - 1;
        break;
    case CC_SHIFT:
        cf = cpu->cc_cf;
        of = cpu->cc_b & 1;
        break;
    default: /* CC_LOGIC */
        break;
    }
    af = cpu->cc_op != CC_LOGIC && cpu->cc_op != CC_SHIFT && ((a ^ b ^ r) & 0x10);
    if (cf) f |= F_CF;
    if (!__builtin_parity(r & 0xff)) f |= F_PF;
    if (af) f |= F_AF;
    if (r == 0) f |= F_ZF;
    if (r & sign) f |= F_SF;
    if (of) f |= F_OF;
    cpu->eflags = (cpu->eflags & ~F_ARITH) | f;
    cpu->cc_op = CC_EFLAGS;
    return cpu->eflags;
}

void x86_set_flags(X86Cpu *cpu, uint32_t val, uint32_t mask)
{
    if ((mask & F_ARITH) == F_ARITH) {
        /* every lazy flag is replaced: nothing to materialise */
        cpu->cc_op = CC_EFLAGS;
    } else {
        x86_get_flags(cpu);
    }
    uint32_t old = cpu->eflags;
    cpu->eflags = (cpu->eflags & ~mask) | (val & mask) | 2;
    if (unlikely((old ^ cpu->eflags) & F_AC)) {
        x86_dbg_update(cpu);
    }
}

bool x86_cond(X86Cpu *cpu, int cc)
{
    bool r;
    if (cpu->cc_op != CC_EFLAGS && (cc >> 1) == 2) {
        unsigned sh = 32 - cpu->cc_size * 8;
        r = (cpu->cc_res << sh) == 0;
        goto out;
    }
    if (cpu->cc_op == CC_SUB) {
        unsigned sh = 32 - cpu->cc_size * 8;
        uint32_t a = cpu->cc_a << sh, b = cpu->cc_b << sh;
        switch (cc >> 1) {
        case 1: r = a < b; goto out;
        case 2: r = a == b; goto out;
        case 3: r = a <= b; goto out;
        case 6: r = (int32_t)a < (int32_t)b; goto out;
        case 7: r = (int32_t)a <= (int32_t)b; goto out;
        default: break;
        }
    }
    return x86_eflags_cond(x86_get_flags(cpu), cc);
out:
    return (cc & 1) ? !r : r;
}

/* Mode bookkeeping */

void x86_update_mode(X86Cpu *cpu)
{
    cpu->pe = cpu->cr0 & CR0_PE;
    cpu->v86 = cpu->pe && (cpu->eflags & F_VM);
    if (!cpu->pe) {
        cpu->cpl = 0;
    } else if (cpu->v86) {
        cpu->cpl = 3;
    }
    cpu->code32 = !cpu->v86 && (cpu->seg[S_CS].attr & SA_DB);
    cpu->stack32 = !cpu->v86 && (cpu->seg[S_SS].attr & SA_DB);
    int mode = cpu->cpl == 3 ? 1 : 0;
    if (mode != cpu->tlb_mode) {
        cpu->tlb_mode = mode;
        cpu->fetch_page = TLB_INVALID;
    }
    /* alignment checking follows CR0.AM and EFLAGS.AC (the user TLB set
     * applies it to CPL 3 only); callers that load EFLAGS or CR0 come here */
    bool ac = (cpu->cr0 & CR0_AM) && (cpu->eflags & F_AC);
    if (unlikely(ac != !!(cpu->dbg_check & DBG_AC))) {
        x86_dbg_update(cpu);
    }
    if (unlikely(cpu->eflags & F_RF)) {
        /* IRET or a task switch loaded RF: x86_check_events clears it
         * once the next instruction has passed its breakpoint check */
        cpu->pending = true;
    }
}

void x86_set_cr0(X86Cpu *cpu, uint32_t val)
{
    uint32_t old = cpu->cr0;
    val |= CR0_ET;
    if (cpu->model == X86_MODEL_486) {
        val &= 0xe005003fu;
    } else {
        val &= 0xe005003fu;
    }
    if ((val & CR0_PG) && !(val & CR0_PE)) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if ((val & CR0_NW) && !(val & CR0_CD)) {
        x86_raise(cpu, EXC_GP, 0);
    }
    cpu->cr0 = val;
    if ((old ^ val) & (CR0_PG | CR0_WP | CR0_PE)) {
        x86_tlb_flush(cpu, true);
    }
    if ((old & CR0_PE) && !(val & CR0_PE)) {
        for (int s = 0; s < 6; s++) {
            cpu->seg[s].rok = cpu->seg[s].wok = true;
            x86_seg_update_flat(&cpu->seg[s]);
        }
    }
    x86_update_mode(cpu);
}

void x86_set_cr3(X86Cpu *cpu, uint32_t val)
{
    cpu->cr3 = val;
    x86_tlb_flush(cpu, false);
}

void x86_set_cr4(X86Cpu *cpu, uint32_t val)
{
    uint32_t ok = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE;
    if (cpu->model != X86_MODEL_486) {
        ok |= CR4_PSE | CR4_MCE;
    }
    if (cpu->model >= X86_MODEL_PENTIUM2) {
        ok |= CR4_PAE | CR4_PGE | CR4_PCE;
        if (x86_fpu_cpuid_features(cpu) & (1u << 24)) {
            ok |= CR4_OSFXSR;
        }
    }
    if (val & ~ok) {
        x86_raise(cpu, EXC_GP, 0);
    }
    uint32_t old = cpu->cr4;
    cpu->cr4 = val;
    if ((old ^ val) & (CR4_PSE | CR4_PAE | CR4_PGE)) {
        x86_tlb_flush(cpu, true);
    }
    if ((old ^ val) & CR4_DE) {
        x86_dbg_update(cpu);      /* I/O breakpoints */
    }
}

/* CPUID */

static uint32_t model_features(const X86Cpu *cpu)
{
    uint32_t f;
    switch (cpu->model) {
    case X86_MODEL_486:
        f = FEAT_VME | FEAT_DE;
        break;
    case X86_MODEL_PENTIUM:
        f = FEAT_VME | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_CX8;
        break;
    case X86_MODEL_PENTIUM2:
        /* Family 6 model 5 (Deschutes, also the Pentium II Xeon core that
         * introduced PSE-36) reports PSE-36 */
        f = FEAT_VME | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_PAE |
            FEAT_CX8 | FEAT_SEP | FEAT_MTRR | FEAT_PGE | FEAT_CMOV | FEAT_PSE36;
        break;
    default:
        f = FEAT_VME | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_PAE |
            FEAT_CX8 | FEAT_SEP | FEAT_MTRR | FEAT_PGE | FEAT_CMOV | FEAT_PAT |
            FEAT_PSE36;
        break;
    }
    return f | x86_fpu_cpuid_features(cpu);
}

bool x86_has_feature(const X86Cpu *cpu, uint32_t bit)
{
    return model_features(cpu) & bit;
}

static bool have_apic(X86Cpu *cpu)
{
    uint64_t v;
    return cpu->bus.msr_read && cpu->bus.msr_read(cpu->bus.opaque, 0x1b, &v);
}

static uint32_t signature(X86Model m)
{
    switch (m) {
    case X86_MODEL_486: return 0x0480;       /* family 4, model 8 (DX4) */
    case X86_MODEL_PENTIUM: return 0x052c;   /* family 5, model 2 (P54C) */
    case X86_MODEL_PENTIUM2: return 0x0652;  /* family 6, model 5 (Deschutes) */
    default: return 0x0652;
    }
}

void x86_cpuid(X86Cpu *cpu)
{
    uint32_t leaf = cpu->regs[R_EAX];
    uint32_t a = 0, b = 0, c = 0, d = 0;
    uint32_t maxleaf = cpu->model >= X86_MODEL_PENTIUM2 ? 2 : 1;
    uint32_t maxext = cpu->model == X86_MODEL_MAX ? 0x80000004u : 0;
    static const char brand[48] = "Backplane i686 CPU";

    if (leaf == 0) {
        a = maxleaf;
        b = 0x756e6547; /* "Genu" */
        d = 0x49656e69; /* "ineI" */
        c = 0x6c65746e; /* "ntel" */
    } else if (leaf == 1) {
        a = signature(cpu->model);
        d = model_features(cpu);
        if (cpu->model != X86_MODEL_486 && have_apic(cpu)) {
            d |= FEAT_APIC;
        }
    } else if (leaf == 2 && maxleaf >= 2) {
        a = 0x03020101;
        d = 0x0c040843;
    } else if (leaf == 0x80000000u && maxext) {
        a = maxext;
    } else if (leaf == 0x80000001u && maxext) {
        d = model_features(cpu) & 0x0183f3ff;
        d |= 1u << 20;  /* NX */
    } else if (leaf >= 0x80000002u && leaf <= maxext) {
        const uint8_t *p = (const uint8_t *)brand + (leaf - 0x80000002u) * 16;
        memcpy(&a, p, 4);
        memcpy(&b, p + 4, 4);
        memcpy(&c, p + 8, 4);
        memcpy(&d, p + 12, 4);
    }
    cpu->regs[R_EAX] = a;
    cpu->regs[R_EBX] = b;
    cpu->regs[R_ECX] = c;
    cpu->regs[R_EDX] = d;
}

/* MSRs */

uint64_t x86_rdtsc(X86Cpu *cpu)
{
    /* 1 GHz: one tick per virtual nanosecond */
    return (uint64_t)cpu->bus.clock_ns(cpu->bus.opaque) + cpu->tsc_offset;
}

static bool mtrr_index(uint32_t msr, uint64_t **slot, X86Cpu *cpu)
{
    static const uint32_t fixed[11] = {
        0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
    };
    if (msr >= 0x200 && msr < 0x210) {
        *slot = &cpu->mtrr_var[msr - 0x200];
        return true;
    }
    for (int i = 0; i < 11; i++) {
        if (fixed[i] == msr) {
            *slot = &cpu->mtrr_fixed[i];
            return true;
        }
    }
    if (msr == 0x2ff) {
        *slot = &cpu->mtrr_deftype;
        return true;
    }
    return false;
}

bool x86_rdmsr(X86Cpu *cpu, uint32_t msr, uint64_t *val)
{
    uint64_t *slot;
    if (cpu->bus.msr_read && cpu->bus.msr_read(cpu->bus.opaque, msr, val)) {
        return true;
    }
    bool p6 = cpu->model >= X86_MODEL_PENTIUM2;
    switch (msr) {
    case 0x10: *val = x86_rdtsc(cpu); return true;
    case 0x17: case 0x2a: case 0x8b: *val = 0; return p6;
    case 0x174: *val = cpu->sysenter_cs; return p6;
    case 0x175: *val = cpu->sysenter_esp; return p6;
    case 0x176: *val = cpu->sysenter_eip; return p6;
    case 0xfe: *val = 0x508; return p6;          /* MTRRcap: 8 variable, fixed, WC */
    case 0x1a0: *val = cpu->misc_enable; return p6;
    case 0x277: *val = cpu->pat; return cpu->model == X86_MODEL_MAX;
    case 0xc0000080u: *val = cpu->efer; return cpu->model == X86_MODEL_MAX;
    default:
        if (p6 && mtrr_index(msr, &slot, cpu)) {
            *val = *slot;
            return true;
        }
        return false;
    }
}

bool x86_wrmsr(X86Cpu *cpu, uint32_t msr, uint64_t val)
{
    uint64_t *slot;
    if (cpu->bus.msr_write && cpu->bus.msr_write(cpu->bus.opaque, msr, val)) {
        return true;
    }
    bool p6 = cpu->model >= X86_MODEL_PENTIUM2;
    switch (msr) {
    case 0x10:
        cpu->tsc_offset = val - (uint64_t)cpu->bus.clock_ns(cpu->bus.opaque);
        return true;
    case 0x17: case 0x2a: case 0x8b: return p6;
    case 0x174: cpu->sysenter_cs = (uint32_t)val; return p6;
    case 0x175: cpu->sysenter_esp = (uint32_t)val; return p6;
    case 0x176: cpu->sysenter_eip = (uint32_t)val; return p6;
    case 0x1a0: cpu->misc_enable = val; return p6;
    case 0x277: cpu->pat = val; return cpu->model == X86_MODEL_MAX;
    case 0xc0000080u:
        if (cpu->model != X86_MODEL_MAX || (val & ~(uint64_t)EFER_NXE)) {
            return false;
        }
        cpu->efer = val;
        x86_tlb_flush(cpu, true);
        return true;
    default:
        if (p6 && mtrr_index(msr, &slot, cpu)) {
            *slot = val;
            return true;
        }
        return false;
    }
}

/* Life cycle */

X86Cpu *x86_cpu_new(X86Model model, const X86Bus *bus)
{
    X86Cpu *cpu = g_new0(X86Cpu, 1);
    cpu->model = model;
    cpu->bus = *bus;
    x86_dcache_init(cpu);
    x86_cpu_reset(cpu);
    return cpu;
}

void x86_cpu_free(X86Cpu *cpu)
{
    x86_dcache_free(cpu);
    g_free(cpu);
}

void x86_cpu_reset(X86Cpu *cpu)
{
    memset(cpu->regs, 0, sizeof(cpu->regs));
    cpu->regs[R_EDX] = signature(cpu->model);
    cpu->eip = cpu->next_eip = 0xfff0;
    cpu->eflags = 2;
    cpu->cc_op = CC_EFLAGS;
    cpu->cc_size = 4;
    cpu->cr0 = CR0_CD | CR0_NW | CR0_ET;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = 0;
    cpu->efer = 0;
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xffff0ff0;
    cpu->dr[7] = 0x400;
    cpu->dbg_pending = false;
    cpu->db_hits = 0;
    cpu->watch_hit = 0;
    cpu->cpl = 0;
    cpu->pe = false;
    for (int s = 0; s < 8; s++) {
        x86_seg_set_cache(cpu, s, 0, 0, 0xffff, 0x93);
    }
    x86_seg_set_cache(cpu, S_CS, 0xf000, 0xffff0000u, 0xffff, 0x9b);
    cpu->seg[S_CS].wok = true;
    x86_seg_set_cache(cpu, S_LDTR, 0, 0, 0xffff, 0x82);
    x86_seg_set_cache(cpu, S_TR, 0, 0, 0xffff, 0x8b);
    cpu->gdtr.base = cpu->idtr.base = 0;
    cpu->gdtr.limit = cpu->idtr.limit = 0xffff;
    cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
    cpu->tsc_offset = -(uint64_t)cpu->bus.clock_ns(cpu->bus.opaque);
    memset(cpu->mtrr_var, 0, sizeof(cpu->mtrr_var));
    memset(cpu->mtrr_fixed, 0, sizeof(cpu->mtrr_fixed));
    cpu->mtrr_deftype = 0;
    cpu->pat = 0x0007040600070406ull;
    cpu->misc_enable = 1;
    x86_fpu_reset(cpu);
    cpu->nmi_pending = cpu->nmi_blocked = cpu->halted = false;
    cpu->shutdown_done = false;
    cpu->inhibit_irq = false;
    cpu->init_pending = false;
    cpu->delivering = -1;
    cpu->ext = false;
    cpu->a20_mask = ~0ull;
    cpu->tlb_mode = 0;
    x86_tlb_flush(cpu, true);
    x86_update_mode(cpu);
    x86_dbg_update(cpu);
    cpu->pending = true;
}

/* INIT (Intel SDM vol. 3A 9.1 and table 9-1): the registers take their
 * RESET values, except that the x87/MMX state, the MSRs (MTRRs, PAT,
 * SYSENTER, the TSC, MISC_ENABLE) and CR0.CD/NW are kept; the TLBs are
 * flushed. A20M# and the other pins are inputs, not CPU state: they stay
 * as driven. EFER is cleared as on RESET: INIT leaves any paging mode. */
static void init_state(X86Cpu *cpu)
{
    X86Fpu fpu = cpu->fpu;
    uint32_t cd_nw = cpu->cr0 & (CR0_CD | CR0_NW);
    uint32_t se_cs = cpu->sysenter_cs, se_esp = cpu->sysenter_esp, se_eip = cpu->sysenter_eip;
    uint64_t tsc_offset = cpu->tsc_offset, deftype = cpu->mtrr_deftype;
    uint64_t pat = cpu->pat, misc_enable = cpu->misc_enable;
    uint64_t var[G_N_ELEMENTS(cpu->mtrr_var)], fixed[G_N_ELEMENTS(cpu->mtrr_fixed)];
    memcpy(var, cpu->mtrr_var, sizeof(var));
    memcpy(fixed, cpu->mtrr_fixed, sizeof(fixed));
    bool a20 = x86_cpu_a20(cpu);
    /* the kept x87 state keeps FERR# as it is: no transition on the bus */
    void (*ferr)(void *opaque, bool level) = cpu->bus.ferr;

    cpu->bus.ferr = NULL;
    x86_cpu_reset(cpu);
    cpu->bus.ferr = ferr;
    cpu->fpu = fpu;
    cpu->cr0 = cd_nw | CR0_ET;
    cpu->sysenter_cs = se_cs;
    cpu->sysenter_esp = se_esp;
    cpu->sysenter_eip = se_eip;
    cpu->tsc_offset = tsc_offset;
    cpu->mtrr_deftype = deftype;
    cpu->pat = pat;
    cpu->misc_enable = misc_enable;
    memcpy(cpu->mtrr_var, var, sizeof(var));
    memcpy(cpu->mtrr_fixed, fixed, sizeof(fixed));
    x86_cpu_set_a20(cpu, a20);
}

/* cpu->pending: the run loop must call x86_check_events before the next
 * instruction. An INTR masked by IF=0 does not count (it would make every
 * instruction stop until IF=1); instructions that can set IF raise
 * pending themselves (x86_exec_generic). */
static void update_pending(X86Cpu *cpu)
{
    cpu->pending = (cpu->intr && (cpu->eflags & F_IF)) || cpu->nmi_pending || cpu->exit_req || cpu->halted ||
                   cpu->inhibit_irq || cpu->init_pending || cpu->nbps > 0 ||
                   cpu->single_step || cpu->dr_exec || cpu->dbg_pending;
}

static bool is_contributory(int v)
{
    return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

static void triple_fault(X86Cpu *cpu)
{
    cpu->delivering = -1;
    cpu->ext = false;
    cpu->shutdown_done = true;
    x86_log(cpu, "guest-error", "triple fault at %04x:%08x", cpu->seg[S_CS].sel, cpu->eip);
    if (cpu->bus.shutdown) {
        cpu->bus.shutdown(cpu->bus.opaque, "triple fault");
    }
}

static void handle_exception(X86Cpu *cpu)
{
    int vec = cpu->exc_vec, err = cpu->exc_err;
    if (vec == EXC_FREEZE) {
        /* cpu->eip is still the frozen instruction: an interrupt returns
         * to it */
        cpu->halted = true;
        return;
    }
    if (cpu->delivering >= 0) {
        int prev = cpu->delivering;
        if (prev == EXC_DF) {
            triple_fault(cpu);
            return;
        }
        if ((is_contributory(prev) && is_contributory(vec)) ||
            (prev == EXC_PF && (is_contributory(vec) || vec == EXC_PF))) {
            vec = EXC_DF;
            err = 0;
        }
    }
    if (vec == EXC_DB) {
        cpu->eflags |= F_RF;
    }
    /* the faulting instruction did not complete: its data breakpoint and
     * watchpoint hits go with it */
    cpu->dbg_pending = false;
    cpu->db_hits = 0;
    cpu->watch_hit = 0;
    cpu->ac_whole = false;
    cpu->delivering = vec;
    cpu->ext = true;
    cpu->halted = false;
    x86_interrupt(cpu, vec, false, err, cpu->eip);
    cpu->delivering = -1;
    cpu->ext = false;
}

/* Debug trap after an instruction: single step (dr6_bits BS) and the data
 * breakpoints it hit (cpu->db_hits, reported in DR6.B0-3). */
static void debug_trap(X86Cpu *cpu, uint32_t dr6_bits)
{
    if (cpu->db_hits) {
        cpu->dr[6] = (cpu->dr[6] & ~0xfu) | cpu->db_hits;
        if (cpu->eip == cpu->db_eip) {
            /* a string instruction stopped after an iteration that was
             * not its last: the handler returns to it with RF=1 */
            cpu->eflags |= F_RF;
        }
        cpu->db_hits = 0;
        cpu->dbg_pending = cpu->watch_hit != 0;
    }
    cpu->dr[6] |= dr6_bits;
    cpu->delivering = EXC_DB;
    cpu->ext = true;
    x86_interrupt(cpu, EXC_DB, false, -1, cpu->eip);
    cpu->delivering = -1;
    cpu->ext = false;
}

static bool bp_hit(X86Cpu *cpu)
{
    uint32_t lin = cpu->seg[S_CS].base + cpu->eip;
    for (int i = 0; i < cpu->nbps; i++) {
        if (cpu->bps[i] == lin) {
            return true;
        }
    }
    return false;
}

/* MOV from/to DRn. DR4/DR5 are DR6/DR7 unless CR4.DE (then #UD); with
 * DR7.GD any access is a #DB fault with DR6.BD, GD cleared for the
 * handler. */
static int dr_index(X86Cpu *cpu, int n)
{
    if (n == 4 || n == 5) {
        if (cpu->cr4 & CR4_DE) {
            x86_raise(cpu, EXC_UD, -1);
        }
        n += 2;
    }
    if (cpu->dr[7] & 0x2000) {
        cpu->dr[7] &= ~0x2000u;
        cpu->dr[6] |= 0x2000;
        x86_raise(cpu, EXC_DB, -1);
    }
    return n;
}

uint32_t x86_dr_read(X86Cpu *cpu, int n)
{
    return cpu->dr[dr_index(cpu, n)];
}

void x86_dr_write(X86Cpu *cpu, int n, uint32_t v)
{
    n = dr_index(cpu, n);
    if (n == 6) {
        v = (v & 0xe00f) | 0xffff0ff0u;
    } else if (n == 7) {
        v = (v & 0xffff2fffu) | 0x400;
    }
    cpu->dr[n] = v;
    if (n != 6) {
        x86_dbg_update(cpu);
        cpu->pending = true;     /* check_events sees dr_exec */
    }
}

/* Instruction breakpoints from DR0-3 (R/W=00): a fault before the
 * instruction, suppressed by RF. */
static void check_dr_exec(X86Cpu *cpu)
{
    uint32_t dr7 = cpu->dr[7];
    if (cpu->eflags & F_RF) {
        /* RF suppresses the breakpoint for one instruction only */
        cpu->eflags &= ~F_RF;
        return;
    }
    uint32_t lin = cpu->seg[S_CS].base + cpu->eip;
    uint32_t hits = 0;
    for (int i = 0; i < 4; i++) {
        if ((dr7 >> (2 * i)) & 3 && ((dr7 >> (16 + 4 * i)) & 3) == 0 && cpu->dr[i] == lin) {
            hits |= 1u << i;
        }
    }
    if (hits) {
        cpu->dr[6] = (cpu->dr[6] & ~0xfu) | hits;
        x86_raise(cpu, EXC_DB, -1);
    }
}

/* Returns an exit reason, or -1 to go on executing. */
int x86_check_events(X86Cpu *cpu)
{
    if (cpu->watch_hit) {
        /* a watchpoint of the debugger: stop after the instruction */
        cpu->watch_last = cpu->watch_hit;
        cpu->watch_hit = 0;
        cpu->dbg_pending = cpu->db_hits != 0;
        cpu->hit_bp = true;
        update_pending(cpu);
        return X86_EXIT_REQUEST;
    }
    bool inhibit = cpu->inhibit_irq;
    bool skip_bp = cpu->skip_bp;
    cpu->inhibit_irq = false;
    cpu->inhibit_db = false;
    cpu->skip_bp = false;
    if (cpu->exit_req) {
        cpu->exit_req = false;
        update_pending(cpu);
        return X86_EXIT_REQUEST;
    }
    if (cpu->init_pending) {
        cpu->init_pending = false;
        init_state(cpu);
    }
    if (cpu->db_hits && !inhibit) {
        /* data breakpoints hit by the last instruction (held over one
         * instruction after MOV SS/POP SS) */
        debug_trap(cpu, 0);
    }
    if (!inhibit) {
        if (cpu->nmi_pending && !cpu->nmi_blocked) {
            cpu->nmi_pending = false;
            cpu->nmi_blocked = true;
            cpu->halted = false;
            cpu->ext = true;
            x86_interrupt(cpu, EXC_NMI, false, -1, cpu->eip);
            cpu->ext = false;
        } else if (cpu->intr && (cpu->eflags & F_IF)) {
            cpu->halted = false;
            uint8_t vec = cpu->bus.intack ? cpu->bus.intack(cpu->bus.opaque) : 0x08;
            cpu->ext = true;
            x86_interrupt(cpu, vec, false, -1, cpu->eip);
            cpu->ext = false;
        }
    }
    if (cpu->halted) {
        update_pending(cpu);
        return X86_EXIT_HALTED;
    }
    if (cpu->nbps > 0 && !skip_bp && bp_hit(cpu)) {
        cpu->hit_bp = true;
        update_pending(cpu);
        return X86_EXIT_REQUEST;
    }
    if (cpu->dr_exec) {
        check_dr_exec(cpu);
    } else {
        cpu->eflags &= ~F_RF;
    }
    update_pending(cpu);
    return -1;
}

/* After an instruction: TF single-step trap, GDB single step. */
int x86_after_insn(X86Cpu *cpu, uint32_t tf)
{
    if (tf) {
        if (cpu->inhibit_db) {
            /* after MOV SS / POP SS the trap waits one instruction
             * (SDM vol. 3A 6.8.3) */
            cpu->inhibit_db = false;
        } else {
            debug_trap(cpu, 0x4000);   /* with the data breakpoints it hit */
        }
    }
    if (cpu->single_step) {
        if (cpu->watch_hit) {
            cpu->watch_last = cpu->watch_hit;
            cpu->watch_hit = 0;
            cpu->dbg_pending = cpu->db_hits != 0;
            cpu->hit_bp = true;
        }
        return X86_EXIT_REQUEST;
    }
    return -1;
}

X86Exit x86_cpu_run(X86Cpu *cpu, uint64_t max_insns, uint64_t *executed)
{
    uint64_t start = cpu->icount, end = start + max_insns;
    int ret;

    cpu->hit_bp = false;
    cpu->watch_last = 0;
    cpu->skip_bp = true;
    /* state may have been changed from outside (debugger, monitor) */
    cpu->pending = true;
    if (cpu->shutdown_done) {
        ret = X86_EXIT_SHUTDOWN;
        goto out;
    }
    if (setjmp(cpu->jmp)) {
        x86_dcache_unwind(cpu);
        handle_exception(cpu);
        if (cpu->shutdown_done) {
            ret = X86_EXIT_SHUTDOWN;
            goto out;
        }
        update_pending(cpu);
    }
    ret = x86_run_loop(cpu, end);
out:
    if (executed) {
        *executed = cpu->icount - start;
    }
    return (X86Exit)ret;
}

void x86_cpu_exit_request(X86Cpu *cpu)
{
    cpu->exit_req = true;
    cpu->pending = true;
}

void x86_cpu_set_intr(X86Cpu *cpu, bool level)
{
    cpu->intr = level;
    if (level) {
        cpu->pending = true;
    }
}

void x86_cpu_nmi(X86Cpu *cpu)
{
    cpu->nmi_pending = true;
    cpu->pending = true;
}

void x86_cpu_init_signal(X86Cpu *cpu)
{
    cpu->init_pending = true;
    cpu->pending = true;
}

void x86_cpu_sipi(X86Cpu *cpu, uint8_t vector)
{
    /* Only meaningful for an AP waiting after INIT; the BSP ignores it.
     * Single-CPU machines: start at vector:0 if halted after INIT. */
    if (cpu->halted && !cpu->pe) {
        x86_seg_set_cache(cpu, S_CS, (uint16_t)(vector << 8), (uint32_t)vector << 12, 0xffff, 0x9b);
        cpu->seg[S_CS].wok = true;
        cpu->eip = 0;
        cpu->halted = false;
        cpu->pending = true;
    }
}

void x86_cpu_set_ignne(X86Cpu *cpu, bool level)
{
    cpu->ignne = level;
}

void x86_cpu_set_a20(X86Cpu *cpu, bool enabled)
{
    uint64_t m = enabled ? ~0ull : ~(1ull << 20);
    if (m != cpu->a20_mask) {
        cpu->a20_mask = m;
        x86_tlb_flush(cpu, true);
    }
}

bool x86_cpu_a20(const X86Cpu *cpu)
{
    return cpu->a20_mask & (1ull << 20);
}

void x86_cpu_flush_phys(X86Cpu *cpu)
{
    cpu->pt_cache_host = NULL;
    x86_dcache_flush(cpu);
}

/* Debugger/monitor access: no faults, no accessed/dirty updates. */
static bool virt_access(X86Cpu *cpu, uint64_t vaddr, uint8_t *buf, size_t len, bool write)
{
    while (len > 0) {
        uint32_t lin = (uint32_t)vaddr;
        size_t chunk = 4096 - (lin & 0xfff);
        if (chunk > len) {
            chunk = len;
        }
        uint64_t pa;
        int saved_cpl = cpu->cpl;
        cpu->cpl = 0;
        bool ok = x86_translate(cpu, lin, ACC_R | ACC_SUPER | ACC_DEBUG, &pa, false);
        cpu->cpl = saved_cpl;
        if (!ok) {
            return false;
        }
        for (size_t i = 0; i < chunk; i++) {
            if (write) {
                x86_phys_write(cpu, pa + i, buf[i], 1);
            } else {
                buf[i] = (uint8_t)x86_phys_read(cpu, pa + i, 1);
            }
        }
        buf += chunk;
        vaddr += chunk;
        len -= chunk;
    }
    return true;
}

bool x86_cpu_read_virt(X86Cpu *cpu, uint64_t vaddr, void *buf, size_t len)
{
    return virt_access(cpu, vaddr, buf, len, false);
}

bool x86_cpu_write_virt(X86Cpu *cpu, uint64_t vaddr, const void *buf, size_t len)
{
    return virt_access(cpu, vaddr, (uint8_t *)buf, len, true);
}

static void dump_seg(GString *s, const char *name, const X86Seg *sg)
{
    uint32_t flags = ((uint32_t)(sg->attr & 0xff) << 8) | ((uint32_t)(sg->attr & 0xf000) << 8);
    if (sg->attr & SA_G) {
        flags |= (sg->limit >> 12) & 0xf0000;
    } else {
        flags |= sg->limit & 0xf0000;
    }
    g_string_append_printf(s, "%s=%04x %08x %08x %08x\n", name, sg->sel, sg->base, sg->limit, flags);
}

char *x86_cpu_dump_state(X86Cpu *cpu)
{
    GString *s = g_string_new(NULL);
    uint32_t f = x86_get_flags(cpu);
    static const char *names[] = { "ES ", "CS ", "SS ", "DS ", "FS ", "GS ", "LDT", "TR " };
    g_string_append_printf(s, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n",
                           cpu->regs[R_EAX], cpu->regs[R_EBX], cpu->regs[R_ECX], cpu->regs[R_EDX]);
    g_string_append_printf(s, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n",
                           cpu->regs[R_ESI], cpu->regs[R_EDI], cpu->regs[R_EBP], cpu->regs[R_ESP]);
    g_string_append_printf(s, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%d II=%d A20=%d SMM=0 HLT=%d\n",
                           cpu->eip, f,
                           f & F_DF ? 'D' : '-', f & F_OF ? 'O' : '-', f & F_SF ? 'S' : '-',
                           f & F_ZF ? 'Z' : '-', f & F_AF ? 'A' : '-', f & F_PF ? 'P' : '-',
                           f & F_CF ? 'C' : '-', cpu->cpl, cpu->inhibit_irq ? 1 : 0,
                           x86_cpu_a20(cpu) ? 1 : 0, cpu->halted ? 1 : 0);
    for (int i = 0; i < 8; i++) {
        dump_seg(s, names[i], &cpu->seg[i]);
    }
    g_string_append_printf(s, "GDT=     %08x %08x\n", cpu->gdtr.base, cpu->gdtr.limit);
    g_string_append_printf(s, "IDT=     %08x %08x\n", cpu->idtr.base, cpu->idtr.limit);
    g_string_append_printf(s, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
                           cpu->cr0, cpu->cr2, cpu->cr3, cpu->cr4);
    g_string_append_printf(s, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x \n",
                           cpu->dr[0], cpu->dr[1], cpu->dr[2], cpu->dr[3]);
    g_string_append_printf(s, "DR6=%08x DR7=%08x\n", cpu->dr[6], cpu->dr[7]);
    g_string_append_printf(s, "EFER=%016llx\n", (unsigned long long)cpu->efer);
    uint16_t fsw = (uint16_t)((cpu->fpu.fsw & ~0x3800) | ((cpu->fpu.top & 7) << 11));
    uint8_t abridged = 0;
    for (int i = 0; i < 8; i++) {
        if (((cpu->fpu.ftw >> (2 * i)) & 3) != 3) {
            abridged |= 1u << i;
        }
    }
    g_string_append_printf(s, "FCW=%04x FSW=%04x [ST=%d] FTW=%02x MXCSR=00000000\n",
                           cpu->fpu.fcw, fsw, cpu->fpu.top & 7, abridged);
    return g_string_free(s, FALSE);
}

static void put32(uint8_t *buf, uint32_t v)
{
    memcpy(buf, &v, 4);
}

size_t x86_cpu_gdb_read_reg(X86Cpu *cpu, int n, uint8_t *buf)
{
    static const int segmap[6] = { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS };
    if (n >= 0 && n < 8) {
        put32(buf, cpu->regs[n]);
        return 4;
    }
    if (n == 8) {
        put32(buf, cpu->eip);
        return 4;
    }
    if (n == 9) {
        put32(buf, x86_get_flags(cpu));
        return 4;
    }
    if (n >= 10 && n < 16) {
        put32(buf, cpu->seg[segmap[n - 10]].sel);
        return 4;
    }
    if (n >= 16 && n < 24) {
        x86_fpu_get_reg80(cpu, (cpu->fpu.top + n - 16) & 7, buf);
        return 10;
    }
    X86Fpu *f = &cpu->fpu;
    switch (n) {
    case 24: put32(buf, f->fcw); return 4;
    case 25: put32(buf, (f->fsw & ~0x3800u) | ((f->top & 7u) << 11)); return 4;
    case 26: put32(buf, f->ftw); return 4;
    case 27: put32(buf, f->fcs); return 4;
    case 28: put32(buf, f->fip); return 4;
    case 29: put32(buf, f->fds); return 4;
    case 30: put32(buf, f->fdp); return 4;
    case 31: put32(buf, f->fop); return 4;
    default: return 0;
    }
}

static void gdb_load_seg(X86Cpu *cpu, int s, uint16_t sel)
{
    if (!cpu->pe || cpu->v86) {
        x86_seg_load_real(cpu, s, sel);
        return;
    }
    uint32_t lo, hi;
    if (!x86_desc_load(cpu, sel, &lo, &hi)) {
        return;
    }
    uint32_t base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & (1u << 23)) {
        limit = (limit << 12) | 0xfff;
    }
    x86_seg_set_cache(cpu, s, sel, base, limit, (uint16_t)(((hi >> 8) & 0xff) | ((hi >> 8) & 0xf000)));
    if (s == S_CS) {
        cpu->cpl = sel & 3;
    }
    x86_update_mode(cpu);
}

size_t x86_cpu_gdb_write_reg(X86Cpu *cpu, int n, const uint8_t *buf)
{
    static const int segmap[6] = { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS };
    uint32_t v;
    memcpy(&v, buf, 4);
    if (n >= 0 && n < 8) {
        cpu->regs[n] = v;
        return 4;
    }
    if (n == 8) {
        cpu->eip = v;
        return 4;
    }
    if (n == 9) {
        cpu->cc_op = CC_EFLAGS;
        cpu->eflags = (v & 0x003f7fd5u) | 2;
        x86_update_mode(cpu);   /* also follows EFLAGS.AC */
        return 4;
    }
    if (n >= 10 && n < 16) {
        gdb_load_seg(cpu, segmap[n - 10], (uint16_t)v);
        return 4;
    }
    if (n >= 16 && n < 24) {
        x86_fpu_set_reg80(cpu, (cpu->fpu.top + n - 16) & 7, buf);
        return 10;
    }
    X86Fpu *f = &cpu->fpu;
    switch (n) {
    case 24: f->fcw = (uint16_t)v; return 4;
    case 25: f->fsw = (uint16_t)v; f->top = (v >> 11) & 7; return 4;
    case 26: f->ftw = (uint16_t)v; return 4;
    case 27: f->fcs = (uint16_t)v; return 4;
    case 28: f->fip = v; return 4;
    case 29: f->fds = (uint16_t)v; return 4;
    case 30: f->fdp = v; return 4;
    case 31: f->fop = (uint16_t)v; return 4;
    default: return 0;
    }
}

void x86_cpu_set_single_step(X86Cpu *cpu, bool on)
{
    cpu->single_step = on;
    update_pending(cpu);
}

bool x86_cpu_add_breakpoint(X86Cpu *cpu, uint64_t linear)
{
    if (cpu->nbps >= X86_MAX_BP) {
        return false;
    }
    cpu->bps[cpu->nbps++] = (uint32_t)linear;
    cpu->pending = true;
    return true;
}

bool x86_cpu_remove_breakpoint(X86Cpu *cpu, uint64_t linear)
{
    for (int i = 0; i < cpu->nbps; i++) {
        if (cpu->bps[i] == (uint32_t)linear) {
            cpu->bps[i] = cpu->bps[--cpu->nbps];
            return true;
        }
    }
    return false;
}

bool x86_cpu_hit_breakpoint(X86Cpu *cpu)
{
    return cpu->hit_bp;
}

bool x86_cpu_add_watchpoint(X86Cpu *cpu, uint64_t linear, uint64_t len, X86WatchType type)
{
    if (cpu->nwatch >= X86_MAX_WATCH || len == 0 || len > 0x100000000ull ||
        linear > 0xffffffffull || (type & ~X86_WATCH_ACCESS) || !type) {
        return false;
    }
    X86Watch *w = &cpu->watch[cpu->nwatch++];
    w->addr = (uint32_t)linear;
    w->len = len == 0x100000000ull ? 0xffffffffu : (uint32_t)len;
    w->type = type;
    x86_dbg_update(cpu);
    cpu->pending = true;
    return true;
}

bool x86_cpu_remove_watchpoint(X86Cpu *cpu, uint64_t linear, uint64_t len, X86WatchType type)
{
    for (int i = 0; i < cpu->nwatch; i++) {
        X86Watch *w = &cpu->watch[i];
        if (w->addr == (uint32_t)linear && w->len == (uint32_t)MIN(len, 0xffffffffu) &&
            w->type == (int)type) {
            *w = cpu->watch[--cpu->nwatch];
            cpu->watch_hit = 0;
            cpu->watch_last = 0;
            cpu->dbg_pending = cpu->db_hits != 0;
            x86_dbg_update(cpu);
            return true;
        }
    }
    return false;
}

bool x86_cpu_hit_watchpoint(X86Cpu *cpu, X86WatchType *type, uint64_t *addr)
{
    if (!cpu->hit_bp || !cpu->watch_last || cpu->watch_last > cpu->nwatch) {
        return false;
    }
    *type = (X86WatchType)cpu->watch[cpu->watch_last - 1].type;
    *addr = cpu->watch_addr;
    return true;
}

uint64_t x86_cpu_icount(const X86Cpu *cpu)
{
    return cpu->icount;
}
