/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the files of the fwcfg module (not part of the SDK). */
#ifndef BP_MODULES_FW_CFG_H
#define BP_MODULES_FW_CFG_H

#include <backplane/backplane.h>

/* Item keys (QEMU's fw_cfg numbering, which SeaBIOS uses). */
enum {
    FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03, FW_CFG_NOGRAPHIC = 0x04, FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06, FW_CFG_KERNEL_ADDR = 0x07, FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09, FW_CFG_INITRD_ADDR = 0x0a, FW_CFG_INITRD_SIZE = 0x0b,
    FW_CFG_BOOT_DEVICE = 0x0c, FW_CFG_NUMA = 0x0d, FW_CFG_BOOT_MENU = 0x0e,
    FW_CFG_MAX_CPUS = 0x0f, FW_CFG_KERNEL_ENTRY = 0x10, FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12, FW_CFG_CMDLINE_ADDR = 0x13, FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15, FW_CFG_SETUP_ADDR = 0x16, FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18, FW_CFG_FILE_DIR = 0x19,
    FW_CFG_ACPI_TABLES = 0x8000, FW_CFG_SMBIOS_ENTRIES = 0x8001,
    FW_CFG_IRQ0_OVERRIDE = 0x8002, FW_CFG_E820_TABLE = 0x8003,
};

/* Little-endian fields of firmware structures (any alignment). */
static inline void fw_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = v >> (8 * i);
}

static inline uint32_t fw_get_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

bool fw_cfg_add_item(void *fw, uint16_t key, const void *data, size_t len, GError **errp);
bool fw_cfg_add_file(void *fw, const char *name, const void *data, size_t len,
                     GError **errp);

/* -kernel/-initrd/-append: fill the kernel items and add the boot option
 * ROM. Returns true when there is nothing to do or all went well. */
bool fw_cfg_linux_boot_setup(void *fw, BpDevice *dev, GError **errp);

/* SMBIOS anchor and tables (smbios.c). */
void fw_cfg_add_smbios(void *fw);

/* The option ROM that loads the items and starts the kernel (bootrom.asm). */
extern const unsigned char bp_bootrom[];
extern const unsigned int bp_bootrom_len;

#endif
