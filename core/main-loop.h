/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The main loop: GLib's default main context serves chardevs and monitors;
 * the loop runs the CPU engine in slices between timer deadlines, and
 * sleeps in poll() while the CPU is halted or stopped.
 */
#ifndef BP_CORE_MAIN_LOOP_H
#define BP_CORE_MAIN_LOOP_H

#include <backplane/timer.h>

typedef enum BpClockMode {
    BP_CLOCK_MODE_REALTIME,       /* virtual follows host while running */
    BP_CLOCK_MODE_DETERMINISTIC,  /* advances only by steps / instructions */
} BpClockMode;

void bp_clock_init(BpClockMode mode);
/* Deterministic mode with a CPU: 2^shift ns of virtual time per retired
 * instruction (-icount shift=N; default 2). */
void bp_clock_set_insn_shift(int shift);
int64_t bp_clock_ns_per_insn(void);
BpClockMode bp_clock_mode(void);
/* Deterministic mode: advance the virtual clock (running due timers on
 * the way, in order). Returns the new time. qtest clock_step/clock_set. */
int64_t bp_clock_step(int64_t ns);
int64_t bp_clock_set(int64_t target_ns);
/* Nearest virtual deadline (INT64_MAX if none) and running due timers. */
int64_t bp_timers_deadline(BpClockType clock);
bool bp_timers_run_due(void);
/* While stopped, the virtual clock does not advance. */
void bp_clock_enable(bool running);

/* Run state (QMP query-status names). */
typedef enum BpRunState {
    BP_RUN_PRELAUNCH, BP_RUN_RUNNING, BP_RUN_PAUSED, BP_RUN_SHUTDOWN,
} BpRunState;
BpRunState bp_runstate(void);
const char *bp_runstate_name(BpRunState s);
void bp_vm_stop(void);                          /* emits STOP */
void bp_vm_start(void);                         /* emits RESUME */

/* Engine hook: the CPU glue registers how to run guest code. NULL when
 * there is no CPU (-M none, -accel qtest). Returns true while it made
 * progress (false: halted). */
typedef struct BpEngine {
    const char *name;             /* "interp", "qtest" */
    bool (*run_slice)(void *opaque, int64_t until_ns);
    void (*kick)(void *opaque);   /* leave run_slice soon */
    void *opaque;
    void (*reset)(void *opaque);  /* system reset, after the devices'; may be NULL */
} BpEngine;
void bp_main_loop_set_engine(const BpEngine *e);
void bp_main_loop_kick(void);                   /* wake the loop / leave the slice */

/* Runs until quit. Returns the process exit status. */
int bp_main_loop_run(void);
void bp_main_loop_quit(int status);
void bp_main_loop_request_reset(const char *why);
void bp_main_loop_request_shutdown(const char *why);  /* SHUTDOWN event */
void bp_main_loop_set_no_shutdown(bool v);      /* -no-shutdown: stop instead */
void bp_main_loop_set_no_reboot(bool v);        /* -no-reboot: reset -> shutdown */
bool bp_main_loop_no_reboot(void);

#endif
