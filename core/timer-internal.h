/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Between the clocks (core/clock.c) and the timer lists (core/timer.c). */
#ifndef BP_CORE_TIMER_INTERNAL_H
#define BP_CORE_TIMER_INTERNAL_H

#include "core/main-loop.h"

/* Run the timers of one clock that are due at `now`, in expiry order.
 * Returns true if any ran. */
bool bp_timers_run_clock(BpClockType clock, int64_t now);

/* Deterministic mode: move the virtual clock forward by ns without running
 * timers (the engine accounting for instructions inside a slice). */
void bp_clock_warp(int64_t ns);

#endif
