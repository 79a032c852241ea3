# SPDX-License-Identifier: LGPL-2.1-or-later
# Device tests of the "apic" module: the local APIC and the I/O APIC.
APIC_TESTS = tests/devices/test-apic tests/devices/test-ioapic
check_PROGRAMS += $(APIC_TESTS)
TESTS += $(APIC_TESTS)

tests_devices_test_apic_SOURCES = tests/devices/test-apic.c
tests_devices_test_apic_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_apic_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_apic_LDADD = $(BP_DEVTEST_LDADD)

tests_devices_test_ioapic_SOURCES = tests/devices/test-ioapic.c
tests_devices_test_ioapic_CPPFLAGS = $(BP_DEVTEST_CPPFLAGS)
tests_devices_test_ioapic_CFLAGS = $(BP_DEVTEST_CFLAGS)
tests_devices_test_ioapic_LDADD = $(BP_DEVTEST_LDADD)

# The guest's view (a CPU, INTA, EOI): a nasm program run as the BIOS of -M pc.
TESTS += tests/guest/apic/run.sh
EXTRA_DIST += tests/guest/apic/run.sh tests/guest/apic/apic.asm
