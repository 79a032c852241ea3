#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boots Debian's 686 kernel with a busybox initramfs on -M pc with the
# interpreter (SeaBIOS + our boot ROM via fw_cfg), and checks what the guest
# reports about itself: RAM size, timers, the serial port, the PCI host
# bridge; then the guest powers off through ACPI and the process exits 0.
set -u
build=${BP_BUILD_DIR:?}
kit=$("${BP_SRC_DIR:?}/tests/kit/build-kit.sh") || { echo "1..0 # kit unavailable"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..12"
start=$(date +%s.%N)
# -icount: virtual time follows retired instructions, so what the guest
# measures (timer calibration, clocksource watchdog) does not depend on
# how loaded the host is; with a fixed RTC the whole run is reproducible,
# which a second boot beside the first shows.
boot() {
    timeout 900 "$build/backplane" -nographic -m 256M -icount shift=2 -bios "$kit/bios.bin" \
        -rtc base=2020-01-01T00:00:00 \
        -kernel "$kit/vmlinuz-686" -initrd "$kit/kit.cpio.gz" \
        -append "console=ttyS0 bp.test" -serial "file:$1" \
        </dev/null >"$2" 2>"$3"
}
boot "$tmp/serial2.txt" "$tmp/stdout2.txt" "$tmp/stderr2.txt" &
pid2=$!
boot "$tmp/serial.txt" "$tmp/stdout.txt" "$tmp/stderr.txt"
rc=$?
end=$(date +%s.%N)
wait $pid2
fail=0
n=0
check() {
    n=$((n + 1)); d=$1; shift
    if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fail=1; fi
}
val() { sed -n "/BP-CHECK-BEGIN/,/BP-CHECK-END/s/^$1 //p" "$tmp/serial.txt" | tr -d '\r' | head -n 1; }
mem=$(val memtotal-kb)
check "exits 0 after 'poweroff -f' (ACPI S5), status $rc" [ "$rc" = 0 ]
check "reaches the busybox shell marker" grep -q "BP-SHELL-READY" "$tmp/serial.txt"
check "MemTotal ${mem:-none} kB is plausible for -m 256M (200000-262144)" \
    sh -c "[ -n '$mem' ] && [ '$mem' -gt 200000 ] && [ '$mem' -le 262144 ]"
check "the PIT timer interrupt is counting (IRQ 0: $(val timer-irq))" \
    sh -c "[ -n '$(val timer-irq)' ] && [ '$(val timer-irq)' -gt 0 ]"
check "the TSC is in /proc/cpuinfo and a clocksource ($(val clocksources))" \
    sh -c "[ '$(val tsc)' = 1 ] && echo '$(val clocksources)' | grep -qw tsc"
check "a 16550A UART is detected ($(val serial))" [ "$(val serial)" = 1 ]
check "the i440FX host bridge is on PCI" grep -q "^pci 0000:00:00.0 0x8086 0x1237 0x060000" "$tmp/serial.txt"
check "the kernel uses the ACPI PM timer clocksource or lists it" \
    sh -c "echo '$(val clocksources)' | grep -qw acpi_pm"
check "interrupts go through the I/O APIC ($(val ioapic-lines) lines)" \
    sh -c "[ -n '$(val ioapic-lines)' ] && [ '$(val ioapic-lines)' -gt 0 ]"
check "the local APIC timer is counting (LOC: $(val lapic-timer))" \
    sh -c "[ -n '$(val lapic-timer)' ] && [ '$(val lapic-timer)' -gt 0 ]"
check "SMBIOS from fw_cfg reaches the guest (DMI: $(val dmi))" [ "$(val dmi)" = "Backplane pc" ]
check "a second boot prints the same bytes, kernel timestamps included ($(wc -c < "$tmp/serial.txt") bytes)" \
    cmp -s "$tmp/serial.txt" "$tmp/serial2.txt"
echo "# boot time to exit: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s"
echo "# guest uptime at the check: $(val uptime) s"
if [ $fail != 0 ]; then
    echo "# --- serial (tail)"; tr -d '\r' < "$tmp/serial.txt" | tail -40 | sed 's/^/# /'
    echo "# --- stderr"; tail -20 "$tmp/stderr.txt" | sed 's/^/# /'
fi
exit 0
