# SPDX-License-Identifier: LGPL-2.1-or-later
# The "debug" module: isa-debug-exit and isa-debugcon (and debugcon-stats).
BP_MODULE_LAS += modules/isa/debug.la
modules_isa_debug_la_SOURCES = modules/isa/debug-exit.c modules/isa/debugcon.c \
	modules/isa/debug.h
modules_isa_debug_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_debug_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-debug\"
modules_isa_debug_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_debug_la_LIBADD = $(GLIB_LIBS)
