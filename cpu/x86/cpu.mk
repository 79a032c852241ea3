# SPDX-License-Identifier: LGPL-2.1-or-later
# The x86 interpreter (issue 3).
X86_ENGINE_SOURCES = \
	cpu/x86/x86.h \
	cpu/x86/cpu-internal.h \
	cpu/x86/cpu.c \
	cpu/x86/mmu.c \
	cpu/x86/seg.c \
	cpu/x86/exec-inline.h \
	cpu/x86/exec.c \
	cpu/x86/exec-0f.c \
	cpu/x86/dcache.c \
	cpu/x86/dcache16.h \
	cpu/x86/fpu.c \
	cpu/x86/mmx.c
BPCORE_SOURCES += $(X86_ENGINE_SOURCES)

# Standalone runner for guest CPU tests (RAM + ROM + debug ports, no core).
# It compiles the engine in itself so the CPU tests do not depend on the
# rest of libbpcore.
check_PROGRAMS += tests/guest/cpu/x86-run
tests_guest_cpu_x86_run_SOURCES = tests/guest/cpu/x86-run.c $(X86_ENGINE_SOURCES)
tests_guest_cpu_x86_run_CPPFLAGS = $(CORE_CPPFLAGS)
tests_guest_cpu_x86_run_CFLAGS = $(CORE_CFLAGS) -O2
tests_guest_cpu_x86_run_LDADD = $(GLIB_LIBS) -lm

# The engine's interface (GTest): reset state, GDB registers, budgets,
# breakpoints, single step, INTR/HLT, triple fault, virtual memory access.
check_PROGRAMS += tests/guest/cpu/api-test
tests_guest_cpu_api_test_SOURCES = tests/guest/cpu/api-test.c $(X86_ENGINE_SOURCES)
tests_guest_cpu_api_test_CPPFLAGS = $(CORE_CPPFLAGS)
tests_guest_cpu_api_test_CFLAGS = $(CORE_CFLAGS)
tests_guest_cpu_api_test_LDADD = $(GLIB_LIBS) -lm
TESTS += tests/guest/cpu/api-test

# The x87 FERR# output (legacy CR0.NE=0 error reporting) on X86Bus.ferr.
check_PROGRAMS += tests/guest/cpu/ferr-test
tests_guest_cpu_ferr_test_SOURCES = tests/guest/cpu/ferr-test.c $(X86_ENGINE_SOURCES)
tests_guest_cpu_ferr_test_CPPFLAGS = $(CORE_CPPFLAGS)
tests_guest_cpu_ferr_test_CFLAGS = $(CORE_CFLAGS)
tests_guest_cpu_ferr_test_LDADD = $(GLIB_LIBS) -lm
TESTS += tests/guest/cpu/ferr-test

# Differential test against the host CPU (needs `cc -m32`, Debian's
# gcc-multilib; skipped without it). run-difftest.sh builds the native
# helper and runs a fixed seed; `run-difftest.sh SEED CASES` for longer runs.
check_PROGRAMS += tests/guest/cpu/difftest
tests_guest_cpu_difftest_SOURCES = tests/guest/cpu/difftest.c $(X86_ENGINE_SOURCES)
tests_guest_cpu_difftest_CPPFLAGS = $(CORE_CPPFLAGS)
tests_guest_cpu_difftest_CFLAGS = $(CORE_CFLAGS)
tests_guest_cpu_difftest_LDADD = $(GLIB_LIBS) -lm
TESTS += tests/guest/cpu/run-difftest.sh
EXTRA_DIST += tests/guest/cpu/run-difftest.sh tests/guest/cpu/difftest-native.c

# Guest CPU tests: nasm programs run as the BIOS image; each prints TAP
# lines on port 0xe9 and leaves through port 0xf4. run-tests.sh assembles
# and runs them all and merges their results into one TAP stream (see
# tests/guest/cpu/README).
X86_GUEST_TESTS = \
	tests/guest/cpu/modes.asm \
	tests/guest/cpu/arith.asm \
	tests/guest/cpu/fpu.asm \
	tests/guest/cpu/x87-arith.asm \
	tests/guest/cpu/x87-env.asm \
	tests/guest/cpu/mmx.asm \
	tests/guest/cpu/mmx-p5.asm \
	tests/guest/cpu/system.asm \
	tests/guest/cpu/debug.asm \
	tests/guest/cpu/ud.asm \
	tests/guest/cpu/ud-max.asm \
	tests/guest/cpu/ud-486.asm \
	tests/guest/cpu/ud-p5.asm \
	tests/guest/cpu/exact.asm \
	tests/guest/cpu/cond.asm \
	tests/guest/cpu/pse36.asm \
	tests/guest/cpu/real16.asm
EXTRA_DIST += $(X86_GUEST_TESTS) tests/guest/cpu/lib.inc tests/guest/cpu/run-tests.sh \
	tests/guest/cpu/ud-old.inc \
	tests/guest/cpu/README tests/guest/cpu/bench/run.sh tests/guest/cpu/bench/prologue.inc \
	tests/guest/cpu/bench/epilogue.inc tests/guest/cpu/bench/add-loop.asm \
	tests/guest/cpu/bench/copy-loop.asm tests/guest/cpu/bench/rep-movs.asm \
	tests/guest/cpu/bench/call-ret.asm tests/guest/cpu/bench/page-walk.asm \
	tests/guest/cpu/bench/real16.asm tests/guest/cpu/bench/real16-o32.asm
TESTS += tests/guest/cpu/run-tests.sh
# Programs that need the PC platform around the CPU (run as -M pc's BIOS).
TESTS += tests/guest/cpu/pc/run-pc.sh
EXTRA_DIST += tests/guest/cpu/pc/run-pc.sh tests/guest/cpu/pc/ferr-pc.asm
CLEANFILES += tests/guest/cpu/*.bin tests/guest/cpu/*.out tests/guest/cpu/*.out.err \
	tests/guest/cpu/difftest-native tests/guest/cpu/difftest-native.err

# The IGNNE# and INIT# CPU pins (core/cpu-pins.c) as the engine glue hears them.
check_PROGRAMS += tests/unit/test-cpu-pins
TESTS += tests/unit/test-cpu-pins
tests_unit_test_cpu_pins_SOURCES = tests/unit/test-cpu-pins.c
tests_unit_test_cpu_pins_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_cpu_pins_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_cpu_pins_LDADD = $(BP_TEST_LDADD)
tests_unit_test_cpu_pins_LDFLAGS = $(BP_TEST_LDFLAGS)

# GDB watchpoints (Z2-Z4) through the stub over a loopback TCP socket.
check_PROGRAMS += tests/unit/test-gdbstub-watch
TESTS += tests/unit/test-gdbstub-watch
tests_unit_test_gdbstub_watch_SOURCES = tests/unit/test-gdbstub-watch.c tests/lib/gdbtest.c \
	tests/lib/gdbtest.h
tests_unit_test_gdbstub_watch_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_gdbstub_watch_CFLAGS = $(CORE_CFLAGS)
tests_unit_test_gdbstub_watch_LDADD = $(BP_TEST_LDADD)
tests_unit_test_gdbstub_watch_LDFLAGS = $(BP_TEST_LDFLAGS)
