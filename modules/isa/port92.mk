# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/port92.la
modules_isa_port92_la_SOURCES = modules/isa/port92.c
modules_isa_port92_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_port92_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-port92\"
modules_isa_port92_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_port92_la_LIBADD = $(GLIB_LIBS)
