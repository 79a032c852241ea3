# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/fwcfg.la
modules_isa_fwcfg_la_SOURCES = modules/isa/fw-cfg.c modules/isa/fw-cfg.h \
	modules/isa/linuxboot.c modules/isa/bootrom-blob.S
modules_isa_fwcfg_la_CPPFLAGS = $(MODULE_CPPFLAGS) -I$(top_builddir)
modules_isa_fwcfg_la_CCASFLAGS = -I$(top_builddir)
modules_isa_fwcfg_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-fwcfg\"
modules_isa_fwcfg_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_fwcfg_la_LIBADD = $(GLIB_LIBS)
EXTRA_DIST += modules/isa/bootrom.asm
CLEANFILES += modules/isa/bootrom.bin
modules/isa/modules_isa_fwcfg_la-bootrom-blob.lo: modules/isa/bootrom.bin
modules/isa/bootrom.bin: modules/isa/bootrom.asm
	@$(MKDIR_P) modules/isa
	$(AM_V_GEN)$(NASM) -f bin -o $@ $(srcdir)/modules/isa/bootrom.asm
