/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Clocks and timers. BP_CLOCK_VIRTUAL stops while the machine is stopped;
 * with -accel qtest or -icount it advances only by guest execution or test
 * protocol steps (deterministic). BP_CLOCK_HOST is wall-clock time (RTC).
 * Timer callbacks run in the main loop, never concurrently.
 */
#ifndef BACKPLANE_TIMER_H
#define BACKPLANE_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "device.h"

typedef enum BpClockType {
    BP_CLOCK_VIRTUAL,
    BP_CLOCK_HOST,
    BP_CLOCK_REALTIME,            /* monotonic host time */
} BpClockType;

#define BP_NS_PER_SEC 1000000000LL

typedef struct BpTimer BpTimer;

int64_t bp_clock_ns(BpClockType clock);
BpTimer *bp_timer_new(BpDevice *owner, BpClockType clock,
                      void (*cb)(void *opaque), void *opaque);
void bp_timer_free(BpTimer *t);               /* cancels first */
void bp_timer_mod(BpTimer *t, int64_t expire_ns);   /* absolute */
void bp_timer_del(BpTimer *t);
bool bp_timer_pending(const BpTimer *t);
int64_t bp_timer_expire(const BpTimer *t);

#endif
