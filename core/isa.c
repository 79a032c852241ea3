/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ISA bus: sixteen IRQ lines that devices drive and interrupt
 * controllers listen to, and port ranges in the I/O space that the bus
 * hands out without overlap. A port range belongs to the device that
 * mapped it; the bus takes back what a device still holds when it is
 * unplugged (unrealize, or a realize that failed half way).
 */
#include "config.h"

#include <backplane/error.h>
#include "core/isa-internal.h"
#include "core/memory-internal.h"
#include "core/registry.h"

typedef struct IsaBus {
    BpBus *bus;
    BpIrq *irqs[BP_ISA_NUM_IRQS];
    GHashTable *dev_irqs;         /* BpDevice * -> mask of IRQs it asked for */
} IsaBus;

typedef struct IsaMapping {
    BpDevice *dev;
    BpMemoryRegion *mr;
    uint32_t base, size;
} IsaMapping;

static GPtrArray *isa_buses;      /* IsaBus * */
static GPtrArray *isa_mappings;   /* IsaMapping *, over all buses: one I/O space */

static IsaBus *isa_bus_state(const BpBus *bus)
{
    for (guint i = 0; bus && isa_buses && i < isa_buses->len; i++) {
        IsaBus *ib = isa_buses->pdata[i];
        if (ib->bus == bus) {
            return ib;
        }
    }
    return NULL;
}

static IsaBus *isa_dev_bus(BpDevice *dev, GError **errp)
{
    IsaBus *ib = isa_bus_state(bp_device_bus(dev));
    if (!ib) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "device '%s' (%s) is not on an ISA bus", bp_device_id(dev),
                    bp_device_type_name(dev));
    }
    return ib;
}

static void isa_mapping_release(IsaMapping *m)
{
    bp_mr_free(m->mr);            /* detaches from the I/O space first */
    g_free(m);
}

static void isa_bus_unplug(BpBus *bus, BpDevice *dev)
{
    IsaBus *ib = isa_bus_state(bus);
    for (guint i = 0; isa_mappings && i < isa_mappings->len;) {
        IsaMapping *m = isa_mappings->pdata[i];
        if (m->dev == dev) {
            g_ptr_array_remove_index(isa_mappings, i);
            isa_mapping_release(m);
        } else {
            i++;
        }
    }
    if (ib) {
        g_hash_table_remove(ib->dev_irqs, dev);
    }
}

static char *isa_bus_print_dev(BpBus *bus, BpDevice *dev)
{
    IsaBus *ib = isa_bus_state(bus);
    GString *s = g_string_new(NULL);
    unsigned mask = ib ? GPOINTER_TO_UINT(g_hash_table_lookup(ib->dev_irqs, dev)) : 0;
    for (unsigned n = 0; n < BP_ISA_NUM_IRQS; n++) {
        if (mask & (1u << n)) {
            g_string_append_printf(s, "%sisa irq %u", s->len ? ", " : "", n);
        }
    }
    for (guint i = 0; isa_mappings && i < isa_mappings->len; i++) {
        const IsaMapping *m = isa_mappings->pdata[i];
        if (m->dev == dev) {
            g_string_append_printf(s, "%sio 0x%x-0x%x", s->len ? ", " : "",
                                   m->base, m->base + m->size - 1);
        }
    }
    if (s->len == 0) {
        g_string_free(s, TRUE);
        return NULL;
    }
    return g_string_free(s, FALSE);
}

static const BpBusType isa_bus_type = {
    .name = BP_BUS_ISA,
    .unplug = isa_bus_unplug,
    .print_dev = isa_bus_print_dev,
};

BpBus *bp_isa_bus_create(GError **errp)
{
    IsaBus *ib = g_new0(IsaBus, 1);
    ib->bus = bp_bus_new(NULL, &isa_bus_type, NULL, ib);
    if (!ib->bus) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "cannot create an ISA bus");
        g_free(ib);
        return NULL;
    }
    for (unsigned n = 0; n < BP_ISA_NUM_IRQS; n++) {
        g_autofree char *name = g_strdup_printf("%s.irq[%u]", bp_bus_name(ib->bus), n);
        ib->irqs[n] = bp_irq_new(name);
    }
    ib->dev_irqs = g_hash_table_new(NULL, NULL);
    if (!isa_buses) {
        isa_buses = g_ptr_array_new();
    }
    g_ptr_array_add(isa_buses, ib);
    return ib->bus;
}

void bp_isa_bus_destroy(BpBus *bus)
{
    IsaBus *ib = isa_bus_state(bus);
    g_return_if_fail(ib != NULL);
    g_ptr_array_remove(isa_buses, ib);
    bp_bus_free(ib->bus);
    for (unsigned n = 0; n < BP_ISA_NUM_IRQS; n++) {
        bp_irq_free(ib->irqs[n]);
    }
    g_hash_table_destroy(ib->dev_irqs);
    g_free(ib);
}

BpIrq *bp_isa_bus_irq(BpBus *isa_bus, unsigned n)
{
    IsaBus *ib = isa_bus_state(isa_bus);
    g_return_val_if_fail(ib != NULL, NULL);
    g_return_val_if_fail(n < BP_ISA_NUM_IRQS, NULL);
    return ib->irqs[n];
}

BpIrq *bp_isa_irq(BpDevice *dev, unsigned n, GError **errp)
{
    g_return_val_if_fail(dev != NULL, NULL);
    IsaBus *ib = isa_dev_bus(dev, errp);
    if (!ib) {
        return NULL;
    }
    if (n >= BP_ISA_NUM_IRQS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "ISA IRQ %u is out of range (0-%u)", n, BP_ISA_NUM_IRQS - 1);
        return NULL;
    }
    unsigned mask = GPOINTER_TO_UINT(g_hash_table_lookup(ib->dev_irqs, dev));
    g_hash_table_insert(ib->dev_irqs, dev, GUINT_TO_POINTER(mask | (1u << n)));
    return ib->irqs[n];
}

BpMemoryRegion *bp_isa_map_io(BpDevice *dev, const char *name, uint16_t base,
                              uint16_t size, const BpMemOps *ops, void *opaque,
                              GError **errp)
{
    g_return_val_if_fail(dev != NULL && ops != NULL, NULL);
    if (!isa_dev_bus(dev, errp)) {
        return NULL;
    }
    uint32_t last = (uint32_t)base + size - 1;
    if (size == 0 || last > 0xffff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "I/O ports 0x%x+%u do not fit the 64 KiB I/O space", base, size);
        return NULL;
    }
    for (guint i = 0; isa_mappings && i < isa_mappings->len; i++) {
        const IsaMapping *m = isa_mappings->pdata[i];
        if (base <= m->base + m->size - 1 && m->base <= last) {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "I/O ports 0x%x-0x%x conflict with 0x%x-0x%x (%s) of device '%s' (%s)",
                        base, last, m->base, m->base + m->size - 1, bp_mr_name(m->mr),
                        bp_device_id(m->dev), bp_device_type_name(m->dev));
            return NULL;
        }
    }
    IsaMapping *m = g_new0(IsaMapping, 1);
    m->dev = dev;
    m->base = base;
    m->size = size;
    m->mr = bp_mr_new_io(dev, name, size, ops, opaque);
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_IO)), base, m->mr, 0);
    if (!isa_mappings) {
        isa_mappings = g_ptr_array_new();
    }
    g_ptr_array_add(isa_mappings, m);
    return m->mr;
}

void bp_isa_unmap_io(BpDevice *dev, BpMemoryRegion *mr)
{
    for (guint i = 0; isa_mappings && i < isa_mappings->len; i++) {
        IsaMapping *m = isa_mappings->pdata[i];
        if (m->mr == mr) {
            g_return_if_fail(m->dev == dev);
            g_ptr_array_remove_index(isa_mappings, i);
            isa_mapping_release(m);
            return;
        }
    }
    g_return_if_reached();
}
