/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory regions and the two address spaces (memory and I/O ports).
 *
 * A region is RAM, ROM, MMIO/PIO (callbacks), an alias of part of another
 * region, or a container of subregions at offsets with priorities (higher
 * wins where they overlap). Regions can be enabled, disabled and moved at
 * run time; the core keeps a flattened view per address space for fast
 * lookups. Accesses are little-endian. An access wider or narrower than
 * ops->min/max_access is split or widened by the core.
 */
#ifndef BACKPLANE_MEMORY_H
#define BACKPLANE_MEMORY_H

#include <glib.h>
#include <stdint.h>
#include "device.h"

typedef struct BpMemoryRegion BpMemoryRegion;
typedef struct BpAddressSpace BpAddressSpace;

typedef struct BpMemOps {
    uint64_t (*read)(void *opaque, uint64_t addr, unsigned size);
    void (*write)(void *opaque, uint64_t addr, uint64_t val, unsigned size);
    unsigned min_access;          /* 0 means 1 */
    unsigned max_access;          /* 0 means 4 */
} BpMemOps;

/* owner may be NULL (machine-owned regions). `name` shows in info mtree. */
BpMemoryRegion *bp_mr_new_io(BpDevice *owner, const char *name, uint64_t size,
                             const BpMemOps *ops, void *opaque);
BpMemoryRegion *bp_mr_new_ram(BpDevice *owner, const char *name, uint64_t size,
                              GError **errp);
/* ROM: guest writes are ignored; the owner fills it through bp_mr_ptr. */
BpMemoryRegion *bp_mr_new_rom(BpDevice *owner, const char *name, uint64_t size,
                              GError **errp);
BpMemoryRegion *bp_mr_new_alias(BpDevice *owner, const char *name,
                                BpMemoryRegion *target, uint64_t offset, uint64_t size);
BpMemoryRegion *bp_mr_new_container(BpDevice *owner, const char *name, uint64_t size);
/* Detaches from its container first if still attached. */
void bp_mr_free(BpMemoryRegion *mr);

void *bp_mr_ptr(BpMemoryRegion *mr);          /* RAM/ROM host memory */
uint64_t bp_mr_size(const BpMemoryRegion *mr);
const char *bp_mr_name(const BpMemoryRegion *mr);
void bp_mr_add_subregion(BpMemoryRegion *container, uint64_t offset,
                         BpMemoryRegion *sub, int priority);
void bp_mr_del_subregion(BpMemoryRegion *container, BpMemoryRegion *sub);
void bp_mr_set_enabled(BpMemoryRegion *mr, bool enabled);
void bp_mr_set_address(BpMemoryRegion *mr, uint64_t offset);
/* RAM that ignores writes (PAM "read only" shadow). */
void bp_mr_set_readonly(BpMemoryRegion *mr, bool readonly);

typedef enum BpAddressSpaceId {
    BP_AS_MEMORY,
    BP_AS_IO,
} BpAddressSpaceId;

BpAddressSpace *bp_address_space(BpAddressSpaceId id);
BpMemoryRegion *bp_as_root(BpAddressSpace *as);

/* Accesses from devices (DMA) and the core: unmapped reads return all
 * ones, unmapped writes are dropped (and logged as guest errors). */
uint64_t bp_as_read(BpAddressSpace *as, uint64_t addr, unsigned size);
void bp_as_write(BpAddressSpace *as, uint64_t addr, uint64_t val, unsigned size);
/* Bulk DMA; returns false if any part was not RAM/ROM/MMIO-backed. Writes
 * invalidate decoded guest code in the range. */
bool bp_dma_read(BpAddressSpace *as, uint64_t addr, void *buf, size_t len);
bool bp_dma_write(BpAddressSpace *as, uint64_t addr, const void *buf, size_t len);

#endif
