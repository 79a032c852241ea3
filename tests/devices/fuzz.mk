# SPDX-License-Identifier: LGPL-2.1-or-later
# Deterministic device fuzzing (random port, MMIO, PCI config and fw_cfg
# accesses); BP_FUZZ_SEED and BP_FUZZ_ITERATIONS tune a run.
check_PROGRAMS += tests/devices/test-fuzz
TESTS += tests/devices/test-fuzz

tests_devices_test_fuzz_SOURCES = tests/devices/test-fuzz.c
tests_devices_test_fuzz_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_fuzz_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_fuzz_LDADD = $(BP_DEVTEST_LDADD)
