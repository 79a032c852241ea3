/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paging (2-level with PSE 4 MiB pages and PSE-36, PAE with 2 MiB pages and
 * NX, PGE, WP, accessed/dirty write-back; Intel SDM vol. 3A ch. 4) and the software
 * TLB that caches host page pointers from bus->page_ptr.
 *
 * A TLB entry holds separate read/write/execute tags: a write tag is only
 * set after a walk for a write (so the dirty bit is already set), an execute
 * tag only when the page is not NX. Pages without a host pointer (MMIO, ROM
 * on the write side) carry tag|2 and are reached through mem_read/mem_write.
 * While debug checks are on (cpu->dbg_check: data breakpoints in DR0-3,
 * engine watchpoints, alignment checking), pages that hold a watched
 * address, and with CR0.AM/EFLAGS.AC every user page, get read/write tags
 * with TLB_CHECK so their accesses come to x86_slow_read/x86_slow_write,
 * which checks them (x86_dbg_access); the inline fast path is unchanged.
 * PAE PDPTEs are read at walk time rather than cached at CR3 load.
 */
#include "cpu/x86/cpu-internal.h"

/* Page-table walks touch few pages: remember the last RAM page's host
 * pointer (writable RAM only, so the same pointer serves reads and the
 * A/D updates). Dropped by x86_cpu_flush_phys. */
static uint8_t *pt_page(X86Cpu *cpu, uint64_t paddr, bool write)
{
    uint64_t page = paddr & ~0xfffull;
    if (cpu->pt_cache_host && cpu->pt_cache_page == page) {
        return cpu->pt_cache_host;
    }
    uint8_t *p = cpu->bus.page_ptr(cpu->bus.opaque, page, true);
    if (p) {
        cpu->pt_cache_page = page;
        cpu->pt_cache_host = p;
        return p;
    }
    return write ? NULL : cpu->bus.page_ptr(cpu->bus.opaque, page, false);
}

uint64_t x86_phys_read(X86Cpu *cpu, uint64_t paddr, unsigned size)
{
    paddr &= cpu->a20_mask;
    uint8_t *p = pt_page(cpu, paddr, false);
    if (p && (paddr & 0xfff) + size <= 4096) {
        if (size == 8) {
            uint64_t v;
            memcpy(&v, p + (paddr & 0xfff), 8);
            return v;
        }
        return ldn(p + (paddr & 0xfff), size);
    }
    return cpu->bus.mem_read(cpu->bus.opaque, paddr, size);
}

void x86_phys_write(X86Cpu *cpu, uint64_t paddr, uint64_t val, unsigned size)
{
    paddr &= cpu->a20_mask;
    if (x86_is_code_page(cpu, paddr & ~0xfffull)) {
        x86_code_written(cpu, paddr & ~0xfffull);
    }
    uint8_t *p = pt_page(cpu, paddr, true);
    if (p && (paddr & 0xfff) + size <= 4096) {
        if (size == 8) {
            memcpy(p + (paddr & 0xfff), &val, 8);
        } else {
            stn(p + (paddr & 0xfff), (uint32_t)val, size);
        }
        return;
    }
    cpu->bus.mem_write(cpu->bus.opaque, paddr, val, size);
}

void x86_tlb_flush(X86Cpu *cpu, bool global)
{
    for (int m = 0; m < 2; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            X86TlbEntry *e = &cpu->tlb[m][i];
            if (global || !e->global) {
                e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
                e->global = false;
            }
        }
    }
    if (global) {
        cpu->tlb_has_large = false;
    }
    cpu->fetch_page = TLB_INVALID;
}

void x86_tlb_flush_page(X86Cpu *cpu, uint32_t lin)
{
    if (cpu->tlb_has_large) {
        /* the 4 KiB entries of a large page are spread over the TLB */
        x86_tlb_flush(cpu, true);
        return;
    }
    for (int m = 0; m < 2; m++) {
        X86TlbEntry *e = &cpu->tlb[m][(lin >> 12) & (TLB_SIZE - 1)];
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        e->global = false;
    }
    cpu->fetch_page = TLB_INVALID;
}

typedef struct Walk {
    uint64_t paddr;
    bool global, nx, large;
} Walk;

static _Noreturn void page_fault(X86Cpu *cpu, uint32_t lin, uint32_t err)
{
    cpu->cr2 = lin;
    x86_raise(cpu, EXC_PF, (int)err);
}

/* Walk the page tables for lin; on a violation return false with *err set
 * (the #PF error code). Sets A/D bits when the access is allowed. */
static bool walk(X86Cpu *cpu, uint32_t lin, int acc, Walk *w, uint32_t *err)
{
    int type = acc & 3;
    bool user = !(acc & ACC_SUPER) && cpu->cpl == 3;
    bool upd = !(acc & ACC_DEBUG);   /* debugger walks leave A/D alone */
    bool write = type == ACC_W;
    bool nxe = (cpu->efer & EFER_NXE) && (cpu->cr4 & CR4_PAE);
    uint32_t ecode = (write ? 2u : 0u) | (user ? 4u : 0u) | ((type == ACC_X && nxe) ? 16u : 0u);
    bool rw, us, nx = false, global, large = false;
    uint64_t paddr;

    if (cpu->cr4 & CR4_PAE) {
        const uint64_t amask = 0x000ffffffffff000ull;
        uint64_t pdpte_a = (cpu->cr3 & ~0x1fu) + ((lin >> 30) << 3);
        uint64_t pdpte = x86_phys_read(cpu, pdpte_a, 8);
        if (!(pdpte & 1)) {
            *err = ecode;
            return false;
        }
        uint64_t pde_a = (pdpte & amask) + (((lin >> 21) & 0x1ff) << 3);
        uint64_t pde = x86_phys_read(cpu, pde_a, 8);
        if (!(pde & 1)) {
            *err = ecode;
            return false;
        }
        if (!nxe && (pde >> 63)) {
            *err = ecode | 1 | 8;
            return false;
        }
        rw = pde & 2;
        us = pde & 4;
        nx = nxe && (pde >> 63);
        if (pde & 0x80) {
            large = true;
            global = (pde & 0x100) && (cpu->cr4 & CR4_PGE);
            paddr = (pde & 0x000fffffffe00000ull) | (lin & 0x1fffff);
            goto check_then_set_pde;
        } else {
            uint64_t pte_a = (pde & amask) + (((lin >> 12) & 0x1ff) << 3);
            uint64_t pte = x86_phys_read(cpu, pte_a, 8);
            if (!(pte & 1)) {
                *err = ecode;
                return false;
            }
            if (!nxe && (pte >> 63)) {
                *err = ecode | 1 | 8;
                return false;
            }
            rw = rw && (pte & 2);
            us = us && (pte & 4);
            nx = nx || (nxe && (pte >> 63));
            global = (pte & 0x100) && (cpu->cr4 & CR4_PGE);
            paddr = (pte & amask) | (lin & 0xfff);
            if (user && !us) goto prot;
            if (write && !rw && (user || (cpu->cr0 & CR0_WP))) goto prot;
            if (type == ACC_X && nx) goto prot;
            if (upd && !(pde & 0x20)) {
                x86_phys_write(cpu, pde_a, (uint32_t)pde | 0x20, 4);
            }
            if (upd && (!(pte & 0x20) || (write && !(pte & 0x40)))) {
                x86_phys_write(cpu, pte_a, (uint32_t)pte | 0x20 | (write ? 0x40 : 0), 4);
            }
        }
        goto done;
check_then_set_pde:
        if (user && !us) goto prot;
        if (write && !rw && (user || (cpu->cr0 & CR0_WP))) goto prot;
        if (type == ACC_X && nx) goto prot;
        if (upd && (!(pde & 0x20) || (write && !(pde & 0x40)))) {
            x86_phys_write(cpu, pde_a, (uint32_t)pde | 0x20 | (write ? 0x40 : 0), 4);
        }
        goto done;
    } else {
        uint64_t pde_a = (cpu->cr3 & ~0xfffu) + ((lin >> 22) << 2);
        uint32_t pde = (uint32_t)x86_phys_read(cpu, pde_a, 4);
        if (!(pde & 1)) {
            *err = ecode;
            return false;
        }
        rw = pde & 2;
        us = pde & 4;
        if ((pde & 0x80) && (cpu->cr4 & CR4_PSE)) {
            large = true;
            global = (pde & 0x100) && (cpu->cr4 & CR4_PGE);
            paddr = (pde & 0xffc00000u) | (lin & 0x3fffff);
            if (x86_has_feature(cpu, FEAT_PSE36)) {
                /* PSE-36 (SDM vol. 3A 4.3, table 4-4): PDE bits 16:13 are
                 * physical address bits 35:32; bits 21:17 are reserved
                 * (a 36-bit MAXPHYADDR) and fault with RSVD */
                if (pde & 0x003e0000u) {
                    *err = ecode | 1 | 8;
                    return false;
                }
                paddr |= (uint64_t)((pde >> 13) & 0xf) << 32;
            }
            if (user && !us) goto prot;
            if (write && !rw && (user || (cpu->cr0 & CR0_WP))) goto prot;
            if (upd && (!(pde & 0x20) || (write && !(pde & 0x40)))) {
                x86_phys_write(cpu, pde_a, pde | 0x20 | (write ? 0x40 : 0), 4);
            }
        } else {
            uint64_t pte_a = (pde & 0xfffff000u) + (((lin >> 12) & 0x3ff) << 2);
            uint32_t pte = (uint32_t)x86_phys_read(cpu, pte_a, 4);
            if (!(pte & 1)) {
                *err = ecode;
                return false;
            }
            rw = rw && (pte & 2);
            us = us && (pte & 4);
            global = (pte & 0x100) && (cpu->cr4 & CR4_PGE);
            paddr = (pte & 0xfffff000u) | (lin & 0xfff);
            if (user && !us) goto prot;
            if (write && !rw && (user || (cpu->cr0 & CR0_WP))) goto prot;
            if (upd && !(pde & 0x20)) {
                x86_phys_write(cpu, pde_a, pde | 0x20, 4);
            }
            if (upd && (!(pte & 0x20) || (write && !(pte & 0x40)))) {
                x86_phys_write(cpu, pte_a, pte | 0x20 | (write ? 0x40 : 0), 4);
            }
        }
    }
done:
    w->paddr = paddr & cpu->a20_mask;
    w->global = global;
    w->nx = nx;
    w->large = large;
    (void)rw;
    return true;
prot:
    *err = ecode | 1;
    return false;
}

bool x86_translate(X86Cpu *cpu, uint32_t lin, int acc, uint64_t *paddr, bool fault)
{
    if (!(cpu->cr0 & CR0_PG)) {
        *paddr = lin & cpu->a20_mask;
        return true;
    }
    Walk w;
    uint32_t err;
    if (!walk(cpu, lin, acc, &w, &err)) {
        if (fault) {
            page_fault(cpu, lin, err);
        }
        return false;
    }
    *paddr = w.paddr;
    return true;
}

/* Debug checks */

/* DR0-3 breakpoint i as [*lo, *lo + *len) with its R/W field; false when
 * it is disabled. LEN 10 means 8 bytes on the P6 models, and is undefined
 * (taken as 1 byte) before. */
static bool dr_range(const X86Cpu *cpu, int i, uint32_t *lo, uint32_t *len, int *rw)
{
    uint32_t dr7 = cpu->dr[7];
    if (!((dr7 >> (2 * i)) & 3)) {
        return false;
    }
    static const uint8_t lens[4] = { 1, 2, 8, 4 };
    unsigned l = lens[(dr7 >> (18 + 4 * i)) & 3];
    if (l == 8 && cpu->model != X86_MODEL_PENTIUM2 && cpu->model != X86_MODEL_MAX) {
        l = 1;
    }
    *rw = (int)((dr7 >> (16 + 4 * i)) & 3);
    *len = l;
    *lo = cpu->dr[i] & ~(l - 1);
    return true;
}

static bool overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    /* ranges of linear addresses, either may wrap at 4 GiB */
    return (uint32_t)(a - b) < blen || (uint32_t)(b - a) < alen;
}

/* DR0-3 breakpoints whose R/W field is in rw_set (bit n: R/W = n) and
 * whose range overlaps [addr, addr + size): DR6.B0-3 bits. */
static uint32_t dr_hits(const X86Cpu *cpu, uint32_t addr, unsigned size, unsigned rw_set)
{
    uint32_t hits = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t lo, len;
        int rw;
        if (dr_range(cpu, i, &lo, &len, &rw) && (rw_set & (1u << rw)) && overlap(lo, len, addr, size)) {
            hits |= 1u << i;
        }
    }
    return hits;
}

/* Data or I/O breakpoints hit by the current instruction: its #DB trap
 * comes after it (x86_check_events). */
static void dr_record(X86Cpu *cpu, uint32_t hits)
{
    if (hits) {
        cpu->db_hits |= hits;
        cpu->db_eip = x86_cur_eip(cpu);
        cpu->dbg_pending = true;
        cpu->pending = true;
    }
}

/* Whether accesses to linear page 'page' through TLB set 'mode' must be
 * checked. */
static bool dbg_page_checked(X86Cpu *cpu, uint32_t page, int mode)
{
    if ((cpu->dbg_check & DBG_AC) && mode == 1) {
        return true;
    }
    if (cpu->dbg_check & DBG_DR) {
        for (int i = 0; i < 4; i++) {
            uint32_t lo, len;
            int rw;
            if (dr_range(cpu, i, &lo, &len, &rw) && (rw & 1) && overlap(lo, len, page, 4096)) {
                return true;
            }
        }
    }
    if (cpu->dbg_check & DBG_WATCH) {
        for (int i = 0; i < cpu->nwatch; i++) {
            if (overlap(cpu->watch[i].addr, cpu->watch[i].len, page, 4096)) {
                return true;
            }
        }
    }
    return false;
}

void x86_dbg_access(X86Cpu *cpu, uint32_t lin, unsigned size, int acc)
{
    bool write = (acc & 3) == ACC_W;
    /* #AC: user-mode data accesses only; system accesses (descriptor
     * tables, TSS, IDT: ACC_SUPER) are exempt */
    if ((cpu->dbg_check & DBG_AC) && cpu->cpl == 3 && !(acc & ACC_SUPER) && (lin & (size - 1)) &&
        !cpu->ac_whole) {
        x86_raise(cpu, EXC_AC, 0);
    }
    if (cpu->dbg_check & DBG_DR) {
        /* R/W 01: writes; 11: reads and writes */
        dr_record(cpu, dr_hits(cpu, lin, size, write ? (1u << 1) | (1u << 3) : 1u << 3));
    }
    if ((cpu->dbg_check & DBG_WATCH) && !cpu->watch_hit) {
        for (int i = 0; i < cpu->nwatch; i++) {
            X86Watch *w = &cpu->watch[i];
            if ((w->type & (write ? X86_WATCH_WRITE : X86_WATCH_READ)) &&
                overlap(w->addr, w->len, lin, size)) {
                cpu->watch_hit = i + 1;
                cpu->watch_addr = (uint32_t)(lin - w->addr) < w->len ? lin : w->addr;
                cpu->dbg_pending = true;
                cpu->pending = true;
                break;
            }
        }
    }
}

void x86_dbg_update(X86Cpu *cpu)
{
    uint8_t old = cpu->dbg_check, chk = 0;
    bool exec = false;
    for (int i = 0; i < 4; i++) {
        uint32_t lo, len;
        int rw;
        if (dr_range(cpu, i, &lo, &len, &rw)) {
            if (rw == 0) {
                exec = true;
            } else if (rw & 1) {
                chk |= DBG_DR;
            } else if (cpu->cr4 & CR4_DE) {
                chk |= DBG_IO;      /* R/W=10 without CR4.DE is undefined: ignored */
            }
        }
    }
    if (cpu->nwatch > 0) {
        chk |= DBG_WATCH;
    }
    if ((cpu->cr0 & CR0_AM) && (cpu->eflags & F_AC)) {
        chk |= DBG_AC;
    }
    cpu->dr_exec = exec;
    cpu->dbg_check = chk;
    if ((old | chk) & (DBG_DR | DBG_WATCH)) {
        /* watched pages may have moved */
        x86_tlb_flush(cpu, true);
    } else if ((old ^ chk) & DBG_AC) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            X86TlbEntry *e = &cpu->tlb[1][i];
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
            e->global = false;
        }
        cpu->fetch_page = TLB_INVALID;
    }
}

void x86_dbg_io(X86Cpu *cpu, uint16_t port, unsigned size)
{
    /* R/W 10 (with CR4.DE, see x86_dbg_update): I/O */
    dr_record(cpu, dr_hits(cpu, port, size, 1u << 2));
}

/* Fill the TLB entry for lin and access type (faulting as the access
 * would); returns the entry. */
static X86TlbEntry *tlb_fill(X86Cpu *cpu, uint32_t lin, int acc)
{
    int mode = (acc & ACC_SUPER) ? 0 : cpu->tlb_mode;
    int type = acc & 3;
    X86TlbEntry *e = &cpu->tlb[mode][(lin >> 12) & (TLB_SIZE - 1)];
    uint32_t page = lin & ~0xfffu;
    Walk w = { .paddr = lin & cpu->a20_mask };

    if (cpu->cr0 & CR0_PG) {
        uint32_t err;
        /* a walk from a supervisor-forced access must judge as CPL 0 */
        if (!walk(cpu, lin, mode == 0 ? (acc | ACC_SUPER) : acc, &w, &err)) {
            page_fault(cpu, lin, err);
        }
    }
    uint64_t ppage = w.paddr & ~0xfffull;
    bool same = ((e->tag_r & ~0xfffu) == page && !(e->tag_r & 1)) ||
                ((e->tag_w & ~0xfffu) == page && !(e->tag_w & 1)) ||
                ((e->tag_x & ~0xfffu) == page && !(e->tag_x & 1));
    if (!same || e->phys != ppage) {
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    }
    e->phys = ppage;
    e->global = w.global;
    if (w.large) {
        cpu->tlb_has_large = true;
    }
    uint8_t *wp = type == ACC_W ? cpu->bus.page_ptr(cpu->bus.opaque, ppage, true) : NULL;
    uint8_t *rp = wp ? wp : cpu->bus.page_ptr(cpu->bus.opaque, ppage, false);
    e->host = rp;
    uint32_t chk = unlikely(cpu->dbg_check) && dbg_page_checked(cpu, page, mode) ? TLB_CHECK : 0;
    e->tag_r = rp ? page : (page | 2);
    if (!w.nx) {
        e->tag_x = e->tag_r;
    }
    e->tag_r |= chk;
    if (type == ACC_W) {
        e->tag_w = (!wp ? (page | 2) : x86_is_code_page(cpu, ppage) ? (page | 4) : page) | chk;
    }
    return e;
}

static inline uint32_t tag_of(const X86TlbEntry *e, int type)
{
    return type == ACC_W ? e->tag_w : type == ACC_X ? e->tag_x : e->tag_r;
}

static X86TlbEntry *tlb_lookup(X86Cpu *cpu, uint32_t lin, int acc)
{
    int mode = (acc & ACC_SUPER) ? 0 : cpu->tlb_mode;
    X86TlbEntry *e = &cpu->tlb[mode][(lin >> 12) & (TLB_SIZE - 1)];
    uint32_t tag = tag_of(e, acc & 3);
    if ((tag & 1) || (tag & ~0xfffu) != (lin & ~0xfffu)) {
        e = tlb_fill(cpu, lin, acc);
    }
    return e;
}

static uint32_t slow_read(X86Cpu *cpu, uint32_t lin, unsigned size, int acc)
{
    if ((lin & 0xfff) + size > 4096) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= slow_read(cpu, lin + i, 1, acc) << (8 * i);
        }
        return v;
    }
    X86TlbEntry *e = tlb_lookup(cpu, lin, acc);
    if (tag_of(e, acc & 3) & 2) {
        return (uint32_t)cpu->bus.mem_read(cpu->bus.opaque, e->phys | (lin & 0xfff), size);
    }
    return ldn(e->host + (lin & 0xfff), size);
}

uint32_t x86_slow_read(X86Cpu *cpu, uint32_t lin, unsigned size, int acc)
{
    if (unlikely(cpu->dbg_check) && !(acc & ACC_DEBUG)) {
        x86_dbg_access(cpu, lin, size, acc);
    }
    return slow_read(cpu, lin, size, acc);
}

static void slow_write(X86Cpu *cpu, uint32_t lin, uint32_t val, unsigned size, int acc)
{
    if ((lin & 0xfff) + size > 4096) {
        /* both pages must be writable before any byte lands */
        tlb_lookup(cpu, lin, acc);
        tlb_lookup(cpu, (lin & ~0xfffu) + 4096, acc);
        for (unsigned i = 0; i < size; i++) {
            slow_write(cpu, lin + i, (val >> (8 * i)) & 0xff, 1, acc);
        }
        return;
    }
    X86TlbEntry *e = tlb_lookup(cpu, lin, acc);
    if (e->tag_w & 2) {
        cpu->bus.mem_write(cpu->bus.opaque, e->phys | (lin & 0xfff), val, size);
        return;
    }
    if (e->tag_w & 4) {
        /* first write to a page with decoded instructions */
        x86_code_written(cpu, e->phys);
        e->tag_w &= ~4u;
    }
    stn(e->host + (lin & 0xfff), val, size);
}

void x86_slow_write(X86Cpu *cpu, uint32_t lin, uint32_t val, unsigned size, int acc)
{
    if (unlikely(cpu->dbg_check) && !(acc & ACC_DEBUG)) {
        x86_dbg_access(cpu, lin, size, acc);
    }
    slow_write(cpu, lin, val, size, acc);
}

uint8_t *x86_host_page(X86Cpu *cpu, uint32_t lin, int acc)
{
    X86TlbEntry *e = tlb_lookup(cpu, lin, acc);
    if ((acc & 3) == ACC_W && (e->tag_w & 4)) {
        x86_code_written(cpu, e->phys);
        e->tag_w &= ~4u;
    }
    /* checked pages: the caller falls back to element-wise accesses */
    return (tag_of(e, acc & 3) & (2 | TLB_CHECK)) ? NULL : e->host;
}

uint8_t *x86_fetch_ptr(X86Cpu *cpu, uint32_t lin)
{
    X86TlbEntry *e = tlb_lookup(cpu, lin, ACC_X);
    return (e->tag_x & 2) ? NULL : e->host;
}

uint8_t x86_fetch_slow(X86Cpu *cpu, uint32_t lin)
{
    if (unlikely(cpu->fetch_near_limit)) {
        /* next_eip is already past this byte */
        if (cpu->next_eip - 1 > cpu->seg[S_CS].limit) {
            x86_raise(cpu, EXC_GP, 0);
        }
        X86TlbEntry *e = tlb_lookup(cpu, lin, ACC_X);
        if (e->tag_x & 2) {
            return (uint8_t)cpu->bus.mem_read(cpu->bus.opaque, e->phys | (lin & 0xfff), 1);
        }
        return e->host[lin & 0xfff];    /* the page is not cached for fetches */
    }
    X86TlbEntry *e = tlb_lookup(cpu, lin, ACC_X);
    if (e->tag_x & 2) {
        return (uint8_t)cpu->bus.mem_read(cpu->bus.opaque, e->phys | (lin & 0xfff), 1);
    }
    cpu->fetch_page = lin & ~0xfffu;
    cpu->fetch_host = e->host;
    cpu->fetch_phys = e->phys;
    return e->host[lin & 0xfff];
}
