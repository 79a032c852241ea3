/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The firmware ROM of PC-style machines: the image is mapped so that it
 * ends at 4 GiB (where the CPU fetches its first instruction, F000:FFF0
 * with CS base 0xFFFF0000), and its last 128 KiB are aliased below 1 MiB
 * at 0xE0000-0xFFFFF, as the chipset decodes them after reset.
 */
#include "config.h"

#include <backplane/backplane.h>
#include "core/machine.h"
#include "core/memory-internal.h"
#include "machines/machines.h"

bool bp_machine_map_bios(const char *machine, const char *fallback, GError **errp)
{
    const char *opt = bp_machine_option("bios");
    g_autofree char *path = NULL;
    BpMemoryRegion *rom, *low, *mem = bp_as_root(bp_address_space(BP_AS_MEMORY));
    uint64_t size, low_size;

    if (!opt && !fallback) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "machine %s needs a firmware image: give -bios FILE", machine);
        return false;
    }
    path = bp_machine_find_firmware(opt ? opt : fallback);
    if (path && !g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_clear_pointer(&path, g_free);     /* a path, taken as given */
    }
    if (!path) {
        if (opt)
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "-bios %s: file not found (also looked in the -L directories)", opt);
        else
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "machine %s: default firmware %s not found: install Debian's seabios "
                        "package (apt-get install seabios) or give -bios FILE", machine, fallback);
        return false;
    }
    rom = bp_memory_load_rom("bios", path, errp);
    if (!rom)
        return false;
    size = bp_mr_size(rom);
    if (size & 0xffff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-bios %s: size %" G_GUINT64_FORMAT " is not a multiple of 64 KiB",
                    path, size);
        bp_mr_free(rom);
        return false;
    }
    bp_mr_add_subregion(mem, 0x100000000ull - size, rom, 0);
    low_size = MIN(size, 0x20000);
    low = bp_mr_new_alias(NULL, "bios-low", rom, size - low_size, low_size);
    bp_mr_add_subregion(mem, 0x100000 - low_size, low, 1);
    bp_machine_set_region("bios", rom);
    return true;
}
