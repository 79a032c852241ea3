# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/pic.la
modules_isa_pic_la_SOURCES = modules/isa/pic.c
modules_isa_pic_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_pic_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-pic\"
modules_isa_pic_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_pic_la_LIBADD = $(GLIB_LIBS)
