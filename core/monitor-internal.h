/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the monitor: the plumbing (monitor.c), the HMP line editor
 * (monitor-hmp.c), the QMP stream (monitor-qmp.c), the command table
 * (monitor-cmds.c) and typed module commands through libffi
 * (monitor-ffi.c). A monitor talks to its peer through a write callback
 * and is fed bytes, so tests can drive one without a chardev.
 */
#ifndef BP_CORE_MONITOR_INTERNAL_H
#define BP_CORE_MONITOR_INTERNAL_H

#include <stdint.h>
#include "core/monitor.h"

#define BP_HMP_MAX_LINE   4096            /* bytes per HMP command line */
#define BP_QMP_MAX_INPUT  (64 * 1024)     /* bytes per QMP JSON value */
#define BP_QMP_MAX_DEPTH  1024            /* nesting of {} and [] */
#define BP_HMP_HISTORY    64

typedef void (*BpMonWriteFn)(void *opaque, const char *buf, size_t len);

typedef struct BpHmp BpHmp;
typedef struct BpQmp BpQmp;

typedef struct BpMonitor {
    BpMonMode mode;
    bool pretty;
    BpMonWriteFn write;
    void *write_opaque;
    BpChardev *chr;               /* NULL when driven through the io seam */
    bool greeted;                 /* banner / greeting sent for this peer */
    BpHmp *hmp;
    BpQmp *qmp;
} BpMonitor;

/* The io seam (tests, and bp_monitor_new on top of it). */
BpMonitor *bp_monitor_new_io(BpMonMode mode, bool pretty, BpMonWriteFn write,
                             void *opaque);
void bp_monitor_free(BpMonitor *mon);
void bp_monitor_feed(BpMonitor *mon, const uint8_t *buf, size_t len);
void bp_monitor_opened(BpMonitor *mon);       /* peer arrived: greet */
void bp_monitor_closed(BpMonitor *mon);       /* peer left: forget state */
/* Text to the peer, "\n" sent as "\r\n" as terminals and QMP clients expect. */
void bp_monitor_puts(BpMonitor *mon, const char *s);
void bp_monitor_write_raw(BpMonitor *mon, const char *buf, size_t len);
/* Every live monitor (events). */
void bp_monitor_foreach(void (*fn)(BpMonitor *mon, void *opaque), void *opaque);

/* HMP side. */
BpHmp *bp_hmp_new(BpMonitor *mon);
void bp_hmp_free(BpHmp *h);
void bp_hmp_feed(BpHmp *h, const uint8_t *buf, size_t len);
void bp_hmp_greet(BpHmp *h);
void bp_hmp_reset(BpHmp *h);
void bp_hmp_show_prompt(BpHmp *h);           /* focus came back (mux) */
/* Run one command line, appending its output to out. */
void bp_hmp_run_line(const char *line, GString *out);

/* QMP side. */
BpQmp *bp_qmp_new(BpMonitor *mon);
void bp_qmp_free(BpQmp *q);
void bp_qmp_feed(BpQmp *q, const uint8_t *buf, size_t len);
void bp_qmp_greet(BpQmp *q);
void bp_qmp_reset(BpQmp *q);
bool bp_qmp_negotiated(const BpQmp *q);
void bp_qmp_send_event(BpQmp *q, JsonNode *event);

/* The command table. HMP handlers get the rest of the line after the
 * command name (trimmed) and append their output; QMP handlers get their
 * arguments already checked against qmp_args and return the "return"
 * value. */
typedef struct BpMonCmd {
    const char *name;
    const char *alias;            /* HMP short form ("c", "q") or NULL */
    const char *params;           /* HMP usage, for help */
    const char *help;
    bool (*hmp)(const char *args, GString *out, GError **errp);
    /* Argument spec as for module commands, plus type 'a' (any JSON
     * value) and a final "*" that lets unlisted arguments through. */
    const char *qmp_args;
    JsonNode *(*qmp)(JsonObject *args, GError **errp);
} BpMonCmd;

const BpMonCmd *bp_mon_cmd_find(const char *name);      /* any; '-' == '_' */
const BpMonCmd *bp_mon_cmd_find_hmp(const char *name);  /* '-' == '_' */
const BpMonCmd *bp_mon_cmd_find_qmp(const char *name);  /* exact */
void bp_mon_cmd_foreach(void (*fn)(const BpMonCmd *c, void *opaque), void *opaque);
/* {"qemu": {"micro", "minor", "major"}, "package"} (greeting, query-version). */
JsonNode *bp_mon_version_node(void);
/* Names of `info` subcommands, for completion. */
const char *const *bp_mon_info_names(void);
/* Module command by name, accepting '-' for '_' and back. */
const BpMonitorCommand *bp_mon_module_cmd_find(const char *name);
/* Names equal but for '-' vs '_'. */
bool bp_mon_name_equal(const char *a, const char *b);
/* Work that must wait until the current reply is out (quit). */
void bp_mon_defer(void (*fn)(void *opaque), void *opaque);
void bp_mon_run_deferred(void);

/* Argument specs ("id:s,count:i?,verbose:b?"). */
typedef struct BpMonArg {
    char *name;
    char type;                    /* 's', 'i', 'b', 'a' */
    bool optional;
} BpMonArg;
typedef struct BpMonSpec {
    GPtrArray *args;              /* BpMonArg * */
    bool rest;                    /* trailing "*" */
} BpMonSpec;
/* allow_ext: accept 'a' and "*" (built-in commands only). */
BpMonSpec *bp_mon_spec_parse(const char *spec, bool allow_ext, GError **errp);
void bp_mon_spec_free(BpMonSpec *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BpMonSpec, bp_mon_spec_free)
/* QMP argument checking with QEMU's messages ("Parameter 'x' is
 * unexpected", "Invalid parameter type for 'id', expected: string",
 * "Parameter 'id' is missing"). */
bool bp_mon_spec_check_json(const BpMonSpec *s, JsonObject *args, GError **errp);

/* Typed module commands through libffi. */
bool bp_mon_ffi_call_hmp(const BpMonitorCommand *c, const char *args, GString *out,
                         GError **errp);
JsonNode *bp_mon_ffi_call_qmp(const BpMonitorCommand *c, JsonObject *args, GError **errp);

/* QMP error classes travel in this domain; BP_ERROR codes are mapped. */
#define BP_QMP_ERROR (bp_qmp_error_quark())
GQuark bp_qmp_error_quark(void);
typedef enum BpQmpErrorClass {
    BP_QMP_ERROR_GENERIC,
    BP_QMP_ERROR_COMMAND_NOT_FOUND,
    BP_QMP_ERROR_DEVICE_NOT_FOUND,
} BpQmpErrorClass;
const char *bp_qmp_error_class(const GError *err);

#endif
