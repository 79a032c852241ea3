/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PCI buses and the generic part of every PCI function's configuration
 * space (PCI Local Bus Specification 2.3, ch. 6): identity registers,
 * COMMAND/STATUS, BAR sizing and mapping, interrupt line/pin. Host bridge
 * modules own the access mechanism (0xcf8/0xcfc) and the INTx routing;
 * devices own their registers from 0x40 up through config hooks.
 *
 * Not emulated: PCI-to-PCI bridges (bus numbers other than 0 read as
 * absent), capabilities lists (devices may build them in raw config).
 */
#include "config.h"

#include <backplane/backplane.h>
#include <backplane/pci.h>
#include "core/pci-internal.h"
#include "core/registry.h"

#define PCI_NUM_BARS 7            /* 0-5 and the expansion ROM */
#define PCI_MAX_LINES 8

typedef struct PciBar {
    BpMemoryRegion *mr;
    unsigned flags;
    uint64_t size;
    uint64_t mapped_at;           /* UINT64_MAX: not mapped */
} PciBar;

typedef struct PciFunc {
    BpPciDevice *dev;
    struct PciBus *bus;
    uint8_t devfn;
    uint8_t config[256];
    uint8_t wmask[256];
    uint8_t w1cmask[256];
    PciBar bars[PCI_NUM_BARS];
    const BpPciConfigOps *ops;
    void *ops_opaque;
    bool irq_level;
} PciFunc;

typedef struct PciBus {
    BpBus *bus;
    PciFunc *funcs[256];
    BpPciIrqMap map;
    BpIrq *lines[PCI_MAX_LINES];
    int line_count[PCI_MAX_LINES];
    int nlines;
    void *map_opaque;
} PciBus;

static PciFunc *pci_func(const BpDevice *dev)
{
    g_return_val_if_fail(dev && bp_device_is_a(dev, BP_TYPE_PCI_DEVICE), NULL);
    return ((const BpPciDevice *)dev)->pci;
}

static unsigned bar_offset(unsigned bar)
{
    return bar == 6 ? BP_PCI_ROM_ADDRESS : BP_PCI_BAR0 + 4 * bar;
}

static bool ranges_overlap(unsigned a, unsigned alen, unsigned b, unsigned blen)
{
    return a < b + blen && b < a + alen;
}

static uint32_t cfg_get(const PciFunc *f, unsigned off, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)f->config[off + i] << (8 * i);
    return v;
}

static void cfg_put(PciFunc *f, unsigned off, uint32_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        f->config[off + i] = v >> (8 * i);
}

/* The address a BAR decodes at now, or UINT64_MAX when it does not decode. */
static uint64_t bar_decode_addr(const PciFunc *f, unsigned bar)
{
    const PciBar *b = &f->bars[bar];
    uint16_t cmd = cfg_get(f, BP_PCI_COMMAND, 2);
    unsigned off = bar_offset(bar);
    uint64_t addr;

    if (!b->mr)
        return UINT64_MAX;
    if (b->flags & BP_PCI_BAR_IO) {
        if (!(cmd & BP_PCI_COMMAND_IO))
            return UINT64_MAX;
        addr = cfg_get(f, off, 4) & ~(uint64_t)3;
        if (addr == 0 || addr + b->size > 0x10000)
            return UINT64_MAX;
        return addr;
    }
    if (!(cmd & BP_PCI_COMMAND_MEMORY))
        return UINT64_MAX;
    if (bar == 6) {
        uint32_t rom = cfg_get(f, off, 4);
        if (!(rom & 1))
            return UINT64_MAX;
        addr = rom & ~(uint64_t)0x7ff;
    } else {
        addr = cfg_get(f, off, 4) & ~(uint64_t)0xf;
        if (b->flags & BP_PCI_BAR_MEM64)
            addr |= (uint64_t)cfg_get(f, off + 4, 4) << 32;
    }
    /* 0 and the all-ones sizing pattern mean "not placed yet". */
    if (addr == 0 || addr + b->size - 1 < addr || (addr | (b->size - 1)) == UINT32_MAX)
        return UINT64_MAX;
    return addr;
}

static void pci_update_mappings(PciFunc *f)
{
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        PciBar *b = &f->bars[i];
        uint64_t at = bar_decode_addr(f, i);
        BpAddressSpaceId space = (b->flags & BP_PCI_BAR_IO) ? BP_AS_IO : BP_AS_MEMORY;
        BpMemoryRegion *root;

        if (!b->mr || at == b->mapped_at)
            continue;
        root = bp_as_root(bp_address_space(space));
        if (b->mapped_at != UINT64_MAX)
            bp_mr_del_subregion(root, b->mr);
        b->mapped_at = at;
        if (at != UINT64_MAX)
            bp_mr_add_subregion(root, at, b->mr, 1);
    }
}

static void pci_unmap_all(PciFunc *f)
{
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        PciBar *b = &f->bars[i];
        BpAddressSpaceId space = (b->flags & BP_PCI_BAR_IO) ? BP_AS_IO : BP_AS_MEMORY;
        if (b->mr && b->mapped_at != UINT64_MAX)
            bp_mr_del_subregion(bp_as_root(bp_address_space(space)), b->mr);
        b->mapped_at = UINT64_MAX;
    }
}

/* Which bytes of the standard type 0 header the guest may write. */
static void pci_default_masks(PciFunc *f)
{
    memset(f->wmask, 0, sizeof(f->wmask));
    memset(f->w1cmask, 0, sizeof(f->w1cmask));
    f->wmask[BP_PCI_COMMAND] = 0xff;       /* I/O, memory, master, ... */
    f->wmask[BP_PCI_COMMAND + 1] = 0x07;   /* SERR, fast b2b, INTx disable */
    f->w1cmask[BP_PCI_STATUS + 1] = 0xf9;  /* error bits are write-one-to-clear */
    f->wmask[0x0c] = 0xff;                 /* cache line size */
    f->wmask[0x0d] = 0xff;                 /* latency timer */
    f->wmask[BP_PCI_INTERRUPT_LINE] = 0xff;
    for (unsigned off = 0x40; off < 256; off++)
        f->wmask[off] = 0xff;              /* device-specific: devices narrow it */
}

void bp_pci_set_ids(BpDevice *dev, uint16_t vendor, uint16_t device,
                    uint32_t class_code, uint8_t revision)
{
    PciFunc *f = pci_func(dev);
    g_return_if_fail(f);
    cfg_put(f, BP_PCI_VENDOR_ID, vendor, 2);
    cfg_put(f, BP_PCI_DEVICE_ID, device, 2);
    f->config[BP_PCI_REVISION_ID] = revision;
    cfg_put(f, BP_PCI_CLASS_PROG, class_code, 3);
}

void bp_pci_set_subsystem(BpDevice *dev, uint16_t vendor, uint16_t id)
{
    PciFunc *f = pci_func(dev);
    g_return_if_fail(f);
    cfg_put(f, BP_PCI_SUBSYSTEM_VENDOR_ID, vendor, 2);
    cfg_put(f, BP_PCI_SUBSYSTEM_ID, id, 2);
}

void bp_pci_set_interrupt_pin(BpDevice *dev, uint8_t pin)
{
    PciFunc *f = pci_func(dev);
    g_return_if_fail(f && pin <= 4);
    f->config[BP_PCI_INTERRUPT_PIN] = pin;
}

bool bp_pci_register_bar(BpDevice *dev, unsigned bar, unsigned flags,
                         BpMemoryRegion *mr, GError **errp)
{
    PciFunc *f = pci_func(dev);
    uint64_t size, mask;
    unsigned off;

    g_return_val_if_fail(f && mr, false);
    size = bp_mr_size(mr);
    if (bar >= PCI_NUM_BARS || (bar == 6 && (flags & BP_PCI_BAR_IO))) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "PCI BAR %u does not exist", bar);
        return false;
    }
    if (size == 0 || (size & (size - 1))) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "PCI BAR %u: size 0x%" G_GINT64_MODIFIER "x is not a power of two",
                    bar, size);
        return false;
    }
    if ((flags & BP_PCI_BAR_MEM64) && bar >= 5) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "PCI BAR %u: a 64-bit BAR needs the next BAR too", bar);
        return false;
    }
    if (f->bars[bar].mr) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "PCI BAR %u is already registered", bar);
        return false;
    }
    if (flags & BP_PCI_BAR_IO)
        size = MAX(size, 4);
    else
        size = MAX(size, bar == 6 ? 2048 : 16);
    f->bars[bar] = (PciBar){ .mr = mr, .flags = flags, .size = size,
                             .mapped_at = UINT64_MAX };
    off = bar_offset(bar);
    mask = ~(size - 1);
    if (bar == 6) {
        cfg_put(f, off, 0, 4);
        mask |= 1;                         /* enable bit */
    } else {
        uint32_t low = (flags & BP_PCI_BAR_IO) ? 1 :
            ((flags & BP_PCI_BAR_MEM64) ? 4 : 0) | ((flags & BP_PCI_BAR_PREFETCH) ? 8 : 0);
        cfg_put(f, off, low, 4);
        mask &= (flags & BP_PCI_BAR_IO) ? ~(uint64_t)3 : ~(uint64_t)0xf;
    }
    for (unsigned i = 0; i < 4; i++)
        f->wmask[off + i] = mask >> (8 * i);
    if (flags & BP_PCI_BAR_MEM64) {
        for (unsigned i = 0; i < 4; i++)
            f->wmask[off + 4 + i] = mask >> (32 + 8 * i);
    }
    return true;
}

uint8_t *bp_pci_config(BpDevice *dev)
{
    PciFunc *f = pci_func(dev);
    return f ? f->config : NULL;
}

void bp_pci_set_wmask(BpDevice *dev, unsigned off, uint8_t mask)
{
    PciFunc *f = pci_func(dev);
    g_return_if_fail(f && off < 256);
    f->wmask[off] = mask;
}

void bp_pci_set_config_ops(BpDevice *dev, const BpPciConfigOps *ops, void *opaque)
{
    PciFunc *f = pci_func(dev);
    g_return_if_fail(f);
    f->ops = ops;
    f->ops_opaque = opaque;
}

int bp_pci_devfn(const BpDevice *dev)
{
    PciFunc *f = pci_func(dev);
    return f ? f->devfn : -1;
}

static void pci_bus_set_line(PciBus *pb, int line, int delta)
{
    if (line < 0 || line >= pb->nlines)
        return;
    pb->line_count[line] += delta;
    bp_irq_set(pb->lines[line], pb->line_count[line] > 0);
}

static void pci_func_route_irq(PciFunc *f, bool level)
{
    PciBus *pb = f->bus;
    uint8_t pin = f->config[BP_PCI_INTERRUPT_PIN];

    if (pin == 0 || pin > 4 || !pb->map)
        return;
    pci_bus_set_line(pb, pb->map(pb->map_opaque, f->devfn, pin - 1), level ? 1 : -1);
}

void bp_pci_set_irq(BpDevice *dev, bool level)
{
    PciFunc *f = pci_func(dev);
    bool disabled;

    g_return_if_fail(f);
    if (f->irq_level == level)
        return;
    disabled = f->config[BP_PCI_COMMAND + 1] & 0x04;   /* INTx disable */
    f->irq_level = level;
    f->config[BP_PCI_STATUS] = (f->config[BP_PCI_STATUS] & ~0x08) | (level ? 0x08 : 0);
    if (!disabled)
        pci_func_route_irq(f, level);
}

static bool pci_dma(BpDevice *dev, uint64_t addr, void *buf, size_t len, bool write)
{
    PciFunc *f = pci_func(dev);
    BpAddressSpace *as = bp_address_space(BP_AS_MEMORY);

    g_return_val_if_fail(f, false);
    if (!(f->config[BP_PCI_COMMAND] & BP_PCI_COMMAND_MASTER)) {
        bp_guest_error(dev, "DMA while bus mastering is disabled");
        return false;
    }
    return write ? bp_dma_write(as, addr, buf, len) : bp_dma_read(as, addr, buf, len);
}

bool bp_pci_dma_read(BpDevice *dev, uint64_t addr, void *buf, size_t len)
{
    return pci_dma(dev, addr, buf, len, false);
}

bool bp_pci_dma_write(BpDevice *dev, uint64_t addr, const void *buf, size_t len)
{
    return pci_dma(dev, addr, (void *)buf, len, true);
}

uint32_t bp_pci_bus_config_read(BpBus *bus, uint8_t busnr, uint8_t devfn,
                                unsigned off, unsigned size)
{
    PciBus *pb = bp_bus_opaque(bus);
    PciFunc *f = busnr == 0 ? pb->funcs[devfn] : NULL;
    uint32_t v;

    if (size != 1 && size != 2 && size != 4)
        return UINT32_MAX;
    if (!f || off + size > 256)
        return size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
    v = cfg_get(f, off, size);
    if (f->ops && f->ops->read)
        v = f->ops->read(f->ops_opaque, off, size, v);
    BP_TRACE(&f->dev->parent, "config read  %02x.%x +0x%02x/%u = 0x%x",
             BP_PCI_SLOT(devfn), BP_PCI_FUNC(devfn), off, size, v);
    return v;
}

void bp_pci_bus_config_write(BpBus *bus, uint8_t busnr, uint8_t devfn,
                             unsigned off, uint32_t val, unsigned size)
{
    PciBus *pb = bp_bus_opaque(bus);
    PciFunc *f = busnr == 0 ? pb->funcs[devfn] : NULL;
    bool was_disabled, now_disabled;

    if (!f || off + size > 256 || (size != 1 && size != 2 && size != 4))
        return;
    BP_TRACE(&f->dev->parent, "config write %02x.%x +0x%02x/%u = 0x%x",
             BP_PCI_SLOT(devfn), BP_PCI_FUNC(devfn), off, size, val);
    was_disabled = f->config[BP_PCI_COMMAND + 1] & 0x04;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = val >> (8 * i);
        unsigned o = off + i;
        f->config[o] = (f->config[o] & ~f->wmask[o]) | (b & f->wmask[o]);
        f->config[o] &= ~(b & f->w1cmask[o]);
    }
    now_disabled = f->config[BP_PCI_COMMAND + 1] & 0x04;
    if (f->irq_level && was_disabled != now_disabled)
        pci_func_route_irq(f, !now_disabled);
    if (ranges_overlap(off, size, BP_PCI_COMMAND, 2) ||
        ranges_overlap(off, size, BP_PCI_BAR0, 24) ||
        ranges_overlap(off, size, BP_PCI_ROM_ADDRESS, 4))
        pci_update_mappings(f);
    if (f->ops && f->ops->write)
        f->ops->write(f->ops_opaque, off, val, size);
}

void bp_pci_bus_set_irq_router(BpBus *bus, BpPciIrqMap map, BpIrq **lines,
                               int nlines, void *opaque)
{
    PciBus *pb = bp_bus_opaque(bus);
    g_return_if_fail(nlines >= 0 && nlines <= PCI_MAX_LINES);
    pb->map = map;
    pb->map_opaque = opaque;
    pb->nlines = nlines;
    for (int i = 0; i < nlines; i++) {
        pb->lines[i] = lines[i];
        pb->line_count[i] = 0;
    }
}

void bp_pci_bus_free(BpBus *bus)
{
    PciBus *pb = bp_bus_opaque(bus);
    bp_bus_free(bus);
    g_free(pb);
}

BpDevice *bp_pci_bus_device(BpBus *bus, uint8_t devfn)
{
    PciBus *pb = bp_bus_opaque(bus);
    return pb->funcs[devfn] ? &pb->funcs[devfn]->dev->parent : NULL;
}

static bool pci_bus_plug(BpBus *bus, BpDevice *dev, GError **errp)
{
    PciBus *pb = bp_bus_opaque(bus);
    BpPciDevice *pd = (BpPciDevice *)dev;
    int devfn = pd->addr;
    PciFunc *f;

    if (devfn < 0) {
        for (int slot = 0; slot < 32 && devfn < 0; slot++) {
            bool used = false;
            for (int fn = 0; fn < 8; fn++)
                used |= pb->funcs[BP_PCI_DEVFN(slot, fn)] != NULL;
            if (!used)
                devfn = BP_PCI_DEVFN(slot, 0);
        }
        if (devfn < 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "PCI bus '%s' has no free slot", bp_bus_name(bus));
            return false;
        }
    } else if (devfn > 255) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "PCI address %d is out of range", devfn);
        return false;
    } else if (pb->funcs[devfn]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                    "PCI address %02x.%x on '%s' is already used by %s",
                    BP_PCI_SLOT(devfn), BP_PCI_FUNC(devfn), bp_bus_name(bus),
                    bp_device_id(&pb->funcs[devfn]->dev->parent));
        return false;
    }
    f = g_new0(PciFunc, 1);
    f->dev = pd;
    f->bus = pb;
    f->devfn = devfn;
    pci_default_masks(f);
    if (pd->multifunction)
        f->config[BP_PCI_HEADER_TYPE] = 0x80;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        f->bars[i].mapped_at = UINT64_MAX;
    pb->funcs[devfn] = f;
    pd->pci = f;
    return true;
}

static void pci_bus_unplug(BpBus *bus, BpDevice *dev)
{
    PciBus *pb = bp_bus_opaque(bus);
    BpPciDevice *pd = (BpPciDevice *)dev;
    PciFunc *f = pd->pci;

    if (!f)
        return;
    if (f->irq_level)
        pci_func_route_irq(f, false);
    pci_unmap_all(f);
    pb->funcs[f->devfn] = NULL;
    pd->pci = NULL;
    g_free(f);
}

static char *pci_bus_print_dev(BpBus *bus, BpDevice *dev)
{
    PciFunc *f = ((BpPciDevice *)dev)->pci;
    GString *s = g_string_new(NULL);

    if (!f)
        return g_string_free(s, FALSE);
    g_string_append_printf(s, "addr = %02x.%x\npci id = %04x:%04x (class %06x)",
                           BP_PCI_SLOT(f->devfn), BP_PCI_FUNC(f->devfn),
                           cfg_get(f, BP_PCI_VENDOR_ID, 2), cfg_get(f, BP_PCI_DEVICE_ID, 2),
                           cfg_get(f, BP_PCI_CLASS_PROG, 3));
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        const PciBar *b = &f->bars[i];
        if (!b->mr)
            continue;
        g_string_append_printf(s, "\nbar %u: %s at 0x%" G_GINT64_MODIFIER "x, size 0x%"
                               G_GINT64_MODIFIER "x", i, (b->flags & BP_PCI_BAR_IO) ? "i/o" : "mem",
                               b->mapped_at == UINT64_MAX ? (uint64_t)0xffffffff : b->mapped_at,
                               b->size);
    }
    return g_string_free(s, FALSE);
}

static const BpBusType pci_bus_type = {
    .name = BP_BUS_PCI,
    .plug = pci_bus_plug,
    .unplug = pci_bus_unplug,
    .print_dev = pci_bus_print_dev,
};

BpBus *bp_pci_bus_new(BpDevice *host, const char *name)
{
    PciBus *pb = g_new0(PciBus, 1);
    pb->bus = bp_bus_new(host, &pci_bus_type, name, pb);
    return pb->bus;
}

void bp_pci_device_reset(BpDevice *dev)
{
    PciFunc *f = pci_func(dev);

    if (!f)
        return;
    /* Power-on values of the writable header fields; BARs keep their type. */
    cfg_put(f, BP_PCI_COMMAND, 0, 2);
    f->config[BP_PCI_STATUS + 1] = 0;
    f->config[0x0c] = 0;
    f->config[0x0d] = 0;
    f->config[BP_PCI_INTERRUPT_LINE] = 0;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        unsigned off = bar_offset(i);
        for (unsigned j = 0; j < 4; j++)
            f->config[off + j] &= ~f->wmask[off + j];
    }
    pci_update_mappings(f);
}

static const BpProperty pci_device_props[] = {
    BP_PROP_PCIADDR("addr", BpPciDevice, addr, -1),
    BP_PROP_BOOL("multifunction", BpPciDevice, multifunction, false),
    BP_PROP_END
};

static const BpDeviceType pci_device_type = {
    .name = BP_TYPE_PCI_DEVICE,
    .parent = BP_TYPE_DEVICE,
    .desc = "abstract PCI function",
    .abstract = true,
    .instance_size = sizeof(BpPciDevice),
    .bus_type = BP_BUS_PCI,
    .props = pci_device_props,
    .reset = bp_pci_device_reset,
};

bool bp_pci_init(GError **errp)
{
    if (bp_type_find_loaded(BP_TYPE_PCI_DEVICE))
        return true;
    return bp_type_register(&pci_device_type, NULL, errp);
}
