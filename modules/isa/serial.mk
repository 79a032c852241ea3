# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/serial.la
modules_isa_serial_la_SOURCES = modules/isa/serial.c
modules_isa_serial_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_serial_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-serial\"
modules_isa_serial_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_serial_la_LIBADD = $(GLIB_LIBS)
