# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory map, ISA bus, clocks and timers, main loop, CPU pins and engine glue.
BPCORE_SOURCES += \
	core/memory.c \
	core/memory-internal.h \
	core/isa.c \
	core/isa-internal.h \
	core/clock.c \
	core/timer.c \
	core/timer-internal.h \
	core/main-loop.c \
	core/main-loop.h \
	core/cpu-pins.c \
	core/cpu-pins.h \
	core/engine.c \
	core/engine.h \
	core/engine-internal.h \
	core/gdbstub.c

check_PROGRAMS += tests/unit/test-memory
TESTS += tests/unit/test-memory
tests_unit_test_memory_SOURCES = tests/unit/test-memory.c
tests_unit_test_memory_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_memory_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_memory_LDADD = $(BP_TEST_LDADD)
tests_unit_test_memory_LDFLAGS = $(BP_TEST_LDFLAGS)

# Clocks, timers and the main loop on their own, with the few outside calls
# recorded by the test itself.
check_PROGRAMS += tests/unit/test-timer
TESTS += tests/unit/test-timer
tests_unit_test_timer_SOURCES = tests/unit/test-timer.c core/clock.c core/timer.c core/main-loop.c
tests_unit_test_timer_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_timer_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_timer_LDADD = $(CORE_LIBS)

check_PROGRAMS += tests/unit/test-gdbstub
TESTS += tests/unit/test-gdbstub
tests_unit_test_gdbstub_SOURCES = tests/unit/test-gdbstub.c tests/lib/gdbtest.c tests/lib/gdbtest.h
tests_unit_test_gdbstub_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_gdbstub_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_gdbstub_LDADD = $(BP_TEST_LDADD)
tests_unit_test_gdbstub_LDFLAGS = $(BP_TEST_LDFLAGS)
