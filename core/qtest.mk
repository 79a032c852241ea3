# SPDX-License-Identifier: LGPL-2.1-or-later
# The qtest line protocol (test accelerator) and bp_machine_exit.
BPCORE_SOURCES += core/qtest.c
