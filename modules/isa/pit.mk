# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/pit.la
modules_isa_pit_la_SOURCES = modules/isa/pit.c
modules_isa_pit_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_pit_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-pit\"
modules_isa_pit_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_pit_la_LIBADD = $(GLIB_LIBS)
