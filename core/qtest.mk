# SPDX-License-Identifier: LGPL-2.1-or-later
# The qtest line protocol (test accelerator) and the debug-exit hook.
BPCORE_SOURCES += core/qtest.c core/machine-exit.c
