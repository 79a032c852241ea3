/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ioapic: the Intel 82093AA I/O APIC (datasheet 290566-001), 24 inputs, at
 * 0xfec00000: IOREGSEL (offset 0x00) selects a register, IOWIN (0x10)
 * reads and writes it. Registers: ID (0x00, bits 24-27), VER (0x01:
 * version 0x11, 24 entries), ARB (0x02, the arbitration ID, equal to the
 * ID here), and the redirection table (0x10 + 2n low, 0x11 + 2n high):
 * vector, delivery mode (fixed, lowest priority, SMI, NMI, INIT, ExtINT),
 * destination mode and field, polarity, trigger mode with Remote IRR, mask.
 *
 * Inputs: gpio in "irq" 0-23. With isa-irqs=on (the default) inputs 1 and
 * 3-15 follow the ISA bus lines of the same number and ISA IRQ 0 (the PIT)
 * reaches input 2, as on PCs whose firmware reports the IRQ0 override
 * (fw_cfg item 0x8001, the MADT's interrupt source override); ISA IRQ 2
 * is the 8259 cascade and reaches nothing. A machine wires 16-19 to the
 * PIIX3's "pirq" outputs.
 *
 * Lines carry "asserted", not an electrical level: the polarity bit is
 * kept for the guest to read back but does not invert anything (PCI INTx
 * is active low on the board, and the guest programs it so).
 *
 * A level entry sets Remote IRR when the local APIC accepts it and is not
 * delivered again until the local APIC's EOI broadcast of its vector
 * clears Remote IRR; an edge entry is delivered on each rising edge while
 * unmasked (an edge that arrives while masked is lost, as on the chip).
 * Delivery is immediate, so Delivery Status always reads 0.
 * Not emulated: the APIC bus arbitration itself (one local APIC), the
 * 82093AA's delivery to several local APICs (SMP).
 */
#include <backplane/backplane.h>
#include "apic.h"

#define IOAPIC_BASE         0xfec00000u
#define IOAPIC_MMIO_SIZE    0x1000
#define IOAPIC_NUM_PINS     24
#define IOAPIC_VERSION      0x11

#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDTBL   0x10

#define IOAPIC_OFF_REGSEL   0x00
#define IOAPIC_OFF_IOWIN    0x10

#define IOAPIC_RTE_VECTOR       0xffull
#define IOAPIC_RTE_DELMODE_SHIFT 8
#define IOAPIC_RTE_DESTMODE     (1ull << 11)
#define IOAPIC_RTE_DELIVS       (1ull << 12)
#define IOAPIC_RTE_POLARITY     (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR   (1ull << 14)
#define IOAPIC_RTE_LEVEL        (1ull << 15)
#define IOAPIC_RTE_MASK         (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT   56
/* Guest-writable bits: all but Delivery Status and Remote IRR. */
#define IOAPIC_RTE_WMASK        (0xff00000000000000ull | 0x1affful)

typedef struct IoApic {
    BpDevice parent;

    /* properties */
    uint64_t base;
    uint8_t id_prop;
    bool isa_irqs;

    /* guest-visible state */
    uint8_t regsel;
    uint8_t id;
    uint64_t redir[IOAPIC_NUM_PINS];

    /* input levels (wires: reset keeps them) */
    uint32_t pins;

    /* wiring */
    BpMemoryRegion *mmio;
    bool mapped;
    BpIrq *isa_line[BP_ISA_NUM_IRQS];
    BpIrqSink *isa_sink[BP_ISA_NUM_IRQS];
} IoApic;

static unsigned ioapic_delivery_mode(uint64_t e)
{
    return (e >> IOAPIC_RTE_DELMODE_SHIFT) & 7;
}

/* Send the entry's message; true when a local APIC took it. */
static bool ioapic_send(IoApic *s, int pin)
{
    uint64_t e = s->redir[pin];
    unsigned mode = ioapic_delivery_mode(e);
    BpDevice *lapic = bp_machine_find_type(APIC_TYPE_LOCAL);
    bool level = e & IOAPIC_RTE_LEVEL;
    bool ok;

    if (mode == 3 || mode == 6) {
        bp_guest_error(s, "pin %d: reserved delivery mode %u", pin, mode);
        return false;
    }
    if (!lapic) {
        return false;
    }
    ok = apic_lapic_deliver(lapic, (uint8_t)(e >> IOAPIC_RTE_DEST_SHIFT),
                            e & IOAPIC_RTE_DESTMODE, mode,
                            (uint8_t)(e & IOAPIC_RTE_VECTOR), level);
    BP_TRACE(s, "pin %d -> vector 0x%02x mode %u %s%s", pin,
             (unsigned)(e & IOAPIC_RTE_VECTOR), mode, level ? "level" : "edge",
             ok ? "" : " (no destination)");
    return ok;
}

/* A level entry whose input is asserted: deliver unless masked or still
 * waiting for its EOI. */
static void ioapic_service_level(IoApic *s, int pin)
{
    uint64_t *e = &s->redir[pin];

    if ((*e & (IOAPIC_RTE_MASK | IOAPIC_RTE_REMOTE_IRR)) || !(s->pins & (1u << pin))) {
        return;
    }
    if (ioapic_send(s, pin)) {
        unsigned mode = ioapic_delivery_mode(*e);

        /* Only fixed and lowest-priority messages are EOI'd by the
         * local APIC; the others cannot keep Remote IRR pending. */
        if (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) {
            *e |= IOAPIC_RTE_REMOTE_IRR;
        }
    }
}

static void ioapic_set_irq(void *opaque, int n, bool level)
{
    IoApic *s = opaque;
    uint32_t bit;
    bool was;

    if (n < 0 || n >= IOAPIC_NUM_PINS) {
        return;
    }
    bit = 1u << n;
    was = s->pins & bit;
    if (level) {
        s->pins |= bit;
    } else {
        s->pins &= ~bit;
    }
    if (s->redir[n] & IOAPIC_RTE_LEVEL) {
        ioapic_service_level(s, n);
    } else if (level && !was && !(s->redir[n] & IOAPIC_RTE_MASK)) {
        ioapic_send(s, n);
    }
}

/* ISA IRQ n arrives here as sink number n; IRQ 0 is input 2. */
static void ioapic_isa_irq(void *opaque, int n, bool level)
{
    ioapic_set_irq(opaque, n == 0 ? 2 : n, level);
}

void apic_ioapic_eoi(BpDevice *dev, uint8_t vector)
{
    IoApic *s = (IoApic *)dev;

    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint64_t *e = &s->redir[i];

        if ((*e & IOAPIC_RTE_LEVEL) && (*e & IOAPIC_RTE_REMOTE_IRR) &&
            (*e & IOAPIC_RTE_VECTOR) == vector) {
            *e &= ~IOAPIC_RTE_REMOTE_IRR;
            ioapic_service_level(s, i);
        }
    }
}

static uint32_t ioapic_reg_read(IoApic *s)
{
    unsigned r = s->regsel;

    switch (r) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return (uint32_t)s->id << 24;
    case IOAPIC_REG_VER:
        return ((IOAPIC_NUM_PINS - 1) << 16) | IOAPIC_VERSION;
    default:
        if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->redir[(r - IOAPIC_REG_REDTBL) / 2];
            return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        bp_guest_error(s, "read of undefined register 0x%02x", r);
        return 0;
    }
}

static void ioapic_reg_write(IoApic *s, uint32_t v)
{
    unsigned r = s->regsel;

    if (r == IOAPIC_REG_ID) {
        s->id = (v >> 24) & 0x0f;
        return;
    }
    if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        int pin = (r - IOAPIC_REG_REDTBL) / 2;
        uint64_t *e = &s->redir[pin];
        uint64_t nv = (r & 1) ? ((uint64_t)v << 32) | (*e & 0xffffffffu)
                              : (*e & 0xffffffff00000000ull) | v;

        nv = (nv & IOAPIC_RTE_WMASK) | (*e & IOAPIC_RTE_REMOTE_IRR);
        if (!(nv & IOAPIC_RTE_LEVEL)) {
            nv &= ~IOAPIC_RTE_REMOTE_IRR;     /* meaningless for edge */
        }
        *e = nv;
        /* Unmasking (or switching to level) an asserted level input
         * delivers it now. */
        if (nv & IOAPIC_RTE_LEVEL) {
            ioapic_service_level(s, pin);
        }
        return;
    }
    if (r == IOAPIC_REG_VER || r == IOAPIC_REG_ARB) {
        return;                         /* read-only */
    }
    bp_guest_error(s, "write of undefined register 0x%02x <- 0x%08x", r, v);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    IoApic *s = opaque;
    uint32_t v = 0;

    switch (addr & 0xff) {
    case IOAPIC_OFF_REGSEL:
        v = s->regsel;
        break;
    case IOAPIC_OFF_IOWIN:
        v = ioapic_reg_read(s);
        break;
    default:
        bp_guest_error(s, "read at undefined offset 0x%03x", (unsigned)addr);
        break;
    }
    BP_TRACE(s, "read  0x%02x -> 0x%08x (regsel 0x%02x)", (unsigned)addr, v, s->regsel);
    return v;
}

static void ioapic_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IoApic *s = opaque;

    BP_TRACE(s, "write 0x%02x <- 0x%08x (regsel 0x%02x)", (unsigned)addr,
             (uint32_t)val, s->regsel);
    switch (addr & 0xff) {
    case IOAPIC_OFF_REGSEL:
        s->regsel = val & 0xff;
        break;
    case IOAPIC_OFF_IOWIN:
        ioapic_reg_write(s, (uint32_t)val);
        break;
    default:
        bp_guest_error(s, "write at undefined offset 0x%03x", (unsigned)addr);
        break;
    }
}

static const BpMemOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .min_access = 4,
    .max_access = 4,
};

static void ioapic_instance_init(BpDevice *dev)
{
    IoApic *s = (IoApic *)dev;

    bp_device_add_gpio_in(dev, "irq", IOAPIC_NUM_PINS, ioapic_set_irq, s);
}

static void ioapic_reset(BpDevice *dev)
{
    IoApic *s = (IoApic *)dev;

    s->regsel = 0;
    s->id = s->id_prop & 0x0f;
    /* The datasheet leaves the entries undefined but masked. */
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->redir[i] = IOAPIC_RTE_MASK;
    }
}

static void ioapic_unrealize(BpDevice *dev)
{
    IoApic *s = (IoApic *)dev;

    for (int i = 0; i < BP_ISA_NUM_IRQS; i++) {
        if (s->isa_sink[i]) {
            bp_irq_disconnect(s->isa_line[i], s->isa_sink[i]);
            s->isa_sink[i] = NULL;
            s->isa_line[i] = NULL;
        }
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

static bool ioapic_realize(BpDevice *dev, GError **errp)
{
    IoApic *s = (IoApic *)dev;
    BpBus *bus = bp_device_bus(dev);

    if ((s->base & (IOAPIC_MMIO_SIZE - 1)) || s->base > 0xfffff000ull) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "base must be a 4 KiB aligned address below 4 GiB (got 0x%" G_GINT64_MODIFIER "x)",
                    s->base);
        return false;
    }
    if (s->id_prop > 15) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "apic-id must be 0 to 15 (got %u)", s->id_prop);
        return false;
    }
    if (bp_machine_find_type(APIC_TYPE_IO) && bp_machine_find_type(APIC_TYPE_IO) != dev) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                    "only one ioapic per machine is supported");
        return false;
    }
    s->mmio = bp_mr_new_io(dev, "ioapic", IOAPIC_MMIO_SIZE, &ioapic_mmio_ops, s);
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)), s->base, s->mmio, 1);
    s->mapped = true;
    ioapic_reset(dev);

    if (s->isa_irqs) {
        for (int i = 0; i < BP_ISA_NUM_IRQS; i++) {
            if (i == 2) {
                continue;               /* the cascade: nothing on it */
            }
            s->isa_line[i] = bus ? bp_isa_bus_irq(bus, i) : NULL;
            if (!s->isa_line[i]) {
                g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                            "isa-irqs=on: ISA IRQ %d not available", i);
                ioapic_unrealize(dev);
                return false;
            }
            s->isa_sink[i] = bp_irq_connect(s->isa_line[i], ioapic_isa_irq, s, i);
            if (bp_irq_level(s->isa_line[i])) {
                ioapic_isa_irq(s, i, true);
            }
        }
    }
    return true;
}

static char *ioapic_print_info(BpDevice *dev)
{
    IoApic *s = (IoApic *)dev;
    GString *str = g_string_new(NULL);

    g_string_append_printf(str, "id %u base 0x%" G_GINT64_MODIFIER "x pins 0x%06x",
                           s->id, s->base, s->pins);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        if (!(s->redir[i] & IOAPIC_RTE_MASK)) {
            g_string_append_printf(str, "\npin %2d: 0x%016" G_GINT64_MODIFIER "x", i,
                                   s->redir[i]);
        }
    }
    return g_string_free(str, FALSE);
}

static const BpProperty ioapic_props[] = {
    BP_PROP_U64("base", IoApic, base, IOAPIC_BASE),
    BP_PROP_U8("apic-id", IoApic, id_prop, 0),
    BP_PROP_BOOL("isa-irqs", IoApic, isa_irqs, true),
    BP_PROP_END
};

const BpDeviceType apic_ioapic_type = {
    .name          = APIC_TYPE_IO,
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "82093AA I/O APIC (24 inputs, MMIO 0xfec00000)",
    .instance_size = sizeof(IoApic),
    .props         = ioapic_props,
    .instance_init = ioapic_instance_init,
    .realize       = ioapic_realize,
    .unrealize     = ioapic_unrealize,
    .reset         = ioapic_reset,
    .print_info    = ioapic_print_info,
};
