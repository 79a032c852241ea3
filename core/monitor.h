/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HMP and QMP monitors. */
#ifndef BP_CORE_MONITOR_H
#define BP_CORE_MONITOR_H

#include <backplane/chardev.h>
#include <backplane/monitor.h>
#include <json-glib/json-glib.h>

typedef enum BpMonMode { BP_MON_HMP, BP_MON_QMP } BpMonMode;

bool bp_monitor_new(BpChardev *chr, BpMonMode mode, bool pretty, GError **errp);
void bp_monitor_cleanup_all(void);
/* QMP events to every QMP monitor past capabilities negotiation. data may
 * be NULL; takes ownership of data. */
void bp_qmp_event(const char *name, JsonObject *data);
/* Run an HMP command line and return its output (human-monitor-command,
 * and tests). */
char *bp_hmp_execute(const char *line);
/* The module loader calls this for each command a module declares before
 * accepting the module: a bad argument spec, return kind, name or a name
 * that clashes with a built-in command fails with a message naming it. */
bool bp_monitor_check_command(const BpMonitorCommand *cmd, GError **errp);

#endif
