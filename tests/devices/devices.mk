# SPDX-License-Identifier: LGPL-2.1-or-later
# libbptest (tests/lib) and the device tests that use it: each test runs
# the built binary with -qtest and drives it through the line protocol
# and QMP. Other test areas may link BP_DEVTEST_LDADD too.
check_LTLIBRARIES += tests/lib/libbptest.la
tests_lib_libbptest_la_SOURCES = tests/lib/bptest.c tests/lib/bptest.h
tests_lib_libbptest_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_lib_libbptest_la_LIBADD = $(GLIB_LIBS) $(JSON_LIBS)

BP_DEVTEST_CPPFLAGS = -I$(top_srcdir)/tests/lib
BP_DEVTEST_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
BP_DEVTEST_LDADD = tests/lib/libbptest.la $(GLIB_LIBS) $(JSON_LIBS)

BP_DEVICE_TESTS = tests/devices/test-qtest tests/devices/test-debug
check_PROGRAMS += $(BP_DEVICE_TESTS)
TESTS += $(BP_DEVICE_TESTS)

tests_devices_test_qtest_SOURCES = tests/devices/test-qtest.c
tests_devices_test_qtest_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_qtest_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_qtest_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_debug_SOURCES = tests/devices/test-debug.c
tests_devices_test_debug_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_debug_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_debug_LDADD = $(BP_DEVTEST_LDADD)
include tests/devices/pcdev.mk
include tests/devices/apic.mk
include tests/devices/fuzz.mk
