/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Clocks, timers and the main loop. Built from core/clock.c, core/timer.c
 * and core/main-loop.c alone, with the three things they call elsewhere
 * (QMP events, the device reset, logging) recorded here, so the tests see
 * exactly which events the loop emits.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "core/main-loop.h"
#include "core/monitor.h"
#include "core/registry.h"
#include "core/timer-internal.h"

static GString *events;           /* "NAME reason;" in order */
static int resets;

void bp_qmp_event(const char *name, JsonObject *data)
{
    g_string_append(events, name);
    if (data && json_object_has_member(data, "reason")) {
        g_string_append_printf(events, " %s%s",
                               json_object_get_boolean_member(data, "guest") ? "guest:" : "host:",
                               json_object_get_string_member(data, "reason"));
    }
    g_string_append_c(events, ';');
    if (data) {
        json_object_unref(data);
    }
}

void bp_reset_all(void)
{
    resets++;
}

void bp_log(const BpDevice *dev, BpLogCategory cat, const char *fmt, ...)
{
}

static void fresh(BpClockMode mode)
{
    bp_clock_init(mode);
    if (!events) {
        events = g_string_new(NULL);
    }
    g_string_truncate(events, 0);
    resets = 0;
    bp_main_loop_set_engine(NULL);
    bp_main_loop_set_no_reboot(false);
    bp_main_loop_set_no_shutdown(false);
    bp_vm_stop();
    g_string_truncate(events, 0);
}

/* A timer that notes when it ran, and may re-arm itself. */
typedef struct Tick {
    BpTimer *t;
    GString *log;
    const char *name;
    int64_t period;
    int64_t when;                 /* last armed expiry */
    int count;
    int limit;
} Tick;

static void tick_cb(void *opaque)
{
    Tick *k = opaque;
    g_string_append_printf(k->log, "%s@%" G_GINT64_FORMAT " ", k->name,
                           bp_clock_ns(BP_CLOCK_VIRTUAL));
    k->count++;
    if (k->period && (k->limit == 0 || k->count < k->limit)) {
        k->when += k->period;
        bp_timer_mod(k->t, k->when);
    }
}

static Tick *tick_new(GString *log, const char *name, BpClockType clock)
{
    Tick *k = g_new0(Tick, 1);
    k->log = log;
    k->name = name;
    k->t = bp_timer_new(NULL, clock, tick_cb, k);
    return k;
}

static void tick_free(Tick *k)
{
    bp_timer_free(k->t);
    g_free(k);
}

static void test_order(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    g_autoptr(GString) log = g_string_new(NULL);
    Tick *a = tick_new(log, "a", BP_CLOCK_VIRTUAL);
    Tick *b = tick_new(log, "b", BP_CLOCK_VIRTUAL);
    Tick *c = tick_new(log, "c", BP_CLOCK_VIRTUAL);
    Tick *d = tick_new(log, "d", BP_CLOCK_VIRTUAL);
    bp_timer_mod(a->t, 300);
    bp_timer_mod(b->t, 100);
    bp_timer_mod(c->t, 200);
    bp_timer_mod(d->t, 200);                 /* same instant: after c */
    g_assert_cmpint(bp_timers_deadline(BP_CLOCK_VIRTUAL), ==, 100);
    g_assert_cmpint(bp_clock_step(250), ==, 250);
    g_assert_cmpstr(log->str, ==, "b@100 c@200 d@200 ");
    g_assert_false(bp_timer_pending(b->t));
    g_assert_true(bp_timer_pending(a->t));
    g_assert_cmpint(bp_timer_expire(a->t), ==, 300);
    g_assert_cmpint(bp_timers_deadline(BP_CLOCK_VIRTUAL), ==, 300);
    bp_clock_step(100);
    g_assert_cmpstr(log->str, ==, "b@100 c@200 d@200 a@300 ");
    g_assert_cmpint(bp_timers_deadline(BP_CLOCK_VIRTUAL), ==, INT64_MAX);
    tick_free(a);
    tick_free(b);
    tick_free(c);
    tick_free(d);
}

static void test_mod_del(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    g_autoptr(GString) log = g_string_new(NULL);
    Tick *a = tick_new(log, "a", BP_CLOCK_VIRTUAL);
    Tick *b = tick_new(log, "b", BP_CLOCK_VIRTUAL);
    bp_timer_mod(a->t, 100);
    bp_timer_mod(b->t, 200);
    bp_timer_mod(a->t, 300);                 /* moved behind b */
    g_assert_cmpint(bp_timers_deadline(BP_CLOCK_VIRTUAL), ==, 200);
    bp_timer_del(b->t);
    g_assert_false(bp_timer_pending(b->t));
    g_assert_cmpint(bp_timer_expire(b->t), ==, -1);
    g_assert_cmpint(bp_timers_deadline(BP_CLOCK_VIRTUAL), ==, 300);
    bp_clock_set(1000);
    g_assert_cmpstr(log->str, ==, "a@300 ");
    /* A timer freed while pending never runs. */
    bp_timer_mod(b->t, 1500);
    tick_free(b);
    g_assert_cmpint(bp_timers_deadline(BP_CLOCK_VIRTUAL), ==, INT64_MAX);
    bp_clock_step(1000);
    g_assert_cmpstr(log->str, ==, "a@300 ");
    tick_free(a);
}

static void test_periodic_step(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    g_autoptr(GString) log = g_string_new(NULL);
    Tick *k = tick_new(log, "p", BP_CLOCK_VIRTUAL);
    k->period = 100;
    k->when = 100;
    bp_timer_mod(k->t, k->when);
    bp_clock_step(450);
    g_assert_cmpstr(log->str, ==, "p@100 p@200 p@300 p@400 ");
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL), ==, 450);
    /* Time does not go back; timers already run stay run. */
    g_assert_cmpint(bp_clock_set(10), ==, 450);
    g_assert_cmpint(k->count, ==, 4);
    tick_free(k);
}

static void test_deterministic_still(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    bp_vm_start();
    int64_t t0 = bp_clock_ns(BP_CLOCK_VIRTUAL);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL), ==, t0);
    /* Nothing is due until the clock is stepped. */
    g_autoptr(GString) log = g_string_new(NULL);
    Tick *k = tick_new(log, "k", BP_CLOCK_VIRTUAL);
    bp_timer_mod(k->t, t0 + 1);
    g_assert_false(bp_timers_run_due());
    bp_clock_step(1);
    g_assert_cmpstr(log->str, ==, "k@1 ");
    tick_free(k);
    bp_vm_stop();
}

static void test_realtime_stops(void)
{
    fresh(BP_CLOCK_MODE_REALTIME);
    /* Stopped: the virtual clock holds still. */
    int64_t v0 = bp_clock_ns(BP_CLOCK_VIRTUAL);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL), ==, v0);
    bp_clock_enable(true);
    int64_t v1 = bp_clock_ns(BP_CLOCK_VIRTUAL);
    g_assert_cmpint(v1, >=, v0);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL), >=, v1);
    bp_clock_enable(false);
    int64_t v2 = bp_clock_ns(BP_CLOCK_VIRTUAL);
    g_assert_cmpint(v2, >=, v1);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL), ==, v2);
    /* Resuming continues from where it stopped, not from host time. */
    bp_clock_enable(true);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL), >=, v2);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_VIRTUAL) - v2, <, BP_NS_PER_SEC);
    bp_clock_enable(false);

    int64_t host = bp_clock_ns(BP_CLOCK_HOST);
    g_assert_cmpint(llabs(host - g_get_real_time() * 1000), <, 10 * BP_NS_PER_SEC);
    int64_t r0 = bp_clock_ns(BP_CLOCK_REALTIME);
    g_assert_cmpint(bp_clock_ns(BP_CLOCK_REALTIME), >=, r0);
}

static void test_runstate_events(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    g_assert_cmpstr(bp_runstate_name(bp_runstate()), !=, "running");
    bp_vm_start();
    g_assert_cmpint(bp_runstate(), ==, BP_RUN_RUNNING);
    g_assert_cmpstr(bp_runstate_name(bp_runstate()), ==, "running");
    bp_vm_start();
    bp_vm_stop();
    g_assert_cmpstr(bp_runstate_name(bp_runstate()), ==, "paused");
    bp_vm_stop();
    g_assert_cmpstr(events->str, ==, "RESUME;STOP;");
}

/* Loop helpers: timers on the realtime clock with deadline "now" run on
 * the loop's first pass, without any wait. */
static void quit_cb(void *opaque)
{
    bp_main_loop_quit(GPOINTER_TO_INT(opaque));
}

static void reset_cb(void *opaque)
{
    bp_main_loop_request_reset(opaque);
}

static void shutdown_cb(void *opaque)
{
    bp_main_loop_request_shutdown(opaque);
}

static void signal_cb(void *opaque)
{
    raise(SIGTERM);
}

static BpTimer *soon(void (*cb)(void *), void *opaque, int64_t after_ns)
{
    BpTimer *t = bp_timer_new(NULL, BP_CLOCK_REALTIME, cb, opaque);
    bp_timer_mod(t, bp_clock_ns(BP_CLOCK_REALTIME) + after_ns);
    return t;
}

static void test_loop_reset(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    bp_vm_start();
    BpTimer *r = soon(reset_cb, "guest-reset", 0);
    BpTimer *q = soon(quit_cb, GINT_TO_POINTER(3), 0);
    g_assert_cmpint(bp_main_loop_run(), ==, 3);
    g_assert_cmpint(resets, ==, 1);
    g_assert_cmpstr(events->str, ==, "RESUME;RESET guest:guest-reset;");
    bp_timer_free(r);
    bp_timer_free(q);
}

static void test_loop_no_reboot(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    bp_main_loop_set_no_reboot(true);
    bp_vm_start();
    BpTimer *r = soon(reset_cb, "keyboard controller reset pulse", 0);
    g_assert_cmpint(bp_main_loop_run(), ==, 0);
    g_assert_cmpint(resets, ==, 0);
    g_assert_cmpstr(events->str, ==, "RESUME;SHUTDOWN guest:guest-shutdown;");
    bp_timer_free(r);
}

static void test_loop_no_shutdown(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    bp_main_loop_set_no_shutdown(true);
    bp_vm_start();
    BpTimer *s = soon(shutdown_cb, "guest-shutdown", 0);
    /* Runs on a later pass, once the loop has handled the shutdown. */
    BpTimer *q = soon(quit_cb, GINT_TO_POINTER(7), 1000);
    g_assert_cmpint(bp_main_loop_run(), ==, 7);
    g_assert_cmpint(bp_runstate(), ==, BP_RUN_SHUTDOWN);
    g_assert_cmpstr(events->str, ==, "RESUME;SHUTDOWN guest:guest-shutdown;STOP;");
    bp_timer_free(s);
    bp_timer_free(q);
}

static void test_loop_signal(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    bp_main_loop_set_no_shutdown(true);      /* a signal quits all the same */
    bp_vm_start();
    BpTimer *s = soon(signal_cb, NULL, 0);
    g_assert_cmpint(bp_main_loop_run(), ==, 0);
    g_assert_cmpstr(events->str, ==, "RESUME;SHUTDOWN host:host-signal;");
    bp_timer_free(s);
}

/* A pretend CPU: each slice runs to the end it was given. */
typedef struct FakeCpu {
    GString *slices;
    int calls;
    int resets;
} FakeCpu;

static bool fake_run_slice(void *opaque, int64_t until_ns)
{
    FakeCpu *f = opaque;
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    g_string_append_printf(f->slices, "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT " ", now, until_ns);
    bp_clock_warp(until_ns - now);
    if (++f->calls == 4) {
        bp_main_loop_quit(0);
    }
    return true;
}

static void fake_reset(void *opaque)
{
    ((FakeCpu *)opaque)->resets++;
}

static void test_loop_slices(void)
{
    fresh(BP_CLOCK_MODE_DETERMINISTIC);
    FakeCpu f = { .slices = g_string_new(NULL) };
    BpEngine e = { .name = "fake", .run_slice = fake_run_slice, .opaque = &f,
                   .reset = fake_reset };
    bp_main_loop_set_engine(&e);
    g_autoptr(GString) log = g_string_new(NULL);
    Tick *k = tick_new(log, "k", BP_CLOCK_VIRTUAL);
    bp_timer_mod(k->t, 500);
    BpTimer *r = bp_timer_new(NULL, BP_CLOCK_VIRTUAL, reset_cb, "guest-reset");
    bp_timer_mod(r, 700);
    bp_vm_start();
    g_assert_cmpint(bp_main_loop_run(), ==, 0);
    /* Slices end at each virtual deadline, else at the next whole
     * millisecond of virtual time (deterministic mode: a fixed grid, so
     * runs repeat exactly). */
    g_assert_cmpstr(f.slices->str, ==, "0-500 500-700 700-1000000 1000000-2000000 ");
    g_assert_cmpstr(log->str, ==, "k@500 ");
    g_assert_cmpint(f.resets, ==, 1);
    g_assert_cmpint(resets, ==, 1);
    bp_vm_stop();
    bp_main_loop_set_engine(NULL);
    bp_timer_free(r);
    tick_free(k);
    g_string_free(f.slices, TRUE);
}

/* Halts at once. The first slice arms a kick (an interrupt) a little
 * later, the second the end of the test: a loop that spun while halted
 * would call the engine many more times. */
typedef struct HaltCpu {
    int calls;
    BpTimer *kick;
    BpTimer *quit;
} HaltCpu;

static bool halt_run_slice(void *opaque, int64_t until_ns)
{
    HaltCpu *h = opaque;
    int64_t now = bp_clock_ns(BP_CLOCK_REALTIME);
    if (++h->calls == 1) {
        bp_timer_mod(h->kick, now + 1000 * 1000);
    } else if (h->calls == 2) {
        bp_timer_mod(h->quit, now + 1000 * 1000);
    }
    return false;
}

static void kick_cb(void *opaque)
{
    bp_main_loop_kick();
}

static void test_loop_halt_kick(void)
{
    fresh(BP_CLOCK_MODE_REALTIME);
    HaltCpu h = {
        .kick = bp_timer_new(NULL, BP_CLOCK_REALTIME, kick_cb, NULL),
        .quit = bp_timer_new(NULL, BP_CLOCK_REALTIME, quit_cb, GINT_TO_POINTER(0)),
    };
    BpEngine e = { .name = "halt", .run_slice = halt_run_slice, .opaque = &h };
    bp_main_loop_set_engine(&e);
    bp_vm_start();
    g_assert_cmpint(bp_main_loop_run(), ==, 0);
    g_assert_cmpint(h.calls, ==, 2);
    bp_vm_stop();
    bp_main_loop_set_engine(NULL);
    bp_timer_free(h.kick);
    bp_timer_free(h.quit);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timer/order", test_order);
    g_test_add_func("/timer/mod-del", test_mod_del);
    g_test_add_func("/timer/periodic-step", test_periodic_step);
    g_test_add_func("/timer/deterministic-still", test_deterministic_still);
    g_test_add_func("/timer/realtime-stops", test_realtime_stops);
    g_test_add_func("/main-loop/runstate-events", test_runstate_events);
    g_test_add_func("/main-loop/reset", test_loop_reset);
    g_test_add_func("/main-loop/no-reboot", test_loop_no_reboot);
    g_test_add_func("/main-loop/no-shutdown", test_loop_no_shutdown);
    g_test_add_func("/main-loop/signal", test_loop_signal);
    g_test_add_func("/main-loop/slices", test_loop_slices);
    g_test_add_func("/main-loop/halt-kick", test_loop_halt_kick);
    return g_test_run();
}
