/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apic: the local APIC of CPU 0 in xAPIC mode (Intel SDM vol. 3A ch. 11,
 * "Advanced Programmable Interrupt Controller"), version 0x14 with six LVT
 * entries (VER reads 0x50014), at 0xfee00000. IA32_APIC_BASE (MSR 0x1b)
 * moves it and holds the global enable bit; while globally disabled the
 * APIC is gone (no MMIO, no messages) and LINT0/LINT1 act as the CPU's
 * INTR and NMI pins, as the SDM describes for P6-family processors. Its
 * presence is what makes CPUID.1:EDX.APIC[bit 9] read 1: the engine sets
 * the bit when someone owns MSR 0x1b.
 *
 * Registers: ID, VER, TPR, APR, PPR, EOI, LDR, DFR, SVR (software enable,
 * spurious vector), ISR/TMR/IRR, ESR (write to latch), ICR, the LVT
 * (timer, thermal, performance counter, LINT0, LINT1, error) and the timer
 * (initial and current count, divide configuration; one-shot and periodic).
 * The timer counts at a bus clock of 1 GHz (one tick per virtual ns before
 * the divider, the TSC's rate here), so Linux calibrates it against the PIT
 * to 1000000 kHz / divider.
 *
 * Interrupts: the highest vector in IRR is presented when its priority
 * class is above the PPR's; INTA moves it to ISR (TMR remembers a level
 * trigger); EOI retires the highest ISR vector and, for a level vector,
 * broadcasts the EOI to the I/O APIC. When nothing is deliverable any more
 * at INTA the spurious vector is answered. LINT0 in ExtINT mode is the
 * virtual wire to the master 8259: its "int" output, wired to gpio in
 * "lint[0]", raises INTR and INTA is passed to the PIC through the
 * "i8259" interface (<backplane/i8259.h>). gpio out "int" mirrors the INTR
 * pin for device tests.
 *
 * ICR: fixed, NMI, INIT and STARTUP to self (shorthand self, all including
 * self, or a destination naming this APIC). STARTUP is ignored by a
 * processor that is not waiting for SIPI (the BSP never is). Other
 * destinations (other CPUs) are logged as unimplemented until SMP.
 * Not emulated: INIT to self (no INIT pin in the SDK yet: logged), SMI,
 * TSC-deadline timer mode (not advertised in CPUID), x2APIC, the thermal
 * and performance counter sources (their LVT entries are plain registers),
 * focus processor checking, remote read.
 */
#include <string.h>

#include <backplane/backplane.h>
#include <backplane/i8259.h>
#include "apic.h"

#define LAPIC_BASE          0xfee00000u
#define LAPIC_MMIO_SIZE     0x1000
#define LAPIC_VERSION       0x00050014u   /* max LVT 5, version 0x14 */
#define LAPIC_BUS_NS_SHIFT  0             /* 1 GHz: one tick per ns */

#define MSR_IA32_APIC_BASE  0x1b
#define APICBASE_BSP        (1ull << 8)
#define APICBASE_ENABLE     (1ull << 11)
#define APICBASE_ADDR       0x0000000ffffff000ull   /* 36-bit physical */

/* Register offsets >> 4. */
enum {
    LAPIC_R_ID = 0x02,
    LAPIC_R_VER = 0x03,
    LAPIC_R_TPR = 0x08,
    LAPIC_R_APR = 0x09,
    LAPIC_R_PPR = 0x0a,
    LAPIC_R_EOI = 0x0b,
    LAPIC_R_RRD = 0x0c,
    LAPIC_R_LDR = 0x0d,
    LAPIC_R_DFR = 0x0e,
    LAPIC_R_SVR = 0x0f,
    LAPIC_R_ISR = 0x10,
    LAPIC_R_TMR = 0x18,
    LAPIC_R_IRR = 0x20,
    LAPIC_R_ESR = 0x28,
    LAPIC_R_ICR_LO = 0x30,
    LAPIC_R_ICR_HI = 0x31,
    LAPIC_R_LVT = 0x32,           /* timer, thermal, perf, lint0, lint1, error */
    LAPIC_R_TIMER_INIT = 0x38,
    LAPIC_R_TIMER_CUR = 0x39,
    LAPIC_R_TIMER_DCR = 0x3e,
};

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_NUM };

#define LVT_VECTOR          0xffu
#define LVT_DELMODE_SHIFT   8
#define LVT_DELIVS          (1u << 12)
#define LVT_POLARITY        (1u << 13)
#define LVT_REMOTE_IRR      (1u << 14)
#define LVT_LEVEL           (1u << 15)
#define LVT_MASKED          (1u << 16)
#define LVT_TIMER_PERIODIC  (1u << 17)

#define SVR_ENABLE          (1u << 8)
#define SVR_FOCUS_OFF       (1u << 9)

#define ESR_SEND_ILLEGAL    (1u << 5)
#define ESR_RECV_ILLEGAL    (1u << 6)
#define ESR_ILLEGAL_REG     (1u << 7)

#define ICR_DESTMODE_LOGICAL (1u << 11)
#define ICR_LEVEL_ASSERT    (1u << 14)
#define ICR_TRIGGER_LEVEL   (1u << 15)
#define ICR_SHORTHAND_SHIFT 18
enum { ICR_DEST_FIELD, ICR_DEST_SELF, ICR_DEST_ALL, ICR_DEST_OTHERS };

typedef struct LocalApic {
    BpDevice parent;

    /* properties */
    uint64_t base_prop;
    uint8_t id_prop;

    /* guest-visible state */
    uint64_t apicbase;            /* IA32_APIC_BASE */
    uint8_t id;
    uint8_t tpr;
    uint32_t ldr, dfr, svr;
    uint32_t esr;                 /* latched, readable */
    uint32_t esr_pending;         /* collected since the last ESR write */
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_NUM];
    uint32_t timer_initial;
    uint32_t timer_dcr;
    unsigned timer_shift;         /* log2 of the divider */
    int64_t timer_start;          /* when the count was (re)loaded */
    bool timer_running;
    bool extint_msg;              /* an ExtINT message from the I/O APIC */

    /* input levels (wires, not registers: reset keeps them) */
    bool lint[2];
    bool intr_level;

    /* wiring */
    BpMemoryRegion *mmio;
    bool mapped;
    BpTimer *timer;
    BpIrq *cpu_intr;
    BpIrq *int_out[1];
    bool claimed;
} LocalApic;

static bool lapic_hw_enabled(const LocalApic *s)
{
    return s->apicbase & APICBASE_ENABLE;
}

static bool lapic_sw_enabled(const LocalApic *s)
{
    return s->svr & SVR_ENABLE;
}

static unsigned lvt_mode(uint32_t lvt)
{
    return (lvt >> LVT_DELMODE_SHIFT) & 7;
}

/* Highest set bit of a 256-bit register, or -1. */
static int lapic_highest(const uint32_t *reg)
{
    for (int i = 7; i >= 0; i--) {
        if (reg[i]) {
            return i * 32 + 31 - __builtin_clz(reg[i]);
        }
    }
    return -1;
}

static bool lapic_test(const uint32_t *reg, unsigned v)
{
    return reg[v >> 5] & (1u << (v & 31));
}

static void lapic_set(uint32_t *reg, unsigned v, bool on)
{
    if (on) {
        reg[v >> 5] |= 1u << (v & 31);
    } else {
        reg[v >> 5] &= ~(1u << (v & 31));
    }
}

/* SDM 11.8.3.1: PPR is the TPR, or the in-service class if higher. */
static uint8_t lapic_ppr(const LocalApic *s)
{
    int isrv = lapic_highest(s->isr);
    uint8_t isr_class = isrv < 0 ? 0 : (uint8_t)(isrv & 0xf0);

    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

/* SDM 11.6.2.4 (P6 family's arbitration priority). */
static uint8_t lapic_apr(const LocalApic *s)
{
    int isrv = lapic_highest(s->isr);
    int irrv = lapic_highest(s->irr);
    unsigned isr_class = isrv < 0 ? 0 : (unsigned)isrv & 0xf0;
    unsigned irr_class = irrv < 0 ? 0 : (unsigned)irrv & 0xf0;
    unsigned tpr_class = s->tpr & 0xf0;

    if (tpr_class >= irr_class && tpr_class > isr_class) {
        return s->tpr;
    }
    return MAX(tpr_class, MAX(isr_class, irr_class));
}

/* The vector INTA would take now, or -1. */
static int lapic_deliverable(const LocalApic *s)
{
    int v;

    if (!lapic_sw_enabled(s)) {
        return -1;
    }
    v = lapic_highest(s->irr);
    if (v < 0 || (v & 0xf0) <= (lapic_ppr(s) & 0xf0)) {
        return -1;
    }
    return v;
}

static bool lapic_extint_pending(const LocalApic *s)
{
    uint32_t l = s->lvt[LVT_LINT0];

    return s->extint_msg ||
           (s->lint[0] && !(l & LVT_MASKED) && lvt_mode(l) == APIC_DM_EXTINT);
}

static void lapic_update(LocalApic *s)
{
    bool level;

    if (!lapic_hw_enabled(s)) {
        level = s->lint[0];                  /* LINT0 is the INTR pin */
    } else {
        level = lapic_deliverable(s) >= 0 || lapic_extint_pending(s);
    }
    if (level != s->intr_level) {
        BP_TRACE(s, "intr %d", level);
    }
    s->intr_level = level;
    bp_irq_set(s->cpu_intr, level);
    bp_irq_set(s->int_out[0], level);
}

static uint8_t lapic_pic_intack(LocalApic *s)
{
    void *opaque;
    const BpI8259Ops *pic = bp_interface_get(BP_I8259_INTERFACE, &opaque);

    if (!pic) {
        bp_guest_error(s, "ExtINT acknowledge but no 8259 provides \"%s\"",
                       BP_I8259_INTERFACE);
        return 0xff;
    }
    return pic->intack(opaque);
}

static void lapic_error(LocalApic *s, uint32_t bits);

/* Into IRR: fixed and lowest-priority messages, LVT and self IPIs. */
static void lapic_accept_vector(LocalApic *s, uint8_t vector, bool level)
{
    if (vector < 16) {
        /* Vectors 0-15 are illegal (SDM 11.5.2). */
        bp_guest_error(s, "received illegal vector %u", vector);
        lapic_error(s, ESR_RECV_ILLEGAL);
        return;
    }
    lapic_set(s->irr, vector, true);
    lapic_set(s->tmr, vector, level);
    BP_TRACE(s, "accept vector 0x%02x %s", vector, level ? "level" : "edge");
}

/* An error: ESR bits, and the error LVT's interrupt (an illegal error
 * vector is recorded but raises nothing, to stay out of a loop). */
static void lapic_error(LocalApic *s, uint32_t bits)
{
    uint32_t l = s->lvt[LVT_ERROR];

    s->esr_pending |= bits;
    if (!(l & LVT_MASKED) && (l & LVT_VECTOR) >= 16) {
        lapic_accept_vector(s, l & LVT_VECTOR, false);
    }
}

/* One message in a delivery mode, after the destination matched. */
static void lapic_message(LocalApic *s, unsigned mode, uint8_t vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        lapic_accept_vector(s, vector, level);
        break;
    case APIC_DM_NMI:
        bp_irq_pulse(bp_cpu_nmi(0));
        break;
    case APIC_DM_EXTINT:
        s->extint_msg = true;
        break;
    case APIC_DM_STARTUP:
        /* Only a CPU waiting for SIPI takes it; this one runs. */
        break;
    case APIC_DM_INIT:
        bp_unimp(s, "INIT to CPU 0 not implemented");
        break;
    case APIC_DM_SMI:
        bp_unimp(s, "SMI not implemented");
        break;
    default:
        bp_guest_error(s, "reserved delivery mode %u", mode);
        break;
    }
    lapic_update(s);
}

static bool lapic_match_dest(const LocalApic *s, uint8_t dest, bool logical)
{
    uint8_t ldr;

    if (!logical) {
        return dest == 0xff || dest == s->id;
    }
    ldr = s->ldr >> 24;
    if (dest == 0xff) {
        return true;
    }
    if ((s->dfr >> 28) == 0xf) {              /* flat model */
        return ldr & dest;
    }
    /* Cluster model: cluster number in the high nibble, member bits low. */
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0x0f);
}

bool apic_lapic_deliver(BpDevice *dev, uint8_t dest, bool logical,
                        unsigned mode, uint8_t vector, bool level)
{
    LocalApic *s = (LocalApic *)dev;

    if (!lapic_hw_enabled(s) || !lapic_match_dest(s, dest, logical)) {
        return false;
    }
    lapic_message(s, mode, vector, level);
    return true;
}

static uint8_t lapic_intack(void *opaque)
{
    LocalApic *s = opaque;
    uint8_t vec;
    int v;

    if (!lapic_hw_enabled(s)) {
        return lapic_pic_intack(s);
    }
    v = lapic_deliverable(s);
    if (v >= 0) {
        lapic_set(s->irr, v, false);
        lapic_set(s->isr, v, true);
        vec = v;
    } else if (lapic_extint_pending(s)) {
        s->extint_msg = false;
        vec = lapic_pic_intack(s);
    } else {
        /* The request went away (TPR raised, masked) between INTR and
         * INTA: the spurious vector, with no ISR bit (SDM 11.9). */
        vec = s->svr & 0xff;
    }
    BP_TRACE(s, "inta -> vector 0x%02x", vec);
    lapic_update(s);
    return vec;
}

static void lapic_eoi(LocalApic *s)
{
    int v = lapic_highest(s->isr);

    if (v < 0) {
        return;
    }
    lapic_set(s->isr, v, false);
    if (lapic_test(s->tmr, v)) {
        BpDevice *io = bp_machine_find_type(APIC_TYPE_IO);

        lapic_set(s->tmr, v, false);
        /* A level LINT in fixed mode waits for this EOI too. */
        for (int i = LVT_LINT0; i <= LVT_LINT1; i++) {
            if ((s->lvt[i] & LVT_VECTOR) == (unsigned)v) {
                s->lvt[i] &= ~LVT_REMOTE_IRR;
            }
        }
        if (io) {
            apic_ioapic_eoi(io, v);
        }
    }
    BP_TRACE(s, "eoi vector 0x%02x", v);
    lapic_update(s);
}

/* The timer. */

static int64_t lapic_timer_period(const LocalApic *s)
{
    return ((int64_t)s->timer_initial << s->timer_shift) << LAPIC_BUS_NS_SHIFT;
}

static uint32_t lapic_timer_current(const LocalApic *s)
{
    uint64_t ticks;

    if (!s->timer_running || !s->timer_initial) {
        return 0;
    }
    ticks = (uint64_t)((bp_clock_ns(BP_CLOCK_VIRTUAL) - s->timer_start) >> LAPIC_BUS_NS_SHIFT)
            >> s->timer_shift;
    if (s->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) {
        return s->timer_initial - (uint32_t)(ticks % s->timer_initial);
    }
    return ticks >= s->timer_initial ? 0 : s->timer_initial - (uint32_t)ticks;
}

/* Arm the timer for the next time the count reaches zero after now. */
static void lapic_timer_arm(LocalApic *s)
{
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    int64_t period = lapic_timer_period(s);
    int64_t next;

    if (!s->timer_running || period <= 0) {
        bp_timer_del(s->timer);
        return;
    }
    if (s->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) {
        next = s->timer_start + ((now - s->timer_start) / period + 1) * period;
    } else {
        next = s->timer_start + period;
        if (next <= now) {
            s->timer_running = false;   /* expired while not watched */
            bp_timer_del(s->timer);
            return;
        }
    }
    bp_timer_mod(s->timer, next);
}

static void lapic_timer_expired(void *opaque)
{
    LocalApic *s = opaque;
    uint32_t l = s->lvt[LVT_TIMER];

    if (!(l & LVT_MASKED)) {
        lapic_accept_vector(s, l & LVT_VECTOR, false);
        lapic_update(s);
    }
    if (l & LVT_TIMER_PERIODIC) {
        lapic_timer_arm(s);
    } else {
        s->timer_running = false;
    }
}

static void lapic_timer_set_dcr(LocalApic *s, uint32_t v)
{
    unsigned code = (v & 3) | ((v >> 1) & 4);
    uint32_t cur = lapic_timer_current(s);
    bool running = s->timer_running && cur;

    s->timer_dcr = v & 0xb;
    s->timer_shift = (code + 1) & 7;          /* 0b111 divides by 1 */
    if (running) {
        /* Keep the current count; it goes on at the new rate. */
        s->timer_start = bp_clock_ns(BP_CLOCK_VIRTUAL) -
                         (((int64_t)(s->timer_initial - cur) << s->timer_shift)
                          << LAPIC_BUS_NS_SHIFT);
        lapic_timer_arm(s);
    }
}

static void lapic_timer_load(LocalApic *s, uint32_t count)
{
    s->timer_initial = count;
    s->timer_start = bp_clock_ns(BP_CLOCK_VIRTUAL);
    s->timer_running = count != 0;
    lapic_timer_arm(s);
}

/* The ICR: an IPI. */

static void lapic_send_ipi(LocalApic *s)
{
    unsigned shorthand = (s->icr_lo >> ICR_SHORTHAND_SHIFT) & 3;
    unsigned mode = (s->icr_lo >> LVT_DELMODE_SHIFT) & 7;
    uint8_t vector = s->icr_lo & 0xff;
    bool level = s->icr_lo & ICR_TRIGGER_LEVEL;
    bool to_self;

    BP_TRACE(s, "ipi icr 0x%08x:%08x", s->icr_hi, s->icr_lo);
    if (mode == APIC_DM_INIT && level && !(s->icr_lo & ICR_LEVEL_ASSERT)) {
        return;         /* INIT level de-assert: only synchronizes arbitration IDs */
    }
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        lapic_error(s, ESR_SEND_ILLEGAL);
        lapic_update(s);
        return;
    }
    switch (shorthand) {
    case ICR_DEST_SELF:
        to_self = true;
        break;
    case ICR_DEST_ALL:
        to_self = true;
        break;
    case ICR_DEST_OTHERS:
        to_self = false;
        break;
    default:
        to_self = lapic_match_dest(s, s->icr_hi >> 24, s->icr_lo & ICR_DESTMODE_LOGICAL);
        break;
    }
    if (shorthand == ICR_DEST_OTHERS || shorthand == ICR_DEST_ALL ||
        (shorthand == ICR_DEST_FIELD && !to_self) ||
        (shorthand == ICR_DEST_FIELD && (s->icr_hi >> 24) == 0xff)) {
        bp_unimp(s, "IPI (mode %u) to other CPUs: no other CPU yet", mode);
    }
    if (to_self) {
        /* The ICR's trigger bit matters for fixed IPIs only. */
        lapic_message(s, mode, vector, mode == APIC_DM_FIXED && level);
    }
}

/* Register access. */

static void lapic_write_lvt(LocalApic *s, unsigned i, uint32_t v)
{
    static const uint32_t wmask[LVT_NUM] = {
        [LVT_TIMER]   = LVT_VECTOR | LVT_MASKED | LVT_TIMER_PERIODIC,
        [LVT_THERMAL] = LVT_VECTOR | (7u << LVT_DELMODE_SHIFT) | LVT_MASKED,
        [LVT_PERF]    = LVT_VECTOR | (7u << LVT_DELMODE_SHIFT) | LVT_MASKED,
        [LVT_LINT0]   = LVT_VECTOR | (7u << LVT_DELMODE_SHIFT) | LVT_POLARITY |
                        LVT_LEVEL | LVT_MASKED,
        [LVT_LINT1]   = LVT_VECTOR | (7u << LVT_DELMODE_SHIFT) | LVT_POLARITY |
                        LVT_LEVEL | LVT_MASKED,
        [LVT_ERROR]   = LVT_VECTOR | LVT_MASKED,
    };
    uint32_t old = s->lvt[i];

    if (i == LVT_TIMER && (v & (1u << 18))) {
        bp_unimp(s, "LVT timer: TSC-deadline mode not implemented");
    }
    if (!lapic_sw_enabled(s)) {
        v |= LVT_MASKED;          /* SDM 11.4.7.2: masks stay set */
    }
    s->lvt[i] = (v & wmask[i]) | (old & LVT_REMOTE_IRR);
    if (i == LVT_TIMER && ((old ^ s->lvt[i]) & LVT_TIMER_PERIODIC)) {
        lapic_timer_arm(s);
    }
    /* A LINT input that is high now may be unmasked into a fixed level
     * request or change what ExtINT presents. */
    lapic_update(s);
}

static void lapic_set_lint(void *opaque, int n, bool level)
{
    LocalApic *s = opaque;
    bool rising;
    uint32_t l;

    if (n < 0 || n > 1) {
        return;
    }
    rising = level && !s->lint[n];
    s->lint[n] = level;
    if (!lapic_hw_enabled(s)) {
        /* The pins are the CPU's INTR (LINT0) and NMI (LINT1). */
        if (n == 1 && rising) {
            bp_irq_pulse(bp_cpu_nmi(0));
        }
        lapic_update(s);
        return;
    }
    l = s->lvt[LVT_LINT0 + n];
    if (!(l & LVT_MASKED)) {
        switch (lvt_mode(l)) {
        case APIC_DM_FIXED:
            if ((l & LVT_LEVEL) && n == 0) {
                if (level && !(l & LVT_REMOTE_IRR)) {
                    s->lvt[LVT_LINT0] |= LVT_REMOTE_IRR;
                    lapic_accept_vector(s, l & LVT_VECTOR, true);
                }
            } else if (rising) {
                lapic_accept_vector(s, l & LVT_VECTOR, false);
            }
            break;
        case APIC_DM_NMI:
            if (rising) {
                bp_irq_pulse(bp_cpu_nmi(0));
            }
            break;
        case APIC_DM_EXTINT:
            break;              /* level: lapic_update follows the pin */
        default:
            if (rising) {
                bp_unimp(s, "LINT%d delivery mode %u not implemented", n, lvt_mode(l));
            }
            break;
        }
    }
    lapic_update(s);
}

static void lapic_write_svr(LocalApic *s, uint32_t v)
{
    s->svr = v & (0xff | SVR_ENABLE | SVR_FOCUS_OFF);
    if (!lapic_sw_enabled(s)) {
        for (int i = 0; i < LVT_NUM; i++) {
            s->lvt[i] |= LVT_MASKED;
        }
    }
    lapic_update(s);
}

static uint32_t lapic_reg_read(LocalApic *s, unsigned r)
{
    switch (r) {
    case LAPIC_R_ID:
        return (uint32_t)s->id << 24;
    case LAPIC_R_VER:
        return LAPIC_VERSION;
    case LAPIC_R_TPR:
        return s->tpr;
    case LAPIC_R_APR:
        return lapic_apr(s);
    case LAPIC_R_PPR:
        return lapic_ppr(s);
    case LAPIC_R_EOI:
    case LAPIC_R_RRD:
        return 0;
    case LAPIC_R_LDR:
        return s->ldr;
    case LAPIC_R_DFR:
        return s->dfr;
    case LAPIC_R_SVR:
        return s->svr;
    case LAPIC_R_ISR ... LAPIC_R_ISR + 7:
        return s->isr[r - LAPIC_R_ISR];
    case LAPIC_R_TMR ... LAPIC_R_TMR + 7:
        return s->tmr[r - LAPIC_R_TMR];
    case LAPIC_R_IRR ... LAPIC_R_IRR + 7:
        return s->irr[r - LAPIC_R_IRR];
    case LAPIC_R_ESR:
        return s->esr;
    case LAPIC_R_ICR_LO:
        return s->icr_lo;     /* delivery status 0: sent at once */
    case LAPIC_R_ICR_HI:
        return s->icr_hi;
    case LAPIC_R_LVT ... LAPIC_R_LVT + LVT_NUM - 1:
        return s->lvt[r - LAPIC_R_LVT];
    case LAPIC_R_TIMER_INIT:
        return s->timer_initial;
    case LAPIC_R_TIMER_CUR:
        return lapic_timer_current(s);
    case LAPIC_R_TIMER_DCR:
        return s->timer_dcr;
    default:
        lapic_error(s, ESR_ILLEGAL_REG);
        bp_guest_error(s, "read of reserved register 0x%03x", r << 4);
        lapic_update(s);
        return 0;
    }
}

static void lapic_reg_write(LocalApic *s, unsigned r, uint32_t v)
{
    switch (r) {
    case LAPIC_R_ID:
        s->id = v >> 24;
        break;
    case LAPIC_R_TPR:
        s->tpr = v & 0xff;
        lapic_update(s);
        break;
    case LAPIC_R_EOI:
        lapic_eoi(s);
        break;
    case LAPIC_R_LDR:
        s->ldr = v & 0xff000000u;
        break;
    case LAPIC_R_DFR:
        s->dfr = v | 0x0fffffffu;
        break;
    case LAPIC_R_SVR:
        lapic_write_svr(s, v);
        break;
    case LAPIC_R_ESR:
        /* A write latches the errors seen since the last one (SDM 11.5.3). */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case LAPIC_R_ICR_LO:
        s->icr_lo = v & ~(1u << 12);
        lapic_send_ipi(s);
        break;
    case LAPIC_R_ICR_HI:
        s->icr_hi = v & 0xff000000u;
        break;
    case LAPIC_R_LVT ... LAPIC_R_LVT + LVT_NUM - 1:
        lapic_write_lvt(s, r - LAPIC_R_LVT, v);
        break;
    case LAPIC_R_TIMER_INIT:
        lapic_timer_load(s, v);
        break;
    case LAPIC_R_TIMER_DCR:
        lapic_timer_set_dcr(s, v);
        break;
    case LAPIC_R_VER:
    case LAPIC_R_APR:
    case LAPIC_R_PPR:
    case LAPIC_R_RRD:
    case LAPIC_R_ISR ... LAPIC_R_IRR + 7:
    case LAPIC_R_TIMER_CUR:
        break;                    /* read-only */
    default:
        lapic_error(s, ESR_ILLEGAL_REG);
        bp_guest_error(s, "write of reserved register 0x%03x <- 0x%08x", r << 4, v);
        lapic_update(s);
        break;
    }
}

static uint64_t lapic_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    LocalApic *s = opaque;
    uint32_t v = 0;

    if ((addr & 0xf) == 0) {
        v = lapic_reg_read(s, (addr >> 4) & 0xff);
    }
    BP_TRACE(s, "read  0x%03x -> 0x%08x", (unsigned)addr, v);
    return v;
}

static void lapic_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    LocalApic *s = opaque;

    BP_TRACE(s, "write 0x%03x <- 0x%08x", (unsigned)addr, (uint32_t)val);
    if ((addr & 0xf) == 0) {
        lapic_reg_write(s, (addr >> 4) & 0xff, (uint32_t)val);
    }
}

static const BpMemOps lapic_mmio_ops = {
    .read = lapic_mmio_read,
    .write = lapic_mmio_write,
    .min_access = 4,
    .max_access = 4,
};

/* IA32_APIC_BASE and the global enable. */

static void lapic_regs_reset(LocalApic *s)
{
    s->id = s->id_prop;
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    s->esr = 0;
    s->esr_pending = 0;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->icr_lo = 0;
    s->icr_hi = 0;
    for (int i = 0; i < LVT_NUM; i++) {
        s->lvt[i] = LVT_MASKED;
    }
    s->timer_initial = 0;
    s->timer_dcr = 0;
    s->timer_shift = 1;
    s->timer_running = false;
    s->extint_msg = false;
    if (s->timer) {
        bp_timer_del(s->timer);
    }
}

static void lapic_apply_base(LocalApic *s)
{
    bp_mr_set_address(s->mmio, s->apicbase & APICBASE_ADDR);
    bp_mr_set_enabled(s->mmio, lapic_hw_enabled(s));
}

static bool lapic_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    LocalApic *s = opaque;

    *val = s->apicbase;
    return true;
}

static bool lapic_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    LocalApic *s = opaque;
    bool was = lapic_hw_enabled(s);

    /* Reserved bits, and x2APIC enable (bit 10), which is not offered. */
    if (val & ~(APICBASE_ADDR | APICBASE_ENABLE | APICBASE_BSP)) {
        return false;             /* #GP */
    }
    s->apicbase = (val & (APICBASE_ADDR | APICBASE_ENABLE)) | (s->apicbase & APICBASE_BSP);
    if (was && !lapic_hw_enabled(s)) {
        /* Disabling loses the state (SDM 11.4.3): re-enabling starts over. */
        lapic_regs_reset(s);
    }
    BP_TRACE(s, "apic base 0x%" G_GINT64_MODIFIER "x", s->apicbase);
    lapic_apply_base(s);
    lapic_update(s);
    return true;
}

static void lapic_instance_init(BpDevice *dev)
{
    LocalApic *s = (LocalApic *)dev;

    bp_device_add_gpio_in(dev, "lint", 2, lapic_set_lint, s);
    bp_device_add_gpio_out(dev, "int", s->int_out, 1);
}

static void lapic_reset(BpDevice *dev)
{
    LocalApic *s = (LocalApic *)dev;

    lapic_regs_reset(s);
    s->apicbase = (s->base_prop & APICBASE_ADDR) | APICBASE_BSP | APICBASE_ENABLE;
    lapic_apply_base(s);
    lapic_update(s);
}

static void lapic_unrealize(BpDevice *dev)
{
    LocalApic *s = (LocalApic *)dev;

    if (s->claimed) {
        bp_cpu_set_msr_handler(0, MSR_IA32_APIC_BASE, NULL, NULL, NULL);
        bp_cpu_set_intack(0, NULL, NULL);
        s->claimed = false;
    }
    bp_irq_lower(s->cpu_intr);
    s->cpu_intr = NULL;
    bp_irq_lower(s->int_out[0]);
    s->intr_level = false;
    if (s->timer) {
        bp_timer_free(s->timer);
        s->timer = NULL;
    }
    if (s->mmio) {
        if (s->mapped) {
            bp_mr_del_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)), s->mmio);
            s->mapped = false;
        }
        bp_mr_free(s->mmio);
        s->mmio = NULL;
    }
}

static bool lapic_realize(BpDevice *dev, GError **errp)
{
    LocalApic *s = (LocalApic *)dev;
    BpDevice *other = bp_machine_find_type(APIC_TYPE_LOCAL);

    if (s->base_prop & ~APICBASE_ADDR) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "base must be 4 KiB aligned and below 64 GiB (got 0x%" G_GINT64_MODIFIER "x)",
                    s->base_prop);
        return false;
    }
    if (other && other != dev) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                    "one local APIC (CPU 0) per machine until SMP");
        return false;
    }
    s->mmio = bp_mr_new_io(dev, "apic", LAPIC_MMIO_SIZE, &lapic_mmio_ops, s);
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)),
                        s->base_prop, s->mmio, 2);
    s->mapped = true;
    s->timer = bp_timer_new(dev, BP_CLOCK_VIRTUAL, lapic_timer_expired, s);
    s->cpu_intr = bp_cpu_intr(0);
    bp_cpu_set_intack(0, lapic_intack, s);
    bp_cpu_set_msr_handler(0, MSR_IA32_APIC_BASE, lapic_msr_read, lapic_msr_write, s);
    s->claimed = true;
    lapic_reset(dev);
    return true;
}

static char *lapic_print_info(BpDevice *dev)
{
    LocalApic *s = (LocalApic *)dev;

    return g_strdup_printf("base 0x%" G_GINT64_MODIFIER "x id %u svr 0x%03x tpr 0x%02x "
                           "ppr 0x%02x irr %d isr %d timer %u/%u lint0 0x%05x",
                           s->apicbase, s->id, s->svr, s->tpr, lapic_ppr(s),
                           lapic_highest(s->irr), lapic_highest(s->isr),
                           lapic_timer_current(s), s->timer_initial, s->lvt[LVT_LINT0]);
}

static const BpProperty lapic_props[] = {
    BP_PROP_U64("base", LocalApic, base_prop, LAPIC_BASE),
    BP_PROP_U8("apic-id", LocalApic, id_prop, 0),
    BP_PROP_END
};

const BpDeviceType apic_lapic_type = {
    .name          = APIC_TYPE_LOCAL,
    .parent        = BP_TYPE_SYS_DEVICE,
    .desc          = "local APIC of CPU 0 (xAPIC, MMIO 0xfee00000, timer at 1 GHz)",
    .instance_size = sizeof(LocalApic),
    .props         = lapic_props,
    .instance_init = lapic_instance_init,
    .realize       = lapic_realize,
    .unrealize     = lapic_unrealize,
    .reset         = lapic_reset,
    .print_info    = lapic_print_info,
};

static const BpDeviceType *const apic_types[] = {
    &apic_lapic_type,
    &apic_ioapic_type,
    NULL
};

BP_MODULE(apic,
    .description = "local APIC and 82093AA I/O APIC",
    .types = apic_types);
