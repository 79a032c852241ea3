/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * piix3: the PCI-to-ISA bridge function of the Intel 82371SB (PIIX3),
 * function 01.0 (8086:7000), per the 82371FB/SB datasheet (order 290550).
 *
 * Emulated: PIRQ routing control (PIRQRC[A:D] at 0x60-0x63): the four PCI
 * interrupt lines are steered to ISA IRQs 3-7, 9-12, 14, 15 or left
 * unrouted (bit 7), and also exported unrouted as gpio out "pirq" 0-3 for
 * an I/O APIC (inputs 16-19 on the PC). PCI devices' INTx pins map to
 * PIRQs as on Intel's reference boards and in SeaBIOS's tables:
 * PIRQ = (slot - 1 + pin) mod 4.
 *
 * The legacy x87 error path (PC/AT compatible, as the PIIX implements it
 * and as Intel SDM vol. 1 app. D.2.1.2 recommends): the CPU's FERR# output
 * latches ISA IRQ 13; an I/O write to port 0xF0 clears it and, while FERR#
 * is high, asserts the CPU's IGNNE# input, which FERR# going low (FNCLEX,
 * FNINIT in the handler) negates again. So the IRQ 13 handler of a guest
 * with CR0.NE = 0 can run x87 instructions before it clears the error.
 *
 * Not emulated: the ISA DMA and ELCR registers live in their own devices
 * (the ELCR in isa-pic), the Reset Control Register in i440fx-pcihost (it
 * shares the 0xcf8 dword); TOM, MBDMA and the APIC chip select are stored
 * only.
 */
#include <backplane/backplane.h>
#include <backplane/pci.h>

#define PIIX3_PIRQRC     0x60
#define PIIX3_NUM_PIRQS  4

typedef struct Piix3 {
    BpPciDevice parent;

    /* wiring */
    BpIrq *pirq[PIIX3_NUM_PIRQS];       /* inputs: PCI INTx after swizzle */
    BpIrq *pirq_out[PIIX3_NUM_PIRQS];   /* gpio out "pirq" (to an IOAPIC) */
    BpIrqSink *sinks[PIIX3_NUM_PIRQS];
    BpBus *isa;

    /* ISA IRQs currently driven high by routed PIRQs */
    uint16_t isa_levels;

    /* FERR# -> IRQ 13, cleared through port 0xF0, which also raises
     * IGNNE# until FERR# drops */
    BpIrqSink *ferr_sink;
    BpMemoryRegion *ferr_io;
} Piix3;

static bool piix3_irq_routable(unsigned irq)
{
    /* 0-2, 8 and 13 are reserved in PIRQRC. */
    return irq >= 3 && irq <= 15 && irq != 8 && irq != 13;
}

static void piix3_update_isa(Piix3 *s)
{
    uint8_t *cfg = bp_pci_config(&s->parent.parent);
    uint16_t levels = 0, changed;

    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        uint8_t r = cfg[PIIX3_PIRQRC + i];
        if (!(r & 0x80) && piix3_irq_routable(r & 0x0f) && bp_irq_level(s->pirq[i]))
            levels |= 1u << (r & 0x0f);
    }
    changed = levels ^ s->isa_levels;
    s->isa_levels = levels;
    for (unsigned irq = 0; irq < 16; irq++) {
        if (changed & (1u << irq))
            bp_irq_set(bp_isa_bus_irq(s->isa, irq), levels & (1u << irq));
    }
}

static void piix3_pirq_changed(void *opaque, int n, bool level)
{
    Piix3 *s = opaque;
    bp_irq_set(s->pirq_out[n], level);
    piix3_update_isa(s);
}

static void piix3_ferr_changed(void *opaque, int n, bool level)
{
    Piix3 *s = opaque;
    if (level)
        bp_irq_raise(bp_isa_bus_irq(s->isa, 13));
    else
        bp_irq_lower(bp_cpu_ignne(0));
}

static uint64_t piix3_f0_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0xff;
}

static void piix3_f0_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Piix3 *s = opaque;
    bp_irq_lower(bp_isa_bus_irq(s->isa, 13));
    if (bp_irq_level(bp_cpu_ferr(0)))
        bp_irq_raise(bp_cpu_ignne(0));
}

static const BpMemOps piix3_f0_ops = {
    .read = piix3_f0_read,
    .write = piix3_f0_write,
    .min_access = 1,
    .max_access = 1,
};

static int piix3_map_irq(void *opaque, int devfn, int pin)
{
    return (BP_PCI_SLOT(devfn) - 1 + pin) & 3;
}

static void piix3_config_write(void *opaque, unsigned off, uint32_t val, unsigned size)
{
    Piix3 *s = opaque;
    if (off < PIIX3_PIRQRC + PIIX3_NUM_PIRQS && off + size > PIIX3_PIRQRC)
        piix3_update_isa(s);
}

static const BpPciConfigOps piix3_config_ops = {
    .write = piix3_config_write,
};

static bool piix3_realize(BpDevice *dev, GError **errp)
{
    Piix3 *s = (Piix3 *)dev;
    BpBus *pci = bp_device_bus(dev);

    s->isa = bp_bus_lookup("isa.0");
    if (!s->isa) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "piix3 needs the machine's ISA bus isa.0");
        return false;
    }
    bp_pci_set_ids(dev, 0x8086, 0x7000, 0x060100, 0x00);
    bp_pci_config(dev)[BP_PCI_HEADER_TYPE] = 0x80;     /* IDE, USB, PM follow */
    for (unsigned off = 0x40; off < 256; off++)
        bp_pci_set_wmask(dev, off, 0);
    for (unsigned i = 0; i < PIIX3_NUM_PIRQS; i++)
        bp_pci_set_wmask(dev, PIIX3_PIRQRC + i, 0x8f);
    bp_pci_set_wmask(dev, 0x4c, 0xff);                 /* ISA recovery timer */
    bp_pci_set_wmask(dev, 0x4e, 0xff);                 /* X-bus chip select */
    bp_pci_set_wmask(dev, 0x4f, 0xff);
    bp_pci_set_wmask(dev, 0x69, 0xff);                 /* top of memory */
    bp_pci_set_wmask(dev, 0x6a, 0xff);                 /* misc status */
    bp_pci_set_wmask(dev, 0x70, 0x8f);                 /* MBIRQ0 */
    bp_pci_set_wmask(dev, 0x76, 0x8f);                 /* MBDMA */
    bp_pci_set_wmask(dev, 0x77, 0x8f);
    bp_pci_set_wmask(dev, 0x80, 0xff);                 /* APIC base address relocation */
    bp_pci_set_wmask(dev, 0x82, 0xff);                 /* deterministic latency */
    bp_pci_set_wmask(dev, 0xa0, 0xff);                 /* SMI control and enables */
    bp_pci_set_wmask(dev, 0xa2, 0xff);
    bp_pci_set_config_ops(dev, &piix3_config_ops, s);

    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        char name[16];
        g_snprintf(name, sizeof(name), "pirq%c", 'A' + i);
        s->pirq[i] = bp_irq_new(name);
        s->sinks[i] = bp_irq_connect(s->pirq[i], piix3_pirq_changed, s, i);
    }
    bp_device_add_gpio_out(dev, "pirq", s->pirq_out, PIIX3_NUM_PIRQS);
    bp_pci_bus_set_irq_router(pci, piix3_map_irq, s->pirq, PIIX3_NUM_PIRQS, s);
    s->ferr_sink = bp_irq_connect(bp_cpu_ferr(0), piix3_ferr_changed, s, 0);
    s->ferr_io = bp_mr_new_io(dev, "fpu-error-clear", 1, &piix3_f0_ops, s);
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_IO)), 0xf0, s->ferr_io, 0);
    return true;
}

static void piix3_unrealize(BpDevice *dev)
{
    Piix3 *s = (Piix3 *)dev;

    bp_pci_bus_set_irq_router(bp_device_bus(dev), NULL, NULL, 0, NULL);
    bp_irq_disconnect(bp_cpu_ferr(0), s->ferr_sink);
    bp_irq_lower(bp_cpu_ignne(0));
    bp_mr_free(s->ferr_io);
    for (unsigned irq = 0; irq < 16; irq++) {
        if (s->isa_levels & (1u << irq))
            bp_irq_lower(bp_isa_bus_irq(s->isa, irq));
    }
    s->isa_levels = 0;
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        bp_irq_disconnect(s->pirq[i], s->sinks[i]);
        bp_irq_free(s->pirq[i]);
    }
}

static void piix3_reset(BpDevice *dev)
{
    Piix3 *s = (Piix3 *)dev;
    uint8_t *cfg;

    bp_pci_device_reset(dev);
    cfg = bp_pci_config(dev);
    cfg[BP_PCI_COMMAND] = 0x07;
    cfg[BP_PCI_STATUS + 1] = 0x02;                     /* DEVSEL medium */
    cfg[0x4c] = 0x4d;
    cfg[0x4e] = 0x03;
    cfg[0x4f] = 0x00;
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++)
        cfg[PIIX3_PIRQRC + i] = 0x80;
    cfg[0x69] = 0x02;
    cfg[0x70] = 0x80;
    cfg[0x76] = 0x0c;
    cfg[0x77] = 0x0c;
    cfg[0x78] = 0x02;
    cfg[0x79] = 0x00;
    cfg[0x80] = 0x00;
    cfg[0x82] = 0x00;
    cfg[0xa0] = 0x08;
    cfg[0xa2] = 0x00;
    cfg[0xa3] = 0x00;
    cfg[0xa4] = 0x00;
    cfg[0xa5] = 0x00;
    cfg[0xa6] = 0x00;
    cfg[0xa7] = 0x00;
    cfg[0xa8] = 0x0f;
    cfg[0xaa] = 0x00;
    cfg[0xab] = 0x00;
    cfg[0xac] = 0x00;
    cfg[0xae] = 0x00;
    piix3_update_isa(s);
    bp_irq_lower(bp_cpu_ignne(0));
}

const BpDeviceType piix3_type = {
    .name          = "piix3",
    .parent        = BP_TYPE_PCI_DEVICE,
    .desc          = "PIIX3 PCI-to-ISA bridge (PIRQ routing)",
    .no_user       = true,
    .instance_size = sizeof(Piix3),
    .realize       = piix3_realize,
    .unrealize     = piix3_unrealize,
    .reset         = piix3_reset,
};
