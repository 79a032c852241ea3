/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program: command line, modules, the launch configuration, machine
 * assembly, the main loop. Every start-up error is one line
 * "backplane: <context>: <message>" and exit status 1.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <backplane/error.h>
#include "core/chardev-internal.h"
#include "core/cmdline.h"
#include "core/engine.h"
#include "core/logging.h"
#include "core/machine.h"
#include "core/main-loop.h"
#include "core/module-loader.h"
#include "core/monitor.h"
#include "core/registry.h"

/* The context is left out when the message names the option itself. */
static int fail(const char *context, const GError *err)
{
    g_autofree char *opt = context ? g_strndup(context, strcspn(context, " ")) : NULL;

    fflush(stdout);
    if (context && !g_str_has_prefix(err->message, opt)) {
        fprintf(stderr, "backplane: %s: %s\n", context, err->message);
    } else {
        fprintf(stderr, "backplane: %s\n", err->message);
    }
    return 1;
}

static void print_machine(const BpMachineDef *d, void *opaque)
{
    printf("%-20s %s%s\n", d->name, d->desc ? d->desc : "", d->is_default ? " (default)" : "");
}

static int print_help(BpCmdline *cl)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;

    switch (cl->help) {
    case BP_HELP_USAGE:
        fputs(bp_cmdline_usage(), stdout);
        return 0;
    case BP_HELP_VERSION:
        text = bp_cmdline_version();
        break;
    case BP_HELP_MACHINES:
        printf("Supported machines are:\n");
        bp_machine_foreach(print_machine, NULL);
        return 0;
    case BP_HELP_DEVICES:
        text = bp_device_list_help();
        break;
    case BP_HELP_DEVICE:
        text = bp_device_help(cl->help_arg, &err);
        if (!text) {
            g_autofree char *ctx = g_strdup_printf("-device %s,help", cl->help_arg);

            return fail(ctx, err);
        }
        break;
    case BP_HELP_LOG:
        text = bp_log_help();
        break;
    case BP_HELP_CHARDEV:
        text = g_strdup("Available chardev backend types:\n"
                        "  null\n  stdio\n  file\n  pipe\n  pty\n  socket\n  ringbuf\n");
        break;
    case BP_HELP_DISPLAY:
        text = g_strdup("Available display backend types:\nnone\n");
        break;
    case BP_HELP_CPU:
        text = bp_machine_cpu_help();
        break;
    default:
        g_assert_not_reached();
    }
    fputs(text, stdout);
    if (*text && text[strlen(text) - 1] != '\n') {
        fputc('\n', stdout);
    }
    return 0;
}

/* Logging and modules: what help output and the launch both need. */
static int setup_run(BpCmdline *cl)
{
    g_autoptr(GError) err = NULL;

    /* The log's messages name the option already ("-d: ...", "-D FILE: ..."). */
    if (cl->log_file && !bp_log_set_file(cl->log_file, &err)) {
        return fail(NULL, err);
    }
    if (cl->log_mask && cl->help != BP_HELP_LOG && !bp_log_set_mask(cl->log_mask, &err)) {
        return fail(NULL, err);
    }
    for (guint i = 0; i < cl->traces->len; i++) {
        bp_trace_enable(cl->traces->pdata[i]);
    }
    for (guint i = 0; i < cl->dirs->len; i++) {
        /* A mistyped -L would otherwise show only as a missing device. */
        if (!g_file_test(cl->dirs->pdata[i], G_FILE_TEST_IS_DIR)) {
            g_set_error(&err, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "-L %s: no such directory (-L names a directory of modules and "
                        "firmware)", (const char *)cl->dirs->pdata[i]);
            return fail(NULL, err);
        }
        bp_modules_add_dir(cl->dirs->pdata[i]);
        bp_machine_add_firmware_dir(cl->dirs->pdata[i]);
    }
    if (!bp_modules_init(&err)) {
        return fail("modules", err);
    }
    bp_machines_init();
    bp_registry_init();
    return -1;
}

static int run(BpCmdline *cl)
{
    g_autoptr(GError) err = NULL;
    BpConfig *launch;
    int status;

    launch = bp_machine_expand(cl->config, &err);
    if (!launch) {
        return fail(NULL, err);
    }
    if (cl->writeconfig && !bp_config_write_file(launch, cl->writeconfig, &err)) {
        g_autofree char *ctx = g_strdup_printf("-writeconfig %s", cl->writeconfig);

        bp_config_free(launch);
        return fail(ctx, err);
    }
    if (!bp_machine_assemble(launch, &err)) {
        bp_config_free(launch);
        bp_chardev_cleanup_all();
        return fail(NULL, err);
    }
    bp_config_free(launch);
    bp_main_loop_set_no_reboot(cl->no_reboot);
    bp_main_loop_set_no_shutdown(cl->no_shutdown);
    if (cl->gdb && !bp_gdbstub_start(cl->gdb, &err)) {
        g_autofree char *ctx = g_strdup_printf("-gdb %s", cl->gdb);

        bp_chardev_cleanup_all();
        return fail(ctx, err);
    }
    if (!cl->start_paused) {
        bp_vm_start();
    }
    status = bp_main_loop_run();
    /* Frontends before the backends they use; devices before chardevs. */
    bp_monitor_cleanup_all();
    bp_cpu_engine_stop();
    bp_registry_cleanup();
    bp_chardev_cleanup_all();
    return status;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    BpCmdline *cl = bp_cmdline_new();
    int status;

    signal(SIGPIPE, SIG_IGN);
    if (!bp_cmdline_parse(cl, argc, argv, &err)) {
        status = fail(NULL, err);
    } else if (cl->help == BP_HELP_USAGE || cl->help == BP_HELP_VERSION) {
        status = print_help(cl);
    } else if (cl->index_dir) {
        for (guint i = 0; i < cl->dirs->len; i++) {
            bp_modules_add_dir(cl->dirs->pdata[i]);
        }
        if (!bp_modules_write_index(cl->index_dir, &err)) {
            g_autofree char *ctx = g_strdup_printf("--index-modules %s", cl->index_dir);

            status = fail(ctx, err);
        } else {
            status = 0;
        }
    } else if ((status = setup_run(cl)) < 0) {
        status = cl->help != BP_HELP_NONE ? print_help(cl) : run(cl);
    }
    fflush(stdout);
    bp_cmdline_free(cl);
    return status;
}
