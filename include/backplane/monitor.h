/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Monitor commands from modules, with a typed signature. The monitor parses
 * the arguments (HMP words or QMP JSON), then calls `fn` through libffi:
 *
 *   args "id:s,count:i?,verbose:b?"  ->  RET fn(const char *id, int64_t count,
 *                                               bool verbose, GError **errp)
 *
 * s = const char *, i = int64_t, b = bool; a trailing '?' marks an optional
 * argument, passed as NULL / 0 / false when absent. The return type follows
 * `ret`; BP_MON_RET_STR returns a g_malloc'd string the monitor frees. Set
 * *errp to fail. HMP accepts the name with '_' or '-'; QMP uses it as is.
 */
#ifndef BACKPLANE_MONITOR_H
#define BACKPLANE_MONITOR_H

typedef enum BpMonRet {
    BP_MON_RET_NONE,              /* void */
    BP_MON_RET_STR,               /* char * */
    BP_MON_RET_INT,               /* int64_t */
    BP_MON_RET_BOOL,              /* bool */
} BpMonRet;

typedef struct BpMonitorCommand {
    const char *name;             /* "debugcon-stats" */
    const char *args;             /* "id:s,reset:b?" or "" */
    BpMonRet ret;
    void (*fn)(void);             /* cast with BP_MON_FN */
    const char *help;
} BpMonitorCommand;

#define BP_MON_FN(f) ((void (*)(void))(f))
#define BP_MON_COMMAND_END { .name = 0 }

#endif
