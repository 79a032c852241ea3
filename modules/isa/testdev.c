/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pc-testdev: the test device of QEMU's PC machines that kvm-unit-tests
 * and similar suites use, with the same ports and semantics:
 *
 *   0xe0-0xe3   a 32-bit scratch register, any width at any offset
 *               (each byte lane maps to its byte of the register)
 *   0xe4-0xe7   "flush page": a 32-bit write names a guest page whose host
 *               mapping QEMU re-protects to force a KVM TLB flush; the
 *               interpreter has no such mapping, so it is accepted and
 *               has no effect
 *   0xe8-0xeb   the same scratch register, byte accesses only (wider ones
 *               are split into bytes by the core)
 *   0x2000-0x2017  writes set ISA IRQ line n (port 0x2000 + n) to the
 *               value's truth
 *   0xff000000  64 KiB of memory-mapped scratch, little-endian, 1-8 bytes
 */
#include <backplane/backplane.h>

#include <string.h>

#define TESTDEV_IOMEM_BASE 0xff000000ULL
#define TESTDEV_IOMEM_SIZE 0x10000
#define TESTDEV_IRQ_BASE   0x2000
#define TESTDEV_NUM_IRQS   24

typedef struct PcTestdev {
    BpDevice parent;

    uint32_t ioport_data;
    uint8_t iomem[TESTDEV_IOMEM_SIZE];

    BpMemoryRegion *io_port;
    BpMemoryRegion *io_flush;
    BpMemoryRegion *io_byte;
    BpMemoryRegion *io_irq;
    BpMemoryRegion *iomem_mr;
    BpIrq *irqs[BP_ISA_NUM_IRQS];
    uint16_t raised;              /* lines this device holds high */
} PcTestdev;

static uint32_t testdev_lane_mask(uint64_t addr, unsigned size)
{
    unsigned shift = (addr & 3) * 8;
    uint64_t bits = size >= 4 ? 0xffffffffULL : ((1ULL << (size * 8)) - 1);

    return (uint32_t)(bits << shift);
}

static uint64_t testdev_port_read(void *opaque, uint64_t addr, unsigned size)
{
    PcTestdev *s = opaque;

    if ((addr & 3) + size > 4) {
        bp_guest_error(s, "access of %u bytes at offset %u crosses the register",
                       size, (unsigned)(addr & 3));
        return 0;
    }
    return (s->ioport_data & testdev_lane_mask(addr, size)) >> ((addr & 3) * 8);
}

static void testdev_port_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PcTestdev *s = opaque;
    uint32_t mask;

    if ((addr & 3) + size > 4) {
        bp_guest_error(s, "access of %u bytes at offset %u crosses the register",
                       size, (unsigned)(addr & 3));
        return;
    }
    mask = testdev_lane_mask(addr, size);
    s->ioport_data = (s->ioport_data & ~mask) | (((uint32_t)val << ((addr & 3) * 8)) & mask);
    BP_TRACE(s, "ioport <- 0x%08x", s->ioport_data);
}

static const BpMemOps testdev_port_ops = {
    .read = testdev_port_read,
    .write = testdev_port_write,
    .min_access = 1,
    .max_access = 4,
};

static const BpMemOps testdev_byte_ops = {
    .read = testdev_port_read,
    .write = testdev_port_write,
    .min_access = 1,
    .max_access = 1,
};

static uint64_t testdev_flush_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void testdev_flush_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    BP_TRACE(opaque, "flush page 0x%08x", (unsigned)val);
}

static const BpMemOps testdev_flush_ops = {
    .read = testdev_flush_read,
    .write = testdev_flush_write,
    .min_access = 4,
    .max_access = 4,
};

static uint64_t testdev_irq_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void testdev_irq_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PcTestdev *s = opaque;

    if (addr >= BP_ISA_NUM_IRQS) {
        /* QEMU's window has 24 ports for the IOAPIC's inputs; the ISA
         * bus has 16 lines. */
        bp_guest_error(s, "IRQ line %u is not an ISA line", (unsigned)addr);
        return;
    }
    BP_TRACE(s, "irq %u <- %d", (unsigned)addr, val != 0);
    bp_irq_set(s->irqs[addr], val != 0);
    if (val) {
        s->raised |= 1u << addr;
    } else {
        s->raised &= ~(1u << addr);
    }
}

static const BpMemOps testdev_irq_ops = {
    .read = testdev_irq_read,
    .write = testdev_irq_write,
    .min_access = 1,
    .max_access = 1,
};

static uint64_t testdev_iomem_read(void *opaque, uint64_t addr, unsigned size)
{
    PcTestdev *s = opaque;
    uint64_t v = 0;

    if (addr >= TESTDEV_IOMEM_SIZE || size > TESTDEV_IOMEM_SIZE - addr || size > 8) {
        return 0;
    }
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)s->iomem[addr + i] << (8 * i);
    }
    return v;
}

static void testdev_iomem_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PcTestdev *s = opaque;

    if (addr >= TESTDEV_IOMEM_SIZE || size > TESTDEV_IOMEM_SIZE - addr || size > 8) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        s->iomem[addr + i] = val >> (8 * i);
    }
}

static const BpMemOps testdev_iomem_ops = {
    .read = testdev_iomem_read,
    .write = testdev_iomem_write,
    .min_access = 1,
    .max_access = 8,
};

static void testdev_reset(BpDevice *dev)
{
    PcTestdev *s = (PcTestdev *)dev;

    s->ioport_data = 0;
    memset(s->iomem, 0, sizeof(s->iomem));
}

static void testdev_unrealize(BpDevice *dev)
{
    PcTestdev *s = (PcTestdev *)dev;
    BpMemoryRegion **ios[] = { &s->io_port, &s->io_flush, &s->io_byte, &s->io_irq };

    for (size_t i = 0; i < G_N_ELEMENTS(ios); i++) {
        if (*ios[i]) {
            bp_isa_unmap_io(dev, *ios[i]);
            *ios[i] = NULL;
        }
    }
    g_clear_pointer(&s->iomem_mr, bp_mr_free);
    for (int i = 0; i < BP_ISA_NUM_IRQS; i++) {
        if (s->raised & (1u << i)) {
            bp_irq_lower(s->irqs[i]);
        }
        s->irqs[i] = NULL;
    }
    s->raised = 0;
}

static bool testdev_realize(BpDevice *dev, GError **errp)
{
    PcTestdev *s = (PcTestdev *)dev;

    for (int i = 0; i < BP_ISA_NUM_IRQS; i++) {
        s->irqs[i] = bp_isa_irq(dev, i, errp);
        if (!s->irqs[i]) {
            goto fail;
        }
    }
    s->io_port = bp_isa_map_io(dev, "pc-testdev-ioport", 0xe0, 4, &testdev_port_ops, s, errp);
    if (!s->io_port) {
        goto fail;
    }
    s->io_flush = bp_isa_map_io(dev, "pc-testdev-flush-page", 0xe4, 4, &testdev_flush_ops,
                                s, errp);
    if (!s->io_flush) {
        goto fail;
    }
    s->io_byte = bp_isa_map_io(dev, "pc-testdev-ioport-byte", 0xe8, 4, &testdev_byte_ops,
                               s, errp);
    if (!s->io_byte) {
        goto fail;
    }
    s->io_irq = bp_isa_map_io(dev, "pc-testdev-irq-line", TESTDEV_IRQ_BASE, TESTDEV_NUM_IRQS,
                              &testdev_irq_ops, s, errp);
    if (!s->io_irq) {
        goto fail;
    }
    s->iomem_mr = bp_mr_new_io(dev, "pc-testdev-iomem", TESTDEV_IOMEM_SIZE,
                               &testdev_iomem_ops, s);
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)), TESTDEV_IOMEM_BASE,
                        s->iomem_mr, 1);
    return true;

fail:
    testdev_unrealize(dev);
    return false;
}

static const BpDeviceType testdev_type = {
    .name          = "pc-testdev",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "QEMU-compatible PC test device (ports 0xe0-0xeb, 0x2000, MMIO 0xff000000)",
    .instance_size = sizeof(PcTestdev),
    .realize       = testdev_realize,
    .unrealize     = testdev_unrealize,
    .reset         = testdev_reset,
};

static const BpDeviceType *const testdev_types[] = {
    &testdev_type,
    NULL
};

BP_MODULE(testdev,
    .description = "PC test device for unit-test suites",
    .types = testdev_types);
