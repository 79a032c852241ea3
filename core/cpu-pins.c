/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU pins as devices see them: INTR (level), NMI and INIT# (rising
 * edges), FERR# (output) and IGNNE# (level), the INTA provider, A20 (an OR of its
 * inputs, enabled when nobody drives it), MSRs owned by devices, and the machine's reset/power-off requests. The engine
 * glue attaches a sink to hear the pins; until then their state is kept.
 */
#include "config.h"

#include <string.h>

#include "core/cpu-pins.h"
#include "core/engine.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"
#include <backplane/machine.h>

typedef struct MsrHandler {
    BpMsrRead rd;
    BpMsrWrite wr;
    void *opaque;
} MsrHandler;

typedef struct CpuPins {
    BpIrq *intr;
    BpIrq *nmi;
    BpIrq *ferr;                  /* output */
    BpIrq *ignne;
    BpIrq *init;
    uint8_t (*ack)(void *opaque);
    void *ack_opaque;
    GHashTable *msrs;             /* msr number -> MsrHandler */
    BpCpuSink sink;
    bool attached;
} CpuPins;

static CpuPins cpu_pins[BP_CPU_PINS_MAX];
static GPtrArray *a20_inputs;     /* BpIrq * */
static bool a20_enabled = true;
static uint64_t machine_ram_size;

static CpuPins *pins_get(unsigned cpu)
{
    return cpu < BP_CPU_PINS_MAX ? &cpu_pins[cpu] : NULL;
}

/* *pin, created on first use as "cpuN.NAME"; an input pin (changed not
 * NULL) is heard by changed(p). */
static BpIrq *pins_pin(BpIrq **pin, unsigned cpu, const char *name, BpIrqHandler changed,
                       CpuPins *p)
{
    if (!*pin) {
        g_autofree char *full = g_strdup_printf("cpu%u.%s", cpu, name);
        *pin = bp_irq_new(full);
        if (changed) {
            bp_irq_connect(*pin, changed, p, 0);
        }
    }
    return *pin;
}

static void pins_intr_changed(void *opaque, int n, bool level)
{
    CpuPins *p = opaque;
    if (p->attached && p->sink.set_intr) {
        p->sink.set_intr(p->sink.opaque, level);
    }
    if (level) {
        bp_main_loop_kick();      /* out of HLT */
    }
}

static void pins_nmi_changed(void *opaque, int n, bool level)
{
    CpuPins *p = opaque;
    if (!level) {
        return;
    }
    if (p->attached && p->sink.nmi) {
        p->sink.nmi(p->sink.opaque);
    }
    bp_main_loop_kick();
}

BpIrq *bp_cpu_intr(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    g_return_val_if_fail(p != NULL, NULL);
    return pins_pin(&p->intr, cpu, "intr", pins_intr_changed, p);
}

BpIrq *bp_cpu_nmi(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    g_return_val_if_fail(p != NULL, NULL);
    return pins_pin(&p->nmi, cpu, "nmi", pins_nmi_changed, p);
}

static void pins_ignne_changed(void *opaque, int n, bool level)
{
    CpuPins *p = opaque;
    if (p->attached && p->sink.set_ignne) {
        p->sink.set_ignne(p->sink.opaque, level);
    }
}

static void pins_init_changed(void *opaque, int n, bool level)
{
    CpuPins *p = opaque;
    if (!level) {
        return;
    }
    if (p->attached && p->sink.init) {
        p->sink.init(p->sink.opaque);
    }
    bp_main_loop_kick();
}

BpIrq *bp_cpu_init(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    g_return_val_if_fail(p != NULL, NULL);
    return pins_pin(&p->init, cpu, "init", pins_init_changed, p);
}

BpIrq *bp_cpu_ignne(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    g_return_val_if_fail(p != NULL, NULL);
    return pins_pin(&p->ignne, cpu, "ignne", pins_ignne_changed, p);
}

BpIrq *bp_cpu_ferr(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    g_return_val_if_fail(p != NULL, NULL);
    return pins_pin(&p->ferr, cpu, "ferr", NULL, p);
}

void bp_cpu_pins_set_ferr(unsigned cpu, bool level)
{
    BpIrq *irq = bp_cpu_ferr(cpu);
    if (irq) {
        bp_irq_set(irq, level);
    }
}

void bp_cpu_set_intack(unsigned cpu, uint8_t (*ack)(void *opaque), void *opaque)
{
    CpuPins *p = pins_get(cpu);
    g_return_if_fail(p != NULL);
    p->ack = ack;
    p->ack_opaque = ack ? opaque : NULL;
}

static void a20_update(void)
{
    bool enabled = a20_inputs == NULL || a20_inputs->len == 0;
    for (guint i = 0; a20_inputs && i < a20_inputs->len; i++) {
        enabled |= bp_irq_level(a20_inputs->pdata[i]);
    }
    if (enabled == a20_enabled) {
        return;
    }
    a20_enabled = enabled;
    for (unsigned c = 0; c < BP_CPU_PINS_MAX; c++) {
        CpuPins *p = &cpu_pins[c];
        if (p->attached && p->sink.set_a20) {
            p->sink.set_a20(p->sink.opaque, enabled);
        }
    }
}

static void a20_input_changed(void *opaque, int n, bool level)
{
    a20_update();
}

BpIrq *bp_cpu_a20_input(const char *name)
{
    if (!a20_inputs) {
        a20_inputs = g_ptr_array_new_with_free_func((GDestroyNotify)bp_irq_free);
    }
    g_autofree char *full = g_strdup_printf("a20.%s", name ? name : "input");
    BpIrq *irq = bp_irq_new(full);
    bp_irq_connect(irq, a20_input_changed, NULL, 0);
    g_ptr_array_add(a20_inputs, irq);
    a20_update();                 /* a new, low input: A20 now follows the OR */
    return irq;
}

void bp_cpu_set_msr_handler(unsigned cpu, uint32_t msr, BpMsrRead rd,
                            BpMsrWrite wr, void *opaque)
{
    CpuPins *p = pins_get(cpu);
    g_return_if_fail(p != NULL);
    if (!p->msrs) {
        p->msrs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    if (!rd && !wr) {
        g_hash_table_remove(p->msrs, GUINT_TO_POINTER(msr));
        return;
    }
    MsrHandler *h = g_new(MsrHandler, 1);
    h->rd = rd;
    h->wr = wr;
    h->opaque = opaque;
    g_hash_table_replace(p->msrs, GUINT_TO_POINTER(msr), h);
}

void bp_machine_request_reset(const char *why)
{
    bp_main_loop_request_reset(why);
}

void bp_machine_request_shutdown(const char *why)
{
    bp_main_loop_request_shutdown(why);
}

void bp_machine_set_ram_size(uint64_t bytes)
{
    machine_ram_size = bytes;
}

uint64_t bp_machine_ram_size(void)
{
    if (machine_ram_size) {
        return machine_ram_size;
    }
    BpMemoryRegion *ram = bp_machine_region("ram");
    return ram ? bp_mr_size(ram) : 0;
}

void bp_cpu_pins_attach(unsigned cpu, const BpCpuSink *sink)
{
    CpuPins *p = pins_get(cpu);
    g_return_if_fail(p != NULL);
    if (!sink) {
        p->attached = false;
        memset(&p->sink, 0, sizeof(p->sink));
        return;
    }
    p->sink = *sink;
    p->attached = true;
    if (p->sink.set_a20) {
        p->sink.set_a20(p->sink.opaque, a20_enabled);
    }
    if (p->sink.set_intr) {
        p->sink.set_intr(p->sink.opaque, p->intr && bp_irq_level(p->intr));
    }
    if (p->sink.set_ignne) {
        p->sink.set_ignne(p->sink.opaque, p->ignne && bp_irq_level(p->ignne));
    }
}

bool bp_cpu_pins_intr_level(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    return p && p->intr && bp_irq_level(p->intr);
}

bool bp_cpu_pins_a20(void)
{
    return a20_enabled;
}

uint8_t bp_cpu_pins_intack(unsigned cpu)
{
    CpuPins *p = pins_get(cpu);
    if (!p || !p->ack) {
        return 0xff;
    }
    return p->ack(p->ack_opaque);
}

bool bp_cpu_pins_msr_read(unsigned cpu, uint32_t msr, uint64_t *val)
{
    CpuPins *p = pins_get(cpu);
    MsrHandler *h = p && p->msrs ? g_hash_table_lookup(p->msrs, GUINT_TO_POINTER(msr)) : NULL;
    return h && h->rd && h->rd(h->opaque, msr, val);
}

bool bp_cpu_pins_msr_write(unsigned cpu, uint32_t msr, uint64_t val)
{
    CpuPins *p = pins_get(cpu);
    MsrHandler *h = p && p->msrs ? g_hash_table_lookup(p->msrs, GUINT_TO_POINTER(msr)) : NULL;
    return h && h->wr && h->wr(h->opaque, msr, val);
}

void bp_cpu_pins_cleanup(void)
{
    for (unsigned c = 0; c < BP_CPU_PINS_MAX; c++) {
        CpuPins *p = &cpu_pins[c];
        bp_irq_free(p->intr);
        bp_irq_free(p->nmi);
        bp_irq_free(p->ferr);
        bp_irq_free(p->ignne);
        bp_irq_free(p->init);
        if (p->msrs) {
            g_hash_table_destroy(p->msrs);
        }
        memset(p, 0, sizeof(*p));
    }
    if (a20_inputs) {
        g_ptr_array_free(a20_inputs, TRUE);
        a20_inputs = NULL;
    }
    a20_enabled = true;
    machine_ram_size = 0;
}
