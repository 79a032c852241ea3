# SPDX-License-Identifier: LGPL-2.1-or-later
# The device registry, properties, buses, IRQ/GPIO lines, logging and the
# module loader.
BPCORE_SOURCES += core/registry.c core/property.c core/bus.c core/gpio.c core/irq.c \
	core/error.c core/log.c core/module-loader.c
EXTRA_DIST += core/registry-internal.h core/logging.h

# --disable-modules: the binary -dlpreopens every module, which libtool
# refuses for convenience libraries; an -rpath makes each module a real
# (static-only, never installed) libtool library instead.
# Unit tests link the same modules in that build, so that a test that
# creates real devices passes in both builds.
if !BP_MODULES
MODULE_LDFLAGS += -rpath $(moduledir)
BP_TEST_LDFLAGS += $(patsubst %,-dlpreopen %,$(BP_MODULE_LAS))
endif

# Unit tests
check_PROGRAMS += tests/unit/test-registry tests/unit/test-property tests/unit/test-module
TESTS += tests/unit/test-registry tests/unit/test-property tests/unit/test-module

tests_unit_test_registry_SOURCES = tests/unit/test-registry.c
tests_unit_test_registry_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_registry_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_registry_LDADD = $(BP_TEST_LDADD)
tests_unit_test_registry_LDFLAGS = $(BP_TEST_LDFLAGS)

tests_unit_test_property_SOURCES = tests/unit/test-property.c
tests_unit_test_property_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_property_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_property_LDADD = $(BP_TEST_LDADD)
tests_unit_test_property_LDFLAGS = $(BP_TEST_LDFLAGS)

tests_unit_test_module_SOURCES = tests/unit/test-module.c
tests_unit_test_module_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_module_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_module_LDADD = $(BP_TEST_LDADD)
tests_unit_test_module_LDFLAGS = $(BP_TEST_LDFLAGS)
tests_unit_test_module_DEPENDENCIES = libbpcore.la $(BP_TEST_MODULE_LAS)

# Test modules for test-module: always shared objects (also in a
# --disable-modules build), never installed.
BP_TEST_MODULE_LAS = tests/modules/good.la tests/modules/twin.la tests/modules/abi99.la \
	tests/modules/nosym.la tests/modules/orphan.la tests/modules/stale.la \
	tests/modules/derived.la
check_LTLIBRARIES += $(BP_TEST_MODULE_LAS)
BP_TEST_MODULE_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_modules_good_la_SOURCES = tests/modules/good.c
tests_modules_good_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_good_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_good_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
tests_modules_twin_la_SOURCES = tests/modules/twin.c
tests_modules_twin_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_twin_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_twin_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
tests_modules_abi99_la_SOURCES = tests/modules/abi99.c
tests_modules_abi99_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_abi99_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_abi99_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
tests_modules_nosym_la_SOURCES = tests/modules/nosym.c
tests_modules_nosym_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_nosym_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_nosym_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
tests_modules_orphan_la_SOURCES = tests/modules/orphan.c
tests_modules_orphan_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_orphan_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_orphan_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
tests_modules_stale_la_SOURCES = tests/modules/stale.c
tests_modules_stale_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_stale_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_stale_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
tests_modules_derived_la_SOURCES = tests/modules/derived.c
tests_modules_derived_la_CPPFLAGS = $(MODULE_CPPFLAGS)
tests_modules_derived_la_CFLAGS = $(MODULE_CFLAGS)
tests_modules_derived_la_LDFLAGS = $(BP_TEST_MODULE_LDFLAGS)
EXTRA_DIST += tests/modules/notamodule.so

# Module indexes. The build tree's module directories (modules/*/.libs)
# get one once the binary and the modules are built, so that -device help
# and info qdm never open a module there either. A missing or stale index
# (older than a module in its directory) is not fatal: the loader then
# indexes that directory in memory by reading each module's descriptor.
# Installed modules get their index at install time (written by the
# backplane just built; module file names in it are relative, so DESTDIR
# staging is fine) and lose it at uninstall.
all-local: modules/.index-stamp
modules/.index-stamp: backplane$(EXEEXT) $(BP_MODULE_LAS)
	@for d in modules/*/.libs; do \
	  if ls "$$d"/*.so >/dev/null 2>&1; then \
	    echo "  INDEX    $$d/modules.index"; \
	    ./backplane$(EXEEXT) --index-modules "$$d" || \
	      echo "warning: could not index $$d: the loader will index it at start-up"; \
	  fi; \
	done
	@$(MKDIR_P) modules && touch $@
CLEANFILES += modules/.index-stamp

install-data-hook: bp-install-module-index
bp-install-module-index:
	@if ls "$(DESTDIR)$(moduledir)"/*.so >/dev/null 2>&1; then \
	  echo "  INDEX    $(DESTDIR)$(moduledir)/modules.index"; \
	  ./backplane$(EXEEXT) --index-modules "$(DESTDIR)$(moduledir)" || exit 1; \
	fi
uninstall-local: bp-uninstall-module-index
bp-uninstall-module-index:
	rm -f "$(DESTDIR)$(moduledir)/modules.index"
.PHONY: bp-install-module-index bp-uninstall-module-index
