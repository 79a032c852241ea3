/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU input pins added for the x86 engine's legacy x87 error path and
 * INIT: IGNNE# (a level, delivered at attach time too) and INIT# (rising
 * edges), as a device drives them through <backplane/cpu.h> and the
 * engine glue hears them through its BpCpuSink.
 */
#include "config.h"

#include <glib.h>
#include "core/cpu-pins.h"

typedef struct PinLog {
    GString *s;
} PinLog;

static void pin_ignne(void *opaque, bool level)
{
    g_string_append_printf(((PinLog *)opaque)->s, "ignne%d ", level);
}

static void pin_init(void *opaque)
{
    g_string_append(((PinLog *)opaque)->s, "init ");
}

static void test_ignne_init(void)
{
    PinLog l = { g_string_new(NULL) };
    BpCpuSink sink = { .set_ignne = pin_ignne, .init = pin_init, .opaque = &l };
    BpIrq *ignne = bp_cpu_ignne(0);
    BpIrq *init = bp_cpu_init(0);
    g_assert_nonnull(ignne);
    g_assert_nonnull(init);
    g_assert_true(bp_cpu_ignne(0) == ignne);
    bp_irq_raise(ignne);                        /* before the CPU exists */
    bp_irq_pulse(init);                         /* lost: nobody listens */
    bp_cpu_pins_attach(0, &sink);
    g_assert_cmpstr(l.s->str, ==, "ignne1 ");
    g_string_truncate(l.s, 0);

    bp_irq_lower(ignne);
    bp_irq_pulse(init);                         /* one edge, one INIT */
    bp_irq_raise(init);
    bp_irq_raise(init);                         /* no new edge */
    bp_irq_lower(init);
    g_assert_cmpstr(l.s->str, ==, "ignne0 init init ");
    g_string_truncate(l.s, 0);

    /* a sink without the optional callbacks */
    BpCpuSink bare = { .opaque = &l };
    bp_cpu_pins_attach(0, &bare);
    bp_irq_raise(ignne);
    bp_irq_pulse(init);
    g_assert_cmpstr(l.s->str, ==, "");
    bp_cpu_pins_attach(0, NULL);
    bp_cpu_pins_cleanup();
    g_string_free(l.s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu-pins/ignne-init", test_ignne_init);
    return g_test_run();
}
