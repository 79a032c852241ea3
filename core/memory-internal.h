/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core side of the memory map: flattened views and fast lookups. */
#ifndef BP_CORE_MEMORY_INTERNAL_H
#define BP_CORE_MEMORY_INTERNAL_H

#include <backplane/memory.h>

void bp_memory_init(void);                      /* both address spaces */
void bp_memory_cleanup(void);

/* For the CPU glue: host pointer to the 4 KiB page holding addr when it
 * is RAM (or ROM/readonly RAM for reads), else NULL. */
uint8_t *bp_as_page_ptr(BpAddressSpace *as, uint64_t addr, bool write);

/* Listeners: called after any change of the flattened view (CPU TLB flush)
 * and on writes to RAM by anything but the CPU (decoded code). */
typedef struct BpMemoryListener {
    void (*topology_changed)(void *opaque);
    void (*ram_written)(void *opaque, uint64_t addr, uint64_t len);
    void *opaque;
} BpMemoryListener;
void bp_memory_add_listener(const BpMemoryListener *l);
void bp_memory_remove_listener(const BpMemoryListener *l);

char *bp_info_mtree(void);
/* Load a file into a new ROM region of the file's size, not yet mapped:
 * the caller maps it (e.g. -bios at the top of 4 GiB and its last 128 KiB
 * aliased below 1 MiB). The region is machine-owned (owner NULL). */
BpMemoryRegion *bp_memory_load_rom(const char *name, const char *path, GError **errp);

#endif
