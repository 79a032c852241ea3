/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decoded-instruction cache and the run loop.
 *
 * Common 32-bit instructions (an optional segment override; register,
 * [base+index*s+disp] and immediate forms of MOV, ALU incl. 8-bit, TEST,
 * LEA, INC/DEC, NOT/NEG, IMUL, PUSH/POP, Jcc, JMP/CALL incl. indirect,
 * RET, LEAVE, CWDE/CDQ, MOVZX/MOVSX, SETcc, CMOVcc, shifts, 16-bit MOV,
 * RDTSC, PAUSE and every x87 escape with its effective address), and the
 * common 16-bit ones (dcache16.h: real, V86 and 16-bit protected mode),
 * are decoded once into an X86DInsn with a handler kind. Straight-line
 * runs of them, through not-taken conditional branches up to another
 * control transfer, form a block keyed by the physical address of its
 * first instruction and stamped with its page's generation; an
 * instruction the cache does not know ends its block and runs through the
 * full decoder in exec.c (h_generic).
 *
 * The run loop is direct-threaded: each instruction carries the label of
 * its handler inside x86_run_loop, and each handler jumps to the next
 * one's. cpu->eip and cpu->icount are updated per block; handlers use
 * di_eip()/di_next(), a handler that can fault records itself in
 * cpu->cur_di so that x86_dcache_unwind gives the exception the exact EIP
 * and count, and one that can write memory or call out checks
 * cpu->pending after it (events, faults and -icount stay exact). A block
 * remembers its recent successors in the same page (b->next[]) and enters
 * them without a lookup while nothing is pending.
 *
 * Self-modifying code: a page gets a code mark when its first specialised
 * entry is made; the TLB then gives it write tags that force the slow path
 * (tag|4), whose first write bumps the page generation and drops the mark.
 * Writes by others come in through x86_cpu_invalidate_code, and memory map
 * changes (x86_cpu_flush_phys) drop the whole cache. Both set cpu->pending,
 * so a block whose bytes changed under it is left after the current
 * instruction.
 */
#include <glib.h>
#include "cpu/x86/exec-inline.h"

void x86_dcache_init(X86Cpu *cpu)
{
    cpu->dcache = g_new(X86Block, DCACHE_SIZE);
    cpu->page_gen = g_new0(uint32_t, PHYS_PAGES);
    cpu->code_page = g_new0(uint8_t, PHYS_PAGES);
    cpu->smc_stamp = g_new0(uint16_t, PHYS_PAGES);
    x86_dcache_flush(cpu);
}

void x86_dcache_free(X86Cpu *cpu)
{
    g_free(cpu->dcache);
    g_free(cpu->page_gen);
    g_free(cpu->code_page);
    g_free(cpu->smc_stamp);
}

void x86_dcache_flush(X86Cpu *cpu)
{
    for (unsigned i = 0; i < DCACHE_SIZE; i++) {
        cpu->dcache[i].pa = ~0ull;
    }
    memset(cpu->code_page, 0, PHYS_PAGES);
    /* a block being run may be stale now: leave it after this instruction */
    cpu->pending = true;
    /* write tags with the code mark lose it on the next fill */
    x86_tlb_flush(cpu, true);
}

/* code_page[]: bit 0 marks decoded instructions in the page; bits 1-7
 * count how often such a page was written (saturating). Pages that keep
 * being written by the CPU while code runs from them (code and data
 * sharing a page) stop getting specialised entries, so they no longer
 * ping-pong; such a page is retried after about 2^20 instructions
 * (decode_block), and the counts are forgotten every 65536 invalidations. */
#define SMC_LIMIT 32

static void invalidate_page(X86Cpu *cpu, uint64_t ppage, bool count)
{
    if (ppage < (1ull << 32) && (cpu->code_page[ppage >> 12] & 1)) {
        uint8_t v = cpu->code_page[ppage >> 12];
        if (count && (v >> 1) < 127) {
            v += 2;
            if ((v >> 1) == SMC_LIMIT) {
                cpu->smc_stamp[ppage >> 12] = (uint16_t)(cpu->icount >> 20);
            }
        }
        cpu->code_page[ppage >> 12] = v & ~1u;
        cpu->page_gen[ppage >> 12]++;
        /* the run loop leaves the current block after this instruction */
        cpu->pending = true;
        /* pages get reused for other code over time: forget the counts now
         * and then */
        if ((++cpu->smc_events & 0xffff) == 0) {
            for (unsigned i = 0; i < PHYS_PAGES; i++) {
                cpu->code_page[i] &= 1;
            }
        }
    }
}

void x86_code_written(X86Cpu *cpu, uint64_t ppage)
{
    invalidate_page(cpu, ppage, true);
}

void x86_cpu_invalidate_code(X86Cpu *cpu, uint64_t paddr, uint64_t len)
{
    if (len == 0) {
        return;
    }
    for (uint64_t p = paddr & ~0xfffull; p < paddr + len && p < (1ull << 32); p += 4096) {
        invalidate_page(cpu, p, false);
    }
}

static void mark_code_page(X86Cpu *cpu, uint64_t ppage)
{
    if (cpu->code_page[ppage >> 12] & 1) {
        return;
    }
    cpu->code_page[ppage >> 12] |= 1;
    /* writable TLB entries for the page must take the slow path now */
    for (int m = 0; m < 2; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            X86TlbEntry *e = &cpu->tlb[m][i];
            if (e->phys == ppage && !(e->tag_w & 3)) {
                e->tag_w |= 4;
            }
        }
    }
}

static inline unsigned dhash(uint64_t pa)
{
    return (unsigned)((pa ^ (pa >> DCACHE_BITS)) & (DCACHE_SIZE - 1));
}

/* Handlers: 32-bit operand and address size, default segments. */

static inline uint32_t di_ea(X86Cpu *cpu, const X86DInsn *di)
{
    /* base and index are 8 when absent: regs[8] is 0 */
    return di->disp + cpu->regs[di->base] + (cpu->regs[di->index] << di->scale);
}

/* EIP of di and of the instruction after it: the run loop keeps only the
 * block's first EIP; di->off is the instruction's offset from it. */
static inline uint32_t di_eip(const X86Cpu *cpu, const X86DInsn *di)
{
    return cpu->block_eip + di->off;
}

static inline uint32_t di_next(const X86Cpu *cpu, const X86DInsn *di)
{
    return cpu->block_eip + di->off + di->len;
}

/* For handlers that call out to code reading cpu->eip or the count. */
static inline void di_sync(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->eip = di_eip(cpu, di);
    cpu->icount = cpu->block_icount + (uint64_t)(di - cpu->cur_block->insn);
}

static inline void di_jump(X86Cpu *cpu, uint32_t target)
{
    if (unlikely(target > cpu->seg[S_CS].limit) && cpu->pe && !cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    cpu->next_eip = target;
}

static inline __attribute__((always_inline)) void h_nop(X86Cpu *cpu, const X86DInsn *di)
{
}

static inline __attribute__((always_inline)) void h_alu_rr(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t r = alu(cpu, di->op, cpu->regs[di->r1], cpu->regs[di->r2], 4);
    if (di->op != 7) {
        cpu->regs[di->r1] = r;
    }
}

static inline __attribute__((always_inline)) void h_test_rr(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, cpu->regs[di->r1], cpu->regs[di->r2], 4);
}

static inline __attribute__((always_inline)) void h_alu_ri(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t r = alu(cpu, di->op, cpu->regs[di->r1], di->imm, 4);
    if (di->op != 7) {
        cpu->regs[di->r1] = r;
    }
}

static inline __attribute__((always_inline)) void h_alu_r_m(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4);
    uint32_t r = alu(cpu, di->op, cpu->regs[di->r1], v, 4);
    if (di->op != 7) {
        cpu->regs[di->r1] = r;
    }
}

static inline __attribute__((always_inline)) void h_alu_m_r(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t off = di_ea(cpu, di);
    if (di->op == 7) {
        alu(cpu, 7, x86_lread(cpu, seg_lin(cpu, di->seg, off, 4, false), 4), cpu->regs[di->r1], 4);
        return;
    }
    uint32_t lin = seg_lin(cpu, di->seg, off, 4, true);
    probe_write(cpu, lin, 4);
    uint32_t a = x86_lread(cpu, lin, 4);
    /* probe_write made the page writable: the write cannot fault after
     * the flags are set */
    uint32_t r = alu(cpu, di->op, a, cpu->regs[di->r1], 4);
    x86_lwrite(cpu, lin, r, 4);
}

static inline __attribute__((always_inline)) void h_alu_m_i(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t off = di_ea(cpu, di);
    if (di->op == 7) {
        alu(cpu, 7, x86_lread(cpu, seg_lin(cpu, di->seg, off, 4, false), 4), di->imm, 4);
        return;
    }
    uint32_t lin = seg_lin(cpu, di->seg, off, 4, true);
    probe_write(cpu, lin, 4);
    uint32_t r = alu(cpu, di->op, x86_lread(cpu, lin, 4), di->imm, 4);
    x86_lwrite(cpu, lin, r, 4);
}

static inline __attribute__((always_inline)) void h_mov_rr(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[di->r1] = cpu->regs[di->r2];
}

static inline __attribute__((always_inline)) void h_mov_ri(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[di->r1] = di->imm;
}

static inline __attribute__((always_inline)) void h_mov_r_m(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[di->r1] = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4);
}

static inline __attribute__((always_inline)) void h_mov_m_r(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, true), cpu->regs[di->r1], 4);
}

static inline __attribute__((always_inline)) void h_mov_m_i(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, true), di->imm, 4);
}

static inline __attribute__((always_inline)) void h_mov_r8_m(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 1, false), 1);
    setreg(cpu, di->r1, v, 1);
}

static inline __attribute__((always_inline)) void h_mov_m_r8(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 1, true), getreg(cpu, di->r1, 1), 1);
}

static inline __attribute__((always_inline)) void h_lea(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[di->r1] = di_ea(cpu, di);
}

static inline __attribute__((always_inline)) void h_movx_rr(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned s = (di->op & 1) ? 2 : 1;
    uint32_t v = getreg(cpu, di->r2, s);
    cpu->regs[di->r1] = (di->op & 8) ? sext(v, s) : v;
}

static inline __attribute__((always_inline)) void h_movx_rm(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned s = (di->op & 1) ? 2 : 1;
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), s, false), s);
    cpu->regs[di->r1] = (di->op & 8) ? sext(v, s) : v;
}

static inline __attribute__((always_inline)) void h_incdec(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[di->r1] = inc_dec(cpu, cpu->regs[di->r1], di->op, 4);
}

static inline __attribute__((always_inline)) void h_push_r(X86Cpu *cpu, const X86DInsn *di)
{
    push(cpu, cpu->regs[di->r1], 4);
}

static inline __attribute__((always_inline)) void h_push_i(X86Cpu *cpu, const X86DInsn *di)
{
    push(cpu, di->imm, 4);
}

static inline __attribute__((always_inline)) void h_pop_r(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = pop(cpu, 4);
    cpu->regs[di->r1] = v;
}

static inline __attribute__((always_inline)) void h_jcc(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t nx = di_next(cpu, di);
    cpu->next_eip = nx;
    if (cond(cpu, di->op)) {
        di_jump(cpu, nx + di->imm);
    }
}

static inline __attribute__((always_inline)) void h_jmp(X86Cpu *cpu, const X86DInsn *di)
{
    di_jump(cpu, di_next(cpu, di) + di->imm);
}

static inline __attribute__((always_inline)) void h_call(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t ret = di_next(cpu, di);
    uint32_t t = ret + di->imm;
    if (t > cpu->seg[S_CS].limit && cpu->pe && !cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    push(cpu, ret, 4);
    cpu->next_eip = t;
}

static inline __attribute__((always_inline)) void h_ret(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t off = cpu->stack32 ? cpu->regs[R_ESP] : (cpu->regs[R_ESP] & 0xffff);
    uint32_t t = x86_lread(cpu, seg_lin(cpu, S_SS, off, 4, false), 4);
    di_jump(cpu, t);
    if (cpu->stack32) {
        cpu->regs[R_ESP] += 4;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | ((cpu->regs[R_ESP] + 4) & 0xffff);
    }
}

static inline __attribute__((always_inline)) void h_alu8_rr(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t r = alu(cpu, di->op, getreg(cpu, di->r1, 1), getreg(cpu, di->r2, 1), 1);
    if (di->op != 7) {
        setreg(cpu, di->r1, r, 1);
    }
}

static inline __attribute__((always_inline)) void h_alu8_r_m(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 1, false), 1);
    uint32_t r = alu(cpu, di->op, getreg(cpu, di->r1, 1), v, 1);
    if (di->op != 7) {
        setreg(cpu, di->r1, r, 1);
    }
}

static inline __attribute__((always_inline)) void h_alu8_m_r(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t off = di_ea(cpu, di);
    if (di->op == 7) {
        alu(cpu, 7, x86_lread(cpu, seg_lin(cpu, di->seg, off, 1, false), 1), getreg(cpu, di->r1, 1), 1);
        return;
    }
    uint32_t lin = seg_lin(cpu, di->seg, off, 1, true);
    probe_write(cpu, lin, 1);
    uint32_t r = alu(cpu, di->op, x86_lread(cpu, lin, 1), getreg(cpu, di->r1, 1), 1);
    x86_lwrite(cpu, lin, r, 1);
}

static inline __attribute__((always_inline)) void h_alu8_m_i(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t off = di_ea(cpu, di);
    if (di->op == 7) {
        alu(cpu, 7, x86_lread(cpu, seg_lin(cpu, di->seg, off, 1, false), 1), di->imm, 1);
        return;
    }
    uint32_t lin = seg_lin(cpu, di->seg, off, 1, true);
    probe_write(cpu, lin, 1);
    uint32_t r = alu(cpu, di->op, x86_lread(cpu, lin, 1), di->imm, 1);
    x86_lwrite(cpu, lin, r, 1);
}

static inline __attribute__((always_inline)) void h_alu8_ri(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t r = alu(cpu, di->op, getreg(cpu, di->r1, 1), di->imm, 1);
    if (di->op != 7) {
        setreg(cpu, di->r1, r, 1);
    }
}

static inline __attribute__((always_inline)) void h_test8_m_i(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 1, false), 1), di->imm, 1);
}

static inline __attribute__((always_inline)) void h_mov8_m_i(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 1, true), di->imm, 1);
}

static inline __attribute__((always_inline)) void h_mov16_r_m(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 2, false), 2), 2);
}

static inline __attribute__((always_inline)) void h_mov16_m_r(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 2, true), getreg(cpu, di->r1, 2), 2);
}

static inline __attribute__((always_inline)) void h_incdec_m(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t lin = seg_lin(cpu, di->seg, di_ea(cpu, di), 4, true);
    probe_write(cpu, lin, 4);
    uint32_t r = inc_dec(cpu, x86_lread(cpu, lin, 4), di->op, 4);
    x86_lwrite(cpu, lin, r, 4);
}

static inline __attribute__((always_inline)) void h_call_ind(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t t = di->base == 0xff ? cpu->regs[di->r1]
                                  : x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4);
    if (t > cpu->seg[S_CS].limit && cpu->pe && !cpu->v86) {
        x86_raise(cpu, EXC_GP, 0);
    }
    push(cpu, di_next(cpu, di), 4);
    cpu->next_eip = t;
}

static inline __attribute__((always_inline)) void h_jmp_ind(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t t = di->base == 0xff ? cpu->regs[di->r1]
                                  : x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4);
    di_jump(cpu, t);
}

static inline __attribute__((always_inline)) void h_push_m(X86Cpu *cpu, const X86DInsn *di)
{
    push(cpu, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4), 4);
}

static inline __attribute__((always_inline)) void h_setcc_r(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, cond(cpu, di->op) ? 1 : 0, 1);
}

static inline __attribute__((always_inline)) void h_cmov_rr(X86Cpu *cpu, const X86DInsn *di)
{
    if (cond(cpu, di->op)) {
        cpu->regs[di->r1] = cpu->regs[di->r2];
    }
}

static inline __attribute__((always_inline)) void h_cmov_rm(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4);
    if (cond(cpu, di->op)) {
        cpu->regs[di->r1] = v;
    }
}

static inline __attribute__((always_inline)) void h_mov_eax_moffs(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[R_EAX] = x86_lread(cpu, seg_lin(cpu, di->seg, di->disp, 4, false), 4);
}

static inline __attribute__((always_inline)) void h_mov_moffs_eax(X86Cpu *cpu, const X86DInsn *di)
{
    x86_lwrite(cpu, seg_lin(cpu, di->seg, di->disp, 4, true), cpu->regs[R_EAX], 4);
}

static inline __attribute__((always_inline)) void h_test_mr(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4), cpu->regs[di->r1], 4);
}

static inline __attribute__((always_inline)) void h_test_ri(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, cpu->regs[di->r1], di->imm, 4);
}

static inline __attribute__((always_inline)) void h_test_mi(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4), di->imm, 4);
}

static inline __attribute__((always_inline)) void h_not_neg_r(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = cpu->regs[di->r1];
    cpu->regs[di->r1] = di->op == 2 ? ~v : alu(cpu, 5, 0, v, 4);
}

static inline __attribute__((always_inline)) void h_imul_rr(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[di->r1] = imul32(cpu, cpu->regs[di->r1], cpu->regs[di->r2]);
}

static inline __attribute__((always_inline)) void h_imul_rm(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t v = x86_lread(cpu, seg_lin(cpu, di->seg, di_ea(cpu, di), 4, false), 4);
    cpu->regs[di->r1] = imul32(cpu, cpu->regs[di->r1], v);
}

static inline __attribute__((always_inline)) void h_cdq(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[R_EDX] = (cpu->regs[R_EAX] & 0x80000000u) ? 0xffffffffu : 0;
}

static inline __attribute__((always_inline)) void h_cwde(X86Cpu *cpu, const X86DInsn *di)
{
    cpu->regs[R_EAX] = sext(cpu->regs[R_EAX] & 0xffff, 2);
}

static inline __attribute__((always_inline)) void h_leave(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t ebp = cpu->stack32 ? cpu->regs[R_EBP] : (cpu->regs[R_EBP] & 0xffff);
    uint32_t v = x86_lread(cpu, seg_lin(cpu, S_SS, ebp, 4, false), 4);
    if (cpu->stack32) {
        cpu->regs[R_ESP] = ebp + 4;
    } else {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xffff0000u) | ((ebp + 4) & 0xffff);
    }
    cpu->regs[R_EBP] = v;
}

static inline __attribute__((always_inline)) void h_ret_imm(X86Cpu *cpu, const X86DInsn *di)
{
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t off = cpu->stack32 ? esp : (esp & 0xffff);
    uint32_t t = x86_lread(cpu, seg_lin(cpu, S_SS, off, 4, false), 4);
    di_jump(cpu, t);
    if (cpu->stack32) {
        cpu->regs[R_ESP] = esp + 4 + di->imm;
    } else {
        cpu->regs[R_ESP] = (esp & 0xffff0000u) | ((esp + 4 + di->imm) & 0xffff);
    }
}

static inline __attribute__((always_inline)) void h_fpu(X86Cpu *cpu, const X86DInsn *di)
{
    di_sync(cpu, di);
    X86FpuMem fm = { di->seg, di->r2 < 0xc0 ? di_ea(cpu, di) : 0, true };
    x86_fpu_exec(cpu, di->op, di->r2, &fm);
}

static inline __attribute__((always_inline)) void h_fwait(X86Cpu *cpu, const X86DInsn *di)
{
    di_sync(cpu, di);
    x86_fpu_wait(cpu);
}

static inline __attribute__((always_inline)) void h_shift_ri(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned cnt = di->imm & 31;
    if (cnt) {
        cpu->regs[di->r1] = shift32(cpu, di->op, cpu->regs[di->r1], cnt);
    }
}

static inline __attribute__((always_inline)) void h_shift_rcl(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned cnt = cpu->regs[R_ECX] & 31;
    if (cnt) {
        cpu->regs[di->r1] = shift32(cpu, di->op, cpu->regs[di->r1], cnt);
    }
}

static inline __attribute__((always_inline)) void h_test8_rr(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, getreg(cpu, di->r1, 1), getreg(cpu, di->r2, 1), 1);
}

static inline __attribute__((always_inline)) void h_test8_ri(X86Cpu *cpu, const X86DInsn *di)
{
    alu(cpu, 4, getreg(cpu, di->r1, 1), di->imm, 1);
}

static inline __attribute__((always_inline)) void h_mov8_rr(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, getreg(cpu, di->r2, 1), 1);
}

static inline __attribute__((always_inline)) void h_mov8_ri(X86Cpu *cpu, const X86DInsn *di)
{
    setreg(cpu, di->r1, di->imm, 1);
}

static inline __attribute__((always_inline)) void h_shift16_ri(X86Cpu *cpu, const X86DInsn *di)
{
    unsigned cnt = di->imm & 31;
    if (cnt) {
        setreg(cpu, di->r1, x86_shift(cpu, di->op, getreg(cpu, di->r1, 2), cnt, 2), 2);
    }
}

static inline __attribute__((always_inline)) void h_rdtsc(X86Cpu *cpu, const X86DInsn *di)
{
    if ((cpu->cr4 & CR4_TSD) && cpu->pe && cpu->cpl != 0) {
        x86_raise(cpu, EXC_GP, 0);
    }
    di_sync(cpu, di);
    uint64_t t = x86_rdtsc(cpu);
    cpu->regs[R_EAX] = (uint32_t)t;
    cpu->regs[R_EDX] = (uint32_t)(t >> 32);
}

/* The commonest handlers again with the operation (ALU op, condition)
 * fixed at decode time, so the switch on it folds away. */
#define ALU_VARIANTS(X, n) X(n, 0) X(n, 1) X(n, 2) X(n, 3) X(n, 4) X(n, 5) X(n, 6) X(n, 7)
#define CC_VARIANTS(X, n) ALU_VARIANTS(X, n) X(n, 8) X(n, 9) X(n, 10) X(n, 11) \
    X(n, 12) X(n, 13) X(n, 14) X(n, 15)
#define DEF_VARIANT(n, k) \
    static inline __attribute__((always_inline)) void h_##n##_##k(X86Cpu *cpu, const X86DInsn *di) \
    { \
        X86DInsn d = *di; \
        d.op = k; \
        h_##n(cpu, &d); \
    }
ALU_VARIANTS(DEF_VARIANT, alu_rr)
ALU_VARIANTS(DEF_VARIANT, alu_ri)
ALU_VARIANTS(DEF_VARIANT, alu_r_m)
CC_VARIANTS(DEF_VARIANT, jcc)

/* Decoding */

/* ModRM (+SIB, displacement) with 32-bit addressing at p; returns its
 * length, or 0 when a memory form should stay generic. */
static unsigned parse_modrm(const uint8_t *p, X86DInsn *di, int *mod, int *reg, int *rm)
{
    uint8_t m = p[0];
    unsigned n = 1;
    *mod = m >> 6;
    *reg = (m >> 3) & 7;
    *rm = m & 7;
    if (*mod == 3) {
        return 1;
    }
    di->base = 8;
    di->index = 8;
    di->scale = 0;
    di->disp = 0;
    di->seg = S_DS;
    if (*rm == 4) {
        uint8_t sib = p[n++];
        int base = sib & 7, idx = (sib >> 3) & 7;
        di->scale = sib >> 6;
        if (idx != 4) {
            di->index = (uint8_t)idx;
        }
        if (base == 5 && *mod == 0) {
            memcpy(&di->disp, p + n, 4);
            n += 4;
        } else {
            di->base = (uint8_t)base;
            if (base == R_ESP || base == R_EBP) {
                di->seg = S_SS;
            }
        }
    } else if (*rm == 5 && *mod == 0) {
        memcpy(&di->disp, p + n, 4);
        n += 4;
    } else {
        di->base = (uint8_t)*rm;
        if (*rm == R_EBP) {
            di->seg = S_SS;
        }
    }
    if (*mod == 1) {
        di->disp += (uint32_t)(int8_t)p[n++];
    } else if (*mod == 2) {
        uint32_t d;
        memcpy(&d, p + n, 4);
        di->disp += d;
        n += 4;
    }
    return n;
}

/* Fill di for the instruction at p (prefixes already consumed). */
static void decode_body(X86Cpu *cpu, X86DInsn *di, const uint8_t *p)
{
    int mod, reg, rm;
    unsigned n;
    uint8_t op = p[0];
    di->fn = NULL;
    if (op < 0x40 && (op & 7) < 4) {
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        di->op = op >> 3;
        di->len = (uint8_t)n;
        if (!(op & 1)) {
            if (mod == 3) {
                di->r1 = (uint8_t)((op & 2) ? reg : rm);
                di->r2 = (uint8_t)((op & 2) ? rm : reg);
                di->fn = h_alu8_rr;
            } else {
                di->r1 = (uint8_t)reg;
                di->fn = (op & 2) ? h_alu8_r_m : h_alu8_m_r;
            }
            return;
        }
        if (mod == 3) {
            di->r1 = (uint8_t)((op & 2) ? reg : rm);
            di->r2 = (uint8_t)((op & 2) ? rm : reg);
            di->fn = h_alu_rr;
        } else {
            di->r1 = (uint8_t)reg;
            di->fn = (op & 2) ? h_alu_r_m : h_alu_m_r;
        }
        return;
    }
    if (op < 0x40 && (op & 7) == 5) { /* ALU EAX, imm32 */
        memcpy(&di->imm, p + 1, 4);
        di->op = op >> 3;
        di->r1 = R_EAX;
        di->len = 5;
        di->fn = h_alu_ri;
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
    if (op >= 0xb0 && op <= 0xb7) {
        di->r1 = op & 7;
        di->imm = p[1];
        di->len = 2;
        di->fn = h_mov8_ri;
        return;
    }
    if (op == 0x84) {
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod != 3) {
            return;
        }
        di->r1 = (uint8_t)rm;
        di->r2 = (uint8_t)reg;
        di->len = (uint8_t)n;
        di->fn = h_test8_rr;
        return;
    }
    if (op == 0xa8 || op == 0xa9) {
        di->r1 = R_EAX;
        if (op == 0xa8) {
            di->imm = p[1];
            di->len = 2;
            di->fn = h_test8_ri;
        } else {
            memcpy(&di->imm, p + 1, 4);
            di->len = 5;
            di->fn = h_test_ri;
        }
        return;
    }
    if (op >= 0x40 && op <= 0x4f) {
        di->r1 = op & 7;
        di->op = (op >> 3) & 1;
        di->len = 1;
        di->fn = h_incdec;
        return;
    }
    if (op >= 0x50 && op <= 0x57) {
        di->r1 = op & 7;
        di->len = 1;
        di->fn = h_push_r;
        return;
    }
    if (op >= 0x58 && op <= 0x5f) {
        di->r1 = op & 7;
        di->len = 1;
        di->fn = h_pop_r;
        return;
    }
    if (op == 0x68 || op == 0x6a) {
        if (op == 0x68) {
            memcpy(&di->imm, p + 1, 4);
            di->len = 5;
        } else {
            di->imm = (uint32_t)(int8_t)p[1];
            di->len = 2;
        }
        di->fn = h_push_i;
        return;
    }
    if (op >= 0x70 && op <= 0x7f) {
        di->op = op & 15;
        di->imm = (uint32_t)(int8_t)p[1];
        di->len = 2;
        di->fn = h_jcc;
        return;
    }
    switch (op) {
    case 0x80:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        di->imm = p[n++];
        di->op = (uint8_t)reg;
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)rm;
            di->fn = h_alu8_ri;
        } else {
            di->fn = h_alu8_m_i;
        }
        return;
    case 0xf6:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod == 3 || reg != 0) {
            return;
        }
        di->imm = p[n++];
        di->len = (uint8_t)n;
        di->fn = h_test8_m_i;
        return;
    case 0xc6:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod == 3 || reg != 0) {
            return;
        }
        di->imm = p[n++];
        di->len = (uint8_t)n;
        di->fn = h_mov8_m_i;
        return;
    case 0xff:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->base = 0xff;    /* register operand */
            di->r1 = (uint8_t)rm;
        }
        switch (reg) {
        case 0: case 1:
            if (mod != 3) {
                di->op = (uint8_t)reg;
                di->fn = h_incdec_m;
            }
            return;
        case 2: di->fn = h_call_ind; return;
        case 4: di->fn = h_jmp_ind; return;
        case 6:
            if (mod != 3) {
                di->fn = h_push_m;
            }
            return;
        default: return;
        }
    case 0xa1: case 0xa3:
        memcpy(&di->disp, p + 1, 4);
        di->seg = S_DS;
        di->len = 5;
        di->fn = op == 0xa1 ? h_mov_eax_moffs : h_mov_moffs_eax;
        return;
    case 0x81: case 0x83:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (op == 0x81) {
            memcpy(&di->imm, p + n, 4);
            n += 4;
        } else {
            di->imm = (uint32_t)(int8_t)p[n++];
        }
        di->op = (uint8_t)reg;
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)rm;
            di->fn = h_alu_ri;
        } else {
            di->fn = h_alu_m_i;
        }
        return;
    case 0x85:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        di->len = (uint8_t)n;
        if (mod != 3) {
            di->r1 = (uint8_t)reg;
            di->fn = h_test_mr;
            return;
        }
        di->r1 = (uint8_t)rm;
        di->r2 = (uint8_t)reg;
        di->fn = h_test_rr;
        return;
    case 0xf7:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (reg == 0) {
            memcpy(&di->imm, p + n, 4);
            di->len = (uint8_t)(n + 4);
            di->r1 = (uint8_t)rm;
            di->fn = mod == 3 ? h_test_ri : h_test_mi;
        } else if ((reg == 2 || reg == 3) && mod == 3) {
            di->op = (uint8_t)reg;
            di->r1 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = h_not_neg_r;
        }
        return;
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        di->op = op;
        di->r2 = p[1];          /* the ModRM byte */
        di->len = (uint8_t)n;
        di->fn = h_fpu;
        return;
    case 0x9b:
        di->len = 1;
        di->fn = h_fwait;
        return;
    case 0x98:
        di->len = 1;
        di->fn = h_cwde;
        return;
    case 0x99:
        di->len = 1;
        di->fn = h_cdq;
        return;
    case 0xc9:
        di->len = 1;
        di->fn = h_leave;
        return;
    case 0xc2: {
        uint16_t imm;
        memcpy(&imm, p + 1, 2);
        di->imm = imm;
        di->len = 3;
        di->fn = h_ret_imm;
        return;
    }
    case 0x88: case 0x8a:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod == 3) {
            di->r1 = (uint8_t)(op == 0x88 ? rm : reg);
            di->r2 = (uint8_t)(op == 0x88 ? reg : rm);
            di->len = (uint8_t)n;
            di->fn = h_mov8_rr;
            return;
        }
        di->r1 = (uint8_t)reg;
        di->len = (uint8_t)n;
        di->fn = op == 0x88 ? h_mov_m_r8 : h_mov_r8_m;
        return;
    case 0x89: case 0x8b:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        di->len = (uint8_t)n;
        if (mod == 3) {
            di->r1 = (uint8_t)(op == 0x89 ? rm : reg);
            di->r2 = (uint8_t)(op == 0x89 ? reg : rm);
            di->fn = h_mov_rr;
        } else {
            di->r1 = (uint8_t)reg;
            di->fn = op == 0x89 ? h_mov_m_r : h_mov_r_m;
        }
        return;
    case 0x8d:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod == 3) {
            return;
        }
        di->r1 = (uint8_t)reg;
        di->len = (uint8_t)n;
        di->fn = h_lea;
        return;
    case 0x90:
        di->len = 1;
        di->fn = h_nop;
        return;
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        di->r1 = op & 7;
        memcpy(&di->imm, p + 1, 4);
        di->len = 5;
        di->fn = h_mov_ri;
        return;
    case 0xc1: case 0xd1:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod != 3) {
            return;
        }
        di->imm = op == 0xd1 ? 1 : p[n++];
        di->op = (uint8_t)reg;
        di->r1 = (uint8_t)rm;
        di->len = (uint8_t)n;
        di->fn = h_shift_ri;
        return;
    case 0xd3:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod != 3) {
            return;
        }
        di->op = (uint8_t)reg;
        di->r1 = (uint8_t)rm;
        di->len = (uint8_t)n;
        di->fn = h_shift_rcl;
        return;
    case 0xc3:
        di->len = 1;
        di->fn = h_ret;
        return;
    case 0xc7:
        n = 1 + parse_modrm(p + 1, di, &mod, &reg, &rm);
        if (mod == 3 || reg != 0) {
            return;
        }
        memcpy(&di->imm, p + n, 4);
        di->len = (uint8_t)(n + 4);
        di->fn = h_mov_m_i;
        return;
    case 0xe8: case 0xe9:
        memcpy(&di->imm, p + 1, 4);
        di->len = 5;
        di->fn = op == 0xe8 ? h_call : h_jmp;
        return;
    case 0xeb:
        di->imm = (uint32_t)(int8_t)p[1];
        di->len = 2;
        di->fn = h_jmp;
        return;
    case 0xf3:
        if (p[1] == 0x90) { /* PAUSE */
            di->len = 2;
            di->fn = h_nop;
        }
        return;
    case 0x0f:
        if (p[1] == 0x31 && x86_has_feature(cpu, FEAT_TSC)) {
            di->len = 2;
            di->fn = h_rdtsc;
            return;
        }
        if (p[1] >= 0x90 && p[1] <= 0x9f) {
            n = 2 + parse_modrm(p + 2, di, &mod, &reg, &rm);
            if (mod != 3) {
                return;
            }
            di->op = p[1] & 15;
            di->r1 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = h_setcc_r;
            return;
        }
        if (p[1] >= 0x40 && p[1] <= 0x4f && x86_has_feature(cpu, FEAT_CMOV)) {
            n = 2 + parse_modrm(p + 2, di, &mod, &reg, &rm);
            di->op = p[1] & 15;
            di->r1 = (uint8_t)reg;
            di->r2 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = mod == 3 ? h_cmov_rr : h_cmov_rm;
            return;
        }
        if (p[1] >= 0x80 && p[1] <= 0x8f) {
            di->op = p[1] & 15;
            memcpy(&di->imm, p + 2, 4);
            di->len = 6;
            di->fn = h_jcc;
            return;
        }
        if (p[1] == 0xaf) {
            n = 2 + parse_modrm(p + 2, di, &mod, &reg, &rm);
            di->r1 = (uint8_t)reg;
            di->r2 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = mod == 3 ? h_imul_rr : h_imul_rm;
            return;
        }
        if (p[1] == 0xb6 || p[1] == 0xb7 || p[1] == 0xbe || p[1] == 0xbf) {
            n = 2 + parse_modrm(p + 2, di, &mod, &reg, &rm);
            di->op = p[1];
            di->r1 = (uint8_t)reg;
            di->r2 = (uint8_t)rm;
            di->len = (uint8_t)n;
            di->fn = mod == 3 ? h_movx_rr : h_movx_rm;
            return;
        }
        return;
    default:
        return;
    }
}

#include "cpu/x86/dcache16.h"

/* One optional segment override or operand-size prefix (16-bit MOV). */
static void decode(X86Cpu *cpu, X86DInsn *di, const uint8_t *p)
{
    static const int8_t segpfx[256] = {
        [0x26] = S_ES + 1, [0x2e] = S_CS + 1, [0x36] = S_SS + 1,
        [0x3e] = S_DS + 1, [0x64] = S_FS + 1, [0x65] = S_GS + 1,
    };
    di->fn = NULL;
    if (!cpu->code32) {
        decode16(cpu, di, p);
        return;
    }
    int seg = segpfx[p[0]] - 1;
    unsigned pre = seg >= 0 ? 1 : 0;
    if (p[pre] == 0x66) {
        /* MOV r16, r/m16 and MOV r/m16, r16 with a memory operand, NOP,
         * shifts of a 16-bit register by an immediate */
        int mod, reg, rm;
        uint8_t op = p[pre + 1];
        if (op == 0x90) {
            di->len = (uint8_t)(pre + 2);
            di->fn = h_nop;
            return;
        }
        if (op == 0xc1) {
            unsigned n = 2 + parse_modrm(p + pre + 2, di, &mod, &reg, &rm);
            if (mod != 3) {
                return;
            }
            di->imm = p[pre + n];
            di->op = (uint8_t)reg;
            di->r1 = (uint8_t)rm;
            di->len = (uint8_t)(pre + n + 1);
            di->fn = h_shift16_ri;
            return;
        }
        if (op != 0x89 && op != 0x8b) {
            return;
        }
        unsigned n = 2 + parse_modrm(p + pre + 2, di, &mod, &reg, &rm);
        if (mod == 3) {
            return;
        }
        di->r1 = (uint8_t)reg;
        di->fn = op == 0x89 ? h_mov16_m_r : h_mov16_r_m;
        di->len = (uint8_t)(pre + n);
    } else {
        decode_body(cpu, di, p + pre);
        if (!di->fn) {
            return;
        }
        di->len = (uint8_t)(di->len + pre);
    }
    if (seg >= 0) {
        di->seg = (uint8_t)seg;
    }
}

/* x86_exec_generic as the last instruction of a block: anything may
 * change, so nothing decoded follows it. */
static inline __attribute__((always_inline)) void h_generic(X86Cpu *cpu, const X86DInsn *di)
{
    /* always last in its block; it may switch tasks or modes, so the
     * block is left behind before it runs */
    di_sync(cpu, di);
    cpu->cur_block = NULL;
    x86_exec_generic(cpu);
    cpu->next_eip = cpu->eip;
}

static bool ends_block(X86Handler fn)
{
    return fn == h_jcc || fn == h_jmp || fn == h_call || fn == h_ret || fn == h_ret_imm ||
           fn == h_call_ind || fn == h_jmp_ind || ends_block16(fn);
}

/* Every handler, for the dispatch switch of the run loop: the handlers are
 * inlined there and di->kind selects one. */
#define HANDLERS(X) \
    X(nop) \
    X(alu_rr) \
    X(test_rr) \
    X(alu_ri) \
    X(alu_r_m) \
    X(alu_m_r) \
    X(alu_m_i) \
    X(mov_rr) \
    X(mov_ri) \
    X(mov_r_m) \
    X(mov_m_r) \
    X(mov_m_i) \
    X(mov_r8_m) \
    X(mov_m_r8) \
    X(lea) \
    X(movx_rr) \
    X(movx_rm) \
    X(incdec) \
    X(push_r) \
    X(push_i) \
    X(pop_r) \
    X(jcc) \
    X(jmp) \
    X(call) \
    X(ret) \
    X(alu8_rr) \
    X(alu8_r_m) \
    X(alu8_m_r) \
    X(alu8_m_i) \
    X(alu8_ri) \
    X(test8_m_i) \
    X(mov8_m_i) \
    X(mov16_r_m) \
    X(mov16_m_r) \
    X(incdec_m) \
    X(call_ind) \
    X(jmp_ind) \
    X(push_m) \
    X(setcc_r) \
    X(cmov_rr) \
    X(cmov_rm) \
    X(mov_eax_moffs) \
    X(mov_moffs_eax) \
    X(test_mr) \
    X(test_ri) \
    X(test_mi) \
    X(not_neg_r) \
    X(imul_rr) \
    X(imul_rm) \
    X(cdq) \
    X(cwde) \
    X(leave) \
    X(ret_imm) \
    X(fpu) \
    X(fwait) \
    X(shift_ri) \
    X(shift_rcl) \
    X(generic) \
    X(rdtsc) \
    X(test8_rr) \
    X(test8_ri) \
    X(mov8_rr) \
    X(mov8_ri) \
    X(shift16_ri) \
    ALU_VARIANTS(VARIANT_X, alu_rr) \
    ALU_VARIANTS(VARIANT_X, alu_ri) \
    ALU_VARIANTS(VARIANT_X, alu_r_m) \
    CC_VARIANTS(VARIANT_X, jcc) \
    HANDLERS16(X)
#define VARIANT_X(n, k) X(n##_##k)

enum {
#define X(n) K_##n,
    HANDLERS(X)
#undef X
    K_COUNT
};

static const X86Handler handler_fns[] = {
#define X(n) h_##n,
    HANDLERS(X)
#undef X
};

/* Handlers that touch no memory and call nothing: they cannot fault or
 * set cpu->pending, so the run loop skips that bookkeeping for them. */
#define PURE_HANDLERS(X) \
    X(nop) X(alu_rr) X(test_rr) X(alu_ri) X(mov_rr) X(mov_ri) X(lea) X(movx_rr) X(incdec) \
    X(setcc_r) X(cmov_rr) X(not_neg_r) X(imul_rr) X(cdq) X(cwde) X(shift_ri) X(shift_rcl) \
    X(test8_rr) X(test8_ri) X(mov8_rr) X(mov8_ri) X(shift16_ri) X(alu8_rr) X(alu8_ri) \
    ALU_VARIANTS(VARIANT_X, alu_rr) ALU_VARIANTS(VARIANT_X, alu_ri) \
    PURE_HANDLERS16(X)

static const bool kind_pure[K_COUNT] = {
#define X(n) [K_##n] = true,
    PURE_HANDLERS(X)
#undef X
    [K_generic] = false,
};

/* handler -> kind, an open-addressed table filled on first use */
#define KIND_HASH_SIZE 512
static struct {
    X86Handler fn;
    uint8_t kind;
} kind_hash[KIND_HASH_SIZE];

static unsigned kind_slot(X86Handler fn)
{
    uintptr_t v = (uintptr_t)fn;
    return (unsigned)((v ^ (v >> 9)) * 2654435761u) & (KIND_HASH_SIZE - 1);
}

#define IS_JCC_KIND(k) ((k) >= K_jcc_0 && (k) <= K_jcc_15)
/* di->kind is a uint8_t */
G_STATIC_ASSERT(G_N_ELEMENTS(handler_fns) <= 256);

static uint8_t kind_of(X86Handler fn)
{
    if (!kind_hash[kind_slot(h_nop)].fn) {
        for (unsigned i = 0; i < G_N_ELEMENTS(handler_fns); i++) {
            unsigned h = kind_slot(handler_fns[i]);
            while (kind_hash[h].fn) {
                h = (h + 1) & (KIND_HASH_SIZE - 1);
            }
            kind_hash[h].fn = handler_fns[i];
            kind_hash[h].kind = (uint8_t)i;
        }
    }
    for (unsigned h = kind_slot(fn); kind_hash[h].fn; h = (h + 1) & (KIND_HASH_SIZE - 1)) {
        if (kind_hash[h].fn == fn) {
            return kind_hash[h].kind;
        }
    }
    return K_generic;
}

/* Decode the block at pa (page offset <= 4096 - 16) from host bytes p. */
static void decode_block(X86Cpu *cpu, X86Block *b, uint64_t pa, const uint8_t *p,
                         const void *const *labels)
{
    unsigned off = (unsigned)(pa & 0xfff), bytes = 0, n = 0;
    bool generic = false;
    if ((cpu->code_page[pa >> 12] >> 1) >= SMC_LIMIT) {
        /* a page that kept being written while it ran stays generic for
         * about a million instructions, then gets another chance (code
         * patched at boot must not stay slow) */
        if ((uint16_t)((uint16_t)(cpu->icount >> 20) - cpu->smc_stamp[pa >> 12]) >= 2) {
            cpu->code_page[pa >> 12] &= 1;
        } else {
            generic = true;
            b->mode = 0xff;    /* never hits: the expiry is checked again */
        }
    }
    while (!generic && n < BLOCK_MAX - 1 && off + bytes <= 4096 - 16) {
        X86DInsn *di = &b->insn[n];
        decode(cpu, di, p + bytes);
        di->off = (uint16_t)bytes;
        if (!di->fn) {
            generic = true;
            break;
        }
        di->kind = kind_of(di->fn);
        switch (di->kind) {
        case K_alu_rr: di->kind = (uint8_t)(K_alu_rr_0 + di->op); break;
        case K_alu_ri: di->kind = (uint8_t)(K_alu_ri_0 + di->op); break;
        case K_alu_r_m: di->kind = (uint8_t)(K_alu_r_m_0 + di->op); break;
        case K_jcc: di->kind = (uint8_t)(K_jcc_0 + di->op); break;
        default: break;
        }
        n++;
        bytes += di->len;
        /* a conditional branch does not end its block: taken, it leaves
         * the block there (the run loop checks); not taken, the block
         * goes on with the instruction after it */
        if (ends_block(di->fn) && !IS_JCC_KIND(di->kind)) {
            break;
        }
    }
    if (n > 0) {
        mark_code_page(cpu, pa & ~0xfffull);
    }
    if (generic) {
        b->insn[n].fn = h_generic;
        b->insn[n].kind = K_generic;
        b->insn[n].len = 0;
        b->insn[n].off = (uint16_t)bytes;
        n++;
    }
    b->n = (uint8_t)n;
    b->bytes = (uint16_t)bytes;
    b->next[0] = b->next[1] = NULL;
    b->jumps = n > 0 && (b->insn[n - 1].fn == h_generic || ends_block(b->insn[n - 1].fn));
    /* from here on each instruction carries its handler's label */
    for (unsigned i = 0; i < n; i++) {
        b->insn[i].label = labels[b->insn[i].kind];
    }
}

static inline X86Block *lookup(X86Cpu *cpu, uint64_t pa, const uint8_t *p,
                               const void *const *labels)
{
    X86Block *b = &cpu->dcache[dhash(pa)];
    uint32_t gen = cpu->page_gen[pa >> 12];
    if (likely(b->pa == pa && b->gen == gen && b->mode == (uint8_t)cpu->code32)) {
        return b;
    }
    b->pa = pa;
    b->gen = gen;
    b->mode = (uint8_t)cpu->code32;
    decode_block(cpu, b, pa, p, labels);
    return b;
}

/* Called when an exception unwinds out of a block: cpu->eip and the count
 * are kept per block, cpu->cur_di is the instruction that faulted. */
void x86_dcache_unwind(X86Cpu *cpu)
{
    const X86Block *b = cpu->cur_block;
    if (!b) {
        return;
    }
    const X86DInsn *di = cpu->cur_di;
    cpu->eip = cpu->block_eip + di->off;
    cpu->icount = cpu->block_icount + (uint64_t)(di - b->insn);
    cpu->cur_block = NULL;
}

int x86_run_loop(X86Cpu *cpu, uint64_t end)
{
    /* threaded dispatch: every handler ends with its own jump to the next */
    static const void *const labels[] = {
#define X(n) &&L_##n,
        HANDLERS(X)
#undef X
    };
    for (;;) {
        if (unlikely(cpu->pending)) {
            int ret = x86_check_events(cpu);
            if (ret >= 0) {
                return ret;
            }
        }
        if (unlikely(cpu->icount >= end)) {
            return X86_EXIT_BUDGET;
        }
        uint32_t tf = cpu->eflags & F_TF;
        uint32_t eip = cpu->eip;
        uint32_t lin = cpu->seg[S_CS].base + eip;
        if (unlikely((lin & ~0xfffu) != cpu->fetch_page) && eip <= cpu->seg[S_CS].limit) {
            /* new code page: translate it (faulting as the fetch would) */
            uint8_t *host = x86_fetch_ptr(cpu, lin);
            if (host) {
                X86TlbEntry *e = &cpu->tlb[cpu->tlb_mode][(lin >> 12) & (TLB_SIZE - 1)];
                cpu->fetch_page = lin & ~0xfffu;
                cpu->fetch_host = host;
                cpu->fetch_phys = e->phys;
            }
        }
        if (likely((lin & ~0xfffu) == cpu->fetch_page && (lin & 0xfff) <= 4096 - 16 &&
                   cpu->fetch_phys < (1ull << 32))) {
            X86Block *b = lookup(cpu, cpu->fetch_phys | (lin & 0xfff), cpu->fetch_host + (lin & 0xfff),
                                 labels);
            uint64_t ic = cpu->icount;
            const X86DInsn *di, *de;
            bool one = tf | cpu->single_step | cpu->pending;
        run_block:
            /* here cpu->eip == eip and cpu->icount == ic */
            if (unlikely((uint64_t)eip + b->bytes > (uint64_t)cpu->seg[S_CS].limit + 1)) {
                /* the block crosses the CS limit: the generic path faults
                 * where it must */
                x86_exec_generic(cpu);
                cpu->icount++;
                goto next;
            }
            di = b->insn;
            de = di + b->n;
            if (unlikely(one)) {
                /* TF, GDB stepping, or still pending after
                 * x86_check_events (breakpoints…): one instruction */
                de = di + 1;
            }
            if (unlikely((uint64_t)b->n > end - ic)) {
                de = di + MIN((uint64_t)(de - di), end - ic);
            }
            /* Direct-threaded: each handler jumps to the next one's
             * label. cpu->eip and the count are kept per block (the
             * handlers use di_eip/di_next); a handler that can fault
             * first records di in cpu->cur_di (x86_dcache_unwind), and
             * one that can write memory or call out checks cpu->pending
             * after it. */
            cpu->cur_block = b;
            cpu->block_eip = eip;
            cpu->block_icount = ic;
            goto *di->label;
#define X(n) \
    L_##n: \
        if (!kind_pure[K_##n]) { \
            cpu->cur_di = di; \
        } \
        h_##n(cpu, di); \
        if (IS_JCC_KIND(K_##n) && cpu->next_eip != di_next(cpu, di)) { \
            goto block_jump; \
        } \
        if (unlikely(++di >= de) || (!kind_pure[K_##n] && unlikely(cpu->pending))) { \
            goto block_done; \
        } \
        goto *di->label;
            HANDLERS(X)
#undef X
        block_jump:
            /* a conditional branch taken inside the block */
            cpu->cur_block = NULL;
            ic += (uint64_t)(di - b->insn) + 1;
            cpu->icount = ic;
            eip = cpu->next_eip;
            cpu->eip = eip;
            goto chain;
        block_done:
            cpu->cur_block = NULL;
            ic += (uint64_t)(di - b->insn);
            cpu->icount = ic;
            if (di != b->insn + b->n) {
                /* stopped early: before di */
                cpu->eip = eip + di->off;
                goto next;
            }
            /* a control transfer or h_generic (always last) set next_eip;
             * otherwise the block fell through */
            eip = b->jumps ? cpu->next_eip : eip + b->bytes;
            cpu->eip = eip;
        chain:
            /* Chaining: a successor in the same physical page, remembered
             * in b->next[], is still valid if it has b's generation (a
             * write to the page would have set cpu->pending) and the same
             * code size; no hash or page lookup then. TF set by the
             * block's last instruction raises pending (x86_exec_generic). */
            lin = cpu->seg[S_CS].base + eip;
            if (likely(!(cpu->pending | one)) && likely(ic < end) &&
                likely((lin & ~0xfffu) == cpu->fetch_page && (lin & 0xfff) <= 4096 - 16) &&
                likely(((cpu->fetch_phys ^ b->pa) >> 12) == 0)) {
                uint64_t pa = cpu->fetch_phys | (lin & 0xfff);
                uint8_t mode = (uint8_t)cpu->code32;
                X86Block *nb = b->next[0];
                if (unlikely(!nb || nb->pa != pa || nb->gen != b->gen || nb->mode != mode)) {
                    nb = b->next[1];
                    if (!nb || nb->pa != pa || nb->gen != b->gen || nb->mode != mode) {
                        nb = lookup(cpu, pa, cpu->fetch_host + (lin & 0xfff), labels);
                        if (nb == b) {
                            /* b's own slot got re-decoded: it is nb now,
                             * and its links are stale */
                            nb->next[0] = nb->next[1] = NULL;
                            goto run_block;
                        }
                    }
                    b->next[1] = b->next[0];
                    b->next[0] = nb;
                }
                b = nb;
                goto run_block;
            }
        } else {
            x86_exec_generic(cpu);
            cpu->icount++;
        }
    next:
        if (unlikely(tf | cpu->single_step)) {
            int ret = x86_after_insn(cpu, tf);
            if (ret >= 0) {
                return ret;
            }
        }
    }
}
