/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The three clocks. Host and realtime read the host; virtual depends on
 * the mode: in realtime mode it follows the monotonic host clock while the
 * machine runs and holds still while it is stopped; in deterministic mode
 * (qtest, instruction counting) it moves only when told to, and timers on
 * the way run in order, each seeing the clock at its own deadline.
 */
#include "config.h"

#include <time.h>

#include "core/timer-internal.h"

/* Runaway guards: a step per deadline, and passes in which time did not
 * move (a timer re-arming itself at or before the current instant). */
#define CLOCK_MAX_STEPS 10000000
#define CLOCK_MAX_STUCK 16

static BpClockMode clock_mode = BP_CLOCK_MODE_REALTIME;
static bool clock_running;
static int64_t vclock_held;       /* virtual time while stopped / deterministic */
static int64_t vclock_offset;     /* realtime mode, running: virtual = monotonic + offset */

static int64_t clock_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * BP_NS_PER_SEC + ts.tv_nsec;
}

static int64_t clock_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * BP_NS_PER_SEC + ts.tv_nsec;
}

static int64_t clock_ns_per_insn = 4;

void bp_clock_set_insn_shift(int shift)
{
    g_return_if_fail(shift >= 0 && shift <= 10);
    clock_ns_per_insn = (int64_t)1 << shift;
}

int64_t bp_clock_ns_per_insn(void)
{
    return clock_ns_per_insn;
}

void bp_clock_init(BpClockMode mode)
{
    clock_mode = mode;
    clock_running = false;
    vclock_held = 0;
    vclock_offset = 0;
}

BpClockMode bp_clock_mode(void)
{
    return clock_mode;
}

int64_t bp_clock_ns(BpClockType clock)
{
    switch (clock) {
    case BP_CLOCK_HOST:
        return clock_host_ns();
    case BP_CLOCK_REALTIME:
        return clock_monotonic_ns();
    case BP_CLOCK_VIRTUAL:
        if (clock_mode == BP_CLOCK_MODE_REALTIME && clock_running) {
            return clock_monotonic_ns() + vclock_offset;
        }
        return vclock_held;
    }
    g_return_val_if_reached(0);
}

void bp_clock_enable(bool running)
{
    if (running == clock_running) {
        return;
    }
    if (clock_mode == BP_CLOCK_MODE_REALTIME) {
        if (running) {
            vclock_offset = vclock_held - clock_monotonic_ns();
        } else {
            vclock_held = clock_monotonic_ns() + vclock_offset;
        }
    }
    clock_running = running;
}

int64_t bp_clock_set(int64_t target_ns)
{
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    if (target_ns <= now) {
        bp_timers_run_clock(BP_CLOCK_VIRTUAL, now);
        return now;
    }
    if (clock_mode == BP_CLOCK_MODE_REALTIME) {
        /* A warp: the virtual clock jumps ahead of the host for good. */
        if (clock_running) {
            vclock_offset += target_ns - now;
        } else {
            vclock_held = target_ns;
        }
        bp_timers_run_clock(BP_CLOCK_VIRTUAL, target_ns);
        return bp_clock_ns(BP_CLOCK_VIRTUAL);
    }
    int stuck = 0;
    for (int steps = 0; steps < CLOCK_MAX_STEPS && stuck < CLOCK_MAX_STUCK; steps++) {
        int64_t deadline = bp_timers_deadline(BP_CLOCK_VIRTUAL);
        if (deadline > target_ns) {
            break;
        }
        if (deadline > vclock_held) {
            vclock_held = deadline;
            stuck = 0;
        } else {
            stuck++;
        }
        bp_timers_run_clock(BP_CLOCK_VIRTUAL, vclock_held);
    }
    vclock_held = target_ns;
    bp_timers_run_clock(BP_CLOCK_VIRTUAL, vclock_held);
    return vclock_held;
}

int64_t bp_clock_step(int64_t ns)
{
    if (ns <= 0) {
        return bp_clock_set(bp_clock_ns(BP_CLOCK_VIRTUAL));
    }
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    int64_t target = ns > INT64_MAX - now ? INT64_MAX : now + ns;
    return bp_clock_set(target);
}

void bp_clock_warp(int64_t ns)
{
    if (clock_mode == BP_CLOCK_MODE_DETERMINISTIC && ns > 0) {
        vclock_held = ns > INT64_MAX - vclock_held ? INT64_MAX : vclock_held + ns;
    }
}
