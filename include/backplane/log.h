/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Logging. Guest mistakes and unimplemented features are logged, rate
 * limited, when enabled with -d guest_errors / -d unimp; register traffic
 * goes through BP_TRACE, compiled in, off until -trace TYPE-OR-ID.
 */
#ifndef BACKPLANE_LOG_H
#define BACKPLANE_LOG_H

#include <glib.h>
#include "device.h"

typedef enum BpLogCategory {
    BP_LOG_GUEST_ERROR,
    BP_LOG_UNIMP,
    BP_LOG_INFO,
} BpLogCategory;

void bp_log(const BpDevice *dev, BpLogCategory cat, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void bp_trace_print(const BpDevice *dev, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#define bp_guest_error(dev, ...) bp_log((const BpDevice *)(dev), BP_LOG_GUEST_ERROR, __VA_ARGS__)
#define bp_unimp(dev, ...) bp_log((const BpDevice *)(dev), BP_LOG_UNIMP, __VA_ARGS__)
#define BP_TRACE(dev, ...) \
    do { \
        if (G_UNLIKELY(((const BpDevice *)(dev))->trace)) \
            bp_trace_print((const BpDevice *)(dev), __VA_ARGS__); \
    } while (0)

#endif
