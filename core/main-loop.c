/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The main loop and the run state.
 *
 * One thread. GLib's default context serves chardevs, monitors and
 * signals; between its dispatches the loop runs the CPU engine in slices
 * that end at the next virtual timer deadline (or after about a
 * millisecond of host time, so the monitor stays responsive). With no
 * engine, or while the machine is stopped or the CPU halted, the loop
 * sleeps in poll() until the nearest timer deadline or an event.
 *
 * Reset and shutdown requests come from device callbacks and the monitor,
 * in the middle of things; they are carried out here, between slices.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib-unix.h>

#include <backplane/log.h>
#include "core/main-loop.h"
#include "core/monitor.h"
#include "core/registry.h"
#include "core/timer-internal.h"

#define SLICE_NS (1000 * 1000)      /* host time per engine slice, at most */
#define POLL_FDS_INITIAL 16

static BpRunState loop_runstate = BP_RUN_PRELAUNCH;
static BpEngine loop_engine;
static bool loop_have_engine;
static bool loop_in_slice;
static bool loop_halted;            /* the engine said HLT; wait for a kick */
static bool loop_kicked;
static bool loop_quit;
static int loop_status;
static bool loop_no_shutdown;
static bool loop_no_reboot;
static bool loop_signalled;
static char *loop_reset_req;        /* reason, pending */
static char *loop_shutdown_req;

BpRunState bp_runstate(void)
{
    return loop_runstate;
}

const char *bp_runstate_name(BpRunState s)
{
    switch (s) {
    case BP_RUN_PRELAUNCH:
        return "prelaunch";
    case BP_RUN_RUNNING:
        return "running";
    case BP_RUN_PAUSED:
        return "paused";
    case BP_RUN_SHUTDOWN:
        return "shutdown";
    }
    return "unknown";
}

static void loop_stop_to(BpRunState state)
{
    bool was_running = loop_runstate == BP_RUN_RUNNING;
    loop_runstate = state;
    if (was_running) {
        bp_clock_enable(false);
        bp_main_loop_kick();
        bp_qmp_event("STOP", NULL);
    }
}

void bp_vm_stop(void)
{
    if (loop_runstate == BP_RUN_RUNNING) {
        loop_stop_to(BP_RUN_PAUSED);
    }
}

void bp_vm_start(void)
{
    if (loop_runstate == BP_RUN_RUNNING) {
        return;
    }
    loop_runstate = BP_RUN_RUNNING;
    loop_halted = false;
    bp_clock_enable(true);
    bp_qmp_event("RESUME", NULL);
}

void bp_main_loop_set_engine(const BpEngine *e)
{
    if (e) {
        loop_engine = *e;
        loop_have_engine = true;
        loop_halted = false;
    } else {
        memset(&loop_engine, 0, sizeof(loop_engine));
        loop_have_engine = false;
    }
}

void bp_main_loop_kick(void)
{
    loop_kicked = true;
    loop_halted = false;
    if (loop_in_slice && loop_engine.kick) {
        loop_engine.kick(loop_engine.opaque);
    }
}

void bp_main_loop_quit(int status)
{
    loop_quit = true;
    loop_status = status;
    bp_main_loop_kick();
    g_main_context_wakeup(NULL);
}

void bp_main_loop_set_no_shutdown(bool v)
{
    loop_no_shutdown = v;
}

void bp_main_loop_set_no_reboot(bool v)
{
    loop_no_reboot = v;
}

bool bp_main_loop_no_reboot(void)
{
    return loop_no_reboot;
}

void bp_main_loop_request_reset(const char *why)
{
    g_free(loop_reset_req);
    loop_reset_req = g_strdup(why ? why : "guest-reset");
    bp_main_loop_kick();
}

void bp_main_loop_request_shutdown(const char *why)
{
    g_free(loop_shutdown_req);
    loop_shutdown_req = g_strdup(why ? why : "guest-shutdown");
    bp_main_loop_kick();
}

/* QMP wants a reason from QEMU's list ("guest-reset", "host-signal", ...).
 * Requests that say something freer keep their words in the log. */
static JsonObject *loop_reason(const char *why, const char *guest_default)
{
    bool token = (g_str_has_prefix(why, "guest-") || g_str_has_prefix(why, "host-")) &&
                 strchr(why, ' ') == NULL;
    JsonObject *d = json_object_new();
    json_object_set_boolean_member(d, "guest", !g_str_has_prefix(why, "host-"));
    json_object_set_string_member(d, "reason", token ? why : guest_default);
    if (!token) {
        bp_log(NULL, BP_LOG_INFO, "%s: %s", guest_default, why);
    }
    return d;
}

static void loop_do_shutdown(const char *why, bool force_quit)
{
    bp_qmp_event("SHUTDOWN", loop_reason(why, "guest-shutdown"));
    if (loop_no_shutdown && !force_quit) {
        loop_stop_to(BP_RUN_SHUTDOWN);
        return;
    }
    bp_main_loop_quit(0);
}

static void loop_do_reset(const char *why)
{
    bp_reset_all();
    if (loop_have_engine && loop_engine.reset) {
        loop_engine.reset(loop_engine.opaque);
    }
    loop_halted = false;
    if (loop_runstate == BP_RUN_SHUTDOWN) {
        loop_runstate = BP_RUN_PAUSED;
    }
    bp_qmp_event("RESET", loop_reason(why, "guest-reset"));
}

static void loop_handle_requests(void)
{
    if (loop_signalled) {
        loop_signalled = false;
        loop_do_shutdown("host-signal", true);
    }
    if (loop_shutdown_req) {
        g_autofree char *why = g_steal_pointer(&loop_shutdown_req);
        loop_do_shutdown(why, false);
    }
    if (loop_reset_req) {
        g_autofree char *why = g_steal_pointer(&loop_reset_req);
        if (loop_no_reboot) {
            loop_do_shutdown(why, false);
        } else {
            loop_do_reset(why);
        }
    }
}

static gboolean loop_on_signal(gpointer data)
{
    loop_signalled = true;
    bp_main_loop_kick();
    return G_SOURCE_CONTINUE;
}

/* ns until the nearest timer that can fire by itself; -1: none. */
static int64_t loop_timeout_ns(void)
{
    int64_t best = -1;
    for (BpClockType c = BP_CLOCK_VIRTUAL; c <= BP_CLOCK_REALTIME; c++) {
        if (c == BP_CLOCK_VIRTUAL &&
            (loop_runstate != BP_RUN_RUNNING || bp_clock_mode() == BP_CLOCK_MODE_DETERMINISTIC)) {
            continue;                 /* this clock is not moving */
        }
        int64_t deadline = bp_timers_deadline(c);
        if (deadline == INT64_MAX) {
            continue;
        }
        int64_t left = deadline - bp_clock_ns(c);
        if (left < 0) {
            left = 0;
        }
        if (best < 0 || left < best) {
            best = left;
        }
    }
    return best;
}

/* One GLib iteration that also wakes up for our own timers. */
static void loop_wait(int64_t timeout_ns)
{
    static GPollFD *fds;
    static gint nfds;
    GMainContext *ctx = g_main_context_default();
    gint max_prio, timeout_ms, n;

    if (!g_main_context_acquire(ctx)) {
        g_main_context_iteration(ctx, FALSE);
        return;
    }
    g_main_context_prepare(ctx, &max_prio);
    if (!fds) {
        nfds = POLL_FDS_INITIAL;
        fds = g_new(GPollFD, nfds);
    }
    while ((n = g_main_context_query(ctx, max_prio, &timeout_ms, fds, nfds)) > nfds) {
        nfds = n;
        fds = g_renew(GPollFD, fds, nfds);
    }
    if (timeout_ns >= 0) {
        int64_t ms = (timeout_ns + 999999) / 1000000;
        if (ms > G_MAXINT) {
            ms = G_MAXINT;
        }
        if (timeout_ms < 0 || ms < timeout_ms) {
            timeout_ms = (gint)ms;
        }
    }
    if (loop_quit || loop_signalled || loop_reset_req || loop_shutdown_req) {
        timeout_ms = 0;
    }
    g_main_context_get_poll_func(ctx)(fds, (guint)n, timeout_ms);
    g_main_context_check(ctx, max_prio, fds, n);
    g_main_context_dispatch(ctx);
    g_main_context_release(ctx);
}

static bool loop_engine_ready(void)
{
    return loop_have_engine && loop_engine.run_slice && loop_runstate == BP_RUN_RUNNING;
}

static void loop_run_engine(void)
{
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    int64_t until = bp_timers_deadline(BP_CLOCK_VIRTUAL);
    if (until - now > SLICE_NS || until == INT64_MAX) {
        until = now + SLICE_NS;
        if (bp_clock_mode() == BP_CLOCK_MODE_DETERMINISTIC) {
            until = (now / SLICE_NS + 1) * SLICE_NS;
        }
    }
    loop_kicked = false;
    loop_in_slice = true;
    bool progress = loop_engine.run_slice(loop_engine.opaque, until);
    loop_in_slice = false;
    if (!progress && !loop_kicked) {
        loop_halted = true;
    }
}

int bp_main_loop_run(void)
{
    guint sig_term = g_unix_signal_add(SIGTERM, loop_on_signal, NULL);
    guint sig_int = g_unix_signal_add(SIGINT, loop_on_signal, NULL);

    while (!loop_quit) {
        loop_handle_requests();
        if (loop_quit) {
            break;
        }
        bp_timers_run_due();
        loop_handle_requests();
        if (loop_quit) {
            break;
        }
        if (loop_engine_ready() && !loop_halted) {
            loop_run_engine();
            bp_timers_run_due();
            g_main_context_iteration(NULL, FALSE);
            continue;
        }
        if (loop_engine_ready() && bp_clock_mode() == BP_CLOCK_MODE_DETERMINISTIC) {
            /* Halted with instruction-counted time: nothing moves the
             * clock but us, so skip straight to the next deadline. */
            int64_t deadline = bp_timers_deadline(BP_CLOCK_VIRTUAL);
            if (deadline != INT64_MAX) {
                bp_clock_set(deadline);
                g_main_context_iteration(NULL, FALSE);
                continue;
            }
        }
        loop_wait(loop_timeout_ns());
    }

    if (loop_signalled) {
        /* Another handler of the signal ended the loop first. */
        loop_signalled = false;
        bp_qmp_event("SHUTDOWN", loop_reason("host-signal", "guest-shutdown"));
    }
    g_source_remove(sig_term);
    g_source_remove(sig_int);
    loop_quit = false;
    return loop_status;
}
