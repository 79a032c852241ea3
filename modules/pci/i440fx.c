/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel 82441FX PCI and Memory Controller (i440FX), per the 82441FX/82442FX
 * datasheet (order 290549):
 *   i440fx-pcihost  configuration mechanism #1 (CONFIG_ADDRESS at 0xcf8,
 *                   CONFIG_DATA at 0xcfc-0xcff) and the PCI bus "pci.0";
 *   i440fx          the host bridge's own function 00.0 (8086:1237) with
 *                   the PAM registers 0x59-0x5f (shadow RAM for
 *                   0xC0000-0xFFFFF) and SMRAM (0x72).
 *
 * The 0xcf9 byte port (Reset Control Register) belongs to the PIIX3 on real
 * boards but shares the 0xcf8 dword: the host decodes it here and asks for
 * a hard reset when bit 2 (RST_CPU) goes from 0 to 1.
 *
 * Not emulated: DRAM timing and row boundary registers (stored, no
 * effect), SMRAM open/close (stored; the legacy VGA window stays where the
 * VGA device maps it), PCI bus numbers other than 0.
 */
#include <backplane/backplane.h>
#include <backplane/pci.h>

#define I440FX_PAM0     0x59
#define I440FX_PAM_NUM  7
#define I440FX_SMRAM    0x72
#define PAM_SEGMENTS    13              /* F0000 (64K) + 12 x 16K from C0000 */
#define CONFIG_ENABLE   0x80000000u

typedef struct I440fxHost {
    BpDevice parent;
    uint32_t config_address;
    uint8_t rcr;
    BpMemoryRegion *io_addr;
    BpMemoryRegion *io_data;
    BpBus *bus;
} I440fxHost;

typedef struct PamSegment {
    uint64_t base, size;
    int mode;                           /* 0 off, 1 RO, 2 WO, 3 RW */
    BpMemoryRegion *ram_alias;          /* RO and RW */
    BpMemoryRegion *wo;                 /* WO: reads from below, writes to RAM */
    struct I440fx *s;
} PamSegment;

typedef struct I440fx {
    BpPciDevice parent;
    PamSegment seg[PAM_SEGMENTS];
    BpMemoryRegion *pci_hole_low;       /* 0xA0000-0xDFFFF when nobody maps it */
} I440fx;

static uint64_t host_addr_read(void *opaque, uint64_t addr, unsigned size)
{
    I440fxHost *h = opaque;
    if (addr == 0 && size == 4)
        return h->config_address;
    if (addr == 1 && size == 1)
        return h->rcr;
    return (h->config_address >> (8 * addr)) & ((1ull << (8 * size)) - 1);
}

static void host_addr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I440fxHost *h = opaque;

    if (addr == 0 && size == 4) {
        h->config_address = val & 0x80fffffc;
        return;
    }
    if (addr == 1 && size == 1) {
        bool was = h->rcr & 4;
        h->rcr = val & 0x0e;
        if (!was && (val & 4))
            bp_machine_request_reset((val & 2) ? "reset control: hard reset (0xcf9)"
                                               : "reset control: soft reset (0xcf9)");
        return;
    }
    /* Byte/word writes to CONFIG_ADDRESS are I/O writes to the bus, not a
     * configuration cycle: the PIIX ignores them. */
    bp_guest_error(h, "%u-byte write to 0xcf8+%u ignored", size, (unsigned)addr);
}

static const BpMemOps host_addr_ops = {
    .read = host_addr_read,
    .write = host_addr_write,
    .min_access = 1,
    .max_access = 4,
};

static uint64_t host_data_read(void *opaque, uint64_t addr, unsigned size)
{
    I440fxHost *h = opaque;
    uint32_t a = h->config_address;

    if (!(a & CONFIG_ENABLE))
        return (1ull << (8 * size)) - 1;
    return bp_pci_bus_config_read(h->bus, (a >> 16) & 0xff, (a >> 8) & 0xff,
                                  (a & 0xfc) + addr, size);
}

static void host_data_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I440fxHost *h = opaque;
    uint32_t a = h->config_address;

    if (!(a & CONFIG_ENABLE))
        return;
    bp_pci_bus_config_write(h->bus, (a >> 16) & 0xff, (a >> 8) & 0xff,
                            (a & 0xfc) + addr, val, size);
}

static const BpMemOps host_data_ops = {
    .read = host_data_read,
    .write = host_data_write,
    .min_access = 1,
    .max_access = 4,
};

static bool i440fx_host_realize(BpDevice *dev, GError **errp)
{
    I440fxHost *h = (I440fxHost *)dev;
    BpMemoryRegion *io = bp_as_root(bp_address_space(BP_AS_IO));

    h->bus = bp_pci_bus_new(dev, "pci.0");
    if (!h->bus) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "cannot create PCI bus pci.0");
        return false;
    }
    h->io_addr = bp_mr_new_io(dev, "pci-conf-idx", 4, &host_addr_ops, h);
    h->io_data = bp_mr_new_io(dev, "pci-conf-data", 4, &host_data_ops, h);
    bp_mr_add_subregion(io, 0xcf8, h->io_addr, 0);
    bp_mr_add_subregion(io, 0xcfc, h->io_data, 0);
    return true;
}

static void i440fx_host_unrealize(BpDevice *dev)
{
    I440fxHost *h = (I440fxHost *)dev;
    bp_mr_free(h->io_addr);
    bp_mr_free(h->io_data);
    bp_pci_bus_free(h->bus);
}

static void i440fx_host_reset(BpDevice *dev)
{
    I440fxHost *h = (I440fxHost *)dev;
    h->config_address = 0;
    h->rcr = 0;
}

/* PAM: reading beneath a write-only segment sees the BIOS ROM's low alias
 * (E0000-FFFFF) or nothing (C0000-DFFFF: no option ROM decodes there). */
static uint64_t pam_wo_read(void *opaque, uint64_t addr, unsigned size)
{
    PamSegment *sg = opaque;
    BpMemoryRegion *bios = bp_machine_region("bios");
    uint64_t a = sg->base + addr;
    uint64_t v = 0;

    if (!bios || a < 0xe0000)
        return (1ull << (8 * size)) - 1;
    {
        uint64_t bsize = bp_mr_size(bios);
        uint64_t low = bsize >= 0x20000 ? 0x20000 : bsize;
        uint64_t off = bsize - (0x100000 - a);
        const uint8_t *p = bp_mr_ptr(bios);
        if (a < 0x100000 - low)
            return (1ull << (8 * size)) - 1;
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)p[off + i] << (8 * i);
    }
    return v;
}

static void pam_wo_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PamSegment *sg = opaque;
    BpMemoryRegion *ram = bp_machine_region("ram");
    uint8_t *p = ram ? bp_mr_ptr(ram) : NULL;
    uint64_t a = sg->base + addr;

    if (!p || a + size > bp_mr_size(ram))
        return;
    for (unsigned i = 0; i < size; i++)
        p[a + i] = val >> (8 * i);
}

static const BpMemOps pam_wo_ops = {
    .read = pam_wo_read,
    .write = pam_wo_write,
    .min_access = 1,
    .max_access = 4,
};

static void pam_set_mode(PamSegment *sg, int mode)
{
    BpMemoryRegion *mem = bp_as_root(bp_address_space(BP_AS_MEMORY));

    if (sg->mode == mode)
        return;
    if (sg->mode == 1 || sg->mode == 3)
        bp_mr_del_subregion(mem, sg->ram_alias);
    else if (sg->mode == 2)
        bp_mr_del_subregion(mem, sg->wo);
    sg->mode = mode;
    if (mode == 1 || mode == 3) {
        bp_mr_set_readonly(sg->ram_alias, mode == 1);
        bp_mr_add_subregion(mem, sg->base, sg->ram_alias, 2);
    } else if (mode == 2) {
        bp_mr_add_subregion(mem, sg->base, sg->wo, 2);
    }
}

static void i440fx_update_pam(I440fx *s)
{
    uint8_t *cfg = bp_pci_config(&s->parent.parent);

    /* PAM0[7:4] covers F0000-FFFFF; PAMn (n=1..6) low/high nibbles cover
     * the 16K segments from C0000 upwards. Bit 0 = reads to DRAM, bit 1 =
     * writes to DRAM. */
    pam_set_mode(&s->seg[0], (cfg[I440FX_PAM0] >> 4) & 3);
    for (int i = 1; i < PAM_SEGMENTS; i++) {
        uint8_t reg = cfg[I440FX_PAM0 + 1 + (i - 1) / 2];
        pam_set_mode(&s->seg[i], ((i - 1) & 1 ? reg >> 4 : reg) & 3);
    }
}

static void i440fx_config_write(void *opaque, unsigned off, uint32_t val, unsigned size)
{
    I440fx *s = opaque;
    if (off < I440FX_PAM0 + I440FX_PAM_NUM && off + size > I440FX_PAM0)
        i440fx_update_pam(s);
}

static const BpPciConfigOps i440fx_config_ops = {
    .write = i440fx_config_write,
};

static uint64_t hole_read(void *opaque, uint64_t addr, unsigned size)
{
    /* Up to 8 bytes: a shift by 64 would be undefined. */
    return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static void hole_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
}

static const BpMemOps hole_ops = {
    .read = hole_read,
    .write = hole_write,
    .min_access = 1,
    .max_access = 8,
};

static bool i440fx_realize(BpDevice *dev, GError **errp)
{
    I440fx *s = (I440fx *)dev;
    BpMemoryRegion *ram = bp_machine_region("ram");
    BpMemoryRegion *mem = bp_as_root(bp_address_space(BP_AS_MEMORY));

    if (!ram) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "i440fx needs the machine's RAM (use it in a machine with RAM, e.g. -M pc)");
        return false;
    }
    if (bp_mr_size(ram) < 0x100000) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "i440fx needs at least 1 MiB of RAM");
        return false;
    }
    bp_pci_set_ids(dev, 0x8086, 0x1237, 0x060000, 0x02);
    for (unsigned off = 0x40; off < 256; off++)
        bp_pci_set_wmask(dev, off, 0);
    for (unsigned i = 0; i < I440FX_PAM_NUM; i++)
        bp_pci_set_wmask(dev, I440FX_PAM0 + i, i == 0 ? 0xf0 : 0xff);
    bp_pci_set_wmask(dev, I440FX_SMRAM, 0x78);
    bp_pci_set_config_ops(dev, &i440fx_config_ops, s);

    /* Below the PAM overlays: 0xA0000-0xDFFFF reads as nothing (the VGA and
     * option ROM windows, mapped over it at a higher priority by whoever
     * decodes them); E0000-FFFFF is the BIOS alias the machine maps. */
    s->pci_hole_low = bp_mr_new_io(dev, "pci-hole-low", 0x40000, &hole_ops, s);
    bp_mr_add_subregion(mem, 0xa0000, s->pci_hole_low, 1);

    for (int i = 0; i < PAM_SEGMENTS; i++) {
        PamSegment *sg = &s->seg[i];
        char *name;
        sg->s = s;
        sg->base = i == 0 ? 0xf0000 : 0xc0000 + (uint64_t)(i - 1) * 0x4000;
        sg->size = i == 0 ? 0x10000 : 0x4000;
        name = g_strdup_printf("pam-ram-%05" G_GINT64_MODIFIER "x", sg->base);
        sg->ram_alias = bp_mr_new_alias(dev, name, ram, sg->base, sg->size);
        g_free(name);
        name = g_strdup_printf("pam-wo-%05" G_GINT64_MODIFIER "x", sg->base);
        sg->wo = bp_mr_new_io(dev, name, sg->size, &pam_wo_ops, sg);
        g_free(name);
    }
    return true;
}

static void i440fx_unrealize(BpDevice *dev)
{
    I440fx *s = (I440fx *)dev;
    for (int i = 0; i < PAM_SEGMENTS; i++) {
        pam_set_mode(&s->seg[i], 0);
        bp_mr_free(s->seg[i].ram_alias);
        bp_mr_free(s->seg[i].wo);
    }
    bp_mr_free(s->pci_hole_low);
}

static void i440fx_reset(BpDevice *dev)
{
    I440fx *s = (I440fx *)dev;
    uint8_t *cfg;

    bp_pci_device_reset(dev);
    cfg = bp_pci_config(dev);
    memset(cfg + I440FX_PAM0, 0, I440FX_PAM_NUM);
    cfg[I440FX_SMRAM] = 0x02;
    cfg[BP_PCI_COMMAND] = 0x06;
    i440fx_update_pam(s);
}

static const BpProperty i440fx_host_props[] = {
    BP_PROP_END
};

static const BpDeviceType i440fx_host_type = {
    .name          = "i440fx-pcihost",
    .parent        = BP_TYPE_SYS_DEVICE,
    .desc          = "i440FX PCI host: configuration mechanism #1 and bus pci.0",
    .instance_size = sizeof(I440fxHost),
    .no_user       = true,
    .props         = i440fx_host_props,
    .realize       = i440fx_host_realize,
    .unrealize     = i440fx_host_unrealize,
    .reset         = i440fx_host_reset,
};

static const BpDeviceType i440fx_type = {
    .name          = "i440fx",
    .parent        = BP_TYPE_PCI_DEVICE,
    .desc          = "i440FX host bridge function (PAM shadow RAM, SMRAM)",
    .no_user       = true,
    .instance_size = sizeof(I440fx),
    .realize       = i440fx_realize,
    .unrealize     = i440fx_unrealize,
    .reset         = i440fx_reset,
};

static const BpDeviceType *const i440fx_types[] = {
    &i440fx_host_type,
    &i440fx_type,
    NULL
};

BP_MODULE(i440fx,
    .description = "Intel 82441FX PCI host bridge and memory controller",
    .types = i440fx_types);
