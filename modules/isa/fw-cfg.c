/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fw-cfg: the firmware configuration interface SeaBIOS reads on QEMU-style
 * machines (QEMU's docs/specs/fw_cfg.rst describes the interface):
 *   iobase+0 (16-bit, write)  selector: picks an item, rewinds it;
 *   iobase+1 (8-bit, read)    data: the next byte of the item (0 past end);
 *   iobase+4 (8 bytes)        DMA address (big-endian; writing the low
 *                             half at iobase+8 starts the transfer); reads
 *                             return the signature "QEMU CFG".
 * A DMA descriptor is {be32 control, be32 length, be64 address}; control
 * bits ERROR 0x01, READ 0x02, SKIP 0x04, SELECT 0x08 (selector in the top
 * 16 bits), WRITE 0x10 (refused: every item is read-only here). The device
 * clears control when done, or leaves ERROR.
 *
 * Items filled here: signature, interface ID (traditional + DMA), UUID,
 * RAM size, nographic, CPU counts, boot menu, IRQ0 override, the file
 * directory, "etc/e820", SMBIOS (smbios.c), "bootorder", and the direct kernel boot items
 * (linuxboot.c). Other modules add files through the "fw-cfg" interface.
 */
#include <string.h>
#include <backplane/backplane.h>
#include <backplane/fw-cfg.h>
#include "fw-cfg.h"

#define FW_CFG_CTL_ERROR   0x01
#define FW_CFG_CTL_READ    0x02
#define FW_CFG_CTL_SKIP    0x04
#define FW_CFG_CTL_SELECT  0x08
#define FW_CFG_CTL_WRITE   0x10
#define FW_CFG_FILE_FIRST  0x20
#define FW_CFG_MAX_FILES   0x1000
#define FW_CFG_NAME_LEN    56
#define FW_CFG_DMA_SIG     0x51454d5520434647ull   /* "QEMU CFG" */

typedef struct FwCfgItem {
    uint8_t *data;
    uint32_t len;
    char name[FW_CFG_NAME_LEN];   /* files only */
} FwCfgItem;

typedef struct FwCfg {
    BpDevice parent;

    /* properties */
    uint16_t iobase;
    bool dma_enabled;

    /* guest-visible state */
    uint16_t cur_key;
    uint32_t cur_off;
    uint64_t dma_addr;

    /* contents: keyed items, files from FW_CFG_FILE_FIRST */
    GHashTable *items;            /* key -> FwCfgItem* */
    GPtrArray *files;             /* FwCfgItem*, index = key - FW_CFG_FILE_FIRST */
    BpMemoryRegion *io;
    BpMemoryRegion *dma_io;
} FwCfg;

static void item_free(gpointer p)
{
    FwCfgItem *it = p;
    g_free(it->data);
    g_free(it);
}

static FwCfgItem *fw_cfg_item(FwCfg *s, uint16_t key)
{
    if (key >= FW_CFG_FILE_FIRST && key < FW_CFG_FILE_FIRST + s->files->len)
        return g_ptr_array_index(s->files, key - FW_CFG_FILE_FIRST);
    return g_hash_table_lookup(s->items, GUINT_TO_POINTER(key));
}

static void fw_cfg_rebuild_dir(FwCfg *s)
{
    uint32_t n = s->files->len;
    uint32_t len = 4 + n * 64;
    uint8_t *d = g_malloc0(len);
    FwCfgItem *dir = g_new0(FwCfgItem, 1);

    d[0] = n >> 24; d[1] = n >> 16; d[2] = n >> 8; d[3] = n;
    for (uint32_t i = 0; i < n; i++) {
        FwCfgItem *f = g_ptr_array_index(s->files, i);
        uint8_t *e = d + 4 + i * 64;
        uint16_t sel = FW_CFG_FILE_FIRST + i;
        e[0] = f->len >> 24; e[1] = f->len >> 16; e[2] = f->len >> 8; e[3] = f->len;
        e[4] = sel >> 8; e[5] = sel;
        memcpy(e + 8, f->name, FW_CFG_NAME_LEN);
    }
    dir->data = d;
    dir->len = len;
    g_hash_table_replace(s->items, GUINT_TO_POINTER(FW_CFG_FILE_DIR), dir);
}

bool fw_cfg_add_item(void *opaque, uint16_t key, const void *data, size_t len, GError **errp)
{
    FwCfg *s = opaque;
    FwCfgItem *it;

    if (key >= FW_CFG_FILE_FIRST && key < 0x8000) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "fw_cfg key 0x%x is in the file range: add a named file instead", key);
        return false;
    }
    if (len > UINT32_MAX) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "fw_cfg item 0x%x is too large", key);
        return false;
    }
    it = g_new0(FwCfgItem, 1);
    it->data = g_memdup2(data, len);
    it->len = len;
    g_hash_table_replace(s->items, GUINT_TO_POINTER(key), it);
    return true;
}

bool fw_cfg_add_file(void *opaque, const char *name, const void *data, size_t len,
                     GError **errp)
{
    FwCfg *s = opaque;
    FwCfgItem *it = NULL;

    if (strlen(name) >= FW_CFG_NAME_LEN) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "fw_cfg file name '%s' is longer than %d bytes", name, FW_CFG_NAME_LEN - 1);
        return false;
    }
    if (len > UINT32_MAX) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "fw_cfg file '%s' is too large", name);
        return false;
    }
    for (guint i = 0; i < s->files->len; i++) {
        FwCfgItem *f = g_ptr_array_index(s->files, i);
        if (g_str_equal(f->name, name))
            it = f;
    }
    if (!it) {
        if (s->files->len >= FW_CFG_MAX_FILES) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "fw_cfg file directory is full");
            return false;
        }
        it = g_new0(FwCfgItem, 1);
        g_strlcpy(it->name, name, sizeof(it->name));
        g_ptr_array_add(s->files, it);
    }
    g_free(it->data);
    it->data = g_memdup2(data, len);
    it->len = len;
    fw_cfg_rebuild_dir(s);
    return true;
}

static const BpFwCfgOps fw_cfg_ops = {
    .add_file = fw_cfg_add_file,
    .add_item = fw_cfg_add_item,
};

static void fw_cfg_select(FwCfg *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_off = 0;
}

static uint8_t fw_cfg_read_byte(FwCfg *s)
{
    FwCfgItem *it = fw_cfg_item(s, s->cur_key);
    if (!it || s->cur_off >= it->len)
        return 0;
    return it->data[s->cur_off++];
}

static uint64_t fw_cfg_io_read(void *opaque, uint64_t addr, unsigned size)
{
    FwCfg *s = opaque;
    uint64_t v = 0;

    if (addr != 1)
        return 0;
    /* Wider reads of the data port return consecutive bytes, first byte in
     * the lowest address (as a string in memory). */
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)fw_cfg_read_byte(s) << (8 * i);
    return v;
}

static void fw_cfg_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    FwCfg *s = opaque;

    if (addr == 0 && size == 2) {
        BP_TRACE(s, "select 0x%04x", (unsigned)val);
        fw_cfg_select(s, val);
    } else if (addr == 1) {
        bp_guest_error(s, "write to the read-only data port ignored");
    } else {
        bp_guest_error(s, "%u-byte write at +%u ignored", size, (unsigned)addr);
    }
}

static const BpMemOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .min_access = 1,
    .max_access = 2,
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void fw_cfg_dma_run(FwCfg *s)
{
    BpAddressSpace *as = bp_address_space(BP_AS_MEMORY);
    uint8_t d[16];
    uint32_t control, len, status = 0;
    uint64_t addr;

    if (!bp_dma_read(as, s->dma_addr, d, sizeof(d))) {
        bp_guest_error(s, "DMA descriptor at 0x%" G_GINT64_MODIFIER "x is not in memory",
                       s->dma_addr);
        return;
    }
    control = be32(d);
    len = be32(d + 4);
    addr = (uint64_t)be32(d + 8) << 32 | be32(d + 12);
    BP_TRACE(s, "dma control 0x%x len %u addr 0x%" G_GINT64_MODIFIER "x", control, len, addr);
    if (control & FW_CFG_CTL_SELECT)
        fw_cfg_select(s, control >> 16);
    if (control & FW_CFG_CTL_WRITE) {
        bp_guest_error(s, "DMA write to item 0x%x refused: items are read-only", s->cur_key);
        status = FW_CFG_CTL_ERROR;
    } else if (control & (FW_CFG_CTL_READ | FW_CFG_CTL_SKIP)) {
        FwCfgItem *it = fw_cfg_item(s, s->cur_key);
        uint32_t avail = (it && s->cur_off < it->len) ? it->len - s->cur_off : 0;
        uint32_t n = MIN(avail, len);

        if (control & FW_CFG_CTL_READ) {
            /* Past the end of the item the guest reads zeros. The length
             * is the guest's (up to 4 GiB): the zeros go out in pieces,
             * never from a buffer of that size. */
            static const uint8_t zeros[4096];
            uint64_t a = addr;
            uint32_t left = len - n;

            if (n && !bp_dma_write(as, a, it->data + s->cur_off, n))
                status = FW_CFG_CTL_ERROR;
            a += n;
            while (left && !status) {
                uint32_t k = MIN(left, (uint32_t)sizeof(zeros));
                if (!bp_dma_write(as, a, zeros, k))
                    status = FW_CFG_CTL_ERROR;
                a += k;
                left -= k;
            }
        }
        s->cur_off += n;
    }
    d[0] = d[1] = d[2] = 0;
    d[3] = status;
    bp_dma_write(as, s->dma_addr, d, 4);
}

static uint64_t fw_cfg_dma_read(void *opaque, uint64_t addr, unsigned size)
{
    /* The signature, big-endian across the 8 bytes. */
    uint64_t v = 0;
    for (unsigned i = 0; i < size && addr + i < 8; i++)
        v |= ((FW_CFG_DMA_SIG >> (8 * (7 - (addr + i)))) & 0xff) << (8 * i);
    return v;
}

static void fw_cfg_dma_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    FwCfg *s = opaque;

    /* Big-endian register: the guest stores the value byte-swapped. */
    if (size == 4) {
        uint32_t be = GUINT32_SWAP_LE_BE((uint32_t)val);
        if (addr == 0) {
            s->dma_addr = (s->dma_addr & 0xffffffffull) | (uint64_t)be << 32;
        } else if (addr == 4) {
            s->dma_addr = (s->dma_addr & ~0xffffffffull) | be;
            fw_cfg_dma_run(s);
            s->dma_addr = 0;
        }
    } else if (size == 8 && addr == 0) {
        s->dma_addr = GUINT64_SWAP_LE_BE(val);
        fw_cfg_dma_run(s);
        s->dma_addr = 0;
    } else {
        bp_guest_error(s, "%u-byte write to the DMA address at +%u ignored", size, (unsigned)addr);
    }
}

static const BpMemOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .min_access = 1,
    .max_access = 8,
};

static void fw_cfg_add_le(FwCfg *s, uint16_t key, uint64_t v, unsigned n)
{
    uint8_t b[8];
    fw_put_le(b, v, n);
    fw_cfg_add_item(s, key, b, n, NULL);
}

/* Standard items once the machine is complete (RAM size, options). */
static void fw_cfg_machine_ready(void *opaque)
{
    FwCfg *s = opaque;
    uint64_t ram = bp_machine_ram_size();
    const char *nographic = bp_machine_option("nographic");
    const char *boot = bp_machine_option("boot");
    uint64_t below4g = MIN(ram, 0xe0000000ull);
    uint8_t e820[20 * 2];
    unsigned ne = 0;

    fw_cfg_add_le(s, FW_CFG_RAM_SIZE, ram, 8);
    fw_cfg_add_le(s, FW_CFG_NOGRAPHIC, nographic && g_str_equal(nographic, "on"), 2);
    fw_cfg_add_le(s, FW_CFG_NB_CPUS, 1, 2);
    fw_cfg_add_le(s, FW_CFG_MAX_CPUS, 1, 2);
    fw_cfg_add_le(s, FW_CFG_BOOT_MENU, 0, 2);
    fw_cfg_add_le(s, FW_CFG_IRQ0_OVERRIDE, bp_machine_find_type("ioapic") ? 1 : 0, 4);

    /* RAM as the firmware should report it; SeaBIOS adds its own holes. */
    fw_put_le(e820 + ne * 20, 0, 8);
    fw_put_le(e820 + ne * 20 + 8, below4g, 8);
    fw_put_le(e820 + ne * 20 + 16, 1, 4);
    ne++;
    if (ram > below4g) {
        fw_put_le(e820 + ne * 20, 0x100000000ull, 8);
        fw_put_le(e820 + ne * 20 + 8, ram - below4g, 8);
        fw_put_le(e820 + ne * 20 + 16, 1, 4);
        ne++;
    }
    fw_cfg_add_file(s, "etc/e820", e820, ne * 20, NULL);
    fw_cfg_add_smbios(s);
    if (boot)
        fw_cfg_add_le(s, FW_CFG_BOOT_DEVICE, (uint8_t)boot[0], 2);
    /* Fail fast when nothing boots instead of SeaBIOS's minute of retries. */
    {
        uint8_t wait[4];
        fw_put_le(wait, 5000, 4);
        fw_cfg_add_file(s, "etc/boot-fail-wait", wait, 4, NULL);
    }
}

static bool fw_cfg_realize(BpDevice *dev, GError **errp)
{
    FwCfg *s = (FwCfg *)dev;
    static const uint8_t uuid[16];
    uint32_t id = 1 | (s->dma_enabled ? 2 : 0);
    uint8_t idb[4];

    if (bp_interface_get(BP_FW_CFG_INTERFACE, NULL)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                    "the machine already has an fw-cfg device (there can be only one)");
        return false;
    }
    s->io = bp_isa_map_io(dev, "fw-cfg", s->iobase, 2, &fw_cfg_io_ops, s, errp);
    if (!s->io)
        return false;
    if (s->dma_enabled) {
        s->dma_io = bp_isa_map_io(dev, "fw-cfg-dma", s->iobase + 4, 8, &fw_cfg_dma_ops, s, errp);
        if (!s->dma_io) {
            bp_isa_unmap_io(dev, s->io);
            return false;
        }
    }
    s->items = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, item_free);
    s->files = g_ptr_array_new_with_free_func(item_free);
    fw_cfg_add_item(s, FW_CFG_SIGNATURE, "QEMU", 4, NULL);
    fw_put_le(idb, id, 4);
    fw_cfg_add_item(s, FW_CFG_ID, idb, 4, NULL);
    fw_cfg_add_item(s, FW_CFG_UUID, uuid, 16, NULL);
    fw_cfg_rebuild_dir(s);
    /* -kernel errors are start-up errors: fail here, not at boot. */
    if (!fw_cfg_linux_boot_setup(s, dev, errp)) {
        g_hash_table_destroy(s->items);
        g_ptr_array_free(s->files, TRUE);
        bp_isa_unmap_io(dev, s->io);
        if (s->dma_io)
            bp_isa_unmap_io(dev, s->dma_io);
        return false;
    }
    bp_interface_provide(dev, BP_FW_CFG_INTERFACE, &fw_cfg_ops, s);
    bp_machine_on_ready(dev, fw_cfg_machine_ready, s);
    return true;
}

static void fw_cfg_unrealize(BpDevice *dev)
{
    FwCfg *s = (FwCfg *)dev;

    bp_interface_withdraw(dev, BP_FW_CFG_INTERFACE);
    bp_isa_unmap_io(dev, s->io);
    if (s->dma_io)
        bp_isa_unmap_io(dev, s->dma_io);
    g_hash_table_destroy(s->items);
    g_ptr_array_free(s->files, TRUE);
}

static void fw_cfg_reset(BpDevice *dev)
{
    FwCfg *s = (FwCfg *)dev;
    s->cur_key = 0;
    s->cur_off = 0;
    s->dma_addr = 0;
}

static const BpProperty fw_cfg_props[] = {
    BP_PROP_U16("iobase", FwCfg, iobase, 0x510),
    BP_PROP_BOOL("dma-enabled", FwCfg, dma_enabled, true),
    BP_PROP_END
};

static const BpDeviceType fw_cfg_type = {
    .name          = "fw-cfg",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "firmware configuration interface (QEMU fw_cfg: I/O 0x510, DMA 0x514)",
    .instance_size = sizeof(FwCfg),
    .props         = fw_cfg_props,
    .realize       = fw_cfg_realize,
    .unrealize     = fw_cfg_unrealize,
    .reset         = fw_cfg_reset,
};

static const BpDeviceType *const fwcfg_types[] = {
    &fw_cfg_type,
    NULL
};

BP_MODULE(fwcfg,
    .description = "firmware configuration interface and direct kernel boot",
    .types = fwcfg_types);
