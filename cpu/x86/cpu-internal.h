/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private state of the x86 interpreter, shared by its files (cpu.c: life
 * cycle and the run loop; mmu.c: paging and the software TLB; seg.c:
 * segmentation, far transfers, interrupts, task switches; exec.c: decoder and
 * integer instructions; fpu.c: x87 behind x86_fpu_exec()).
 *
 * Faults unwind with longjmp to the run loop (x86_raise), so every
 * instruction writes guest-visible state only after the accesses that may
 * fault, and cpu->eip always holds the start of the current instruction.
 */
#ifndef BP_CPU_X86_INTERNAL_H
#define BP_CPU_X86_INTERNAL_H

#include <setjmp.h>
#include <glib.h>
#include <string.h>
#include "cpu/x86/x86.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_LDTR, S_TR };

/* EFLAGS */
#define F_CF   0x00000001u
#define F_PF   0x00000004u
#define F_AF   0x00000010u
#define F_ZF   0x00000040u
#define F_SF   0x00000080u
#define F_TF   0x00000100u
#define F_IF   0x00000200u
#define F_DF   0x00000400u
#define F_OF   0x00000800u
#define F_IOPL 0x00003000u
#define F_NT   0x00004000u
#define F_RF   0x00010000u
#define F_VM   0x00020000u
#define F_AC   0x00040000u
#define F_VIF  0x00080000u
#define F_VIP  0x00100000u
#define F_ID   0x00200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

#define CR4_VME 0x0001u
#define CR4_PVI 0x0002u
#define CR4_TSD 0x0004u
#define CR4_DE  0x0008u
#define CR4_PSE 0x0010u
#define CR4_PAE 0x0020u
#define CR4_MCE 0x0040u
#define CR4_PGE 0x0080u
#define CR4_PCE 0x0100u
#define CR4_OSFXSR 0x0200u

#define EFER_NXE (1u << 11)

/* Exceptions */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
    EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
    /* not a vector: the x87 error freeze of CR0.NE=0 (fpu.c); the run loop
     * waits at the instruction as HLT does, and runs it again once an
     * interrupt has been taken */
    EXC_FREEZE = 0x100,
};

/* Segment descriptor attributes as kept in X86Seg.attr: bits 0-7 are the
 * descriptor's byte 5 (type, S, DPL, P), bits 12-15 its byte 6 high nibble
 * (AVL, L, D/B, G). */
#define SA_TYPE(a) ((a) & 0x0f)
#define SA_S       0x0010u
#define SA_DPL(a)  (((a) >> 5) & 3)
#define SA_P       0x0080u
#define SA_DB      0x4000u
#define SA_G       0x8000u
#define SA_CODE    0x0008u   /* type bit 3 with S=1 */
#define SA_CONF    0x0004u   /* code: conforming; data: expand-down */
#define SA_RW      0x0002u   /* code: readable; data: writable */

typedef struct X86Seg {
    uint32_t base, limit;
    uint16_t sel, attr;
    /* Offsets valid for access, [lo, hi], from limit and expand direction;
     * lo > hi marks an unusable (null) segment. */
    uint32_t lo, hi;
    bool rok, wok;
    /* base 0, offsets 0-4G, readable / writable: the fast path of
     * seg_lin. Whoever changes base, lo, hi, rok or wok calls
     * x86_seg_update_flat (a stale false is only slower). */
    bool flat_r, flat_w;
} X86Seg;

static inline void x86_seg_update_flat(X86Seg *sg)
{
    bool flat = sg->base == 0 && sg->lo == 0 && sg->hi == 0xffffffffu;
    sg->flat_r = flat && sg->rok;
    sg->flat_w = flat && sg->wok;
}

typedef struct X86Dtr {
    uint32_t base;
    uint16_t limit;
} X86Dtr;

/* Lazy flag kinds: the arithmetic flags are computed from (a, b, res) on
 * demand; CC_EFLAGS means cpu->eflags already holds them. */
enum {
    CC_EFLAGS, CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC,
    CC_SHIFT,   /* shifts, IMUL: CF in cc_cf, OF in cc_b, SF/ZF/PF from res, AF 0 */
};

/* TLB: one set per privilege class (0: CPL 0-2, 1: CPL 3). Tags are
 * page-aligned linear addresses; TLB_INVALID never matches. */
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID 1u
typedef struct X86TlbEntry {
    /* tag | 2: page is valid but reached through the bus (MMIO, ROM write) */
    uint32_t tag_r, tag_w, tag_x;
    bool global, mmio, large;
    uint8_t *host;       /* page host pointer, NULL for MMIO */
    uint64_t phys;       /* physical page address */
} X86TlbEntry;

#define X86_MAX_BP 16

/* Engine-side watchpoints (GDB Z2-Z4), separate from the guest's DRs. */
#define X86_MAX_WATCH 16
typedef struct X86Watch {
    uint32_t addr, len;
    int type;             /* X86WatchType */
} X86Watch;
/* Tag bit of TLB entries whose data accesses must be checked (debug
 * registers, watchpoints, alignment) in x86_slow_read/x86_slow_write. */
#define TLB_CHECK 8u

/* Decoded-instruction cache (dcache.c): blocks of straight-line code keyed
 * by the physical address of their first instruction; a block is valid
 * while its page's generation is unchanged. Only pages below 4 GiB are
 * cached. */
typedef struct X86DInsn X86DInsn;
typedef void (*X86Handler)(X86Cpu *cpu, const X86DInsn *di);
struct X86DInsn {
    union {
        X86Handler fn;        /* while decoding */
        const void *label;    /* then: the run loop's label for it */
    };
    uint32_t disp, imm;
    uint8_t len, op, r1, r2, base, index, scale, seg;
    uint8_t kind;         /* fn's index in dcache.c's handler list */
    uint16_t off;         /* offset from the block's first instruction */
};
#define BLOCK_MAX 32
typedef struct X86Block {
    uint64_t pa;          /* ~0: empty */
    uint32_t gen;
    uint8_t mode;         /* CS.D when decoded */
    uint8_t n;            /* instructions in insn[] */
    uint16_t bytes;       /* length of the specialised instructions */
    bool jumps;           /* the last instruction sets next_eip */
    struct X86Block *next[2];   /* recent successors in the same page (hints) */
    X86DInsn insn[BLOCK_MAX];
} X86Block;
#define DCACHE_BITS 13
#define DCACHE_SIZE (1u << DCACHE_BITS)
#define PHYS_PAGES (1u << 20)

/* x87 state; the FPU files own its meaning. */
typedef struct X86Fpu {
    uint16_t fcw, fsw, ftw;      /* ftw: full 2-bit tag word */
    uint16_t fop;
    uint16_t fcs, fds;
    uint32_t fip, fdp;
    uint8_t top;
    long double st[8];           /* physical registers, ST(i) = st[(top+i)&7] */
    uint64_t mmx_raw[8];         /* unused: MMX aliases st[] (mmx.c) */
    bool ferr;                   /* FERR# output level (CR0.NE=0 reporting) */
} X86Fpu;

struct X86Cpu {
    uint32_t regs[9];    /* regs[8] is always 0: "no register" in an address */
    uint32_t eip;        /* start of the current instruction */
    uint32_t next_eip;   /* decoder position */
    uint32_t eflags;     /* arithmetic bits valid only when cc_op == CC_EFLAGS */
    int cc_op, cc_size;  /* size in bytes: 1, 2, 4 */
    uint32_t cc_a, cc_b, cc_res, cc_cf;

    X86Seg seg[8];
    X86Dtr gdtr, idtr;
    int cpl;
    bool code32, stack32;   /* CS.D, SS.B */
    bool pe, v86;

    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];
    uint64_t efer;

    /* MSRs kept here */
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_offset;
    uint64_t mtrr_var[16], mtrr_fixed[11], mtrr_deftype, pat, misc_enable;

    X86Fpu fpu;

    /* Interrupt pins and run state */
    bool intr, nmi_pending, nmi_blocked, halted, exit_req, shutdown_done;
    bool inhibit_irq;     /* after STI / MOV SS: one instruction */
    bool init_pending;
    bool ignne;           /* IGNNE# input (x86_cpu_set_ignne) */
    bool pending;  /* something for the slow path of the run loop */
    bool single_step, hit_bp, skip_bp;
    uint32_t bps[X86_MAX_BP];
    int nbps;

    /* Exception in flight (set by x86_raise, consumed by the run loop) */
    int exc_vec;
    int exc_err;          /* -1: none */
    int delivering;       /* vector being delivered, -1 when none */
    bool ext;             /* delivering an external event: error codes get EXT */
    bool sw_int;          /* this INT came from INT n/INT3/INTO */
    jmp_buf jmp;

    /* Memory */
    X86Model model;
    X86Bus bus;
    uint64_t a20_mask;
    int tlb_mode;         /* 0 supervisor, 1 user */
    bool tlb_has_large;
    X86TlbEntry tlb[2][TLB_SIZE];
    /* code fetch: linear page and host pointer of the current code page */
    uint32_t fetch_page;
    uint8_t *fetch_host;
    uint64_t fetch_phys;   /* physical page of fetch_page */
    X86Block *dcache;
    uint32_t *page_gen;    /* per physical page below 4 GiB */
    uint8_t *code_page;    /* page holds decoded instructions (dcache.c) */
    uint32_t smc_events;
    /* last page-table page (mmu.c) */
    uint64_t pt_cache_page;
    uint8_t *pt_cache_host;

    uint64_t icount;
    unsigned log_count;
    /* per physical page: icount >> 20 when it stopped being decoded for
     * self-modifying code (dcache.c) */
    uint16_t *smc_stamp;
    /* the block being run (dcache.c): its first EIP and the count before it */
    const struct X86Block *cur_block;
    const struct X86DInsn *cur_di;   /* instruction that may fault */
    uint32_t block_eip;
    uint64_t block_icount;
    /* the instruction being decoded by exec.c starts within 15 bytes of
     * CS.limit: every byte is fetched through x86_fetch_slow, which checks
     * it against the limit (set by each exec_one; only its fetches look) */
    bool fetch_near_limit;
    /* MOV SS / POP SS: no single-step trap after this instruction (the SDM
     * holds it until after the next one) */
    bool inhibit_db;

    /* Debug and alignment checks (mmu.c, cpu.c). dbg_check is non-zero
     * while some data access must be looked at in the slow path; the TLB
     * then gives the concerned pages TLB_CHECK tags, which miss the fast
     * path. */
    uint8_t dbg_check;        /* DBG_* */
    bool dr_exec;             /* an enabled DR0-3 is an instruction breakpoint */
    bool dbg_pending;         /* a data breakpoint or watchpoint was hit */
    uint32_t db_hits;         /* DR6.B0-3 for the guest's #DB trap */
    uint32_t db_eip;          /* instruction that hit them */
    X86Watch watch[X86_MAX_WATCH];
    int nwatch;
    int watch_hit;            /* index into watch[] + 1, 0 none */
    int watch_last;           /* the hit run() stopped for (reported) */
    uint32_t watch_addr;      /* accessed address of that hit */
    bool ac_whole;            /* a compound operand was alignment-checked
                               * whole: its parts are not (x86_ac_operand) */
};

#define DBG_DR    1           /* an enabled DR0-3 data breakpoint */
#define DBG_WATCH 2           /* engine (GDB) watchpoints */
#define DBG_AC    4           /* CR0.AM and EFLAGS.AC: user pages checked */
#define DBG_IO    8           /* an enabled I/O breakpoint (R/W 10, CR4.DE) */

/* CPUID.1:EDX feature bits */
#define FEAT_FPU   (1u << 0)
#define FEAT_VME   (1u << 1)
#define FEAT_DE    (1u << 2)
#define FEAT_PSE   (1u << 3)
#define FEAT_TSC   (1u << 4)
#define FEAT_MSR   (1u << 5)
#define FEAT_PAE   (1u << 6)
#define FEAT_CX8   (1u << 8)
#define FEAT_APIC  (1u << 9)
#define FEAT_SEP   (1u << 11)
#define FEAT_MTRR  (1u << 12)
#define FEAT_PGE   (1u << 13)
#define FEAT_CMOV  (1u << 15)
#define FEAT_PAT   (1u << 16)
#define FEAT_PSE36 (1u << 17)
#define FEAT_MMX   (1u << 23)
#define FEAT_FXSR  (1u << 24)

/* cpu.c */
bool x86_has_feature(const X86Cpu *cpu, uint32_t bit);
_Noreturn void x86_raise(X86Cpu *cpu, int vec, int err);
void x86_log(X86Cpu *cpu, const char *cat, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
uint32_t x86_get_flags(X86Cpu *cpu);
void x86_set_flags(X86Cpu *cpu, uint32_t val, uint32_t mask);
bool x86_cond(X86Cpu *cpu, int cc);
void x86_cpuid(X86Cpu *cpu);
bool x86_rdmsr(X86Cpu *cpu, uint32_t msr, uint64_t *val);
bool x86_wrmsr(X86Cpu *cpu, uint32_t msr, uint64_t val);
uint64_t x86_rdtsc(X86Cpu *cpu);
void x86_update_mode(X86Cpu *cpu);
void x86_set_cr0(X86Cpu *cpu, uint32_t val);
void x86_set_cr3(X86Cpu *cpu, uint32_t val);
void x86_set_cr4(X86Cpu *cpu, uint32_t val);
/* MOV to/from DRn (CPL and V86 already checked): DR7.GD, DR4/5 aliasing. */
uint32_t x86_dr_read(X86Cpu *cpu, int n);
void x86_dr_write(X86Cpu *cpu, int n, uint32_t val);
/* Recompute cpu->dbg_check after DR7, DR0-3, watchpoint, CR0.AM or
 * EFLAGS.AC changes; flushes the TLB when the checked pages change. */
void x86_dbg_update(X86Cpu *cpu);
/* A checked data access (slow path, dbg_check non-zero): #AC, data
 * breakpoints, watchpoints. */
void x86_dbg_access(X86Cpu *cpu, uint32_t lin, unsigned size, int acc);
/* IN/OUT/INS/OUTS of size bytes at port with DBG_IO set. */
void x86_dbg_io(X86Cpu *cpu, uint16_t port, unsigned size);
/* Alignment check of an access of 'align' bytes whose parts are checked
 * separately (qwords made of two dwords). */
static inline void x86_ac_check(X86Cpu *cpu, uint32_t lin, unsigned align)
{
    if (__builtin_expect(cpu->dbg_check & DBG_AC, 0) && cpu->cpl == 3 && (lin & (align - 1)) &&
        !cpu->ac_whole) {
        x86_raise(cpu, EXC_AC, 0);
    }
}
/* Alignment check of a compound operand as a whole (SDM vol. 3 6.15: FSAVE
 * and FRSTOR images 4 or 2, SGDT/SIDT 4): its parts are not checked one by
 * one until x86_ac_operand_end() (or a fault). */
static inline void x86_ac_operand(X86Cpu *cpu, uint32_t lin, unsigned align)
{
    if (__builtin_expect(cpu->dbg_check & DBG_AC, 0) && cpu->cpl == 3) {
        if (lin & (align - 1)) {
            x86_raise(cpu, EXC_AC, 0);
        }
        cpu->ac_whole = true;
    }
}
static inline void x86_ac_operand_end(X86Cpu *cpu)
{
    cpu->ac_whole = false;
}

/* mmu.c */
enum { ACC_R = 0, ACC_W = 1, ACC_X = 2 };
#define ACC_SUPER 0x10   /* implicit supervisor access (descriptor tables, TSS) */
#define ACC_DEBUG 0x20   /* debugger access: no accessed/dirty updates */
void x86_tlb_flush(X86Cpu *cpu, bool global);
void x86_tlb_flush_page(X86Cpu *cpu, uint32_t lin);
bool x86_translate(X86Cpu *cpu, uint32_t lin, int acc, uint64_t *paddr, bool fault);
uint32_t x86_slow_read(X86Cpu *cpu, uint32_t lin, unsigned size, int acc);
void x86_slow_write(X86Cpu *cpu, uint32_t lin, uint32_t val, unsigned size, int acc);
uint8_t x86_fetch_slow(X86Cpu *cpu, uint32_t lin);
uint8_t *x86_fetch_ptr(X86Cpu *cpu, uint32_t lin);
/* Host pointer to the page of lin for an access (faults as the access
 * would), NULL when the page is reached through the bus. */
uint8_t *x86_host_page(X86Cpu *cpu, uint32_t lin, int acc);
uint64_t x86_phys_read(X86Cpu *cpu, uint64_t paddr, unsigned size);
void x86_phys_write(X86Cpu *cpu, uint64_t paddr, uint64_t val, unsigned size);

static inline __attribute__((always_inline)) uint32_t ldn(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    default: { uint32_t v; memcpy(&v, p, 4); return v; }
    }
}

static inline __attribute__((always_inline)) void stn(uint8_t *p, uint32_t v, unsigned size)
{
    switch (size) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); break; }
    default: memcpy(p, &v, 4); break;
    }
}

/* Linear-address accesses; acc may carry ACC_SUPER. */
static inline __attribute__((always_inline)) uint32_t x86_lread(X86Cpu *cpu, uint32_t lin, unsigned size)
{
    X86TlbEntry *e = &cpu->tlb[cpu->tlb_mode][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_r == (lin & ~0xfffu) && (lin & 0xfff) <= 4096 - size)) {
        return ldn(e->host + (lin & 0xfff), size);
    }
    return x86_slow_read(cpu, lin, size, ACC_R);
}

static inline __attribute__((always_inline)) void x86_lwrite(X86Cpu *cpu, uint32_t lin, uint32_t val, unsigned size)
{
    X86TlbEntry *e = &cpu->tlb[cpu->tlb_mode][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_w == (lin & ~0xfffu) && (lin & 0xfff) <= 4096 - size)) {
        stn(e->host + (lin & 0xfff), val, size);
        return;
    }
    x86_slow_write(cpu, lin, val, size, ACC_W);
}

/* Supervisor (system) accesses: descriptor tables, TSS, IDT. */
static inline uint32_t x86_sread(X86Cpu *cpu, uint32_t lin, unsigned size)
{
    return x86_slow_read(cpu, lin, size, ACC_R | ACC_SUPER);
}

static inline void x86_swrite(X86Cpu *cpu, uint32_t lin, uint32_t val, unsigned size)
{
    x86_slow_write(cpu, lin, val, size, ACC_W | ACC_SUPER);
}

/* seg.c */
void x86_seg_load_real(X86Cpu *cpu, int s, uint16_t sel);
void x86_seg_load(X86Cpu *cpu, int s, uint16_t sel);     /* MOV/POP Sreg, LxS */
void x86_seg_set_cache(X86Cpu *cpu, int s, uint16_t sel, uint32_t base,
                       uint32_t limit, uint16_t attr);
bool x86_desc_load(X86Cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi);
void x86_far_jmp(X86Cpu *cpu, uint16_t sel, uint32_t off, uint32_t next_eip);
void x86_far_call(X86Cpu *cpu, uint16_t sel, uint32_t off, bool op32, uint32_t next_eip);
void x86_far_ret(X86Cpu *cpu, bool op32, uint16_t imm);
void x86_iret(X86Cpu *cpu, bool op32);
void x86_interrupt(X86Cpu *cpu, int vec, bool sw, int err, uint32_t next_eip);
void x86_v86_int(X86Cpu *cpu, int vec, uint32_t next_eip);
void x86_lldt(X86Cpu *cpu, uint16_t sel);
void x86_ltr(X86Cpu *cpu, uint16_t sel);
void x86_sysenter(X86Cpu *cpu);
void x86_sysexit(X86Cpu *cpu);
bool x86_io_allowed(X86Cpu *cpu, uint16_t port, unsigned size);
/* LAR/LSL/VERR/VERW helpers: return false when the selector fails (ZF=0) */
bool x86_lar_lsl(X86Cpu *cpu, uint16_t sel, bool lsl, uint32_t *out);
bool x86_verr_verw(X86Cpu *cpu, uint16_t sel, bool write);

int x86_check_events(X86Cpu *cpu);
int x86_after_insn(X86Cpu *cpu, uint32_t tf);

/* exec.c */
void x86_exec_generic(X86Cpu *cpu);
uint32_t x86_shift(X86Cpu *cpu, int op, uint32_t a, unsigned cnt, unsigned sz);

/* dcache.c */
int x86_run_loop(X86Cpu *cpu, uint64_t end);   /* returns an X86Exit */
void x86_dcache_init(X86Cpu *cpu);
void x86_dcache_free(X86Cpu *cpu);
void x86_dcache_flush(X86Cpu *cpu);
void x86_dcache_unwind(X86Cpu *cpu);
/* Condition cc (the low nibble of Jcc/SETcc/CMOVcc) on materialised flags. */
static inline bool x86_eflags_cond(uint32_t f, int cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = f & F_OF; break;
    case 1: r = f & F_CF; break;
    case 2: r = f & F_ZF; break;
    case 3: r = f & (F_CF | F_ZF); break;
    case 4: r = f & F_SF; break;
    case 5: r = f & F_PF; break;
    case 6: r = !(f & F_SF) != !(f & F_OF); break;
    default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
    }
    return (cc & 1) ? !r : r;
}
/* EIP of the instruction being executed: inside a decoded block cpu->eip
 * is the block's first instruction until the block ends (dcache.c); the
 * block's handlers that reach the slow paths record themselves first. */
static inline uint32_t x86_cur_eip(const X86Cpu *cpu)
{
    return cpu->cur_block ? cpu->block_eip + cpu->cur_di->off : cpu->eip;
}
/* A write reached physical page ppage (page-aligned) through a slow path. */
void x86_code_written(X86Cpu *cpu, uint64_t ppage);
static inline bool x86_is_code_page(const X86Cpu *cpu, uint64_t ppage)
{
    return ppage < (1ull << 32) && (cpu->code_page[ppage >> 12] & 1);
}

/* fpu.c */
void x86_fpu_reset(X86Cpu *cpu);
/* D8-DF with the modrm byte already fetched. ea(): the effective address of
 * a memory operand in linear form (valid when modrm < 0xc0), computed by
 * the decoder with segment checks done for 'size' bytes at access time via
 * the x86_fpu_mem_* helpers below. */
typedef struct X86FpuMem {
    int seg;          /* segment register index */
    uint32_t off;     /* offset within it */
    bool op32;
} X86FpuMem;
void x86_fpu_exec(X86Cpu *cpu, uint8_t op, uint8_t modrm, const X86FpuMem *m);
/* WAIT/FWAIT (9B) */
void x86_fpu_wait(X86Cpu *cpu);
/* 0F xx opcodes for MMX and FXSAVE/FXRSTOR (mmx.c). */
void x86_mmx_exec(X86Cpu *cpu, uint8_t op2, uint8_t modrm, const X86FpuMem *m);
/* Memory helpers for the FPU: segment-checked reads/writes of 1-8 bytes. */
uint32_t x86_mem_read(X86Cpu *cpu, int seg, uint32_t off, unsigned size);
void x86_mem_write(X86Cpu *cpu, int seg, uint32_t off, uint32_t val, unsigned size);
uint64_t x86_mem_read64(X86Cpu *cpu, int seg, uint32_t off);
void x86_mem_write64(X86Cpu *cpu, int seg, uint32_t off, uint64_t val);
/* CPUID feature bits the FPU files implement (FPU, MMX, FXSR). */
uint32_t x86_fpu_cpuid_features(const X86Cpu *cpu);
/* 80-bit images of physical register i (GDB, dumps). */
void x86_fpu_get_reg80(X86Cpu *cpu, int i, uint8_t out[10]);
void x86_fpu_set_reg80(X86Cpu *cpu, int i, const uint8_t in[10]);
/* For mmx.c: the status word with TOP, abridged tags (bit i: physical
 * register i not empty), FXSAVE/FXRSTOR, and the pending-exception check
 * of waiting instructions (#MF when CR0.NE=1, FERR# otherwise). */
uint16_t x86_fpu_fsw(X86Cpu *cpu);
uint8_t x86_fpu_abridged_tags(X86Cpu *cpu);
void x86_fpu_set_abridged_tags(X86Cpu *cpu, uint8_t t);
void x86_fpu_fxsave(X86Cpu *cpu, const X86FpuMem *m);
void x86_fpu_fxrstor(X86Cpu *cpu, const X86FpuMem *m);
void x86_fpu_check_pending(X86Cpu *cpu);

#endif
