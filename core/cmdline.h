/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line: QEMU-compatible options into one BpConfig. */
#ifndef BP_CORE_CMDLINE_H
#define BP_CORE_CMDLINE_H

#include "core/opts.h"

typedef enum BpCmdlineHelp {
    BP_HELP_NONE,
    BP_HELP_USAGE,                /* -h, -help */
    BP_HELP_VERSION,              /* -version */
    BP_HELP_MACHINES,             /* -M help */
    BP_HELP_DEVICES,              /* -device help */
    BP_HELP_DEVICE,               /* -device NAME,help */
    BP_HELP_LOG,                  /* -d help */
    BP_HELP_CHARDEV,              /* -chardev help */
    BP_HELP_DISPLAY,              /* -display help */
    BP_HELP_CPU,                  /* -cpu help */
} BpCmdlineHelp;

typedef struct BpCmdline {
    BpConfig *config;             /* groups, in command-line order */
    /* What only this run needs (not part of the configuration). */
    bool start_paused;            /* -S */
    bool no_reboot, no_shutdown;
    char *log_mask;               /* -d */
    char *log_file;               /* -D */
    GPtrArray *traces;            /* -trace patterns */
    GPtrArray *dirs;              /* -L */
    char *gdb;                    /* -gdb / -s */
    char *writeconfig;            /* -writeconfig */
    char *index_dir;              /* --index-modules */
    BpCmdlineHelp help;
    char *help_arg;               /* device type for BP_HELP_DEVICE */
} BpCmdline;

BpCmdline *bp_cmdline_new(void);
void bp_cmdline_free(BpCmdline *cl);
/* Errors read "-opt ARG: what is wrong" (main prefixes "backplane: "). */
bool bp_cmdline_parse(BpCmdline *cl, int argc, char **argv, GError **errp);

/* core/cmdline-help.c */
const char *bp_cmdline_usage(void);
char *bp_cmdline_version(void);

#endif
