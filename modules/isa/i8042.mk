# SPDX-License-Identifier: LGPL-2.1-or-later
# The "i8042" module: keyboard controller, PS/2 keyboard and mouse.
BP_MODULE_LAS += modules/isa/i8042.la
modules_isa_i8042_la_SOURCES = modules/isa/i8042.c modules/isa/ps2-kbd.c \
	modules/isa/ps2-mouse.c modules/isa/ps2.h
modules_isa_i8042_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_i8042_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-i8042\"
modules_isa_i8042_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_i8042_la_LIBADD = $(GLIB_LIBS)
