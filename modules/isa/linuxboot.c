/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Direct kernel boot (-kernel, -initrd, -append) through fw_cfg and our
 * boot option ROM (bootrom.asm), for:
 *  - Linux bzImage/zImage, per the Linux x86 boot protocol
 *    (Documentation/arch/x86/boot.rst): real-mode setup at 0x10000 with
 *    its header patched (loader type, heap, command line at 0x20000,
 *    initrd placed as high as initrd_addr_max and RAM allow), the
 *    protected-mode kernel at 0x100000;
 *  - Multiboot v1 (Multiboot Specification 0.6.96): ELF32 program
 *    headers or the a.out kludge (header flag 16); -initrd is a comma
 *    separated list of modules ("file args"), -append the command line;
 *    the information block (memory, command line, modules, memory map)
 *    is built here and loaded at 0x9000.
 * The kernel files are read when the machine is assembled, like -bios.
 */
#include <string.h>
#include <backplane/backplane.h>
#include "fw-cfg.h"

#define SETUP_ADDR    0x10000
#define CMDLINE_ADDR  0x20000
#define KERNEL_ADDR   0x100000
#define MBI_ADDR      0x9000
#define MB_MAGIC      0x1badb002u
#define MB_SEARCH     8192


/* The contents of a file given with `opt` (-kernel, -initrd); the error
 * names the option, the file and why. */
static bool read_boot_file(const char *opt, const char *path, char **data, gsize *len,
                           GError **errp)
{
    GError *err = NULL;

    if (g_file_get_contents(path, data, len, &err)) {
        return true;
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "%s %s: cannot read it: %s", opt, path,
                err->code == G_FILE_ERROR_NOENT ? "no such file" :
                err->code == G_FILE_ERROR_ACCES ? "permission denied" :
                err->code == G_FILE_ERROR_ISDIR ? "it is a directory" : err->message);
    g_error_free(err);
    return false;
}

static void add32(void *fw, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    fw_put_le(b, v, 4);
    fw_cfg_add_item(fw, key, b, 4, NULL);
}

static void add_blob(void *fw, uint16_t addr_key, uint16_t size_key, uint16_t data_key,
                     uint32_t addr, const void *data, size_t len)
{
    add32(fw, addr_key, addr);
    add32(fw, size_key, len);
    fw_cfg_add_item(fw, data_key, data, len, NULL);
}

static bool add_bootrom(void *fw, GError **errp)
{
    g_autofree uint8_t *rom = g_memdup2(bp_bootrom, bp_bootrom_len);
    unsigned pnp = fw_get_le(rom + 0x1a, 2);
    uint8_t sum = 0;

    rom[2] = bp_bootrom_len / 512;
    for (unsigned i = 0; i < 32; i++)
        sum += rom[pnp + i];
    rom[pnp + 9] = -sum;
    sum = 0;
    for (unsigned i = 0; i < bp_bootrom_len - 1; i++)
        sum += rom[i];
    rom[bp_bootrom_len - 1] = -sum;
    if (!fw_cfg_add_file(fw, "genroms/bootrom.bin", rom, bp_bootrom_len, errp))
        return false;
    return fw_cfg_add_file(fw, "bootorder", "/rom@genroms/bootrom.bin\n", 25, errp);
}

static bool linux_setup(void *fw, uint8_t *k, gsize klen, const char *initrd_path,
                        const char *append, GError **errp)
{
    uint16_t proto = fw_get_le(k + 0x206, 2);
    unsigned setup_sects = k[0x1f1] ? k[0x1f1] : 4;
    gsize setup_len = (gsize)(setup_sects + 1) * 512;
    uint64_t ram = MIN(bp_machine_ram_size(), 0xe0000000ull);
    uint32_t initrd_max = proto >= 0x203 ? fw_get_le(k + 0x22c, 4) : 0x37ffffff;
    size_t cmdline_max = proto >= 0x206 ? fw_get_le(k + 0x238, 4) : 255;
    g_autofree char *cmdline = g_strdup(append ? append : "");

    if (proto < 0x202) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: Linux boot protocol %x.%02x is too old (2.02 or later needed)",
                    proto >> 8, proto & 0xff);
        return false;
    }
    if (!(k[0x211] & 1)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: only bzImage kernels (loaded high) are supported");
        return false;
    }
    if (setup_len >= klen) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "-kernel: the kernel image is truncated");
        return false;
    }
    if (strlen(cmdline) > cmdline_max) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-append: the command line is longer than the kernel's %zu bytes",
                    cmdline_max);
        return false;
    }
    k[0x210] = 0xff;                        /* type_of_loader: undefined */
    k[0x211] |= 0x80;                       /* CAN_USE_HEAP */
    fw_put_le(k + 0x224, CMDLINE_ADDR - SETUP_ADDR - 0x200 - 0x200, 2); /* heap_end_ptr */
    fw_put_le(k + 0x228, CMDLINE_ADDR, 4);  /* cmd_line_ptr */
    if (initrd_path) {
        g_autofree char *initrd = NULL;
        gsize ilen;
        uint64_t top;
        uint32_t at;

        if (!read_boot_file("-initrd", initrd_path, &initrd, &ilen, errp)) {
            return false;
        }
        /* As high as the kernel and RAM allow, leaving the top 128 KiB
         * for the firmware's ACPI tables. */
        top = MIN((uint64_t)initrd_max + 1, ram - 0x20000);
        if (ilen > top - (KERNEL_ADDR + (klen - setup_len) * 4)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "-initrd: %s (%" G_GSIZE_FORMAT " bytes) does not fit in RAM with the "
                        "kernel: give more memory with -m", initrd_path, ilen);
            return false;
        }
        at = (top - ilen) & ~0xfffull;
        fw_put_le(k + 0x218, at, 4);
        fw_put_le(k + 0x21c, ilen, 4);
        add_blob(fw, FW_CFG_INITRD_ADDR, FW_CFG_INITRD_SIZE, FW_CFG_INITRD_DATA, at, initrd, ilen);
    }
    add_blob(fw, FW_CFG_SETUP_ADDR, FW_CFG_SETUP_SIZE, FW_CFG_SETUP_DATA, SETUP_ADDR, k, setup_len);
    add_blob(fw, FW_CFG_KERNEL_ADDR, FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_DATA, KERNEL_ADDR,
             k + setup_len, klen - setup_len);
    add_blob(fw, FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA, CMDLINE_ADDR,
             cmdline, strlen(cmdline) + 1);
    add32(fw, FW_CFG_KERNEL_ENTRY, 0);
    return true;
}

/* The loaded image of a Multiboot kernel: [load, load + len) plus bss. */
typedef struct MbImage {
    uint32_t load, entry;
    GByteArray *mem;
} MbImage;

static bool mb_place(MbImage *img, uint32_t paddr, const uint8_t *src, uint32_t filesz,
                     uint32_t memsz, GError **errp)
{
    uint64_t end = (uint64_t)paddr + memsz;

    if (paddr < img->load || end - img->load > bp_machine_ram_size()) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: Multiboot segment at 0x%x+0x%x is outside RAM", paddr, memsz);
        return false;
    }
    if (img->mem->len < end - img->load) {
        guint old = img->mem->len;
        g_byte_array_set_size(img->mem, end - img->load);
        memset(img->mem->data + old, 0, img->mem->len - old);
    }
    memcpy(img->mem->data + (paddr - img->load), src, filesz);
    return true;
}

static bool mb_load_elf(MbImage *img, const uint8_t *k, gsize klen, GError **errp)
{
    uint32_t phoff, phnum, phentsize, lowest = UINT32_MAX;

    if (klen < 52 || k[4] != 1 || k[5] != 1 || fw_get_le(k + 18, 2) != 3) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: Multiboot kernel is not a 32-bit little-endian x86 ELF "
                    "(and has no a.out kludge addresses)");
        return false;
    }
    phoff = fw_get_le(k + 28, 4);
    phentsize = fw_get_le(k + 42, 2);
    phnum = fw_get_le(k + 44, 2);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > klen) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "-kernel: ELF program headers are truncated");
        return false;
    }
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = k + phoff + i * phentsize;
        if (fw_get_le(ph, 4) == 1 && fw_get_le(ph + 20, 4))
            lowest = MIN(lowest, fw_get_le(ph + 12, 4));
    }
    if (lowest == UINT32_MAX) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "-kernel: ELF has no loadable segment");
        return false;
    }
    img->load = lowest;
    img->entry = fw_get_le(k + 24, 4);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = k + phoff + i * phentsize;
        uint32_t off = fw_get_le(ph + 4, 4), paddr = fw_get_le(ph + 12, 4);
        uint32_t filesz = fw_get_le(ph + 16, 4);
        uint32_t memsz = fw_get_le(ph + 20, 4);
        if (fw_get_le(ph, 4) != 1 || memsz == 0)
            continue;
        if ((uint64_t)off + filesz > klen || filesz > memsz) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "-kernel: ELF segment %u is truncated", i);
            return false;
        }
        if (!mb_place(img, paddr, k + off, filesz, memsz, errp))
            return false;
    }
    return true;
}

static bool mb_load_aout(MbImage *img, const uint8_t *k, gsize klen, gsize hdr_off,
                         const uint8_t *h, GError **errp)
{
    uint32_t header_addr = fw_get_le(h + 12, 4), load = fw_get_le(h + 16, 4);
    uint32_t load_end = fw_get_le(h + 20, 4);
    uint32_t bss_end = fw_get_le(h + 24, 4);
    uint64_t file_off, len;

    img->entry = fw_get_le(h + 28, 4);
    if (header_addr < load || header_addr - load > hdr_off) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: Multiboot header addresses are inconsistent");
        return false;
    }
    file_off = hdr_off - (header_addr - load);
    len = load_end ? (uint64_t)load_end - load : klen - file_off;
    if (load_end && load_end < load) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "-kernel: load_end_addr is below load_addr");
        return false;
    }
    if (file_off + len > klen)
        len = klen - file_off;
    img->load = load;
    return mb_place(img, load, k + file_off, len,
                    bss_end > load + len ? bss_end - load : len, errp);
}

static bool multiboot_setup(void *fw, const uint8_t *k, gsize klen, gsize hdr_off,
                            const char *kernel_path, const char *initrd, const char *append,
                            GError **errp)
{
    const uint8_t *h = k + hdr_off;
    uint32_t flags = fw_get_le(h + 4, 4);
    MbImage img = { .mem = g_byte_array_new() };
    g_autoptr(GByteArray) mods = g_byte_array_new();
    g_autoptr(GByteArray) mbi = g_byte_array_new();
    g_auto(GStrv) modlist = initrd ? g_strsplit(initrd, ",", -1) : g_new0(char *, 1);
    guint nmods = g_strv_length(modlist);
    uint64_t ram = MIN(bp_machine_ram_size(), 0xe0000000ull);
    uint32_t mods_at, strings_at, mmap_at;
    g_autofree char *cmdline = NULL;
    bool ok = false;

    if (flags & 0xfffc) {
        /* Bits 2 (video mode) and others we cannot honour are "required"
         * only when the kernel sets them in the low 16 bits. */
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: Multiboot header requires features 0x%x this loader lacks",
                    flags & 0xfffc);
        goto out;
    }
    if ((flags & 0x10000) ? !mb_load_aout(&img, k, klen, hdr_off, h, errp)
                          : !mb_load_elf(&img, k, klen, errp))
        goto out;
    if (img.load < 0x100000) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel: Multiboot kernel loads at 0x%x, below 1 MiB", img.load);
        goto out;
    }

    /* Modules follow the kernel, page aligned. */
    mods_at = (img.load + img.mem->len + 0xfff) & ~0xfffu;
    {
        g_autoptr(GByteArray) strings = g_byte_array_new();
        g_autoptr(GByteArray) list = g_byte_array_new();
        uint32_t at = mods_at;

        /* Information block layout at MBI_ADDR: info (88 bytes), module
         * list (16 bytes each), memory map (2 x 24), then strings. */
        mmap_at = MBI_ADDR + 88 + nmods * 16;
        strings_at = mmap_at + 48;
        cmdline = g_strdup_printf("%s%s%s", kernel_path, append ? " " : "", append ? append : "");
        g_byte_array_append(strings, (const guint8 *)cmdline, strlen(cmdline) + 1);
        for (guint i = 0; i < nmods; i++) {
            g_autofree char *path = g_strdup(g_strstrip(modlist[i]));
            char *space = strchr(path, ' ');
            g_autofree char *data = NULL;
            gsize len;
            uint8_t e[16];

            if (space)
                *space = 0;
            if (!read_boot_file("-initrd", path, &data, &len, errp)) {
                goto out;
            }
            if (at + (uint64_t)len > ram - 0x20000) {
                g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                            "-initrd: module %s does not fit in RAM: give more memory with -m",
                            path);
                goto out;
            }
            fw_put_le(e, at, 4);
            fw_put_le(e + 4, at + len, 4);
            fw_put_le(e + 8, strings_at + strings->len, 4);
            fw_put_le(e + 12, 0, 4);
            g_byte_array_append(list, e, 16);
            if (space)
                *space = ' ';
            g_byte_array_append(strings, (const guint8 *)path, strlen(path) + 1);
            g_byte_array_set_size(mods, at - mods_at);
            g_byte_array_append(mods, (const guint8 *)data, len);
            at = (at + len + 0xfff) & ~0xfffu;
        }
        g_byte_array_set_size(mbi, 88);
        memset(mbi->data, 0, 88);
        fw_put_le(mbi->data + 0, 0x1 | 0x4 | 0x8 | 0x40, 4);     /* mem, cmdline, mods, mmap */
        fw_put_le(mbi->data + 4, 640, 4);
        fw_put_le(mbi->data + 8, (ram - 0x100000) / 1024, 4);
        fw_put_le(mbi->data + 16, strings_at, 4);
        fw_put_le(mbi->data + 20, nmods, 4);
        fw_put_le(mbi->data + 24, MBI_ADDR + 88, 4);
        fw_put_le(mbi->data + 44, 48, 4);
        fw_put_le(mbi->data + 48, mmap_at, 4);
        g_byte_array_append(mbi, list->data, list->len);
        {
            uint8_t mm[48] = { 0 };
            /* size (20), base, length, type 1 = available */
            fw_put_le(mm, 20, 4); fw_put_le(mm + 4, 0, 4); fw_put_le(mm + 12, 0x9fc00, 4); fw_put_le(mm + 20, 1, 4);
            fw_put_le(mm + 24, 20, 4); fw_put_le(mm + 28, 0x100000, 4);
            fw_put_le(mm + 36, (uint32_t)(ram - 0x100000), 4); fw_put_le(mm + 44, 1, 4);
            g_byte_array_append(mbi, mm, 48);
        }
        g_byte_array_append(mbi, strings->data, strings->len);
    }
    add_blob(fw, FW_CFG_KERNEL_ADDR, FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_DATA, img.load,
             img.mem->data, img.mem->len);
    add_blob(fw, FW_CFG_INITRD_ADDR, FW_CFG_INITRD_SIZE, FW_CFG_INITRD_DATA, mods_at,
             mods->data, mods->len);
    add_blob(fw, FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA, MBI_ADDR,
             mbi->data, mbi->len);
    add32(fw, FW_CFG_SETUP_SIZE, 0);
    add32(fw, FW_CFG_KERNEL_ENTRY, img.entry);
    ok = true;
out:
    g_byte_array_unref(img.mem);
    return ok;
}

bool fw_cfg_linux_boot_setup(void *fw, BpDevice *dev, GError **errp)
{
    const char *kernel = bp_machine_option("kernel");
    const char *initrd = bp_machine_option("initrd");
    const char *append = bp_machine_option("append");
    g_autofree uint8_t *k = NULL;
    gsize klen;

    if (!kernel)
        return true;
    if (!read_boot_file("-kernel", kernel, (char **)&k, &klen, errp)) {
        return false;
    }
    for (gsize off = 0; off + 12 <= MIN(klen, MB_SEARCH); off += 4) {
        const uint8_t *h = k + off;
        if (fw_get_le(h, 4) == MB_MAGIC && fw_get_le(h, 4) + fw_get_le(h + 4, 4) + fw_get_le(h + 8, 4) == 0)
            return multiboot_setup(fw, k, klen, off, kernel, initrd, append, errp) &&
                   add_bootrom(fw, errp);
    }
    if (klen < 0x240 || memcmp(k + 0x202, "HdrS", 4) != 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-kernel %s: neither a Linux bzImage (no HdrS header) nor a Multiboot "
                    "kernel", kernel);
        return false;
    }
    return linux_setup(fw, k, klen, initrd, append, errp) && add_bootrom(fw, errp);
}
