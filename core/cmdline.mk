# SPDX-License-Identifier: LGPL-2.1-or-later
# Option groups, config files, machine assembly and the command line.
BPCORE_SOURCES += core/opts.c core/opts.h core/config.c core/machine.c core/machine.h \
	core/machine-none.c core/cmdline.h \
	core/cmdline.c core/cmdline-help.c

check_PROGRAMS += tests/unit/test-opts tests/unit/test-config tests/unit/test-cmdline
TESTS += tests/unit/test-opts tests/unit/test-config tests/unit/test-cmdline

tests_unit_test_opts_SOURCES = tests/unit/test-opts.c
tests_unit_test_opts_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_opts_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_opts_LDADD = $(BP_TEST_LDADD)
tests_unit_test_opts_LDFLAGS = $(BP_TEST_LDFLAGS)

tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_config_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_config_LDADD = $(BP_TEST_LDADD)
tests_unit_test_config_LDFLAGS = $(BP_TEST_LDFLAGS)

tests_unit_test_cmdline_SOURCES = tests/unit/test-cmdline.c
tests_unit_test_cmdline_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_cmdline_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_cmdline_LDADD = $(BP_TEST_LDADD)
tests_unit_test_cmdline_LDFLAGS = $(BP_TEST_LDFLAGS)
