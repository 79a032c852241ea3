# SPDX-License-Identifier: LGPL-2.1-or-later
# The monitor: HMP and QMP on any chardev, typed module commands via libffi.
BPCORE_SOURCES += core/monitor.c core/monitor-hmp.c core/monitor-qmp.c \
	core/monitor-cmds.c core/monitor-ffi.c core/monitor.h core/monitor-internal.h

check_PROGRAMS += tests/unit/test-qmp tests/unit/test-hmp tests/unit/test-monitor-ffi
TESTS += tests/unit/test-qmp tests/unit/test-hmp tests/unit/test-monitor-ffi
tests_unit_test_qmp_SOURCES = tests/unit/test-qmp.c
tests_unit_test_qmp_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_qmp_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_qmp_LDADD = $(BP_TEST_LDADD)
tests_unit_test_qmp_LDFLAGS = $(BP_TEST_LDFLAGS)
tests_unit_test_hmp_SOURCES = tests/unit/test-hmp.c
tests_unit_test_hmp_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_hmp_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_hmp_LDADD = $(BP_TEST_LDADD)
tests_unit_test_hmp_LDFLAGS = $(BP_TEST_LDFLAGS)
tests_unit_test_monitor_ffi_SOURCES = tests/unit/test-monitor-ffi.c
tests_unit_test_monitor_ffi_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_monitor_ffi_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_monitor_ffi_LDADD = $(BP_TEST_LDADD)
tests_unit_test_monitor_ffi_LDFLAGS = $(BP_TEST_LDFLAGS)
