/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bp_machine_exit: the SDK's way for a device (isa-debug-exit) to end the
 * process with a chosen status. Devices never call exit() themselves: the
 * main loop returns the status to main(), which cleans up (terminal
 * modes, sockets) before leaving.
 */
#include "config.h"

#include <backplane/cpu.h>
#include "core/main-loop.h"

void bp_machine_exit(int status)
{
    bp_main_loop_quit(status);
}
