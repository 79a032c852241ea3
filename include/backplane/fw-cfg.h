/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The firmware configuration interface (QEMU's fw_cfg, which SeaBIOS reads)
 * as other modules use it: interface name "fw-cfg". Data is copied.
 */
#ifndef BACKPLANE_FW_CFG_H
#define BACKPLANE_FW_CFG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BP_FW_CFG_INTERFACE "fw-cfg"

typedef struct BpFwCfgOps {
    /* A named file in the directory (e.g. "etc/acpi/tables"); replaces an
     * existing file of the same name. */
    bool (*add_file)(void *opaque, const char *name, const void *data, size_t len,
                     GError **errp);
    /* A numbered item (FW_CFG_* selectors below 0x20, or 0x8000+ arch). */
    bool (*add_item)(void *opaque, uint16_t key, const void *data, size_t len,
                     GError **errp);
} BpFwCfgOps;

#endif
