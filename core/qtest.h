/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test accelerator: QEMU's qtest line protocol on a chardev. */
#ifndef BP_CORE_QTEST_H
#define BP_CORE_QTEST_H

#include <backplane/chardev.h>

/* Serve the protocol on chr (-qtest CHARDEV). log_path: -qtest-log FILE;
 * NULL logs to stderr (as QEMU does), "none" disables the log. The caller
 * (command line) also selects -accel qtest and puts the clock in
 * BP_CLOCK_MODE_DETERMINISTIC; clock_step/clock_set fail otherwise. */
bool bp_qtest_init(BpChardev *chr, const char *log_path, GError **errp);
/* True once bp_qtest_init succeeded. */
bool bp_qtest_enabled(void);
/* Detach from the chardev, drop IRQ interception, close the log. */
void bp_qtest_cleanup(void);

#endif
