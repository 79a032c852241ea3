# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/parallel.la
modules_isa_parallel_la_SOURCES = modules/isa/parallel.c
modules_isa_parallel_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_parallel_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-parallel\"
modules_isa_parallel_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_parallel_la_LIBADD = $(GLIB_LIBS)
