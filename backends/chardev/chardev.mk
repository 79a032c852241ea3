# SPDX-License-Identifier: LGPL-2.1-or-later
# Chardev backends: part of the core (libbpcore), one backend per file.
BPCORE_SOURCES += \
	backends/chardev/chardev-be.h \
	backends/chardev/chardev.c \
	backends/chardev/null.c \
	backends/chardev/stdio.c \
	backends/chardev/file.c \
	backends/chardev/pipe.c \
	backends/chardev/pty.c \
	backends/chardev/socket.c \
	backends/chardev/ringbuf.c \
	backends/chardev/mux.c \
	backends/chardev/legacy.c

check_PROGRAMS += tests/unit/test-chardev
TESTS += tests/unit/test-chardev
tests_unit_test_chardev_SOURCES = tests/unit/test-chardev.c
tests_unit_test_chardev_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_chardev_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_chardev_LDADD = $(BP_TEST_LDADD)
tests_unit_test_chardev_LDFLAGS = $(BP_TEST_LDFLAGS)
