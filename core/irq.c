/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IRQ lines: a level plus any number of sinks. A sink is either a handler
 * (a device input) or a forward to another line (fan-out of a GPIO
 * output); forwards are remembered on the target too, so freeing either
 * end unhooks the other and nothing dangles.
 */
#include "core/registry-internal.h"

struct BpIrqSink {
    BpIrq *source;
    BpIrqHandler handler;
    void *opaque;
    int n;
    BpIrq *target;                /* forward: set target's level instead */
};

struct BpIrq {
    char *name;
    bool level;
    GPtrArray *sinks;             /* BpIrqSink * we notify */
    GPtrArray *incoming;          /* BpIrqSink * of other lines forwarding here */
    unsigned depth;               /* recursion guard against wiring loops */
};

BpIrq *bp_irq_new(const char *name)
{
    BpIrq *irq = g_new0(BpIrq, 1);

    irq->name = g_strdup(name ? name : "irq");
    irq->sinks = g_ptr_array_new();
    irq->incoming = g_ptr_array_new();
    return irq;
}

static void irq_sink_free(BpIrqSink *s)
{
    g_ptr_array_remove(s->source->sinks, s);
    if (s->target) {
        g_ptr_array_remove(s->target->incoming, s);
    }
    g_free(s);
}

void bp_irq_free(BpIrq *irq)
{
    if (!irq) {
        return;
    }
    while (irq->sinks->len) {
        irq_sink_free(g_ptr_array_index(irq->sinks, irq->sinks->len - 1));
    }
    while (irq->incoming->len) {
        irq_sink_free(g_ptr_array_index(irq->incoming, irq->incoming->len - 1));
    }
    g_ptr_array_free(irq->sinks, TRUE);
    g_ptr_array_free(irq->incoming, TRUE);
    g_free(irq->name);
    g_free(irq);
}

BpIrqSink *bp_irq_connect(BpIrq *irq, BpIrqHandler handler, void *opaque, int n)
{
    g_return_val_if_fail(irq && handler, NULL);
    BpIrqSink *s = g_new0(BpIrqSink, 1);

    s->source = irq;
    s->handler = handler;
    s->opaque = opaque;
    s->n = n;
    g_ptr_array_add(irq->sinks, s);
    return s;
}

BpIrqSink *bp_irq_forward(BpIrq *irq, BpIrq *target)
{
    g_return_val_if_fail(irq && target && irq != target, NULL);
    BpIrqSink *s = g_new0(BpIrqSink, 1);

    s->source = irq;
    s->target = target;
    g_ptr_array_add(irq->sinks, s);
    g_ptr_array_add(target->incoming, s);
    if (irq->level) {
        bp_irq_set(target, true);
    }
    return s;
}

void bp_irq_disconnect(BpIrq *irq, BpIrqSink *sink)
{
    g_return_if_fail(irq && sink && sink->source == irq);
    irq_sink_free(sink);
}

void bp_irq_set(BpIrq *irq, bool level)
{
    if (!irq || irq->level == level) {
        return;
    }
    if (irq->depth > 16) {
        g_critical("IRQ line %s: wiring loop", irq->name);
        return;
    }
    irq->level = level;
    irq->depth++;
    /* A handler may connect or disconnect sinks: walk a snapshot. */
    guint len = irq->sinks->len;
    BpIrqSink **snap = g_newa(BpIrqSink *, len ? len : 1);
    for (guint i = 0; i < len; i++) {
        snap[i] = g_ptr_array_index(irq->sinks, i);
    }
    for (guint i = 0; i < len; i++) {
        BpIrqSink *s = snap[i];
        guint idx;
        if (!g_ptr_array_find(irq->sinks, s, &idx)) {
            continue;
        }
        if (s->target) {
            bp_irq_set(s->target, level);
        } else {
            s->handler(s->opaque, s->n, level);
        }
    }
    irq->depth--;
}

bool bp_irq_level(const BpIrq *irq)
{
    return irq && irq->level;
}

const char *bp_irq_name(const BpIrq *irq)
{
    return irq ? irq->name : NULL;
}
