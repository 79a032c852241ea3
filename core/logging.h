/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Core side of logging (-d, -D, -trace). Modules use <backplane/log.h>.
 */
#ifndef BP_CORE_LOGGING_H
#define BP_CORE_LOGGING_H

#include <stdio.h>
#include <backplane/log.h>

enum {
    BP_LOG_MASK_GUEST_ERROR = 1u << 0,   /* "guest_errors" */
    BP_LOG_MASK_UNIMP       = 1u << 1,   /* "unimp" */
    BP_LOG_MASK_INFO        = 1u << 2,   /* "info" */
    BP_LOG_MASK_MODULES     = 1u << 3,   /* "modules": loads, unloads, indexing */
    BP_LOG_MASK_TRACE       = 1u << 4,   /* "trace": every device's BP_TRACE */
};

/* -d LIST: comma-separated category names, "none" or "all". Unknown names
 * fail with a message listing the valid ones. Replaces the mask. */
bool bp_log_set_mask(const char *list, GError **errp);
unsigned bp_log_mask(void);
char *bp_log_help(void);                     /* -d help */
/* -D FILE: log there instead of stderr (NULL: back to stderr). */
bool bp_log_set_file(const char *path, GError **errp);
/* A core message in one of the categories above (no rate limit). */
void bp_log_core(unsigned mask, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* -trace PATTERN: glob over type names and ids ("isa-serial", "s0",
 * "isa-*"). Applies to existing devices and to devices created later. */
void bp_trace_enable(const char *pattern);
void bp_trace_disable_all(void);
/* Called by the registry when a device gets its type/id. */
bool bp_trace_matches(const BpDevice *dev);
/* Where log lines go (tests read it back). */
void bp_log_set_stream(FILE *f);

#endif
