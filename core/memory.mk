# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory map, ISA bus, clocks and timers, main loop, CPU pins and engine glue.
BPCORE_SOURCES += \
	core/memory.c \
	core/memory-internal.h
