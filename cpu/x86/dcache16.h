/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decoded-instruction cache: instructions of 16-bit code segments (real
 * mode, V86 mode, 16-bit protected mode).
 *
 * Included by dcache.c once its own handlers, parse_modrm() and
 * decode_body() are defined; this is a part of that file, not a header
 * of its own (it uses dcache.c's static helpers and handlers).
 *
 * decode16() takes the prefixes 26/2E/36/3E/64/65 (one), 66 and 67 (once
 * each, in any order) and decodes the common forms with 16- and 32-bit
 * operands and 16- and 32-bit addresses: MOV (r/m, reg, imm, moffs, Sreg),
 * ALU, TEST, INC/DEC, NOT/NEG, LEA, MOVZX/MOVSX, shifts of registers,
 * CBW/CWD, XCHG AX, PUSH/POP (reg, imm, r/m, Sreg), Jcc, JMP, CALL, RET,
 * LOOP/JCXZ, LEAVE, CLC/STC/CLD/STD. With both 66 and 67 every operand
 * and address is 32-bit, as in 32-bit code, and decode_body() does it
 * (what it leaves out goes through decode16_body, which also knows the
 * 32-bit forms).
 * Anything else stays on the full decoder (exec.c).
 *
 * Memory operands: di->base/index/scale/disp as for 32-bit code, and
 * di->r2 is the address size (0: 16-bit, the offset wraps at 64 KiB; 1:
 * 32-bit). BP-based forms default to SS. Near control transfers with a
 * 16-bit operand size mask the target to 16 bits, then check it against
 * CS.limit (#GP) in protected mode as jump() does.
 */
#ifndef BP_CPU_X86_DCACHE16_H
#define BP_CPU_X86_DCACHE16_H

#define AI16 static inline __attribute__((always_inline))

static inline uint32_t di_ea16(const X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t off = di->disp + cpu->regs[di->base] + (cpu->regs[di->index] << di->scale);
    return off & (0xffffu | (0u - di->r2));
}

static inline void di_jump16(X86Cpu *cpu, uint32_t target)
{
    di_jump(cpu, target & 0xffff);
}

/* Memory forms, for operand sizes 1, 2 and 4 (SIZED16 below). */

AI16 void c16_mov_r_m(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    setreg(cpu, di->r1, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, false), sz), sz);
}

AI16 void c16_mov_m_r(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, true), getreg(cpu, di->r1, sz), sz);
}

AI16 void c16_mov_m_i(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, true), di->imm, sz);
}

AI16 void c16_alu_r_m(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, false), sz);
    uint32_t r = alu(cpu, di->op, getreg(cpu, di->r1, sz), v, sz);
    if (di->op != 7) {
        setreg(cpu, di->r1, r, sz);
    }
}

/* read-modify-write: probe_write first, so a fault reports a write and
 * the write cannot fault after the flags are set */
AI16 void c16_alu_m_v(X86Cpu *cpu, const X86DInsn *di, uint32_t b, unsigned sz)
{
    uint32_t off = di_ea16(cpu, di);
    if (di->op == 7) {
        alu(cpu, 7, x86_lread(cpu, seg_lin(cpu, di->seg, off, sz, false), sz), b, sz);
        return;
    }
    uint32_t lin = seg_lin(cpu, di->seg, off, sz, true);
    probe_write(cpu, lin, sz);
    uint32_t r = alu(cpu, di->op, x86_lread(cpu, lin, sz), b, sz);
    x86_lwrite(cpu, lin, r, sz);
}

AI16 void c16_alu_m_r(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    c16_alu_m_v(cpu, di, getreg(cpu, di->r1, sz), sz);
}

AI16 void c16_alu_m_i(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    c16_alu_m_v(cpu, di, di->imm, sz);
}

AI16 void c16_test_m_r(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, false), sz);
    alu(cpu, 4, v, getreg(cpu, di->r1, sz), sz);
}

AI16 void c16_test_m_i(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, false), sz);
    alu(cpu, 4, v, di->imm, sz);
}

AI16 void c16_incdec_m(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    uint32_t lin = seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, true);
    probe_write(cpu, lin, sz);
    uint32_t r = inc_dec(cpu, x86_lread(cpu, lin, sz), di->op, sz);
    x86_lwrite(cpu, lin, r, sz);
}

/* sizes 2 and 4 only */
AI16 void c16_lea(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    setreg(cpu, di->r1, di_ea16(cpu, di), sz);
}

/* MOVZX/MOVSX r, m8/m16: di->op is the second opcode byte */
AI16 void c16_movx_rm(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    unsigned s = (di->op & 1) ? 2 : 1;
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), s, false), s);
    setreg(cpu, di->r1, (di->op & 8) ? sext(v, s) : v, sz);
}

AI16 void c16_push_m(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    push(cpu, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), sz, false), sz), sz);
}

/* POP m16/m32: an address based on ESP uses its value after the pop */
AI16 void c16_pop_m(X86Cpu *cpu, const X86DInsn *di, unsigned sz)
{
    uint32_t v = peek(cpu, sz, 0);
    uint32_t off = di_ea16(cpu, di) + (di->base == R_ESP && di->r2 ? sz : 0);
    x86_lwrite(cpu, seg_lin(cpu, di->seg, off, sz, true), v, sz);
    add_esp(cpu, sz);
}

#define SIZED16_BWD(X, n) X(n, b, 1) X(n, w, 2) X(n, d, 4)
#define SIZED16_WD(X, n) X(n, w, 2) X(n, d, 4)
#define SIZED16(X) \
    SIZED16_BWD(X, mov_r_m) SIZED16_BWD(X, mov_m_r) SIZED16_BWD(X, mov_m_i) \
    SIZED16_BWD(X, alu_r_m) SIZED16_BWD(X, alu_m_r) SIZED16_BWD(X, alu_m_i) \
    SIZED16_BWD(X, test_m_r) SIZED16_BWD(X, test_m_i) SIZED16_BWD(X, incdec_m) \
    SIZED16_WD(X, lea) SIZED16_WD(X, movx_rm) SIZED16_WD(X, push_m) SIZED16_WD(X, pop_m)
#define DEF_SIZED16(n, s, sz) \
    AI16 void h_c16_##n##_##s(X86Cpu *cpu, const X86DInsn *di) \
    { \
        c16_##n(cpu, di, sz); \
    }
SIZED16(DEF_SIZED16)
#define SIZED16_X(n, s, sz) X(c16_##n##_##s)

/* Register forms with 16-bit operands (32-bit ones use dcache.c's). */

AI16 void h_c16_alu_rr_w(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t r = alu(cpu, di->op, getreg(cpu, di->r1, 2), getreg(cpu, di->r2, 2), 2);
    if (di->op != 7) {
        setreg(cpu, di->r1, r, 2);
    }
}

AI16 void h_c16_alu_ri_w(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t r = alu(cpu, di->op, getreg(cpu, di->r1, 2), di->imm, 2);
    if (di->op != 7) {
        setreg(cpu, di->r1, r, 2);
    }
}

AI16 void h_c16_test_rr_w(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, getreg(cpu, di->r1, 2), getreg(cpu, di->r2, 2), 2);
}

AI16 void h_c16_test_ri_w(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, getreg(cpu, di->r1, 2), di->imm, 2);
}

AI16 void h_c16_mov_rr_w(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, cpu->regs[di->r2], 2);
}

AI16 void h_c16_mov_ri_w(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, di->imm, 2);
}

AI16 void h_c16_incdec_w(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, inc_dec(cpu, getreg(cpu, di->r1, 2), di->op, 2), 2);
}

AI16 void h_c16_incdec_b(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, inc_dec(cpu, getreg(cpu, di->r1, 1), di->op, 1), 1);
}

AI16 void h_c16_not_neg_w(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = getreg(cpu, di->r1, 2);
    setreg(cpu, di->r1, di->op == 2 ? ~v : alu(cpu, 5, 0, v, 2), 2);
}

/* MOVZX/MOVSX r16, r8 (and the 16-to-16 forms): di->op is the opcode */
AI16 void h_c16_movx_rr_w(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned s = (di->op & 1) ? 2 : 1;
    uint32_t v = getreg(cpu, di->r2, s);
    setreg(cpu, di->r1, (di->op & 8) ? sext(v, s) : v, 2);
}

AI16 void h_c16_xchg_ax_w(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = getreg(cpu, di->r1, 2);
    setreg(cpu, di->r1, cpu->regs[R_EAX], 2);
    setreg(cpu, R_EAX, v, 2);
}

AI16 void h_c16_cbw(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, R_EAX, sext(cpu->regs[R_EAX] & 0xff, 1), 2);
}

AI16 void h_c16_cwd(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, R_EDX, (cpu->regs[R_EAX] & 0x8000) ? 0xffff : 0, 2);
}

/* shifts and rotates of a register: x86_shift has the flags of every
 * count (1-31 here; 0 changes nothing) */
AI16 void h_c16_shift_ri_b(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned cnt = di->imm & 31;
    if (cnt) {
        setreg(cpu, di->r1, x86_shift(cpu, di->op, getreg(cpu, di->r1, 1), cnt, 1), 1);
    }
}

AI16 void h_c16_shift_rcl_w(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned cnt = cpu->regs[R_ECX] & 31;
    if (cnt) {
        setreg(cpu, di->r1, x86_shift(cpu, di->op, getreg(cpu, di->r1, 2), cnt, 2), 2);
    }
}

/* CLD/STD: di->op is the new DF */
AI16 void h_c16_df(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->eflags = (cpu->eflags & ~F_DF) | (di->op ? F_DF : 0);
}

/* CLC/STC */
AI16 void h_c16_cf(X86Cpu *cpu, const X86DInsn *di)
{
    x86_set_flags(cpu, di->op ? F_CF : 0, F_CF);
}

/* Stack */

AI16 void h_c16_push_r_w(X86Cpu *cpu, const X86DInsn *di)
{
    push(cpu, cpu->regs[di->r1], 2);
}

AI16 void h_c16_pop_r_w(X86Cpu *cpu, const X86DInsn *di)
{
    /* POP SP: the popped value replaces the incremented SP */
    uint32_t v = pop(cpu, 2);
    setreg(cpu, di->r1, v, 2);
}

AI16 void h_c16_push_i_w(X86Cpu *cpu, const X86DInsn *di)
{
    push(cpu, di->imm, 2);
}

AI16 void h_c16_leave_w(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t bp = cpu->stack32 ? cpu->regs[R_EBP] : (cpu->regs[R_EBP] & 0xffff);
    uint32_t v = x86_lread(cpu, seg_lin(cpu, S_SS, bp, 2, false), 2);
    if (cpu->stack32) {
        cpu->regs[R_ESP] = bp + 2;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | ((bp + 2) & 0xffff);
    }
    setreg(cpu, R_EBP, v, 2);
}

/* Segment registers (di->op), 16-bit operand size */

AI16 void h_c16_push_sreg(X86Cpu *cpu, const X86DInsn *di)
{
    push(cpu, cpu->seg[di->op].sel, 2);
}

AI16 void c16_load_sreg(X86Cpu *cpu, int s, uint16_t sel)
{
    x86_seg_load(cpu, s, sel);
    if (s == S_SS) {
        /* no interrupt, and no single-step trap, before the next
         * instruction (the MOV SP) */
        cpu->inhibit_irq = true;
        cpu->inhibit_db = true;
        cpu->pending = true;
    }
}

AI16 void h_c16_pop_sreg(X86Cpu *cpu, const X86DInsn *di)
{
    uint16_t sel = (uint16_t)peek(cpu, 2, 0);
    c16_load_sreg(cpu, di->op, sel);
    add_esp(cpu, 2);
}

/* MOV Sreg, r/m16: di->base is 0xff for a register operand (di->r1) */
AI16 void h_c16_mov_sreg(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t sel;
    if (di->base == 0xff) {
        sel = cpu->regs[di->r1];
    } else {
        sel = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), 2, false), 2);
    }
    c16_load_sreg(cpu, di->op, (uint16_t)sel);
}

/* MOV r16/r32, Sreg (the selector zero-extended; di->imm the size) */
AI16 void h_c16_mov_r_sreg(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, cpu->seg[di->op].sel, di->imm);
}

AI16 void h_c16_mov_m_sreg(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), 2, true), cpu->seg[di->op].sel, 2);
}

/* Control transfers with a 16-bit operand size: IP wraps at 64 KiB */

AI16 void h_c16_jcc(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t nx = di_next(cpu, di);
    cpu->next_eip = nx;
    if (cond(cpu, di->op)) {
        di_jump16(cpu, nx + di->imm);
    }
}

AI16 void h_c16_jmp(X86Cpu *cpu, const X86DInsn *di)
{
    di_jump16(cpu, di_next(cpu, di) + di->imm);
}

AI16 void h_c16_call(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t ret = di_next(cpu, di);
    uint32_t t = (ret + di->imm) & 0xffff;
    if (t > cpu->seg[S_CS].limit && cpu->pe && !cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    push(cpu, ret, 2);
    cpu->next_eip = t;
}

AI16 void h_c16_ret_w(X86Cpu *cpu, const X86DInsn *di)
{
    di_jump16(cpu, peek(cpu, 2, 0));
    add_esp(cpu, 2);
}

AI16 void h_c16_ret_imm_w(X86Cpu *cpu, const X86DInsn *di)
{
    di_jump16(cpu, peek(cpu, 2, 0));
    add_esp(cpu, 2 + di->imm);
}

/* CALL/JMP near r/m16: di->base is 0xff for a register operand */
AI16 uint32_t c16_ind_target(X86Cpu *cpu, const X86DInsn *di)
{
    if (di->base == 0xff) {
        return cpu->regs[di->r1] & 0xffff;
    }
    return x86_lread(cpu, seg_lin(cpu, di->seg, di_ea16(cpu, di), 2, false), 2);
}

AI16 void h_c16_call_ind(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t t = c16_ind_target(cpu, di);
    if (t > cpu->seg[S_CS].limit && cpu->pe && !cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    push(cpu, di_next(cpu, di), 2);
    cpu->next_eip = t;
}

AI16 void h_c16_jmp_ind(X86Cpu *cpu, const X86DInsn *di)
{
    di_jump16(cpu, c16_ind_target(cpu, di));
}

/* LOOPNE/LOOPE/LOOP/JCXZ (di->op 0-3); di->r2 is the address size, which
 * selects CX or ECX */
AI16 void h_c16_loop(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t nx = di_next(cpu, di);
    uint32_t c = di->r2 ? cpu->regs[R_ECX] : (cpu->regs[R_ECX] & 0xffff);
    bool take;
    cpu->next_eip = nx;
    if (di->op == 3) {
        take = c == 0;
    } else {
        c--;
        if (di->r2) {
            cpu->regs[R_ECX] = c;
        } else {
            setreg(cpu, R_ECX, c, 2);
            c &= 0xffff;
        }
        take = c != 0;
        if (di->op == 0) {
            take = take && !cond(cpu, 4);
        } else if (di->op == 1) {
            take = take && cond(cpu, 4);
        }
    }
    if (take) {
        di_jump16(cpu, nx + di->imm);
    }
}

/* Jcc with the condition fixed at decode time (h_c16_jcc itself is not
 * a kind of its own) */
#define DEF_JCC16(n, k) \
    AI16 void h_c16_jcc_##k(X86Cpu *cpu, const X86DInsn *di) \
    { \
        X86DInsn d = *di; \
        d.op = k; \
        h_c16_jcc(cpu, &d); \
    }
CC_VARIANTS(DEF_JCC16, jcc)
#define JCC16_X(n, k) X(c16_jcc_##k)

static const X86Handler c16_jcc_fns[16] = {
#define JCC16_FN(n, k) h_c16_jcc_##k,
    CC_VARIANTS(JCC16_FN, jcc)
#undef JCC16_FN
};

#define HANDLERS16(X) \
    SIZED16(SIZED16_X) \
    X(c16_alu_rr_w) X(c16_alu_ri_w) X(c16_test_rr_w) X(c16_test_ri_w) X(c16_mov_rr_w) \
    X(c16_mov_ri_w) X(c16_incdec_w) X(c16_incdec_b) X(c16_not_neg_w) X(c16_movx_rr_w) \
    X(c16_xchg_ax_w) X(c16_cbw) X(c16_cwd) X(c16_shift_ri_b) X(c16_shift_rcl_w) X(c16_df) \
    X(c16_cf) X(c16_push_r_w) X(c16_pop_r_w) X(c16_push_i_w) X(c16_leave_w) \
    X(c16_push_sreg) X(c16_pop_sreg) X(c16_mov_sreg) X(c16_mov_r_sreg) X(c16_mov_m_sreg) \
    X(c16_jmp) X(c16_call) X(c16_ret_w) X(c16_ret_imm_w) X(c16_call_ind) \
    X(c16_jmp_ind) X(c16_loop) \
    CC_VARIANTS(JCC16_X, jcc)

/* no memory, no calls out (x86_shift only computes) */
#define PURE_HANDLERS16(X) \
    X(c16_alu_rr_w) X(c16_alu_ri_w) X(c16_test_rr_w) X(c16_test_ri_w) X(c16_mov_rr_w) \
    X(c16_mov_ri_w) X(c16_incdec_w) X(c16_incdec_b) X(c16_not_neg_w) X(c16_movx_rr_w) \
    X(c16_xchg_ax_w) X(c16_cbw) X(c16_cwd) X(c16_shift_ri_b) X(c16_shift_rcl_w) X(c16_df) \
    X(c16_mov_r_sreg)

static bool ends_block16(X86Handler fn)
{
    if (fn == h_c16_jcc || fn == h_c16_jmp || fn == h_c16_call || fn == h_c16_ret_w ||
        fn == h_c16_ret_imm_w || fn == h_c16_call_ind || fn == h_c16_jmp_ind || fn == h_c16_loop) {
        return true;
    }
    for (unsigned i = 0; i < 16; i++) {
        if (fn == c16_jcc_fns[i]) {
            return true;
        }
    }
    return false;
}

/* Decoding */

/* ModRM at p with 16-bit (a32 false) or 32-bit addresses; sets di->r2 to
 * the address size for a memory operand. */
static unsigned parse_modrm16(const uint8_t *p, X86DInsn *di, bool a32, int *mod, int *reg, int *rm)
{
    static const uint8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
    static const uint8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, 8, 8, 8, 8 };
    if (a32) {
        unsigned n = parse_modrm(p, di, mod, reg, rm);
        if (*mod != 3) {
            di->r2 = 1;
        }
        return n;
    }
    uint8_t m = p[0];
    unsigned n = 1;
    *mod = m >> 6;
    *reg = (m >> 3) & 7;
    *rm = m & 7;
    if (*mod == 3) {
        return 1;
    }
    di->r2 = 0;
    di->scale = 0;
    di->disp = 0;
    di->base = base16[*rm];
    di->index = index16[*rm];
    /* [bp+si], [bp+di], [bp+disp]: SS */
    di->seg = di->base == R_EBP ? S_SS : S_DS;
    if (*mod == 0 && *rm == 6) {
        di->base = 8;
        di->seg = S_DS;
        di->disp = (uint32_t)p[1] | ((uint32_t)p[2] << 8);
        n = 3;
    } else if (*mod == 1) {
        di->disp = (uint32_t)(int8_t)p[1];
        n = 2;
    } else if (*mod == 2) {
        di->disp = (uint32_t)p[1] | ((uint32_t)p[2] << 8);
        n = 3;
    }
    return n;
}

static inline uint32_t imm16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static inline uint32_t imm32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* A handler of the SIZED16 set for the operand size s (1, 2, 4) */
#define PICK16(n, s) ((s) == 1 ? h_c16_##n##_b : (s) == 2 ? h_c16_##n##_w : h_c16_##n##_d)
#define PICK16_WD(n, s) ((s) == 2 ? h_c16_##n##_w : h_c16_##n##_d)

/* Fill di for the instruction at p (prefixes consumed), with 32-bit
 * operands when o32, 32-bit addresses when a32 (not both). */
static void decode16_body(X86Cpu *cpu, X86DInsn *di, const uint8_t *p, bool o32, bool a32)
{
    int mod, reg, rm;
    unsigned n;
    unsigned sz = o32 ? 4 : 2;
    uint8_t op = p[0];
    di->fn = NULL;
    if (op < 0x40 && (op & 7) < 4) { /* ALU r/m, r and r, r/m */
        unsigned s = (op & 1) ? sz : 1;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        di->op = op >> 3;
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)((op & 2) ? reg : rm);
            di->r2 = (uint8_t)((op & 2) ? rm : reg);
            di->fn = s == 1 ? h_alu8_rr : s == 2 ? h_c16_alu_rr_w : h_alu_rr;
        } else {
            di->r1 = (uint8_t)reg;
            di->fn = (op & 2) ? PICK16(alu_r_m, s) : PICK16(alu_m_r, s);
        }
        return;
    }
    if (op < 0x40 && (op & 7) == 4) { /* ALU AL, imm8 */
        di->imm = p[1];
        di->op = op >> 3;
        di->r1 = R_EAX;
        di->len = 2;
        di->fn = h_alu8_ri;
        return;
    }
    if (op < 0x40 && (op & 7) == 5) { /* ALU AX/EAX, imm */
        di->imm = o32 ? imm32(p + 1) : imm16(p + 1);
        di->op = op >> 3;
        di->r1 = R_EAX;
        di->len = (uint8_t)(1 + sz);
        di->fn = o32 ? h_alu_ri : h_c16_alu_ri_w;
        return;
    }
    if (op >= 0x40 && op <= 0x4f) {
        di->r1 = op & 7;
        di->op = (op >> 3) & 1;
        di->len = 1;
        di->fn = o32 ? h_incdec : h_c16_incdec_w;
        return;
    }
    if (op >= 0x50 && op <= 0x5f) {
        di->r1 = op & 7;
        di->len = 1;
        if (op < 0x58) {
            di->fn = o32 ? h_push_r : h_c16_push_r_w;
        } else {
            di->fn = o32 ? h_pop_r : h_c16_pop_r_w;
        }
        return;
    }
    if (op >= 0x70 && op <= 0x7f) {
        di->op = op & 15;
        di->imm = (uint32_t)(int8_t)p[1];
        di->len = 2;
        di->fn = o32 ? h_jcc : c16_jcc_fns[op & 15];
        return;
    }
    if (op >= 0x90 && op <= 0x97) {
        di->len = 1;
        if (op == 0x90) {
            di->fn = h_nop;
        } else if (!o32) {
            di->r1 = op & 7;
            di->fn = h_c16_xchg_ax_w;
        }
        return;
    }
    if (op >= 0xb0 && op <= 0xb7) {
        di->r1 = op & 7;
        di->imm = p[1];
        di->len = 2;
        di->fn = h_mov8_ri;
        return;
    }
    if (op >= 0xb8 && op <= 0xbf) {
        di->r1 = op & 7;
        di->imm = o32 ? imm32(p + 1) : imm16(p + 1);
        di->len = (uint8_t)(1 + sz);
        di->fn = o32 ? h_mov_ri : h_c16_mov_ri_w;
        return;
    }
    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e: /* PUSH ES/CS/SS/DS */
    case 0x07: case 0x17: case 0x1f:            /* POP ES/SS/DS */
        if (o32) {
            return;
        }
        di->op = op >> 3;
        di->len = 1;
        di->fn = (op & 1) ? h_c16_pop_sreg : h_c16_push_sreg;
        return;
    case 0x68: case 0x6a:
        if (op == 0x68) {
            di->imm = o32 ? imm32(p + 1) : imm16(p + 1);
            di->len = (uint8_t)(1 + sz);
        } else {
            di->imm = (uint32_t)(int8_t)p[1];
            di->len = 2;
        }
        di->fn = o32 ? h_push_i : h_c16_push_i_w;
        return;
    case 0x80: case 0x81: case 0x83: {
        unsigned s = op == 0x80 ? 1 : sz;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (op == 0x81) {
            di->imm = o32 ? imm32(p + n) : imm16(p + n);
            n += s;
        } else {
            /* 83: sign-extended to 32 bits, as the full decoder has it */
            di->imm = op == 0x80 ? p[n] : (uint32_t)(int8_t)p[n];
            n++;
        }
        di->op = (uint8_t)reg;
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)rm;
            di->fn = s == 1 ? h_alu8_ri : s == 2 ? h_c16_alu_ri_w : h_alu_ri;
        } else {
            di->fn = PICK16(alu_m_i, s);
        }
        return;
    }
    case 0x84: case 0x85: {
        unsigned s = op == 0x84 ? 1 : sz;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)rm;
            di->r2 = (uint8_t)reg;
            di->fn = s == 1 ? h_test8_rr : s == 2 ? h_c16_test_rr_w : h_test_rr;
        } else {
            di->r1 = (uint8_t)reg;
            di->fn = PICK16(test_m_r, s);
        }
        return;
    }
    case 0x88: case 0x89: case 0x8a: case 0x8b: {
        unsigned s = (op & 1) ? sz : 1;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)((op & 2) ? reg : rm);
            di->r2 = (uint8_t)((op & 2) ? rm : reg);
            di->fn = s == 1 ? h_mov8_rr : s == 2 ? h_c16_mov_rr_w : h_mov_rr;
        } else {
            di->r1 = (uint8_t)reg;
            di->fn = (op & 2) ? PICK16(mov_r_m, s) : PICK16(mov_m_r, s);
        }
        return;
    }
    case 0x8c: /* MOV r/m, Sreg */
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (reg > 5) {
            return;
        }
        di->op = (uint8_t)reg;
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)rm;
            di->imm = sz;
            di->fn = h_c16_mov_r_sreg;
        } else {
            di->fn = h_c16_mov_m_sreg;
        }
        return;
    case 0x8d:
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (mod == 3) {
            return;
        }
        di->r1 = (uint8_t)reg;
        di->len = (uint8_t)n;
        di->fn = PICK16_WD(lea, sz);
        return;
    case 0x8e: /* MOV Sreg, r/m16 (CS and reg > 5 raise #UD: generic) */
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (reg == S_CS || reg > 5) {
            return;
        }
        if (mod == 3) {
            di->base = 0xff;
            di->r1 = (uint8_t)rm;
        }
        di->op = (uint8_t)reg;
        di->len = (uint8_t)n;
        di->fn = h_c16_mov_sreg;
        return;
    case 0x8f: /* POP r/m */
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (mod == 3 || reg != 0) {
            return;
        }
        di->len = (uint8_t)n;
        di->fn = PICK16_WD(pop_m, sz);
        return;
    case 0x98:
        di->len = 1;
        di->fn = o32 ? h_cwde : h_c16_cbw;
        return;
    case 0x99:
        di->len = 1;
        di->fn = o32 ? h_cdq : h_c16_cwd;
        return;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: { /* MOV AL/AX/EAX <-> moffs */
        unsigned s = (op & 1) ? sz : 1;
        di->base = 8;
        di->index = 8;
        di->scale = 0;
        di->disp = a32 ? imm32(p + 1) : imm16(p + 1);
        di->r2 = a32;
        di->seg = S_DS;
        di->r1 = R_EAX;
        di->len = (uint8_t)(a32 ? 5 : 3);
        di->fn = op < 0xa2 ? PICK16(mov_r_m, s) : PICK16(mov_m_r, s);
        return;
    }
    case 0xa8:
        di->r1 = R_EAX;
        di->imm = p[1];
        di->len = 2;
        di->fn = h_test8_ri;
        return;
    case 0xa9:
        di->r1 = R_EAX;
        di->imm = o32 ? imm32(p + 1) : imm16(p + 1);
        di->len = (uint8_t)(1 + sz);
        di->fn = o32 ? h_test_ri : h_c16_test_ri_w;
        return;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd3: {
        unsigned s = (op & 1) ? sz : 1;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (mod == 3 && op == 0xd3 && s != 1) {
            di->op = (uint8_t)reg;
            di->r1 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = o32 ? h_shift_rcl : h_c16_shift_rcl_w;
            return;
        }
        if (mod != 3 || op == 0xd3) {
            return;
        }
        di->imm = op >= 0xd0 ? 1 : p[n++];
        di->op = (uint8_t)reg;
        di->r1 = (uint8_t)rm;
        di->len = (uint8_t)n;
        di->fn = s == 1 ? h_c16_shift_ri_b : s == 2 ? h_shift16_ri : h_shift_ri;
        return;
    }
    case 0xc2:
        di->imm = imm16(p + 1);
        di->len = 3;
        di->fn = o32 ? h_ret_imm : h_c16_ret_imm_w;
        return;
    case 0xc3:
        di->len = 1;
        di->fn = o32 ? h_ret : h_c16_ret_w;
        return;
    case 0xc6: case 0xc7: {
        unsigned s = (op & 1) ? sz : 1;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (mod == 3 || reg != 0) {
            return;
        }
        di->imm = s == 1 ? p[n] : s == 2 ? imm16(p + n) : imm32(p + n);
        di->len = (uint8_t)(n + s);
        di->fn = PICK16(mov_m_i, s);
        return;
    }
    case 0xc9:
        di->len = 1;
        di->fn = o32 ? h_leave : h_c16_leave_w;
        return;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
        if (o32) {
            return;
        }
        di->op = op & 3;
        di->r2 = a32;
        di->imm = (uint32_t)(int8_t)p[1];
        di->len = 2;
        di->fn = h_c16_loop;
        return;
    case 0xe8: case 0xe9:
        di->imm = o32 ? imm32(p + 1) : imm16(p + 1);
        di->len = (uint8_t)(1 + sz);
        if (op == 0xe8) {
            di->fn = o32 ? h_call : h_c16_call;
        } else {
            di->fn = o32 ? h_jmp : h_c16_jmp;
        }
        return;
    case 0xeb:
        di->imm = (uint32_t)(int8_t)p[1];
        di->len = 2;
        di->fn = o32 ? h_jmp : h_c16_jmp;
        return;
    case 0xf6: case 0xf7: {
        unsigned s = (op & 1) ? sz : 1;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        if (reg == 0) {
            di->imm = s == 1 ? p[n] : s == 2 ? imm16(p + n) : imm32(p + n);
            di->len = (uint8_t)(n + s);
            if (mod == 3) {
                di->r1 = (uint8_t)rm;
                di->fn = s == 1 ? h_test8_ri : s == 2 ? h_c16_test_ri_w : h_test_ri;
            } else {
                di->fn = PICK16(test_m_i, s);
            }
        } else if ((reg == 2 || reg == 3) && mod == 3 && s != 1) {
            di->op = (uint8_t)reg;
            di->r1 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = o32 ? h_not_neg_r : h_c16_not_neg_w;
        }
        return;
    }
    case 0xf8: case 0xf9:
        di->op = op & 1;
        di->len = 1;
        di->fn = h_c16_cf;
        return;
    case 0xfc: case 0xfd:
        di->op = op & 1;
        di->len = 1;
        di->fn = h_c16_df;
        return;
    case 0xfe: case 0xff: {
        unsigned s = op == 0xff ? sz : 1;
        n = 1 + parse_modrm16(p + 1, di, a32, &mod, &reg, &rm);
        di->len = (uint8_t)n;
        switch (reg) {
        case 0: case 1:
            di->op = (uint8_t)reg;
            if (mod != 3) {
                di->fn = PICK16(incdec_m, s);
            } else {
                di->r1 = (uint8_t)rm;
                di->fn = s == 1 ? h_c16_incdec_b : s == 2 ? h_c16_incdec_w : h_incdec;
            }
            return;
        case 2: case 4:
            if (s == 1 || (o32 && mod != 3)) {
                return;
            }
            if (mod == 3) {
                di->base = 0xff;    /* register operand */
                di->r1 = (uint8_t)rm;
            }
            if (o32) {
                di->fn = reg == 2 ? h_call_ind : h_jmp_ind;
            } else {
                di->fn = reg == 2 ? h_c16_call_ind : h_c16_jmp_ind;
            }
            return;
        case 6:
            if (s != 1 && mod != 3) {
                di->fn = PICK16_WD(push_m, s);
            }
            return;
        default:
            return;
        }
    }
    case 0x0f:
        break;
    default:
        return;
    }
    /* 0F xx */
    uint8_t op2 = p[1];
    if (op2 >= 0x80 && op2 <= 0x8f) {
        di->op = op2 & 15;
        di->imm = o32 ? imm32(p + 2) : (uint32_t)(int16_t)imm16(p + 2);
        di->len = (uint8_t)(2 + sz);
        di->fn = o32 ? h_jcc : c16_jcc_fns[op2 & 15];
        return;
    }
    if (op2 >= 0x90 && op2 <= 0x9f) {
        n = 2 + parse_modrm16(p + 2, di, a32, &mod, &reg, &rm);
        if (mod != 3) {
            return;
        }
        di->op = op2 & 15;
        di->r1 = (uint8_t)rm;
        di->len = (uint8_t)n;
        di->fn = h_setcc_r;
        return;
    }
    if (op2 == 0xb6 || op2 == 0xb7 || op2 == 0xbe || op2 == 0xbf) {
        n = 2 + parse_modrm16(p + 2, di, a32, &mod, &reg, &rm);
        di->op = op2;
        di->r1 = (uint8_t)reg;
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r2 = (uint8_t)rm;
            di->fn = o32 ? h_movx_rr : h_c16_movx_rr_w;
        } else {
            di->fn = PICK16_WD(movx_rm, sz);
        }
        return;
    }
    if (op2 == 0x31 && x86_has_feature(cpu, FEAT_TSC)) {
        di->len = 2;
        di->fn = h_rdtsc;
    }
}

/* 16-bit code: prefixes, then decode16_body, or decode_body when both
 * operands and addresses are 32-bit. */
static void decode16(X86Cpu *cpu, X86DInsn *di, const uint8_t *p)
{
    int seg = -1;
    bool o32 = false, a32 = false;
    unsigned pre = 0;
    di->fn = NULL;
    for (;; pre++) {
        int s = -1;
        switch (p[pre]) {
        case 0x26: s = S_ES; break;
        case 0x2e: s = S_CS; break;
        case 0x36: s = S_SS; break;
        case 0x3e: s = S_DS; break;
        case 0x64: s = S_FS; break;
        case 0x65: s = S_GS; break;
        case 0x66:
            if (o32) {
                return;
            }
            o32 = true;
            continue;
        case 0x67:
            if (a32) {
                return;
            }
            a32 = true;
            continue;
        default:
            break;
        }
        if (s < 0) {
            break;
        }
        if (seg >= 0) {
            return;
        }
        seg = s;
    }
    if (o32 && a32) {
        decode_body(cpu, di, p + pre);
        if (!di->fn) {
            decode16_body(cpu, di, p + pre, o32, a32);
        }
    } else {
        decode16_body(cpu, di, p + pre, o32, a32);
    }
    if (!di->fn) {
        return;
    }
    di->len = (uint8_t)(di->len + pre);
    if (seg >= 0) {
        di->seg = (uint8_t)seg;
    }
}

#undef AI16

#endif
