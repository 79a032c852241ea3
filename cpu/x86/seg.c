/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Segmentation and control transfers that cross segments (Intel SDM vol. 3A
 * ch. 3, 5, 6, 7): descriptor loads with their checks, far JMP/CALL/RET,
 * call gates, IRET (incl. returns to V86), interrupt and exception delivery
 * in real, protected and V86 mode, task switches through 16- and 32-bit
 * TSSs, LLDT/LTR, LAR/LSL/VERR/VERW, SYSENTER/SYSEXIT and the TSS I/O
 * permission bitmap.
 *
 * VME: CLI/STI/PUSHF/POPF/IRET use VIF/VIP (exec.c) and INT n follows the
 * TSS interrupt redirection bitmap (x86_v86_int).
 */
#include "cpu/x86/cpu-internal.h"

#define SELERR(sel) (((sel) & 0xfffc) | (cpu->ext ? 1 : 0))

static uint32_t desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
}

static uint32_t desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & (1u << 23)) {
        limit = (limit << 12) | 0xfff;
    }
    return limit;
}

static uint16_t desc_attr(uint32_t hi)
{
    return (uint16_t)(((hi >> 8) & 0xff) | ((hi >> 8) & 0xf000));
}

void x86_seg_set_cache(X86Cpu *cpu, int s, uint16_t sel, uint32_t base,
                       uint32_t limit, uint16_t attr)
{
    X86Seg *sg = &cpu->seg[s];
    sg->sel = sel;
    sg->base = base;
    sg->limit = limit;
    sg->attr = attr;
    bool code = (attr & SA_S) && (attr & SA_CODE);
    if (!(attr & SA_P)) {
        sg->lo = 1;
        sg->hi = 0;
    } else if ((attr & SA_S) && !code && (attr & SA_CONF)) {
        /* expand-down: offsets above the limit; a limit of 4G-1 leaves
         * none (limit + 1 would wrap to 0) */
        sg->lo = limit + 1;
        sg->hi = (attr & SA_DB) ? 0xffffffffu : 0xffff;
        if (limit == 0xffffffffu) {
            sg->lo = 1;
            sg->hi = 0;
        }
    } else {
        sg->lo = 0;
        sg->hi = limit;
    }
    sg->rok = !code || (attr & SA_RW);
    sg->wok = !code && (attr & SA_RW);
    if (!cpu->pe || (cpu->eflags & F_VM)) {
        sg->rok = sg->wok = true;
    }
    x86_seg_update_flat(sg);
}

void x86_seg_load_real(X86Cpu *cpu, int s, uint16_t sel)
{
    X86Seg *sg = &cpu->seg[s];
    if (cpu->v86) {
        x86_seg_set_cache(cpu, s, sel, (uint32_t)sel << 4, 0xffff, s == S_CS ? 0xfb : 0xf3);
    } else {
        sg->sel = sel;
        sg->base = (uint32_t)sel << 4;
        /* limit and attributes stay (unreal mode) but must be usable */
        if (!(sg->attr & SA_P) || sg->lo > sg->hi) {
            x86_seg_set_cache(cpu, s, sel, (uint32_t)sel << 4, 0xffff, 0x93);
        }
        sg->rok = sg->wok = true;
        x86_seg_update_flat(sg);
    }
    if (s == S_SS) {
        cpu->stack32 = !cpu->v86 && (sg->attr & SA_DB);
    } else if (s == S_CS) {
        cpu->code32 = !cpu->v86 && (sg->attr & SA_DB);
    }
}

bool x86_desc_load(X86Cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    uint32_t base, limit;
    if (sel & 4) {
        if (cpu->seg[S_LDTR].lo > cpu->seg[S_LDTR].hi) {
            return false;
        }
        base = cpu->seg[S_LDTR].base;
        limit = cpu->seg[S_LDTR].limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    uint32_t idx = sel & ~7u;
    if (idx + 7 > limit) {
        return false;
    }
    *lo = x86_sread(cpu, base + idx, 4);
    *hi = x86_sread(cpu, base + idx + 4, 4);
    return true;
}

static void desc_write_hi(X86Cpu *cpu, uint16_t sel, uint32_t hi)
{
    uint32_t base = (sel & 4) ? cpu->seg[S_LDTR].base : cpu->gdtr.base;
    x86_swrite(cpu, base + (sel & ~7u) + 4, hi, 4);
}

static void set_accessed(X86Cpu *cpu, uint16_t sel, uint32_t hi)
{
    if (!(hi & 0x100)) {
        desc_write_hi(cpu, sel, hi | 0x100);
    }
}

static void load_desc_cache(X86Cpu *cpu, int s, uint16_t sel, uint32_t lo, uint32_t hi)
{
    x86_seg_set_cache(cpu, s, sel, desc_base(lo, hi), desc_limit(lo, hi), desc_attr(hi));
}

static void load_null(X86Cpu *cpu, int s, uint16_t sel)
{
    x86_seg_set_cache(cpu, s, sel, 0, 0, 0);
}

/* MOV/POP to DS/ES/FS/GS/SS and LDS etc. */
void x86_seg_load(X86Cpu *cpu, int s, uint16_t sel)
{
    if (!cpu->pe || cpu->v86) {
        x86_seg_load_real(cpu, s, sel);
        return;
    }
    uint32_t lo, hi;
    int rpl = sel & 3;
    if (s == S_SS) {
        if ((sel & ~3) == 0) {
            x86_raise(cpu, EXC_GP, 0);
        }
        if (!x86_desc_load(cpu, sel, &lo, &hi)) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
        uint16_t a = desc_attr(hi);
        if (rpl != cpu->cpl || SA_DPL(a) != cpu->cpl || !(a & SA_S) || (a & SA_CODE) ||
            !(a & SA_RW)) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
        if (!(a & SA_P)) {
            x86_raise(cpu, EXC_SS, SELERR(sel));
        }
        set_accessed(cpu, sel, hi);
        load_desc_cache(cpu, s, sel, lo, hi);
        cpu->stack32 = a & SA_DB;
        return;
    }
    if ((sel & ~3) == 0) {
        load_null(cpu, s, sel);
        return;
    }
    if (!x86_desc_load(cpu, sel, &lo, &hi)) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    uint16_t a = desc_attr(hi);
    if (!(a & SA_S) || ((a & SA_CODE) && !(a & SA_RW))) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    if (!((a & SA_CODE) && (a & SA_CONF))) {
        int dpl = SA_DPL(a);
        if (dpl < cpu->cpl || dpl < rpl) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(sel));
    }
    set_accessed(cpu, sel, hi);
    load_desc_cache(cpu, s, sel, lo, hi);
}

static void load_cs(X86Cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, int cpl)
{
    set_accessed(cpu, sel, hi);
    load_desc_cache(cpu, S_CS, (uint16_t)((sel & ~3) | cpl), lo, hi);
    cpu->cpl = cpl;
    x86_update_mode(cpu);
}

/* Stack access for far transfers on a given stack segment cache. */
typedef struct Stk {
    X86Seg *ss;
    bool s32;
    uint32_t esp;
    bool super;     /* write as a supervisor access (new inner stack) */
    int errsel;     /* #SS error code */
} Stk;

static uint32_t stk_off(const Stk *k, uint32_t esp)
{
    return k->s32 ? esp : (esp & 0xffff);
}

static void stk_check(X86Cpu *cpu, Stk *k, uint32_t off, unsigned size)
{
    if ((uint64_t)off < k->ss->lo || (uint64_t)off + size - 1 > k->ss->hi) {
        x86_raise(cpu, EXC_SS, k->errsel);
    }
}

static void stk_push(X86Cpu *cpu, Stk *k, uint32_t val, unsigned size)
{
    uint32_t esp = k->esp - size;
    if (!k->s32) {
        esp = (k->esp & 0xffff0000u) | (esp & 0xffff);
    }
    uint32_t off = stk_off(k, esp);
    stk_check(cpu, k, off, size);
    if (k->super) {
        x86_swrite(cpu, k->ss->base + off, val, size);
    } else {
        x86_lwrite(cpu, k->ss->base + off, val, size);
    }
    k->esp = esp;
}

static uint32_t stk_pop(X86Cpu *cpu, Stk *k, unsigned size)
{
    uint32_t off = stk_off(k, k->esp);
    stk_check(cpu, k, off, size);
    uint32_t v = x86_lread(cpu, k->ss->base + off, size);
    uint32_t esp = k->esp + size;
    k->esp = k->s32 ? esp : ((k->esp & 0xffff0000u) | (esp & 0xffff));
    return v;
}

static void set_esp(X86Cpu *cpu, uint32_t esp)
{
    if (cpu->stack32) {
        cpu->regs[R_ESP] = esp;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | (esp & 0xffff);
    }
}

static Stk cur_stack(X86Cpu *cpu)
{
    Stk k = { &cpu->seg[S_SS], cpu->stack32, cpu->regs[R_ESP], false, cpu->ext ? 1 : 0 };
    return k;
}

/* Task switching */

enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };

static void task_switch(X86Cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, int kind,
                        uint32_t next_eip, int err)
{
    uint16_t a = desc_attr(hi);
    int type = SA_TYPE(a);
    bool t32 = type & 8;
    uint32_t nbase = desc_base(lo, hi), nlimit = desc_limit(lo, hi);
    uint32_t obase = cpu->seg[S_TR].base;
    bool o32 = SA_TYPE(cpu->seg[S_TR].attr) & 8;

    if ((kind == TS_IRET) != ((type & 2) != 0)) {
        x86_raise(cpu, kind == TS_IRET ? EXC_TS : EXC_GP, SELERR(sel));
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(sel));
    }
    if (nlimit < (t32 ? 0x67u : 0x2bu)) {
        x86_raise(cpu, EXC_TS, SELERR(sel));
    }

    /* read the new state first: a fault leaves the old task intact */
    uint32_t ncr3 = 0, neip, nfl, nregs[8], nldt;
    uint16_t nsegs[6];
    if (t32) {
        ncr3 = x86_sread(cpu, nbase + 0x1c, 4);
        neip = x86_sread(cpu, nbase + 0x20, 4);
        nfl = x86_sread(cpu, nbase + 0x24, 4);
        for (int i = 0; i < 8; i++) {
            nregs[i] = x86_sread(cpu, nbase + 0x28 + 4 * i, 4);
        }
        for (int i = 0; i < 6; i++) {
            nsegs[i] = (uint16_t)x86_sread(cpu, nbase + 0x48 + 4 * i, 2);
        }
        nldt = x86_sread(cpu, nbase + 0x60, 2);
    } else {
        neip = x86_sread(cpu, nbase + 0x0e, 2);
        nfl = x86_sread(cpu, nbase + 0x10, 2);
        for (int i = 0; i < 8; i++) {
            nregs[i] = x86_sread(cpu, nbase + 0x12 + 2 * i, 2);
        }
        for (int i = 0; i < 4; i++) {
            nsegs[i] = (uint16_t)x86_sread(cpu, nbase + 0x22 + 2 * i, 2);
        }
        nsegs[S_FS] = nsegs[S_GS] = 0;
        nldt = x86_sread(cpu, nbase + 0x2a, 2);
    }

    /* save the old task */
    uint32_t ofl = x86_get_flags(cpu);
    if (kind == TS_IRET) {
        ofl &= ~F_NT;
    }
    if (o32) {
        x86_swrite(cpu, obase + 0x20, next_eip, 4);
        x86_swrite(cpu, obase + 0x24, ofl, 4);
        for (int i = 0; i < 8; i++) {
            x86_swrite(cpu, obase + 0x28 + 4 * i, cpu->regs[i], 4);
        }
        for (int i = 0; i < 6; i++) {
            x86_swrite(cpu, obase + 0x48 + 4 * i, cpu->seg[i].sel, 2);
        }
    } else {
        x86_swrite(cpu, obase + 0x0e, next_eip, 2);
        x86_swrite(cpu, obase + 0x10, ofl, 2);
        for (int i = 0; i < 8; i++) {
            x86_swrite(cpu, obase + 0x12 + 2 * i, cpu->regs[i], 2);
        }
        for (int i = 0; i < 4; i++) {
            x86_swrite(cpu, obase + 0x22 + 2 * i, cpu->seg[i].sel, 2);
        }
    }
    if (kind == TS_JMP || kind == TS_IRET) {
        uint32_t olo, ohi;
        if (x86_desc_load(cpu, cpu->seg[S_TR].sel, &olo, &ohi)) {
            desc_write_hi(cpu, cpu->seg[S_TR].sel, ohi & ~0x200u);
        }
    }
    if (kind == TS_CALL || kind == TS_INT) {
        x86_swrite(cpu, nbase, cpu->seg[S_TR].sel, 2);
        nfl |= F_NT;
    }
    if (kind != TS_IRET) {
        hi |= 0x200;
        desc_write_hi(cpu, sel, hi);
    }
    load_desc_cache(cpu, S_TR, sel, lo, hi);
    cpu->cr0 |= CR0_TS;
    if (t32 && (cpu->cr0 & CR0_PG)) {
        x86_set_cr3(cpu, ncr3);
    }
    cpu->eip = neip;
    memcpy(cpu->regs, nregs, sizeof(nregs));
    if (!t32) {
        nfl = (ofl & 0xffff0000u & ~F_VM) | (nfl & 0xffff);
    }
    cpu->cc_op = CC_EFLAGS;
    cpu->eflags = (nfl & 0x003f7fd5u) | 2;

    /* segments: selectors first, so a fault is reported in the new task */
    for (int i = 0; i < 6; i++) {
        cpu->seg[i].sel = nsegs[i];
    }
    if (cpu->eflags & F_VM) {
        cpu->cpl = 3;
        x86_update_mode(cpu);
        for (int i = 0; i < 6; i++) {
            x86_seg_load_real(cpu, i, nsegs[i]);
        }
        x86_update_mode(cpu);
    } else {
        /* LDT */
        if ((nldt & ~3u) == 0) {
            load_null(cpu, S_LDTR, (uint16_t)nldt);
        } else {
            uint32_t l, h;
            if ((nldt & 4) || !x86_desc_load(cpu, (uint16_t)nldt, &l, &h) ||
                SA_TYPE(desc_attr(h)) != 2 || (desc_attr(h) & SA_S)) {
                x86_raise(cpu, EXC_TS, SELERR(nldt));
            }
            if (!(h & 0x8000)) {
                x86_raise(cpu, EXC_TS, SELERR(nldt));
            }
            load_desc_cache(cpu, S_LDTR, (uint16_t)nldt, l, h);
        }
        uint16_t cs = nsegs[S_CS];
        uint32_t l, h;
        if ((cs & ~3) == 0 || !x86_desc_load(cpu, cs, &l, &h)) {
            x86_raise(cpu, EXC_TS, SELERR(cs));
        }
        uint16_t ca = desc_attr(h);
        if (!(ca & SA_S) || !(ca & SA_CODE)) {
            x86_raise(cpu, EXC_TS, SELERR(cs));
        }
        if (!(ca & SA_P)) {
            x86_raise(cpu, EXC_NP, SELERR(cs));
        }
        load_cs(cpu, cs, l, h, cs & 3);
        for (int i = 0; i < 6; i++) {
            if (i == S_CS) {
                continue;
            }
            uint16_t s = nsegs[i];
            if ((s & ~3) == 0) {
                if (i == S_SS) {
                    x86_raise(cpu, EXC_TS, SELERR(s));
                }
                load_null(cpu, i, s);
                continue;
            }
            if (!x86_desc_load(cpu, s, &l, &h)) {
                x86_raise(cpu, EXC_TS, SELERR(s));
            }
            uint16_t sa = desc_attr(h);
            if (!(sa & SA_S) || ((sa & SA_CODE) && (i == S_SS || !(sa & SA_RW)))) {
                x86_raise(cpu, EXC_TS, SELERR(s));
            }
            if (!(sa & SA_P)) {
                x86_raise(cpu, i == S_SS ? EXC_SS : EXC_NP, SELERR(s));
            }
            load_desc_cache(cpu, i, s, l, h);
        }
        x86_update_mode(cpu);
    }
    cpu->next_eip = cpu->eip;
    if (err >= 0) {
        Stk k = cur_stack(cpu);
        stk_push(cpu, &k, (uint32_t)err, t32 ? 4 : 2);
        set_esp(cpu, k.esp);
    }
    if (cpu->eip > cpu->seg[S_CS].limit) {
        x86_raise(cpu, EXC_GP, 0);
    }
}

/* Far JMP / CALL */

static void check_code_target(X86Cpu *cpu, uint16_t sel, uint16_t a, bool same_priv_only)
{
    int dpl = SA_DPL(a), rpl = sel & 3;
    if (a & SA_CONF) {
        if (dpl > cpu->cpl) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
    } else if (same_priv_only) {
        if (rpl > cpu->cpl || dpl != cpu->cpl) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(sel));
    }
}

/* A far transfer's selector: null is #GP(0), one outside its table
 * #GP(sel). Returns the descriptor's attributes. */
static uint16_t far_desc_load(X86Cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    if ((sel & ~3) == 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if (!x86_desc_load(cpu, sel, lo, hi)) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    return desc_attr(*hi);
}

/* A gate (or TSS) named by a far JMP/CALL: DPL >= CPL and >= RPL, then
 * present. */
static void check_gate(X86Cpu *cpu, uint16_t sel, uint16_t a)
{
    int dpl = SA_DPL(a);
    if (dpl < cpu->cpl || dpl < (sel & 3)) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(sel));
    }
}

/* The TSS a task gate names: in the GDT, and an available or busy TSS. */
static uint16_t task_gate_tss(X86Cpu *cpu, uint32_t gate_lo, uint32_t *lo, uint32_t *hi)
{
    uint16_t tss = (uint16_t)(gate_lo >> 16);
    if ((tss & 4) || !x86_desc_load(cpu, tss, lo, hi)) {
        x86_raise(cpu, EXC_GP, SELERR(tss));
    }
    uint16_t ta = desc_attr(*hi);
    if ((ta & SA_S) || (SA_TYPE(ta) != 1 && SA_TYPE(ta) != 9)) {
        x86_raise(cpu, EXC_GP, SELERR(tss));
    }
    return tss;
}

void x86_far_jmp(X86Cpu *cpu, uint16_t sel, uint32_t off, uint32_t next_eip)
{
    if (!cpu->pe || cpu->v86) {
        x86_seg_load_real(cpu, S_CS, sel);
        cpu->eip = off;
        return;
    }
    uint32_t lo, hi;
    uint16_t a = far_desc_load(cpu, sel, &lo, &hi);
    if (a & SA_S) {
        if (!(a & SA_CODE)) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
        check_code_target(cpu, sel, a, true);
        if (off > desc_limit(lo, hi)) {
            x86_raise(cpu, EXC_GP, 0);
        }
        load_cs(cpu, sel, lo, hi, cpu->cpl);
        cpu->eip = off;
        return;
    }
    int type = SA_TYPE(a), dpl = SA_DPL(a);
    switch (type) {
    case 4: case 12: { /* call gate */
        check_gate(cpu, sel, a);
        uint16_t tsel = (uint16_t)(lo >> 16);
        uint32_t toff = (lo & 0xffff) | (type == 12 ? (hi & 0xffff0000u) : 0);
        uint32_t tlo, thi;
        uint16_t ta = far_desc_load(cpu, tsel, &tlo, &thi);
        if (!(ta & SA_S) || !(ta & SA_CODE) ||
            ((ta & SA_CONF) ? SA_DPL(ta) > cpu->cpl : SA_DPL(ta) != cpu->cpl)) {
            x86_raise(cpu, EXC_GP, SELERR(tsel));
        }
        if (!(ta & SA_P)) {
            x86_raise(cpu, EXC_NP, SELERR(tsel));
        }
        if (toff > desc_limit(tlo, thi)) {
            x86_raise(cpu, EXC_GP, 0);
        }
        load_cs(cpu, tsel, tlo, thi, cpu->cpl);
        cpu->eip = toff;
        return;
    }
    case 5: { /* task gate */
        check_gate(cpu, sel, a);
        uint32_t tlo, thi;
        uint16_t tss = task_gate_tss(cpu, lo, &tlo, &thi);
        task_switch(cpu, tss, tlo, thi, TS_JMP, next_eip, -1);
        return;
    }
    case 1: case 9:
        if (dpl < cpu->cpl || dpl < (sel & 3)) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
        task_switch(cpu, sel, lo, hi, TS_JMP, next_eip, -1);
        return;
    default:
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
}

/* Inner-privilege stack from the TSS for ring dpl. */
static void tss_stack(X86Cpu *cpu, int dpl, uint16_t *ss, uint32_t *esp)
{
    X86Seg *tr = &cpu->seg[S_TR];
    bool t32 = SA_TYPE(tr->attr) & 8;
    uint32_t off = t32 ? 4 + 8 * dpl : 2 + 4 * dpl;
    if (off + (t32 ? 7 : 3) > tr->limit) {
        x86_raise(cpu, EXC_TS, SELERR(tr->sel));
    }
    if (t32) {
        *esp = x86_sread(cpu, tr->base + off, 4);
        *ss = (uint16_t)x86_sread(cpu, tr->base + off + 4, 2);
    } else {
        *esp = x86_sread(cpu, tr->base + off, 2);
        *ss = (uint16_t)x86_sread(cpu, tr->base + off + 2, 2);
    }
}

/* Validate an inner stack selector from the TSS; #TS on failure. */
static void check_new_ss(X86Cpu *cpu, uint16_t ss, int dpl, uint32_t *lo, uint32_t *hi)
{
    if ((ss & ~3) == 0) {
        x86_raise(cpu, EXC_TS, SELERR(ss));
    }
    if (!x86_desc_load(cpu, ss, lo, hi)) {
        x86_raise(cpu, EXC_TS, SELERR(ss));
    }
    uint16_t a = desc_attr(*hi);
    if ((ss & 3) != dpl || SA_DPL(a) != dpl || !(a & SA_S) || (a & SA_CODE) || !(a & SA_RW)) {
        x86_raise(cpu, EXC_TS, SELERR(ss));
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_SS, SELERR(ss));
    }
}

void x86_far_call(X86Cpu *cpu, uint16_t sel, uint32_t off, bool op32, uint32_t next_eip)
{
    unsigned sz = op32 ? 4 : 2;
    if (!cpu->pe || cpu->v86) {
        Stk k = cur_stack(cpu);
        stk_push(cpu, &k, cpu->seg[S_CS].sel, sz);
        stk_push(cpu, &k, next_eip, sz);
        set_esp(cpu, k.esp);
        x86_seg_load_real(cpu, S_CS, sel);
        cpu->eip = off;
        return;
    }
    uint32_t lo, hi;
    uint16_t a = far_desc_load(cpu, sel, &lo, &hi);
    if (a & SA_S) {
        if (!(a & SA_CODE)) {
            x86_raise(cpu, EXC_GP, SELERR(sel));
        }
        check_code_target(cpu, sel, a, true);
        Stk k = cur_stack(cpu);
        stk_push(cpu, &k, cpu->seg[S_CS].sel, sz);
        stk_push(cpu, &k, next_eip, sz);
        if (off > desc_limit(lo, hi)) {
            x86_raise(cpu, EXC_GP, 0);
        }
        set_esp(cpu, k.esp);
        load_cs(cpu, sel, lo, hi, cpu->cpl);
        cpu->eip = off;
        return;
    }
    int type = SA_TYPE(a);
    if (type == 5 || type == 1 || type == 9) {
        check_gate(cpu, sel, a);
        if (type == 5) {
            sel = task_gate_tss(cpu, lo, &lo, &hi);
        }
        task_switch(cpu, sel, lo, hi, TS_CALL, next_eip, -1);
        return;
    }
    if (type != 4 && type != 12) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    check_gate(cpu, sel, a);
    bool g32 = type == 12;
    unsigned gsz = g32 ? 4 : 2;
    uint16_t tsel = (uint16_t)(lo >> 16);
    uint32_t toff = (lo & 0xffff) | (g32 ? (hi & 0xffff0000u) : 0);
    unsigned nparams = hi & 0x1f;
    uint32_t tlo, thi;
    uint16_t ta = far_desc_load(cpu, tsel, &tlo, &thi);
    int tdpl = SA_DPL(ta);
    if (!(ta & SA_S) || !(ta & SA_CODE) || tdpl > cpu->cpl) {
        x86_raise(cpu, EXC_GP, SELERR(tsel));
    }
    if (!(ta & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(tsel));
    }
    if (toff > desc_limit(tlo, thi)) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if (!(ta & SA_CONF) && tdpl < cpu->cpl) {
        uint16_t nss;
        uint32_t nesp, slo, shi;
        tss_stack(cpu, tdpl, &nss, &nesp);
        check_new_ss(cpu, nss, tdpl, &slo, &shi);
        X86Seg newss;
        X86Seg saved = cpu->seg[S_SS];
        x86_seg_set_cache(cpu, S_SS, nss, desc_base(slo, shi), desc_limit(slo, shi), desc_attr(shi));
        newss = cpu->seg[S_SS];
        cpu->seg[S_SS] = saved;
        Stk k = { &newss, (desc_attr(shi) & SA_DB) != 0, nesp, true, SELERR(nss) };
        Stk old = cur_stack(cpu);
        uint32_t params[32];
        for (unsigned i = 0; i < nparams; i++) {
            uint32_t o = stk_off(&old, old.esp + i * gsz);
            if ((uint64_t)o + gsz - 1 > old.ss->hi || o < old.ss->lo) {
                x86_raise(cpu, EXC_SS, SELERR(old.ss->sel));
            }
            params[i] = x86_lread(cpu, old.ss->base + o, gsz);
        }
        stk_push(cpu, &k, cpu->seg[S_SS].sel, gsz);
        stk_push(cpu, &k, cpu->regs[R_ESP], gsz);
        for (unsigned i = nparams; i > 0; i--) {
            stk_push(cpu, &k, params[i - 1], gsz);
        }
        stk_push(cpu, &k, cpu->seg[S_CS].sel, gsz);
        stk_push(cpu, &k, next_eip, gsz);
        set_accessed(cpu, nss, shi);
        cpu->seg[S_SS] = newss;
        cpu->stack32 = k.s32;
        set_esp(cpu, k.esp);
        load_cs(cpu, tsel, tlo, thi, tdpl);
    } else {
        Stk k = cur_stack(cpu);
        stk_push(cpu, &k, cpu->seg[S_CS].sel, gsz);
        stk_push(cpu, &k, next_eip, gsz);
        set_esp(cpu, k.esp);
        load_cs(cpu, tsel, tlo, thi, cpu->cpl);
    }
    cpu->eip = toff;
}

/* After a return to an outer ring, data segments the new CPL may not use
 * become null. */
static void null_outer_segs(X86Cpu *cpu)
{
    static const int segs[4] = { S_ES, S_DS, S_FS, S_GS };
    for (int i = 0; i < 4; i++) {
        X86Seg *s = &cpu->seg[segs[i]];
        bool conf_code = (s->attr & SA_CODE) && (s->attr & SA_CONF);
        if ((s->attr & SA_S) && !conf_code && SA_DPL(s->attr) < cpu->cpl) {
            load_null(cpu, segs[i], 0);
        }
    }
}

/* Common part of RETF and protected-mode IRET after CS:EIP (and EFLAGS)
 * were read from the stack; k->esp points past them. */
static void return_to(X86Cpu *cpu, Stk *k, uint16_t cs, uint32_t eip, unsigned sz, uint16_t imm,
                      uint32_t *outer_done)
{
    uint32_t lo, hi;
    if ((cs & ~3) == 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if (!x86_desc_load(cpu, cs, &lo, &hi)) {
        x86_raise(cpu, EXC_GP, SELERR(cs));
    }
    uint16_t a = desc_attr(hi);
    int rpl = cs & 3;
    if (rpl < cpu->cpl || !(a & SA_S) || !(a & SA_CODE)) {
        x86_raise(cpu, EXC_GP, SELERR(cs));
    }
    if ((a & SA_CONF) ? SA_DPL(a) > rpl : SA_DPL(a) != rpl) {
        x86_raise(cpu, EXC_GP, SELERR(cs));
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(cs));
    }
    if (rpl == cpu->cpl) {
        if (eip > desc_limit(lo, hi)) {
            x86_raise(cpu, EXC_GP, 0);
        }
        k->esp += imm;
        if (!k->s32) {
            k->esp &= 0xffff;
        }
        set_esp(cpu, k->esp);
        load_cs(cpu, cs, lo, hi, rpl);
        cpu->eip = eip;
        *outer_done = 0;
        return;
    }
    /* outer privilege */
    k->esp += imm;
    uint32_t nesp = stk_pop(cpu, k, sz);
    uint16_t nss = (uint16_t)stk_pop(cpu, k, sz);
    uint32_t slo, shi;
    if ((nss & ~3) == 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if (!x86_desc_load(cpu, nss, &slo, &shi)) {
        x86_raise(cpu, EXC_GP, SELERR(nss));
    }
    uint16_t sa = desc_attr(shi);
    if ((nss & 3) != rpl || SA_DPL(sa) != rpl || !(sa & SA_S) || (sa & SA_CODE) ||
        !(sa & SA_RW)) {
        x86_raise(cpu, EXC_GP, SELERR(nss));
    }
    if (!(sa & SA_P)) {
        x86_raise(cpu, EXC_SS, SELERR(nss));
    }
    if (eip > desc_limit(lo, hi)) {
        x86_raise(cpu, EXC_GP, 0);
    }
    load_cs(cpu, cs, lo, hi, rpl);
    set_accessed(cpu, nss, shi);
    load_desc_cache(cpu, S_SS, nss, slo, shi);
    cpu->stack32 = sa & SA_DB;
    nesp += imm;
    if (cpu->stack32) {
        cpu->regs[R_ESP] = nesp;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | (nesp & 0xffff);
    }
    cpu->eip = eip;
    null_outer_segs(cpu);
    *outer_done = 1;
}

void x86_far_ret(X86Cpu *cpu, bool op32, uint16_t imm)
{
    unsigned sz = op32 ? 4 : 2;
    Stk k = cur_stack(cpu);
    uint32_t eip = stk_pop(cpu, &k, sz);
    uint16_t cs = (uint16_t)stk_pop(cpu, &k, sz);
    if (!cpu->pe || cpu->v86) {
        k.esp += imm;
        if (!k.s32) {
            k.esp &= 0xffff;
        }
        set_esp(cpu, k.esp);
        x86_seg_load_real(cpu, S_CS, cs);
        cpu->eip = eip;
        return;
    }
    uint32_t outer;
    return_to(cpu, &k, cs, eip, sz, imm, &outer);
}

static void set_flags_iret(X86Cpu *cpu, uint32_t fl, bool op32)
{
    uint32_t mask = F_ARITH | F_TF | F_DF | F_NT;
    int iopl = (cpu->eflags >> 12) & 3;
    if (op32) {
        mask |= F_RF | F_AC | F_ID;
        if (cpu->cpl == 0) {
            mask |= F_VIF | F_VIP;
        }
    }
    if (cpu->cpl == 0 || !cpu->pe) {
        mask |= F_IOPL;
    }
    if (cpu->cpl <= iopl || !cpu->pe) {
        mask |= F_IF;
    }
    x86_set_flags(cpu, fl, mask);
}

void x86_iret(X86Cpu *cpu, bool op32)
{
    unsigned sz = op32 ? 4 : 2;
    cpu->nmi_blocked = false;
    if (!cpu->pe) {
        Stk k = cur_stack(cpu);
        uint32_t eip = stk_pop(cpu, &k, sz);
        uint16_t cs = (uint16_t)stk_pop(cpu, &k, sz);
        uint32_t fl = stk_pop(cpu, &k, sz);
        set_esp(cpu, k.esp);
        x86_seg_load_real(cpu, S_CS, cs);
        cpu->eip = eip;
        set_flags_iret(cpu, fl, op32);
        return;
    }
    if (cpu->v86) {
        int iopl = (cpu->eflags >> 12) & 3;
        bool vme = (cpu->cr4 & CR4_VME) && !op32;
        if (iopl < 3 && !vme) {
            x86_raise(cpu, EXC_GP, 0);
        }
        Stk k = cur_stack(cpu);
        uint32_t eip = stk_pop(cpu, &k, sz);
        uint16_t cs = (uint16_t)stk_pop(cpu, &k, sz);
        uint32_t fl = stk_pop(cpu, &k, sz);
        if (iopl == 3) {
            set_esp(cpu, k.esp);
            x86_seg_load_real(cpu, S_CS, cs);
            cpu->eip = eip;
            uint32_t mask = F_ARITH | F_TF | F_DF | F_NT | F_IF;
            if (op32) {
                mask |= F_RF | F_AC | F_ID;
            }
            x86_set_flags(cpu, fl, mask);
            return;
        }
        /* VME, IOPL < 3: IF goes to VIF */
        if ((fl & F_TF) || ((fl & F_IF) && (cpu->eflags & F_VIP))) {
            x86_raise(cpu, EXC_GP, 0);
        }
        set_esp(cpu, k.esp);
        x86_seg_load_real(cpu, S_CS, cs);
        cpu->eip = eip;
        x86_set_flags(cpu, fl, F_ARITH | F_DF | F_NT);
        cpu->eflags = (cpu->eflags & ~F_VIF) | ((fl & F_IF) ? F_VIF : 0);
        return;
    }
    if (cpu->eflags & F_NT) {
        X86Seg *tr = &cpu->seg[S_TR];
        uint16_t link = (uint16_t)x86_sread(cpu, tr->base, 2);
        uint32_t lo, hi;
        if ((link & 4) || !x86_desc_load(cpu, link, &lo, &hi)) {
            x86_raise(cpu, EXC_TS, SELERR(link));
        }
        uint16_t a = desc_attr(hi);
        if ((a & SA_S) || (SA_TYPE(a) != 3 && SA_TYPE(a) != 11)) {
            x86_raise(cpu, EXC_TS, SELERR(link));
        }
        task_switch(cpu, link, lo, hi, TS_IRET, cpu->next_eip, -1);
        return;
    }
    Stk k = cur_stack(cpu);
    uint32_t eip = stk_pop(cpu, &k, sz);
    uint16_t cs = (uint16_t)stk_pop(cpu, &k, sz);
    uint32_t fl = stk_pop(cpu, &k, sz);
    if (op32 && (fl & F_VM) && cpu->cpl == 0) {
        /* return to virtual-8086 mode */
        uint32_t nesp = stk_pop(cpu, &k, 4);
        uint16_t nss = (uint16_t)stk_pop(cpu, &k, 4);
        uint16_t es = (uint16_t)stk_pop(cpu, &k, 4);
        uint16_t ds = (uint16_t)stk_pop(cpu, &k, 4);
        uint16_t fs = (uint16_t)stk_pop(cpu, &k, 4);
        uint16_t gs = (uint16_t)stk_pop(cpu, &k, 4);
        cpu->cc_op = CC_EFLAGS;
        cpu->eflags = (fl & 0x003f7fd5u) | 2;
        cpu->cpl = 3;
        x86_update_mode(cpu);
        x86_seg_load_real(cpu, S_CS, cs);
        x86_seg_load_real(cpu, S_SS, nss);
        x86_seg_load_real(cpu, S_ES, es);
        x86_seg_load_real(cpu, S_DS, ds);
        x86_seg_load_real(cpu, S_FS, fs);
        x86_seg_load_real(cpu, S_GS, gs);
        cpu->regs[R_ESP] = nesp;
        cpu->eip = eip & 0xffff;
        x86_update_mode(cpu);
        return;
    }
    int oldcpl = cpu->cpl;
    uint32_t outer;
    return_to(cpu, &k, cs, eip, sz, 0, &outer);
    /* flags use the privilege of the code that executed IRET */
    int newcpl = cpu->cpl;
    cpu->cpl = oldcpl;
    set_flags_iret(cpu, fl, op32);
    cpu->cpl = newcpl;
    x86_update_mode(cpu);
}

/* Interrupts and exceptions */

static void real_interrupt(X86Cpu *cpu, int vec, uint32_t next_eip)
{
    uint32_t off = (uint32_t)vec * 4;
    if (off + 3 > cpu->idtr.limit) {
        x86_raise(cpu, EXC_GP, vec * 8 + 2);
    }
    uint32_t ip = x86_sread(cpu, cpu->idtr.base + off, 2);
    uint16_t cs = (uint16_t)x86_sread(cpu, cpu->idtr.base + off + 2, 2);
    Stk k = cur_stack(cpu);
    stk_push(cpu, &k, x86_get_flags(cpu), 2);
    stk_push(cpu, &k, cpu->seg[S_CS].sel, 2);
    stk_push(cpu, &k, next_eip, 2);
    set_esp(cpu, k.esp);
    x86_seg_load_real(cpu, S_CS, cs);
    cpu->eip = ip;
    cpu->eflags &= ~(F_IF | F_TF | F_AC | F_RF);
}

/* INT n in virtual-8086 mode (SDM vol. 3A 20.3): with CR4.VME the TSS
 * interrupt redirection bitmap (32 bytes below the I/O map base) sends
 * clear-bit vectors to the 8086 handler through the IVT at linear 0. */
void x86_v86_int(X86Cpu *cpu, int vec, uint32_t next_eip)
{
    int iopl = (cpu->eflags >> 12) & 3;
    if (cpu->cr4 & CR4_VME) {
        X86Seg *tr = &cpu->seg[S_TR];
        if (!(SA_TYPE(tr->attr) & 8) || tr->limit < 0x67) {
            x86_raise(cpu, EXC_GP, 0);
        }
        uint32_t iomap = x86_sread(cpu, tr->base + 0x66, 2);
        uint32_t off = iomap - 32 + (uint32_t)vec / 8;
        if (iomap < 32 || off > tr->limit) {
            x86_raise(cpu, EXC_GP, 0);
        }
        bool redirect = !((x86_sread(cpu, tr->base + off, 1) >> (vec & 7)) & 1);
        if (redirect) {
            uint32_t fl = x86_get_flags(cpu) & 0xffff;
            if (iopl < 3) {
                fl = (fl & ~F_IF) | ((cpu->eflags & F_VIF) ? F_IF : 0) | F_IOPL;
            }
            uint32_t ip = x86_lread(cpu, (uint32_t)vec * 4, 2);
            uint16_t cs = (uint16_t)x86_lread(cpu, (uint32_t)vec * 4 + 2, 2);
            Stk k = cur_stack(cpu);
            stk_push(cpu, &k, fl, 2);
            stk_push(cpu, &k, cpu->seg[S_CS].sel, 2);
            stk_push(cpu, &k, next_eip, 2);
            set_esp(cpu, k.esp);
            x86_seg_load_real(cpu, S_CS, cs);
            cpu->eip = ip;
            cpu->next_eip = ip;
            cpu->eflags &= ~F_TF;
            if (iopl < 3) {
                cpu->eflags &= ~F_VIF;
            } else {
                cpu->eflags &= ~F_IF;
            }
            return;
        }
    }
    if (iopl < 3) {
        x86_raise(cpu, EXC_GP, 0);
    }
    x86_interrupt(cpu, vec, true, -1, next_eip);
}

void x86_interrupt(X86Cpu *cpu, int vec, bool sw, int err, uint32_t next_eip)
{
    int ext = (!sw && cpu->ext) ? 1 : 0;
    cpu->next_eip = next_eip;
    if (!cpu->pe) {
        real_interrupt(cpu, vec, next_eip);
        cpu->next_eip = cpu->eip;
        return;
    }
    uint32_t off = (uint32_t)vec * 8;
    if (off + 7 > cpu->idtr.limit) {
        x86_raise(cpu, EXC_GP, (int)off + 2 + ext);
    }
    uint32_t lo = x86_sread(cpu, cpu->idtr.base + off, 4);
    uint32_t hi = x86_sread(cpu, cpu->idtr.base + off + 4, 4);
    uint16_t a = desc_attr(hi);
    int type = SA_TYPE(a);
    if ((a & SA_S) || (type != 5 && type != 6 && type != 7 && type != 14 && type != 15)) {
        x86_raise(cpu, EXC_GP, (int)off + 2 + ext);
    }
    if (sw && SA_DPL(a) < cpu->cpl) {
        x86_raise(cpu, EXC_GP, (int)off + 2);
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, (int)off + 2 + ext);
    }
    if (type == 5) {
        uint16_t tss = (uint16_t)(lo >> 16);
        uint32_t tlo, thi;
        if ((tss & 4) || !x86_desc_load(cpu, tss, &tlo, &thi)) {
            x86_raise(cpu, EXC_TS, (tss & 0xfffc) | ext);
        }
        uint16_t ta = desc_attr(thi);
        if ((ta & SA_S) || (SA_TYPE(ta) != 1 && SA_TYPE(ta) != 9)) {
            x86_raise(cpu, EXC_TS, (tss & 0xfffc) | ext);
        }
        task_switch(cpu, tss, tlo, thi, TS_INT, next_eip, err);
        return;
    }
    bool g32 = type >= 14;
    unsigned gsz = g32 ? 4 : 2;
    uint16_t tsel = (uint16_t)(lo >> 16);
    uint32_t toff = (lo & 0xffff) | (g32 ? (hi & 0xffff0000u) : 0);
    uint32_t tlo, thi;
    if ((tsel & ~3) == 0) {
        x86_raise(cpu, EXC_GP, ext);
    }
    if (!x86_desc_load(cpu, tsel, &tlo, &thi)) {
        x86_raise(cpu, EXC_GP, (tsel & 0xfffc) | ext);
    }
    uint16_t ta = desc_attr(thi);
    int dpl = SA_DPL(ta);
    if (!(ta & SA_S) || !(ta & SA_CODE) || dpl > cpu->cpl) {
        x86_raise(cpu, EXC_GP, (tsel & 0xfffc) | ext);
    }
    if (!(ta & SA_P)) {
        x86_raise(cpu, EXC_NP, (tsel & 0xfffc) | ext);
    }
    uint32_t fl = x86_get_flags(cpu);
    bool from_v86 = fl & F_VM;
    if (!(ta & SA_CONF) && dpl < cpu->cpl) {
        if (from_v86 && dpl != 0) {
            x86_raise(cpu, EXC_GP, (tsel & 0xfffc) | ext);
        }
        uint16_t nss;
        uint32_t nesp, slo, shi;
        int saved_ext = cpu->ext;
        cpu->ext = ext;
        tss_stack(cpu, dpl, &nss, &nesp);
        check_new_ss(cpu, nss, dpl, &slo, &shi);
        cpu->ext = saved_ext;
        X86Seg saved = cpu->seg[S_SS];
        x86_seg_set_cache(cpu, S_SS, nss, desc_base(slo, shi), desc_limit(slo, shi), desc_attr(shi));
        X86Seg newss = cpu->seg[S_SS];
        cpu->seg[S_SS] = saved;
        Stk k = { &newss, (desc_attr(shi) & SA_DB) != 0, nesp, true, (nss & 0xfffc) | ext };
        if (from_v86) {
            stk_push(cpu, &k, cpu->seg[S_GS].sel, gsz);
            stk_push(cpu, &k, cpu->seg[S_FS].sel, gsz);
            stk_push(cpu, &k, cpu->seg[S_DS].sel, gsz);
            stk_push(cpu, &k, cpu->seg[S_ES].sel, gsz);
        }
        stk_push(cpu, &k, cpu->seg[S_SS].sel, gsz);
        stk_push(cpu, &k, cpu->regs[R_ESP], gsz);
        stk_push(cpu, &k, fl, gsz);
        stk_push(cpu, &k, cpu->seg[S_CS].sel, gsz);
        stk_push(cpu, &k, next_eip, gsz);
        if (err >= 0) {
            stk_push(cpu, &k, (uint32_t)err, gsz);
        }
        if (toff > desc_limit(tlo, thi)) {
            x86_raise(cpu, EXC_GP, ext);
        }
        set_accessed(cpu, nss, shi);
        cpu->eflags &= ~(F_VM | F_TF | F_NT | F_RF);
        if (!(type & 1)) {
            cpu->eflags &= ~F_IF;
        }
        if (from_v86) {
            cpu->pe = true;
            cpu->v86 = false;
            for (int s = 0; s < 6; s++) {
                if (s != S_CS && s != S_SS) {
                    load_null(cpu, s, 0);
                }
            }
        }
        cpu->seg[S_SS] = newss;
        cpu->seg[S_SS].rok = cpu->seg[S_SS].wok = true;
        x86_seg_update_flat(&cpu->seg[S_SS]);
        cpu->stack32 = k.s32;
        set_esp(cpu, k.esp);
        load_cs(cpu, tsel, tlo, thi, dpl);
    } else {
        if (from_v86) {
            x86_raise(cpu, EXC_GP, (tsel & 0xfffc) | ext);
        }
        Stk k = cur_stack(cpu);
        k.errsel = ext;
        stk_push(cpu, &k, fl, gsz);
        stk_push(cpu, &k, cpu->seg[S_CS].sel, gsz);
        stk_push(cpu, &k, next_eip, gsz);
        if (err >= 0) {
            stk_push(cpu, &k, (uint32_t)err, gsz);
        }
        if (toff > desc_limit(tlo, thi)) {
            x86_raise(cpu, EXC_GP, ext);
        }
        set_esp(cpu, k.esp);
        cpu->eflags &= ~(F_TF | F_NT | F_RF);
        if (!(type & 1)) {
            cpu->eflags &= ~F_IF;
        }
        load_cs(cpu, tsel, tlo, thi, cpu->cpl);
    }
    cpu->eip = toff;
    cpu->next_eip = toff;
}

/* System registers */

void x86_lldt(X86Cpu *cpu, uint16_t sel)
{
    if ((sel & ~3) == 0) {
        load_null(cpu, S_LDTR, sel);
        return;
    }
    uint32_t lo, hi;
    if ((sel & 4) || !x86_desc_load(cpu, sel, &lo, &hi)) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    uint16_t a = desc_attr(hi);
    if ((a & SA_S) || SA_TYPE(a) != 2) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(sel));
    }
    load_desc_cache(cpu, S_LDTR, sel, lo, hi);
}

void x86_ltr(X86Cpu *cpu, uint16_t sel)
{
    uint32_t lo, hi;
    if ((sel & ~3) == 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    if ((sel & 4) || !x86_desc_load(cpu, sel, &lo, &hi)) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    uint16_t a = desc_attr(hi);
    if ((a & SA_S) || (SA_TYPE(a) != 1 && SA_TYPE(a) != 9)) {
        x86_raise(cpu, EXC_GP, SELERR(sel));
    }
    if (!(a & SA_P)) {
        x86_raise(cpu, EXC_NP, SELERR(sel));
    }
    hi |= 0x200;
    desc_write_hi(cpu, sel, hi);
    load_desc_cache(cpu, S_TR, sel, lo, hi);
}

bool x86_lar_lsl(X86Cpu *cpu, uint16_t sel, bool lsl, uint32_t *out)
{
    uint32_t lo, hi;
    if ((sel & ~3) == 0 || !x86_desc_load(cpu, sel, &lo, &hi)) {
        return false;
    }
    uint16_t a = desc_attr(hi);
    if (!(a & SA_S)) {
        int t = SA_TYPE(a);
        bool ok = lsl ? (t == 1 || t == 2 || t == 3 || t == 9 || t == 11)
                      : (t == 1 || t == 2 || t == 3 || t == 4 || t == 5 || t == 9 ||
                         t == 11 || t == 12);
        if (!ok) {
            return false;
        }
    }
    if (!((a & SA_S) && (a & SA_CODE) && (a & SA_CONF))) {
        int dpl = SA_DPL(a);
        if (dpl < cpu->cpl || dpl < (sel & 3)) {
            return false;
        }
    }
    *out = lsl ? desc_limit(lo, hi) : (hi & 0x00f0ff00u);
    return true;
}

bool x86_verr_verw(X86Cpu *cpu, uint16_t sel, bool write)
{
    uint32_t lo, hi;
    if ((sel & ~3) == 0 || !x86_desc_load(cpu, sel, &lo, &hi)) {
        return false;
    }
    uint16_t a = desc_attr(hi);
    if (!(a & SA_S)) {
        return false;
    }
    bool code = a & SA_CODE;
    if (!(code && (a & SA_CONF))) {
        int dpl = SA_DPL(a);
        if (dpl < cpu->cpl || dpl < (sel & 3)) {
            return false;
        }
    }
    if (write) {
        return !code && (a & SA_RW);
    }
    return !code || (a & SA_RW);
}

void x86_sysenter(X86Cpu *cpu)
{
    if (!cpu->pe || (cpu->sysenter_cs & 0xfffc) == 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    cpu->eflags &= ~(F_VM | F_IF | F_RF);
    uint16_t cs = cpu->sysenter_cs & 0xfffc;
    x86_seg_set_cache(cpu, S_CS, cs, 0, 0xffffffffu, 0xc09b);
    x86_seg_set_cache(cpu, S_SS, (uint16_t)(cs + 8), 0, 0xffffffffu, 0xc093);
    cpu->cpl = 0;
    x86_update_mode(cpu);
    cpu->regs[R_ESP] = cpu->sysenter_esp;
    cpu->eip = cpu->sysenter_eip;
}

void x86_sysexit(X86Cpu *cpu)
{
    if (!cpu->pe || cpu->v86 || cpu->cpl != 0 || (cpu->sysenter_cs & 0xfffc) == 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    uint16_t cs = cpu->sysenter_cs & 0xfffc;
    x86_seg_set_cache(cpu, S_CS, (uint16_t)((cs + 16) | 3), 0, 0xffffffffu, 0xc0fb);
    x86_seg_set_cache(cpu, S_SS, (uint16_t)((cs + 24) | 3), 0, 0xffffffffu, 0xc0f3);
    cpu->cpl = 3;
    x86_update_mode(cpu);
    cpu->regs[R_ESP] = cpu->regs[R_ECX];
    cpu->eip = cpu->regs[R_EDX];
}

bool x86_io_allowed(X86Cpu *cpu, uint16_t port, unsigned size)
{
    if (!cpu->pe) {
        return true;
    }
    int iopl = (cpu->eflags >> 12) & 3;
    if (!cpu->v86 && cpu->cpl <= iopl) {
        return true;
    }
    X86Seg *tr = &cpu->seg[S_TR];
    if (!(SA_TYPE(tr->attr) & 8) || tr->limit < 0x67) {
        return false;
    }
    uint32_t iomap = x86_sread(cpu, tr->base + 0x66, 2);
    uint32_t off = iomap + port / 8;
    if (off + 1 > tr->limit) {
        return false;
    }
    uint32_t bits = x86_sread(cpu, tr->base + off, 2);
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    return (bits & mask) == 0;
}
