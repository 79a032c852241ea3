# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/rtc.la
modules_isa_rtc_la_SOURCES = modules/isa/rtc.c
modules_isa_rtc_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_rtc_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-rtc\"
modules_isa_rtc_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_rtc_la_LIBADD = $(GLIB_LIBS)
