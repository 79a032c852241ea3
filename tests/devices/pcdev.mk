# SPDX-License-Identifier: LGPL-2.1-or-later
# Device tests of the PC's ISA devices (pic, pit, rtc, serial, ...).
PCDEV_TESTS = tests/devices/test-serial tests/devices/test-pic tests/devices/test-pit tests/devices/test-rtc tests/devices/test-port92 tests/devices/test-i8042 tests/devices/test-parallel tests/devices/test-testdev
check_PROGRAMS += $(PCDEV_TESTS)
TESTS += $(PCDEV_TESTS)

tests_devices_test_serial_SOURCES = tests/devices/test-serial.c
tests_devices_test_serial_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_serial_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_serial_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_pic_SOURCES = tests/devices/test-pic.c
tests_devices_test_pic_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_pic_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_pic_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_pit_SOURCES = tests/devices/test-pit.c
tests_devices_test_pit_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_pit_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_pit_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_rtc_SOURCES = tests/devices/test-rtc.c
tests_devices_test_rtc_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_rtc_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_rtc_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_port92_SOURCES = tests/devices/test-port92.c
tests_devices_test_port92_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_port92_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_port92_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_i8042_SOURCES = tests/devices/test-i8042.c
tests_devices_test_i8042_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_i8042_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_i8042_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_parallel_SOURCES = tests/devices/test-parallel.c
tests_devices_test_parallel_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_parallel_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_parallel_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_testdev_SOURCES = tests/devices/test-testdev.c
tests_devices_test_testdev_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_testdev_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_testdev_LDADD = $(BP_DEVTEST_LDADD)
