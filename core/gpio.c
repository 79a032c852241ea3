/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Named GPIO lines on devices, built on BpIrq. An input is a line whose
 * one sink is the device's handler. An output is a line the core creates
 * and hands to the device through its slot; connecting it to an input
 * adds a forwarding sink, so one output can drive several inputs.
 */
#include "core/registry-internal.h"

typedef struct BpGpio {
    int count;
    BpIrq **lines;
    BpIrqHandler handler;         /* inputs */
    void *opaque;
} BpGpio;

static void gpio_free(gpointer p)
{
    BpGpio *g = p;

    for (int i = 0; i < g->count; i++) {
        bp_irq_free(g->lines[i]);
    }
    g_free(g->lines);
    g_free(g);
}

static GHashTable *gpio_table(BpDevice *dev, bool out)
{
    BpDevCore *c = bp_dev_core(dev);
    GHashTable **t = out ? &c->gpio_out : &c->gpio_in;

    if (!*t) {
        *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, gpio_free);
    }
    return *t;
}

static BpGpio *gpio_new(BpDevice *dev, const char *name, int count, bool out)
{
    BpGpio *g = g_new0(BpGpio, 1);

    g->count = count;
    g->lines = g_new0(BpIrq *, count);
    for (int i = 0; i < count; i++) {
        g_autofree char *lname = g_strdup_printf("%s.%s[%d]", bp_device_id(dev),
                                                 *name ? name : (out ? "out" : "in"), i);
        g->lines[i] = bp_irq_new(lname);
    }
    g_hash_table_insert(gpio_table(dev, out), g_strdup(name), g);
    return g;
}

void bp_device_add_gpio_in(BpDevice *dev, const char *name, int count,
                           BpIrqHandler handler, void *opaque)
{
    g_return_if_fail(dev && dev->core && handler && count > 0);
    name = name ? name : "";
    BpGpio *old = g_hash_table_lookup(gpio_table(dev, false), name);
    if (old) {
        /* A device re-realized after unrealize declares the same inputs. */
        if (old->count == count && old->handler == handler && old->opaque == opaque) {
            return;
        }
        g_critical("%s: GPIO input '%s' declared twice", bp_device_id(dev), name);
        return;
    }
    BpGpio *g = gpio_new(dev, name, count, false);
    g->handler = handler;
    g->opaque = opaque;
    for (int i = 0; i < count; i++) {
        bp_irq_connect(g->lines[i], handler, opaque, i);
    }
}

void bp_device_add_gpio_out(BpDevice *dev, const char *name, BpIrq **slots, int count)
{
    g_return_if_fail(dev && dev->core && slots && count > 0);
    name = name ? name : "";
    BpGpio *g = g_hash_table_lookup(gpio_table(dev, true), name);
    if (g && g->count != count) {
        g_critical("%s: GPIO output '%s' declared twice", bp_device_id(dev), name);
        return;
    }
    if (!g) {
        g = gpio_new(dev, name, count, true);
    }
    for (int i = 0; i < count; i++) {
        slots[i] = g->lines[i];
    }
}

BpIrq *bp_device_gpio_in(BpDevice *dev, const char *name, int n)
{
    g_return_val_if_fail(dev && dev->core, NULL);
    BpGpio *g = g_hash_table_lookup(gpio_table(dev, false), name ? name : "");
    if (!g || n < 0 || n >= g->count) {
        return NULL;
    }
    return g->lines[n];
}

bool bp_device_connect_gpio_out(BpDevice *dev, const char *name, int n,
                                BpIrq *target, GError **errp)
{
    g_return_val_if_fail(dev && dev->core, false);
    name = name ? name : "";
    BpGpio *g = g_hash_table_lookup(gpio_table(dev, true), name);
    if (!g) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                    "device '%s' has no GPIO output '%s'", bp_device_id(dev), name);
        return false;
    }
    if (n < 0 || n >= g->count) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "GPIO output '%s' of device '%s' has lines 0 to %d, not %d",
                    name, bp_device_id(dev), g->count - 1, n);
        return false;
    }
    if (!target) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "GPIO output '%s[%d]' of device '%s': no input to connect to",
                    name, n, bp_device_id(dev));
        return false;
    }
    if (target == g->lines[n]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "GPIO output '%s[%d]' of device '%s' cannot drive itself",
                    name, n, bp_device_id(dev));
        return false;
    }
    bp_irq_forward(g->lines[n], target);
    return true;
}

void bp_device_gpio_cleanup(BpDevice *dev)
{
    BpDevCore *c = bp_dev_core(dev);

    g_clear_pointer(&c->gpio_in, g_hash_table_destroy);
    g_clear_pointer(&c->gpio_out, g_hash_table_destroy);
}
