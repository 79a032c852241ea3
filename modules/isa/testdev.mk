# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/testdev.la
modules_isa_testdev_la_SOURCES = modules/isa/testdev.c
modules_isa_testdev_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_testdev_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-testdev\"
modules_isa_testdev_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_testdev_la_LIBADD = $(GLIB_LIBS)
