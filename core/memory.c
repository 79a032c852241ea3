/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory regions, the memory and I/O address spaces, and their flattened
 * views.
 *
 * The region tree is what devices build; the flattened view is what
 * accesses use: a sorted array of non-overlapping ranges, each pointing at
 * one leaf (RAM, ROM or I/O callbacks) and the offset inside it. Any change
 * of the tree marks both views stale; the next access rebuilds them, so a
 * burst of changes (a PCI BAR being moved) costs one rebuild. Lookups are a
 * last-hit check and a binary search.
 *
 * Rendering: a container's subregions are visited highest priority first
 * (among equal priorities, the one added last first) and each leaf fills
 * only the parts of its span that nothing rendered before it covers.
 */
#include "config.h"

#include <string.h>

#include <backplane/error.h>
#include <backplane/log.h>
#include "core/memory-internal.h"

#define MR_MAX_DEPTH 32           /* bounds alias chains (and cycles) */
#define ROM_FILE_MAX (64 * 1024 * 1024)

typedef enum MrKind {
    MR_RAM,
    MR_ROM,
    MR_IO,
    MR_ALIAS,
    MR_CONTAINER,
} MrKind;

struct BpMemoryRegion {
    MrKind kind;
    char *name;
    BpDevice *owner;
    uint64_t size;                /* UINT64_MAX stands for the whole 2^64 */

    uint8_t *ram;                 /* RAM, ROM */
    BpMemOps ops;                 /* IO, with min/max normalised */
    void *opaque;
    BpMemoryRegion *alias_target; /* ALIAS */
    uint64_t alias_offset;
    unsigned alias_refs;          /* aliases pointing here */
    GPtrArray *subregions;        /* CONTAINER: highest priority first */

    BpMemoryRegion *container;
    uint64_t addr;                /* offset inside container */
    int priority;
    bool enabled;
    bool readonly;
    bool is_root;
};

typedef struct FlatRange {
    uint64_t start, last;         /* inclusive: the last page has no overflow */
    BpMemoryRegion *mr;           /* RAM, ROM or IO */
    uint64_t offset;              /* offset in mr of start */
    bool readonly;
} FlatRange;

struct BpAddressSpace {
    const char *name;             /* info mtree heading */
    BpMemoryRegion *root;
    FlatRange *ranges;
    size_t nranges;
    size_t last_hit;
    bool dirty;
};

static BpAddressSpace bp_spaces[2];
static bool bp_memory_ready;
static GPtrArray *bp_listeners;   /* const BpMemoryListener * */

static inline uint64_t mr_last(const BpMemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? UINT64_MAX : mr->size - 1;
}

static inline uint64_t size_mask(unsigned n)
{
    return n >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * n)) - 1;
}

/* Topology */

/* Could a change of mr alter a flattened view? Regions not yet attached
 * (being set up) cannot, unless an alias refers to them or an ancestor. */
static bool mr_maybe_visible(const BpMemoryRegion *mr)
{
    for (int depth = 0; mr && depth < 64; depth++, mr = mr->container) {
        if (mr->is_root || mr->alias_refs > 0) {
            return true;
        }
    }
    return false;
}

static void memory_topology_changed(const BpMemoryRegion *mr)
{
    if (mr && !mr_maybe_visible(mr)) {
        return;
    }
    bp_spaces[BP_AS_MEMORY].dirty = true;
    bp_spaces[BP_AS_IO].dirty = true;
    if (!bp_listeners || bp_listeners->len == 0) {
        return;
    }
    /* A listener may remove itself from its callback. */
    g_autoptr(GPtrArray) copy = g_ptr_array_copy(bp_listeners, NULL, NULL);
    for (guint i = 0; i < copy->len; i++) {
        const BpMemoryListener *l = copy->pdata[i];
        if (l->topology_changed) {
            l->topology_changed(l->opaque);
        }
    }
}

static void memory_ram_written(BpAddressSpace *as, uint64_t addr, uint64_t len)
{
    if (as != &bp_spaces[BP_AS_MEMORY] || !bp_listeners) {
        return;
    }
    for (guint i = 0; i < bp_listeners->len; i++) {
        const BpMemoryListener *l = bp_listeners->pdata[i];
        if (l->ram_written) {
            l->ram_written(l->opaque, addr, len);
        }
    }
}

void bp_memory_add_listener(const BpMemoryListener *l)
{
    g_return_if_fail(l != NULL);
    if (!bp_listeners) {
        bp_listeners = g_ptr_array_new();
    }
    g_ptr_array_add(bp_listeners, (gpointer)l);
}

void bp_memory_remove_listener(const BpMemoryListener *l)
{
    if (bp_listeners) {
        g_ptr_array_remove(bp_listeners, (gpointer)l);
    }
}

/* Regions */

static BpMemoryRegion *mr_alloc(MrKind kind, BpDevice *owner, const char *name, uint64_t size)
{
    BpMemoryRegion *mr = g_new0(BpMemoryRegion, 1);
    mr->kind = kind;
    mr->owner = owner;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->size = size;
    mr->enabled = true;
    return mr;
}

static unsigned access_normalise(unsigned v, unsigned def)
{
    if (v == 0) {
        return def;
    }
    if (v > 8 || (v & (v - 1)) != 0) {
        g_critical("memory: access size %u is not 1, 2, 4 or 8", v);
        return def;
    }
    return v;
}

BpMemoryRegion *bp_mr_new_io(BpDevice *owner, const char *name, uint64_t size,
                             const BpMemOps *ops, void *opaque)
{
    g_return_val_if_fail(ops != NULL, NULL);
    g_return_val_if_fail(size > 0, NULL);
    BpMemoryRegion *mr = mr_alloc(MR_IO, owner, name, size);
    mr->ops = *ops;
    mr->ops.min_access = access_normalise(ops->min_access, 1);
    mr->ops.max_access = access_normalise(ops->max_access, 4);
    if (mr->ops.max_access < mr->ops.min_access) {
        mr->ops.max_access = mr->ops.min_access;
    }
    mr->opaque = opaque;
    return mr;
}

static BpMemoryRegion *mr_new_backed(MrKind kind, BpDevice *owner, const char *name,
                                     uint64_t size, GError **errp)
{
    if (size == 0 || size > G_MAXSIZE / 2) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "%s '%s': invalid size %" G_GUINT64_FORMAT,
                    kind == MR_RAM ? "RAM" : "ROM", name ? name : "anonymous", size);
        return NULL;
    }
    uint8_t *mem = g_try_malloc0((gsize)size);
    if (!mem) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "cannot allocate %" G_GUINT64_FORMAT " KiB for %s '%s'",
                    size / 1024, kind == MR_RAM ? "RAM" : "ROM", name ? name : "anonymous");
        return NULL;
    }
    BpMemoryRegion *mr = mr_alloc(kind, owner, name, size);
    mr->ram = mem;
    return mr;
}

BpMemoryRegion *bp_mr_new_ram(BpDevice *owner, const char *name, uint64_t size,
                              GError **errp)
{
    return mr_new_backed(MR_RAM, owner, name, size, errp);
}

BpMemoryRegion *bp_mr_new_rom(BpDevice *owner, const char *name, uint64_t size,
                              GError **errp)
{
    return mr_new_backed(MR_ROM, owner, name, size, errp);
}

BpMemoryRegion *bp_mr_new_alias(BpDevice *owner, const char *name,
                                BpMemoryRegion *target, uint64_t offset, uint64_t size)
{
    g_return_val_if_fail(target != NULL, NULL);
    g_return_val_if_fail(size > 0, NULL);
    g_return_val_if_fail(offset <= mr_last(target), NULL);
    BpMemoryRegion *mr = mr_alloc(MR_ALIAS, owner, name, size);
    mr->alias_target = target;
    mr->alias_offset = offset;
    target->alias_refs++;
    return mr;
}

BpMemoryRegion *bp_mr_new_container(BpDevice *owner, const char *name, uint64_t size)
{
    g_return_val_if_fail(size > 0, NULL);
    BpMemoryRegion *mr = mr_alloc(MR_CONTAINER, owner, name, size);
    mr->subregions = g_ptr_array_new();
    return mr;
}

void bp_mr_free(BpMemoryRegion *mr)
{
    if (!mr) {
        return;
    }
    g_return_if_fail(!mr->is_root);
    /* An alias still pointing here would dangle. */
    g_return_if_fail(mr->alias_refs == 0);
    if (mr->container) {
        bp_mr_del_subregion(mr->container, mr);
    }
    if (mr->subregions) {
        for (guint i = 0; i < mr->subregions->len; i++) {
            BpMemoryRegion *sub = mr->subregions->pdata[i];
            sub->container = NULL;
        }
        g_ptr_array_free(mr->subregions, TRUE);
        mr->subregions = NULL;
    }
    if (mr->alias_target) {
        mr->alias_target->alias_refs--;
    }
    g_free(mr->ram);
    g_free(mr->name);
    g_free(mr);
}

void *bp_mr_ptr(BpMemoryRegion *mr)
{
    g_return_val_if_fail(mr != NULL, NULL);
    return mr->ram;
}

uint64_t bp_mr_size(const BpMemoryRegion *mr)
{
    g_return_val_if_fail(mr != NULL, 0);
    return mr->size;
}

const char *bp_mr_name(const BpMemoryRegion *mr)
{
    g_return_val_if_fail(mr != NULL, NULL);
    return mr->name;
}

void bp_mr_add_subregion(BpMemoryRegion *container, uint64_t offset,
                         BpMemoryRegion *sub, int priority)
{
    g_return_if_fail(container != NULL && sub != NULL);
    g_return_if_fail(container->kind == MR_CONTAINER);
    g_return_if_fail(sub->container == NULL && !sub->is_root && sub != container);

    sub->container = container;
    sub->addr = offset;
    sub->priority = priority;
    guint i;
    for (i = 0; i < container->subregions->len; i++) {
        const BpMemoryRegion *other = container->subregions->pdata[i];
        if (other->priority <= priority) {
            break;
        }
    }
    g_ptr_array_insert(container->subregions, (gint)i, sub);
    memory_topology_changed(container);
}

void bp_mr_del_subregion(BpMemoryRegion *container, BpMemoryRegion *sub)
{
    g_return_if_fail(container != NULL && sub != NULL);
    g_return_if_fail(sub->container == container);
    g_ptr_array_remove(container->subregions, sub);
    sub->container = NULL;
    memory_topology_changed(container);
}

void bp_mr_set_enabled(BpMemoryRegion *mr, bool enabled)
{
    g_return_if_fail(mr != NULL);
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_topology_changed(mr);
}

void bp_mr_set_address(BpMemoryRegion *mr, uint64_t offset)
{
    g_return_if_fail(mr != NULL);
    if (mr->addr == offset) {
        return;
    }
    mr->addr = offset;
    memory_topology_changed(mr);
}

void bp_mr_set_readonly(BpMemoryRegion *mr, bool readonly)
{
    g_return_if_fail(mr != NULL);
    if (mr->readonly == readonly) {
        return;
    }
    mr->readonly = readonly;
    memory_topology_changed(mr);
}

/* Flattening */

static void flat_put(GArray *view, guint at, uint64_t start, uint64_t last,
                     BpMemoryRegion *mr, uint64_t offset, bool ro)
{
    FlatRange r = { .start = start, .last = last, .mr = mr, .offset = offset, .readonly = ro };
    g_array_insert_val(view, at, r);
}

/* Fill the parts of [s, l] that are still free with mr (offset off at s). */
static void flat_fill(GArray *view, uint64_t s, uint64_t l, BpMemoryRegion *mr,
                      uint64_t off, bool ro)
{
    guint lo = 0, hi = view->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(view, FlatRange, mid).last < s) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    uint64_t cur = s;
    for (guint i = lo;; i++) {
        if (i >= view->len) {
            flat_put(view, i, cur, l, mr, off + (cur - s), ro);
            return;
        }
        FlatRange r = g_array_index(view, FlatRange, i);
        if (r.start > l) {
            flat_put(view, i, cur, l, mr, off + (cur - s), ro);
            return;
        }
        if (r.start > cur) {
            flat_put(view, i, cur, r.start - 1, mr, off + (cur - s), ro);
            i++;
        }
        if (r.last >= l) {
            return;
        }
        cur = r.last + 1;
    }
}

/* Render offsets [ls, ll] of mr at address as_s of the space. */
static void flat_render(GArray *view, BpMemoryRegion *mr, uint64_t ls, uint64_t ll,
                        uint64_t as_s, bool ro, int depth)
{
    if (!mr->enabled || depth > MR_MAX_DEPTH) {
        return;
    }
    switch (mr->kind) {
    case MR_RAM:
    case MR_ROM:
    case MR_IO:
        flat_fill(view, as_s, as_s + (ll - ls), mr, ls, ro || mr->readonly);
        return;
    case MR_ALIAS: {
        BpMemoryRegion *t = mr->alias_target;
        uint64_t ts = mr->alias_offset + ls;
        if (ts < ls || ts > mr_last(t)) {
            return;
        }
        uint64_t tl = mr->alias_offset + ll;
        if (tl < ll || tl > mr_last(t)) {
            tl = mr_last(t);
        }
        flat_render(view, t, ts, tl, as_s, ro || mr->readonly, depth + 1);
        return;
    }
    case MR_CONTAINER:
        for (guint i = 0; i < mr->subregions->len; i++) {
            BpMemoryRegion *sub = mr->subregions->pdata[i];
            if (!sub->enabled) {
                continue;
            }
            uint64_t sub_s = sub->addr;
            uint64_t sub_l = sub->addr + mr_last(sub);
            if (sub_l < sub_s) {
                sub_l = UINT64_MAX;
            }
            uint64_t s = MAX(ls, sub_s);
            uint64_t l = MIN(ll, sub_l);
            if (s > l) {
                continue;
            }
            flat_render(view, sub, s - sub_s, l - sub_s, as_s + (s - ls),
                        ro || mr->readonly, depth + 1);
        }
        return;
    }
}

static void as_rebuild(BpAddressSpace *as)
{
    GArray *view = g_array_new(FALSE, FALSE, sizeof(FlatRange));
    flat_render(view, as->root, 0, mr_last(as->root), 0, false, 0);
    g_free(as->ranges);
    as->nranges = view->len;
    as->ranges = (FlatRange *)(void *)g_array_free(view, FALSE);
    as->last_hit = 0;
    as->dirty = false;
}

/* Index of the range holding addr (true), or of the first range above it
 * (false; may be nranges). */
static bool as_find(BpAddressSpace *as, uint64_t addr, size_t *idx)
{
    if (G_UNLIKELY(as->dirty)) {
        as_rebuild(as);
    }
    if (as->last_hit < as->nranges) {
        const FlatRange *r = &as->ranges[as->last_hit];
        if (addr >= r->start && addr <= r->last) {
            *idx = as->last_hit;
            return true;
        }
    }
    size_t lo = 0, hi = as->nranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (as->ranges[mid].last < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *idx = lo;
    if (lo < as->nranges && as->ranges[lo].start <= addr) {
        as->last_hit = lo;
        return true;
    }
    return false;
}

/* Address spaces */

static void memory_init_space(BpAddressSpaceId id, const char *heading,
                              const char *root_name, uint64_t size)
{
    BpAddressSpace *as = &bp_spaces[id];
    as->name = heading;
    as->root = bp_mr_new_container(NULL, root_name, size);
    as->root->is_root = true;
    as->dirty = true;
}

void bp_memory_init(void)
{
    if (bp_memory_ready) {
        return;
    }
    memory_init_space(BP_AS_MEMORY, "memory", "system", UINT64_MAX);
    memory_init_space(BP_AS_IO, "I/O", "io", 0x10000);
    bp_memory_ready = true;
}

void bp_memory_cleanup(void)
{
    if (!bp_memory_ready) {
        return;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(bp_spaces); i++) {
        BpAddressSpace *as = &bp_spaces[i];
        as->root->is_root = false;
        bp_mr_free(as->root);
        g_free(as->ranges);
        memset(as, 0, sizeof(*as));
    }
    if (bp_listeners) {
        g_ptr_array_free(bp_listeners, TRUE);
        bp_listeners = NULL;
    }
    bp_memory_ready = false;
}

BpAddressSpace *bp_address_space(BpAddressSpaceId id)
{
    g_return_val_if_fail(id == BP_AS_MEMORY || id == BP_AS_IO, NULL);
    bp_memory_init();
    return &bp_spaces[id];
}

BpMemoryRegion *bp_as_root(BpAddressSpace *as)
{
    g_return_val_if_fail(as != NULL, NULL);
    return as->root;
}

/* Accesses */

static uint64_t ram_load(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return GUINT64_FROM_LE(v);
}

static void ram_store(uint8_t *p, uint64_t v, unsigned n)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, n);
}

/* Largest power of two <= limit that offset is aligned to. */
static unsigned aligned_chunk(uint64_t offset, unsigned limit)
{
    unsigned k = 8;
    while (k > limit || (offset & (k - 1)) != 0) {
        k >>= 1;
    }
    return k;
}

/* n (1-8) bytes at offset of an I/O region, split into pieces the device
 * accepts. Narrower than min_access: one aligned min_access read, and the
 * bytes wanted taken out of it. */
static uint64_t io_read(BpMemoryRegion *mr, uint64_t offset, unsigned n)
{
    const BpMemOps *ops = &mr->ops;
    uint64_t val = 0;
    unsigned done = 0;
    while (done < n) {
        uint64_t o = offset + done;
        unsigned rem = n - done;
        unsigned k = aligned_chunk(o, MIN(rem, ops->max_access));
        uint64_t piece;
        if (k >= ops->min_access) {
            piece = ops->read ? ops->read(mr->opaque, o, k) : UINT64_MAX;
        } else {
            uint64_t base = o & ~(uint64_t)(ops->min_access - 1);
            uint64_t wide = ops->read ? ops->read(mr->opaque, base, ops->min_access) : UINT64_MAX;
            k = MIN(rem, (unsigned)(base + ops->min_access - o));
            piece = wide >> (8 * (o - base));
        }
        val |= (piece & size_mask(k)) << (8 * done);
        done += k;
    }
    return val;
}

/* Narrower than min_access: the bytes go to their lanes of one aligned
 * min_access write, the other lanes zero (as a bus without byte enables
 * would present them), so no read with side effects precedes the write. */
static void io_write(BpMemoryRegion *mr, uint64_t offset, uint64_t val, unsigned n)
{
    const BpMemOps *ops = &mr->ops;
    unsigned done = 0;
    while (done < n) {
        uint64_t o = offset + done;
        unsigned rem = n - done;
        unsigned k = aligned_chunk(o, MIN(rem, ops->max_access));
        if (k >= ops->min_access) {
            if (ops->write) {
                ops->write(mr->opaque, o, (val >> (8 * done)) & size_mask(k), k);
            }
        } else {
            uint64_t base = o & ~(uint64_t)(ops->min_access - 1);
            k = MIN(rem, (unsigned)(base + ops->min_access - o));
            uint64_t piece = (val >> (8 * done)) & size_mask(k);
            if (ops->write) {
                ops->write(mr->opaque, base, piece << (8 * (o - base)), ops->min_access);
            }
        }
        done += k;
    }
}

/* One access of n bytes entirely inside range r. A copy of the range is
 * used: a device callback may change the map and rebuild the view. */
static uint64_t range_read(const FlatRange *r, uint64_t addr, unsigned n)
{
    uint64_t off = r->offset + (addr - r->start);
    if (r->mr->kind == MR_IO) {
        return io_read(r->mr, off, n);
    }
    return ram_load(r->mr->ram + off, n);
}

/* Returns true when RAM was written. */
static bool range_write(const FlatRange *r, uint64_t addr, uint64_t val, unsigned n)
{
    uint64_t off = r->offset + (addr - r->start);
    switch (r->mr->kind) {
    case MR_IO:
        io_write(r->mr, off, val, n);
        return false;
    case MR_RAM:
        if (r->readonly) {
            return false;
        }
        ram_store(r->mr->ram + off, val, n);
        return true;
    default:
        return false;             /* ROM: writes are ignored */
    }
}

static void log_unassigned(BpAddressSpace *as, const char *what, uint64_t addr, unsigned n)
{
    bp_log(NULL, BP_LOG_GUEST_ERROR, "%s of %u byte(s) at unassigned %s address 0x%" G_GINT64_MODIFIER "x",
           what, n, as == &bp_spaces[BP_AS_IO] ? "I/O" : "memory", addr);
}

uint64_t bp_as_read(BpAddressSpace *as, uint64_t addr, unsigned size)
{
    g_return_val_if_fail(as != NULL, UINT64_MAX);
    g_return_val_if_fail(size >= 1 && size <= 8, UINT64_MAX);
    uint64_t val = 0;
    unsigned done = 0;
    bool unassigned = false;
    while (done < size) {
        uint64_t a = addr + done;
        unsigned n = size - done;
        size_t idx;
        uint64_t piece;
        if (as_find(as, a, &idx)) {
            FlatRange r = as->ranges[idx];
            if (r.last - a < n - 1) {
                n = (unsigned)(r.last - a + 1);
            }
            piece = range_read(&r, a, n);
        } else {
            /* Up to the next range (or the rest). */
            if (idx < as->nranges && as->ranges[idx].start - a < n) {
                n = (unsigned)(as->ranges[idx].start - a);
            }
            piece = UINT64_MAX;
            unassigned = true;
        }
        val |= (piece & size_mask(n)) << (8 * done);
        done += n;
    }
    if (unassigned) {
        log_unassigned(as, "read", addr, size);
    }
    return val;
}

void bp_as_write(BpAddressSpace *as, uint64_t addr, uint64_t val, unsigned size)
{
    g_return_if_fail(as != NULL);
    g_return_if_fail(size >= 1 && size <= 8);
    unsigned done = 0;
    bool unassigned = false, ram = false;
    while (done < size) {
        uint64_t a = addr + done;
        unsigned n = size - done;
        size_t idx;
        if (as_find(as, a, &idx)) {
            FlatRange r = as->ranges[idx];
            if (r.last - a < n - 1) {
                n = (unsigned)(r.last - a + 1);
            }
            ram |= range_write(&r, a, (val >> (8 * done)) & size_mask(n), n);
        } else {
            if (idx < as->nranges && as->ranges[idx].start - a < n) {
                n = (unsigned)(as->ranges[idx].start - a);
            }
            unassigned = true;
        }
        done += n;
    }
    if (unassigned) {
        log_unassigned(as, "write", addr, size);
    }
    if (ram) {
        memory_ram_written(as, addr, size);
    }
}

/* Bulk transfer; I/O ranges get naturally aligned accesses of up to 8
 * bytes (split further by the region's limits). */
static bool dma_rw(BpAddressSpace *as, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
    bool ok = true;
    bool ram = false;
    size_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        if (done > 0 && a == 0) {
            /* Wrapped past the top of the space. */
            if (!write) {
                memset(buf + done, 0xff, len - done);
            }
            ok = false;
            break;
        }
        size_t rem = len - done;
        size_t idx;
        size_t n;
        if (!as_find(as, a, &idx)) {
            n = rem;
            if (idx < as->nranges && as->ranges[idx].start - a < rem) {
                n = (size_t)(as->ranges[idx].start - a);
            }
            if (!write) {
                memset(buf + done, 0xff, n);
            }
            log_unassigned(as, write ? "DMA write" : "DMA read", a, (unsigned)MIN(n, G_MAXUINT));
            ok = false;
            done += n;
            continue;
        }
        FlatRange r = as->ranges[idx];
        n = rem;
        if (r.last - a < rem - 1) {
            n = (size_t)(r.last - a + 1);
        }
        uint64_t off = r.offset + (a - r.start);
        if (r.mr->kind == MR_IO) {
            unsigned k = aligned_chunk(a, (unsigned)MIN(n, 8));
            if (write) {
                io_write(r.mr, off, ram_load(buf + done, k), k);
            } else {
                ram_store(buf + done, io_read(r.mr, off, k), k);
            }
            n = k;
        } else if (!write) {
            memcpy(buf + done, r.mr->ram + off, n);
        } else if (r.mr->kind == MR_RAM && !r.readonly) {
            memcpy(r.mr->ram + off, buf + done, n);
            ram = true;
        }
        done += n;
    }
    if (ram) {
        memory_ram_written(as, addr, len);
    }
    return ok;
}

bool bp_dma_read(BpAddressSpace *as, uint64_t addr, void *buf, size_t len)
{
    g_return_val_if_fail(as != NULL && (buf != NULL || len == 0), false);
    return dma_rw(as, addr, buf, len, false);
}

bool bp_dma_write(BpAddressSpace *as, uint64_t addr, const void *buf, size_t len)
{
    g_return_val_if_fail(as != NULL && (buf != NULL || len == 0), false);
    return dma_rw(as, addr, (uint8_t *)buf, len, true);
}

uint8_t *bp_as_page_ptr(BpAddressSpace *as, uint64_t addr, bool write)
{
    uint64_t page = addr & ~UINT64_C(0xfff);
    size_t idx;
    if (!as_find(as, page, &idx)) {
        return NULL;
    }
    const FlatRange *r = &as->ranges[idx];
    if (r->last - page < 0xfff) {
        return NULL;
    }
    switch (r->mr->kind) {
    case MR_RAM:
        if (write && r->readonly) {
            return NULL;
        }
        break;
    case MR_ROM:
        if (write) {
            return NULL;
        }
        break;
    default:
        return NULL;
    }
    return r->mr->ram + r->offset + (page - r->start);
}

/* info mtree */

static const char *mr_type_name(const BpMemoryRegion *mr)
{
    for (int depth = 0; mr->kind == MR_ALIAS && depth < MR_MAX_DEPTH; depth++) {
        mr = mr->alias_target;
    }
    switch (mr->kind) {
    case MR_RAM:
        return mr->readonly ? "rom" : "ram";
    case MR_ROM:
        return "rom";
    case MR_IO:
        return "i/o";
    case MR_CONTAINER:
        return "container";
    default:
        return "alias";
    }
}

static gint mtree_cmp(gconstpointer a, gconstpointer b)
{
    const BpMemoryRegion *x = *(BpMemoryRegion *const *)a;
    const BpMemoryRegion *y = *(BpMemoryRegion *const *)b;
    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    return 0;
}

static void mtree_print(GString *out, const BpMemoryRegion *mr, uint64_t base,
                        int indent, GPtrArray *alias_targets, int depth)
{
    uint64_t start = base + mr->addr;
    uint64_t last = start + mr_last(mr);
    if (last < start) {
        last = UINT64_MAX;
    }
    g_string_append_printf(out, "%*s%016" G_GINT64_MODIFIER "x-%016" G_GINT64_MODIFIER "x"
                           " (prio %d, %s): ", indent, "", start, last, mr->priority,
                           mr_type_name(mr));
    if (mr->kind == MR_ALIAS) {
        const BpMemoryRegion *t = mr->alias_target;
        uint64_t tl = mr->alias_offset + mr_last(mr);
        g_string_append_printf(out, "alias %s @%s %016" G_GINT64_MODIFIER "x-%016"
                               G_GINT64_MODIFIER "x", mr->name, t->name,
                               mr->alias_offset, tl < mr->alias_offset ? UINT64_MAX : tl);
        if (alias_targets && !g_ptr_array_find(alias_targets, t, NULL)) {
            g_ptr_array_add(alias_targets, (gpointer)t);
        }
    } else {
        g_string_append(out, mr->name);
    }
    if (mr->readonly && mr->kind != MR_RAM) {
        g_string_append(out, " [readonly]");
    }
    if (!mr->enabled) {
        g_string_append(out, " [disabled]");
    }
    g_string_append_c(out, '\n');

    if (mr->kind != MR_CONTAINER || depth > MR_MAX_DEPTH) {
        return;
    }
    g_autoptr(GPtrArray) subs = g_ptr_array_copy(mr->subregions, NULL, NULL);
    g_ptr_array_sort(subs, mtree_cmp);
    for (guint i = 0; i < subs->len; i++) {
        mtree_print(out, subs->pdata[i], start, indent + 2, alias_targets, depth + 1);
    }
}

/* Is mr part of the tree under root? */
static bool mr_in_tree(const BpMemoryRegion *mr, const BpMemoryRegion *root)
{
    for (int depth = 0; mr && depth < 64; depth++, mr = mr->container) {
        if (mr == root) {
            return true;
        }
    }
    return false;
}

char *bp_info_mtree(void)
{
    bp_memory_init();
    GString *out = g_string_new(NULL);
    g_autoptr(GPtrArray) targets = g_ptr_array_new();
    for (unsigned i = 0; i < G_N_ELEMENTS(bp_spaces); i++) {
        const BpAddressSpace *as = &bp_spaces[i];
        g_string_append_printf(out, "address-space: %s\n", as->name);
        mtree_print(out, as->root, 0, 2, targets, 0);
        g_string_append_c(out, '\n');
    }
    /* Regions only reachable through aliases, like QEMU's listing. Printing
     * one may reveal more targets; the array grows while we walk it. */
    for (guint i = 0; i < targets->len; i++) {
        const BpMemoryRegion *t = targets->pdata[i];
        if (mr_in_tree(t, bp_spaces[BP_AS_MEMORY].root) ||
            mr_in_tree(t, bp_spaces[BP_AS_IO].root)) {
            continue;
        }
        g_string_append_printf(out, "memory-region: %s\n", t->name);
        /* Printed at its own origin, not where its container would put it. */
        mtree_print(out, t, (uint64_t)0 - t->addr, 2, targets, 0);
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

BpMemoryRegion *bp_memory_load_rom(const char *name, const char *path, GError **errp)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &data, &len, &err)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "cannot load ROM '%s': %s",
                    path, err->message);
        g_error_free(err);
        return NULL;
    }
    if (len == 0 || len > ROM_FILE_MAX) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "cannot load ROM '%s': size %" G_GSIZE_FORMAT " is not between 1 byte and %d MiB",
                    path, len, ROM_FILE_MAX / (1024 * 1024));
        return NULL;
    }
    BpMemoryRegion *mr = bp_mr_new_rom(NULL, name ? name : path, len, errp);
    if (mr) {
        memcpy(mr->ram, data, len);
    }
    return mr;
}
