/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-pic: the Intel 8259A programmable interrupt controller, plus the
 * edge/level control register (ELCR) that PIIX-era chipsets put beside it.
 *
 * A PC has two: the master (0x20, ELCR 0x4d0) drives the CPU's INTR pin and
 * answers its interrupt acknowledge cycles; the slave (0xa0, ELCR 0x4d1)
 * drives its "int" output, which the machine wires to the master's input 2.
 * The master finds the slave by id (property `slave`) to pass the
 * acknowledge on, as the CAS0-2 lines do. A machine describes it as data:
 *
 *   [device "pic0"]  driver = "isa-pic"  master = "on"  isa-irqs = "on"
 *                    slave = "pic1"  cpu-intr = "on"   (no local APIC)
 *   [device "pic1"]  driver = "isa-pic"  master = "off" isa-irqs = "on"
 *   [wire] from = "pic1.int[0]"  to = "pic0.irq[2]"
 *
 * With a local APIC (machines/pc.c) the master keeps cpu-intr off and its
 * "int" output is wired to apic.lint[0] (ExtINT, the virtual wire).
 *
 * With isa-irqs=on a chip listens to the ISA bus's IRQ lines itself: the
 * master to 0, 1 and 3-7 (ISA IRQ 2 is the cascade on an AT: devices using
 * it are wired to 9), the slave to 8-15. Otherwise its "irq" inputs are
 * wired by the machine. cpu-intr=on (master only) drives the CPU's INTR
 * pin and claims its acknowledge cycle; without it, only "int" is driven
 * (a device-test machine, or a local APIC taking the PIC as ExtINT: it
 * acknowledges through the "i8259" interface, <backplane/i8259.h>).
 *
 * Emulated: ICW1-4 (single/cascade, LTIM, AEOI, SFNM), OCW1-3 (mask,
 * specific/non-specific EOI, rotation in both forms, set priority, poll,
 * special mask mode, IRR/ISR read), spurious IRQ 7, ELCR.
 * Not emulated: 8080/8085 mode (uPM=0: logged, treated as 8086 mode),
 * buffered mode (no electrical meaning here).
 */
#include <backplane/backplane.h>
#include <backplane/i8259.h>

#define PIC_ICW1_IC4   0x01
#define PIC_ICW1_SNGL  0x02
#define PIC_ICW1_LTIM  0x08
#define PIC_ICW1       0x10
#define PIC_OCW3       0x08
#define PIC_OCW3_RIS   0x01
#define PIC_OCW3_RR    0x02
#define PIC_OCW3_POLL  0x04
#define PIC_OCW3_SMM   0x20
#define PIC_OCW3_ESMM  0x40
#define PIC_ICW4_UPM   0x01
#define PIC_ICW4_AEOI  0x02
#define PIC_ICW4_SFNM  0x10

/* Which initialization word port 1 expects next. */
enum { PIC_INIT_NONE, PIC_INIT_ICW2, PIC_INIT_ICW3, PIC_INIT_ICW4 };

typedef struct IsaPic {
    BpDevice parent;

    /* properties */
    bool master;
    bool isa_irqs;
    bool cpu_intr;
    int32_t iobase_prop;
    int32_t elcr_addr_prop;
    int32_t elcr_mask_prop;
    char *slave_id;

    uint16_t iobase;
    int32_t elcr_addr;            /* -2: none */
    uint8_t elcr_mask;

    /* guest-visible state */
    uint8_t irr, isr, imr;
    uint8_t priority_add;         /* the input with the highest priority */
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t init_state;
    bool read_isr;
    bool poll;
    bool special_mask;
    bool rotate_on_aeoi;
    uint8_t elcr;

    /* input pin levels (wires, not registers: reset keeps them) */
    uint8_t pins;
    bool int_level;

    /* wiring */
    BpIrq *int_out[1];
    BpMemoryRegion *io;
    BpMemoryRegion *elcr_io;
    BpIrq *isa_line[8];
    BpIrqSink *isa_sink[8];
    BpIrq *cpu_line;
    bool intack_claimed;
    bool interface_provided;
} IsaPic;

static uint8_t isa_pic_level_mask(const IsaPic *s)
{
    return (s->icw1 & PIC_ICW1_LTIM) ? 0xff : s->elcr;
}

/* Priority 0 (highest) .. 7 of the first set bit in mask, or 8 if none. */
static int isa_pic_priority(const IsaPic *s, uint8_t mask)
{
    if (!mask) {
        return 8;
    }
    for (int p = 0; p < 8; p++) {
        if (mask & (1u << ((p + s->priority_add) & 7))) {
            return p;
        }
    }
    return 8;
}

static bool isa_pic_cascaded(const IsaPic *s, int irq)
{
    return s->master && !(s->icw1 & PIC_ICW1_SNGL) && (s->icw3 & (1u << irq));
}

/* The input the chip would present to the CPU now, or -1. */
static int isa_pic_get_irq(const IsaPic *s)
{
    uint8_t pending = s->irr & ~s->imr;
    uint8_t in_service = s->isr;
    int p = isa_pic_priority(s, pending);

    if (p == 8) {
        return -1;
    }
    if (s->special_mask) {
        in_service &= ~s->imr;
    }
    /* Special fully nested mode: a slave's further requests get through
     * while its cascade input is in service (datasheet, SFNM). */
    if (s->master && (s->icw4 & PIC_ICW4_SFNM)) {
        in_service &= ~s->icw3;
    }
    if (p < isa_pic_priority(s, in_service)) {
        return (p + s->priority_add) & 7;
    }
    return -1;
}

static void isa_pic_update(IsaPic *s)
{
    bool level = s->init_state == PIC_INIT_NONE && isa_pic_get_irq(s) >= 0;

    if (level != s->int_level) {
        BP_TRACE(s, "int %d (irr 0x%02x isr 0x%02x imr 0x%02x)",
                 level, s->irr, s->isr, s->imr);
    }
    s->int_level = level;
    bp_irq_set(s->int_out[0], level);
    bp_irq_set(s->cpu_line, level);
}

static void isa_pic_set_input(void *opaque, int n, bool level)
{
    IsaPic *s = opaque;
    uint8_t bit = 1u << (n & 7);

    if (n < 0 || n > 7) {
        return;
    }
    if (isa_pic_level_mask(s) & bit) {
        if (level) {
            s->irr |= bit;
        } else {
            s->irr &= ~bit;
        }
    } else if (level && !(s->pins & bit)) {
        s->irr |= bit;
    }
    if (level) {
        s->pins |= bit;
    } else {
        s->pins &= ~bit;
    }
    isa_pic_update(s);
}

/* The acknowledge (INTA or poll) of input irq: ISR and IRR bookkeeping. */
static void isa_pic_intack(IsaPic *s, int irq)
{
    uint8_t bit = 1u << irq;

    if (s->icw4 & PIC_ICW4_AEOI) {
        if (s->rotate_on_aeoi) {
            s->priority_add = (irq + 1) & 7;
        }
    } else {
        s->isr |= bit;
    }
    /* An edge request is consumed; a level request stays while the line
     * is high. */
    if (!(isa_pic_level_mask(s) & bit)) {
        s->irr &= ~bit;
    }
}

static uint8_t isa_pic_ack_local(IsaPic *s, bool *cascade, int *irq_out)
{
    int irq = isa_pic_get_irq(s);

    *cascade = false;
    if (irq < 0) {
        /* The request went away before INTA: the chip answers IR7 without
         * setting ISR (the "spurious interrupt" the datasheet describes). */
        *irq_out = 7;
        return (s->icw2 & 0xf8) | 7;
    }
    isa_pic_intack(s, irq);
    *irq_out = irq;
    *cascade = isa_pic_cascaded(s, irq);
    return (s->icw2 & 0xf8) | irq;
}

static IsaPic *isa_pic_find_slave(IsaPic *s)
{
    BpDevice *d;

    if (!s->slave_id) {
        return NULL;
    }
    d = bp_device_find(s->slave_id);
    if (!d || !d->realized || !bp_device_is_a(d, "isa-pic") || d == &s->parent) {
        return NULL;
    }
    return (IsaPic *)d;
}

static uint8_t isa_pic_cpu_ack(void *opaque)
{
    IsaPic *s = opaque;
    IsaPic *slave;
    bool cascade, dummy;
    int irq;
    uint8_t vec = isa_pic_ack_local(s, &cascade, &irq);

    if (cascade) {
        slave = isa_pic_find_slave(s);
        if (slave) {
            vec = isa_pic_ack_local(slave, &dummy, &irq);
            isa_pic_update(slave);
        } else {
            bp_guest_error(s, "INTA for cascade input %d but no slave '%s'",
                           irq, s->slave_id ? s->slave_id : "(none)");
            vec = 0xff;
        }
    }
    BP_TRACE(s, "inta -> vector 0x%02x", vec);
    isa_pic_update(s);
    return vec;
}

static const BpI8259Ops isa_pic_i8259_ops = {
    .intack = isa_pic_cpu_ack,
};

static uint8_t isa_pic_poll_read(IsaPic *s)
{
    int irq = isa_pic_get_irq(s);

    if (irq < 0) {
        return 0;
    }
    isa_pic_intack(s, irq);
    return 0x80 | irq;
}

static void isa_pic_eoi(IsaPic *s, int irq, bool rotate)
{
    s->isr &= ~(1u << irq);
    if (rotate) {
        s->priority_add = (irq + 1) & 7;
    }
}

static void isa_pic_write_ocw2(IsaPic *s, uint8_t v)
{
    int cmd = v >> 5;
    int level = v & 7;
    int p;

    switch (cmd) {
    case 0:                     /* clear rotate in AEOI mode */
    case 4:                     /* set rotate in AEOI mode */
        s->rotate_on_aeoi = cmd == 4;
        break;
    case 1:                     /* non-specific EOI */
    case 5:                     /* rotate on non-specific EOI */
        p = isa_pic_priority(s, s->isr);
        if (p != 8) {
            isa_pic_eoi(s, (p + s->priority_add) & 7, cmd == 5);
        }
        break;
    case 3:                     /* specific EOI */
    case 7:                     /* rotate on specific EOI */
        isa_pic_eoi(s, level, cmd == 7);
        break;
    case 6:                     /* set priority: level becomes the lowest */
        s->priority_add = (level + 1) & 7;
        break;
    case 2:                     /* no operation */
        break;
    }
}

static void isa_pic_write_icw1(IsaPic *s, uint8_t v)
{
    /* ICW1 starts initialization: the datasheet clears the mask, edge
     * sensitivity per LTIM, IR7 lowest priority, special mask off, and
     * selects IRR for reading. */
    s->icw1 = v;
    s->icw3 = 0;
    s->icw4 = 0;
    s->imr = 0;
    s->isr = 0;
    s->irr = 0;
    s->priority_add = 0;
    s->special_mask = false;
    s->read_isr = false;
    s->poll = false;
    s->rotate_on_aeoi = false;
    s->init_state = PIC_INIT_ICW2;
    /* Level inputs that are high request again at once. */
    s->irr = s->pins & isa_pic_level_mask(s);
}

static void isa_pic_write_data(IsaPic *s, uint8_t v)
{
    switch (s->init_state) {
    case PIC_INIT_NONE:
        s->imr = v;
        break;
    case PIC_INIT_ICW2:
        s->icw2 = v;
        if (!(s->icw1 & PIC_ICW1_SNGL)) {
            s->init_state = PIC_INIT_ICW3;
        } else {
            s->init_state = (s->icw1 & PIC_ICW1_IC4) ? PIC_INIT_ICW4 : PIC_INIT_NONE;
        }
        break;
    case PIC_INIT_ICW3:
        s->icw3 = v;
        s->init_state = (s->icw1 & PIC_ICW1_IC4) ? PIC_INIT_ICW4 : PIC_INIT_NONE;
        break;
    case PIC_INIT_ICW4:
        s->icw4 = v;
        if (!(v & PIC_ICW4_UPM)) {
            bp_unimp(s, "ICW4 selects 8080/8085 mode; using 8086 mode");
        }
        s->init_state = PIC_INIT_NONE;
        break;
    }
}

static uint64_t isa_pic_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaPic *s = opaque;
    uint8_t v;

    if (s->poll) {
        s->poll = false;
        v = isa_pic_poll_read(s);
    } else if (addr & 1) {
        v = s->imr;
    } else {
        v = s->read_isr ? s->isr : s->irr;
    }
    BP_TRACE(s, "read  port %u -> 0x%02x", (unsigned)(addr & 1), v);
    isa_pic_update(s);
    return v;
}

static void isa_pic_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaPic *s = opaque;
    uint8_t v = val;

    BP_TRACE(s, "write port %u <- 0x%02x", (unsigned)(addr & 1), v);
    if (addr & 1) {
        isa_pic_write_data(s, v);
    } else if (v & PIC_ICW1) {
        isa_pic_write_icw1(s, v);
    } else if (v & PIC_OCW3) {
        if (v & PIC_OCW3_POLL) {
            s->poll = true;
        }
        if (v & PIC_OCW3_RR) {
            s->read_isr = v & PIC_OCW3_RIS;
        }
        if (v & PIC_OCW3_ESMM) {
            s->special_mask = v & PIC_OCW3_SMM;
        }
    } else {
        isa_pic_write_ocw2(s, v);
    }
    isa_pic_update(s);
}

static const BpMemOps isa_pic_ops = {
    .read = isa_pic_read,
    .write = isa_pic_write,
    .min_access = 1,
    .max_access = 1,
};

static uint64_t isa_pic_elcr_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaPic *s = opaque;

    return s->elcr;
}

static void isa_pic_elcr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaPic *s = opaque;
    uint8_t v = val;

    if (v & ~s->elcr_mask) {
        bp_guest_error(s, "ELCR bits 0x%02x cannot be level-triggered",
                       v & ~s->elcr_mask);
    }
    BP_TRACE(s, "elcr <- 0x%02x", v);
    s->elcr = v & s->elcr_mask;
    /* Inputs switched to level follow their pin from now on. */
    s->irr = (s->irr & ~s->elcr) | (s->pins & s->elcr);
    isa_pic_update(s);
}

static const BpMemOps isa_pic_elcr_ops = {
    .read = isa_pic_elcr_read,
    .write = isa_pic_elcr_write,
    .min_access = 1,
    .max_access = 1,
};

static void isa_pic_instance_init(BpDevice *dev)
{
    IsaPic *s = (IsaPic *)dev;

    bp_device_add_gpio_in(dev, "irq", 8, isa_pic_set_input, s);
    bp_device_add_gpio_out(dev, "int", s->int_out, 1);
}

static void isa_pic_reset(BpDevice *dev)
{
    IsaPic *s = (IsaPic *)dev;

    s->irr = 0;
    s->isr = 0;
    s->imr = 0;
    s->priority_add = 0;
    s->icw1 = 0;
    s->icw2 = 0;
    s->icw3 = 0;
    s->icw4 = 0;
    s->init_state = PIC_INIT_NONE;
    s->read_isr = false;
    s->poll = false;
    s->special_mask = false;
    s->rotate_on_aeoi = false;
    s->elcr = 0;
    isa_pic_update(s);
}

static void isa_pic_unrealize(BpDevice *dev)
{
    IsaPic *s = (IsaPic *)dev;

    for (int i = 0; i < 8; i++) {
        if (s->isa_sink[i]) {
            bp_irq_disconnect(s->isa_line[i], s->isa_sink[i]);
            s->isa_sink[i] = NULL;
            s->isa_line[i] = NULL;
        }
    }
    if (s->intack_claimed) {
        bp_cpu_set_intack(0, NULL, NULL);
        s->intack_claimed = false;
    }
    if (s->interface_provided) {
        bp_interface_withdraw(dev, BP_I8259_INTERFACE);
        s->interface_provided = false;
    }
    bp_irq_lower(s->cpu_line);
    s->cpu_line = NULL;
    bp_irq_lower(s->int_out[0]);
    s->int_level = false;
    if (s->elcr_io) {
        bp_isa_unmap_io(dev, s->elcr_io);
        s->elcr_io = NULL;
    }
    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
}

static bool isa_pic_realize(BpDevice *dev, GError **errp)
{
    IsaPic *s = (IsaPic *)dev;
    BpBus *bus = bp_device_bus(dev);

    s->iobase = s->iobase_prop >= 0 ? s->iobase_prop : (s->master ? 0x20 : 0xa0);
    if (s->iobase_prop < -1 || s->iobase_prop > 0xfffe || (s->iobase & 1)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must be an even port below 0xfffe (got %d)", s->iobase_prop);
        return false;
    }
    s->elcr_addr = s->elcr_addr_prop == -1 ? (s->master ? 0x4d0 : 0x4d1)
                                           : s->elcr_addr_prop;
    if (s->elcr_addr < -2 || s->elcr_addr > 0xffff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "elcr-addr must be a port, or -2 for no ELCR (got %d)",
                    s->elcr_addr_prop);
        return false;
    }
    /* On PIIX, IRQ 0, 1, 2 (master) and 8, 13 (slave) are edge only. */
    if (s->elcr_mask_prop == -1) {
        s->elcr_mask = s->master ? 0xf8 : 0xde;
    } else if (s->elcr_mask_prop < 0 || s->elcr_mask_prop > 0xff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "elcr-mask must be 0 to 0xff (got %d)", s->elcr_mask_prop);
        return false;
    } else {
        s->elcr_mask = s->elcr_mask_prop;
    }
    if (s->slave_id && !s->master) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "slave=%s is only valid on the master (master=on)", s->slave_id);
        return false;
    }
    if (s->cpu_intr && !s->master) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "cpu-intr=on is only valid on the master (master=on)");
        return false;
    }

    s->io = bp_isa_map_io(dev, s->master ? "pic-master" : "pic-slave", s->iobase, 2,
                          &isa_pic_ops, s, errp);
    if (!s->io) {
        return false;
    }
    if (s->elcr_addr >= 0) {
        s->elcr_io = bp_isa_map_io(dev, "elcr", s->elcr_addr, 1,
                                   &isa_pic_elcr_ops, s, errp);
        if (!s->elcr_io) {
            goto fail;
        }
    }
    if (s->isa_irqs) {
        for (int i = 0; i < 8; i++) {
            unsigned line = s->master ? i : 8 + i;

            if (s->master && i == 2) {
                continue;
            }
            s->isa_line[i] = bp_isa_bus_irq(bus, line);
            if (!s->isa_line[i]) {
                g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                            "isa-irqs=on: ISA IRQ %u not available", line);
                goto fail;
            }
            s->isa_sink[i] = bp_irq_connect(s->isa_line[i], isa_pic_set_input, s, i);
            if (bp_irq_level(s->isa_line[i])) {
                isa_pic_set_input(s, i, true);
            }
        }
    }
    if (s->cpu_intr) {
        s->cpu_line = bp_cpu_intr(0);
        bp_cpu_set_intack(0, isa_pic_cpu_ack, s);
        s->intack_claimed = true;
    }
    if (s->master) {
        bp_interface_provide(dev, BP_I8259_INTERFACE, &isa_pic_i8259_ops, s);
        s->interface_provided = true;
    }
    return true;

fail:
    isa_pic_unrealize(dev);
    return false;
}

static char *isa_pic_print_info(BpDevice *dev)
{
    IsaPic *s = (IsaPic *)dev;

    return g_strdup_printf("%s: irr 0x%02x isr 0x%02x imr 0x%02x elcr 0x%02x base 0x%02x",
                           s->master ? "master" : "slave", s->irr, s->isr, s->imr,
                           s->elcr, s->icw2 & 0xf8);
}

static const BpProperty isa_pic_props[] = {
    BP_PROP_BOOL("master", IsaPic, master, true),
    BP_PROP_BOOL("isa-irqs", IsaPic, isa_irqs, false),
    BP_PROP_BOOL("cpu-intr", IsaPic, cpu_intr, false),
    BP_PROP_I32("iobase", IsaPic, iobase_prop, -1),
    BP_PROP_I32("elcr-addr", IsaPic, elcr_addr_prop, -1),
    BP_PROP_I32("elcr-mask", IsaPic, elcr_mask_prop, -1),
    BP_PROP_STRING("slave", IsaPic, slave_id, NULL),
    BP_PROP_END
};

static const BpDeviceType isa_pic_type = {
    .name          = "isa-pic",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "8259A interrupt controller (master=on|off) with ELCR",
    .instance_size = sizeof(IsaPic),
    .props         = isa_pic_props,
    .instance_init = isa_pic_instance_init,
    .realize       = isa_pic_realize,
    .unrealize     = isa_pic_unrealize,
    .reset         = isa_pic_reset,
    .print_info    = isa_pic_print_info,
};

static const BpDeviceType *const pic_types[] = {
    &isa_pic_type,
    NULL
};

BP_MODULE(pic,
    .description = "8259A programmable interrupt controller",
    .types = pic_types);
