/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timers: one list per clock, kept sorted by expiry (equal expiries in the
 * order they were armed), so the next deadline is the head. Machines have
 * tens of timers, and most re-arms land near the end of short lists.
 */
#include "config.h"

#include "core/timer-internal.h"

/* Runaway guard for one pass: a callback re-arming at or before "now". */
#define TIMER_MAX_RUNS 10000

struct BpTimer {
    BpDevice *owner;
    BpClockType clock;
    void (*cb)(void *opaque);
    void *opaque;
    int64_t expire;
    bool pending;
    BpTimer *prev, *next;
};

static BpTimer *timer_lists[3];

static BpTimer **timer_list(BpClockType clock)
{
    g_assert((unsigned)clock < G_N_ELEMENTS(timer_lists));
    return &timer_lists[clock];
}

static void timer_unlink(BpTimer *t)
{
    BpTimer **head = timer_list(t->clock);
    if (t->prev) {
        t->prev->next = t->next;
    } else {
        *head = t->next;
    }
    if (t->next) {
        t->next->prev = t->prev;
    }
    t->prev = t->next = NULL;
    t->pending = false;
}

BpTimer *bp_timer_new(BpDevice *owner, BpClockType clock,
                      void (*cb)(void *opaque), void *opaque)
{
    g_return_val_if_fail(cb != NULL, NULL);
    g_return_val_if_fail((unsigned)clock < G_N_ELEMENTS(timer_lists), NULL);
    BpTimer *t = g_new0(BpTimer, 1);
    t->owner = owner;
    t->clock = clock;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void bp_timer_free(BpTimer *t)
{
    if (!t) {
        return;
    }
    bp_timer_del(t);
    g_free(t);
}

void bp_timer_del(BpTimer *t)
{
    g_return_if_fail(t != NULL);
    if (t->pending) {
        timer_unlink(t);
    }
}

void bp_timer_mod(BpTimer *t, int64_t expire_ns)
{
    g_return_if_fail(t != NULL);
    if (t->pending) {
        timer_unlink(t);
    }
    t->expire = expire_ns;
    t->pending = true;

    BpTimer **head = timer_list(t->clock);
    BpTimer *prev = NULL, *cur = *head;
    while (cur && cur->expire <= expire_ns) {
        prev = cur;
        cur = cur->next;
    }
    t->prev = prev;
    t->next = cur;
    if (prev) {
        prev->next = t;
    } else {
        *head = t;
    }
    if (cur) {
        cur->prev = t;
    }
}

bool bp_timer_pending(const BpTimer *t)
{
    g_return_val_if_fail(t != NULL, false);
    return t->pending;
}

int64_t bp_timer_expire(const BpTimer *t)
{
    g_return_val_if_fail(t != NULL, -1);
    return t->pending ? t->expire : -1;
}

int64_t bp_timers_deadline(BpClockType clock)
{
    const BpTimer *head = *timer_list(clock);
    return head ? head->expire : INT64_MAX;
}

bool bp_timers_run_clock(BpClockType clock, int64_t now)
{
    BpTimer **head = timer_list(clock);
    bool ran = false;
    for (int runs = 0; runs < TIMER_MAX_RUNS; runs++) {
        BpTimer *t = *head;
        if (!t || t->expire > now) {
            break;
        }
        /* Unlinked before the call: the callback may re-arm or free it. */
        timer_unlink(t);
        ran = true;
        t->cb(t->opaque);
    }
    return ran;
}

bool bp_timers_run_due(void)
{
    bool ran = false;
    for (unsigned c = 0; c < G_N_ELEMENTS(timer_lists); c++) {
        if (timer_lists[c]) {
            ran |= bp_timers_run_clock(c, bp_clock_ns(c));
        }
    }
    return ran;
}
