# SPDX-License-Identifier: LGPL-2.1-or-later
# The monitor: HMP and QMP on any chardev, typed module commands via libffi.
BPCORE_SOURCES += core/monitor.c core/monitor-hmp.c core/monitor-qmp.c \
	core/monitor-cmds.c core/monitor-ffi.c core/monitor.h core/monitor-internal.h
