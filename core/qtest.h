/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test accelerator: QEMU's qtest line protocol on a chardev. */
#ifndef BP_CORE_QTEST_H
#define BP_CORE_QTEST_H

#include <backplane/chardev.h>

bool bp_qtest_init(BpChardev *chr, const char *log_path, GError **errp);
bool bp_qtest_enabled(void);

#endif
