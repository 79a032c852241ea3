# SPDX-License-Identifier: LGPL-2.1-or-later
# The "apic" module: the local APIC ("apic") and the 82093AA I/O APIC ("ioapic").
BP_MODULE_LAS += modules/isa/apic.la
modules_isa_apic_la_SOURCES = modules/isa/lapic.c modules/isa/ioapic.c modules/isa/apic.h
modules_isa_apic_la_CPPFLAGS = $(MODULE_CPPFLAGS)
modules_isa_apic_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-apic\"
modules_isa_apic_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_apic_la_LIBADD = $(GLIB_LIBS)
