# SPDX-License-Identifier: LGPL-2.1-or-later
# System tests: the installed tree. example-plugin.sh runs `make install
# DESTDIR=...`, builds examples/isa-scratch against it with pkg-config,
# and runs test-plugin (libbptest) against the installed binary with -L.
check_PROGRAMS += tests/system/test-plugin
tests_system_test_plugin_SOURCES = tests/system/test-plugin.c
tests_system_test_plugin_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_system_test_plugin_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_system_test_plugin_LDADD = $(BP_DEVTEST_LDADD)

TESTS += tests/system/example-plugin.sh
EXTRA_DIST += tests/system/example-plugin.sh tests/system/badabi.c

# Bad input at start-up and in the monitor: exact one-line messages.
TESTS += tests/system/bad-input.sh
EXTRA_DIST += tests/system/bad-input.sh
