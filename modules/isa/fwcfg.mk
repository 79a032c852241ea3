# SPDX-License-Identifier: LGPL-2.1-or-later
BP_MODULE_LAS += modules/isa/fwcfg.la
modules_isa_fwcfg_la_SOURCES = modules/isa/fw-cfg.c modules/isa/fw-cfg.h modules/isa/linuxboot.c \
	modules/isa/smbios.c
nodist_modules_isa_fwcfg_la_SOURCES = modules/isa/bootrom-data.c
modules_isa_fwcfg_la_CPPFLAGS = $(MODULE_CPPFLAGS) -I$(srcdir)/modules/isa
modules_isa_fwcfg_la_CFLAGS = $(MODULE_CFLAGS) -DG_LOG_DOMAIN=\"bp-fwcfg\"
modules_isa_fwcfg_la_LDFLAGS = $(MODULE_LDFLAGS)
modules_isa_fwcfg_la_LIBADD = $(GLIB_LIBS)
EXTRA_DIST += modules/isa/bootrom.asm
BUILT_SOURCES += modules/isa/bootrom-data.c
CLEANFILES += modules/isa/bootrom.bin modules/isa/bootrom-data.c

# The option ROM, assembled with nasm and embedded as a C array.
modules/isa/bootrom.bin: $(srcdir)/modules/isa/bootrom.asm
	@$(MKDIR_P) modules/isa
	$(AM_V_GEN)$(NASM) -f bin -o $@ $(srcdir)/modules/isa/bootrom.asm
modules/isa/bootrom-data.c: modules/isa/bootrom.bin
	$(AM_V_GEN){ echo '/* SPDX-License-Identifier: LGPL-2.1-or-later */'; \
	  echo '/* Generated from bootrom.asm: do not edit. */'; \
	  echo '#include "fw-cfg.h"'; \
	  echo 'const unsigned char bp_bootrom[] = {'; \
	  od -An -v -tx1 modules/isa/bootrom.bin | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const unsigned int bp_bootrom_len = sizeof(bp_bootrom);'; } > $@.tmp && mv $@.tmp $@
