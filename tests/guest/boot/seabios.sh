#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boots Debian's SeaBIOS on -M pc with the interpreter: its banner and boot
# messages must reach the serial console (sercon, because of -nographic),
# its debug log must reach port 0x402, and with nothing to boot it must
# reach "No bootable device"; -no-reboot turns its reboot into an exit 0.
set -u
build=${BP_BUILD_DIR:?}
kit=$("${BP_SRC_DIR:?}/tests/kit/build-kit.sh") || { echo "1..0 # kit unavailable"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..6"
start=$(date +%s.%N)
timeout 300 "$build/backplane" -nographic -no-reboot -bios "$kit/bios.bin" \
    -serial "file:$tmp/serial.txt" \
    -chardev "file,id=dbg,path=$tmp/debug.txt" -device isa-debugcon,iobase=0x402,chardev=dbg \
    </dev/null >"$tmp/stdout.txt" 2>"$tmp/stderr.txt"
rc=$?
end=$(date +%s.%N)
n=0
check() {   # check DESCRIPTION COMMAND...
    n=$((n + 1)); d=$1; shift
    if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fail=1; fi
}
fail=0
check "exits 0 after the firmware's reboot (-no-reboot), status $rc" [ "$rc" = 0 ]
check "SeaBIOS banner on the serial console" grep -q "SeaBIOS (version" "$tmp/serial.txt"
check "SeaBIOS reaches 'No bootable device'" grep -q "No bootable device" "$tmp/serial.txt"
check "debug log on port 0x402 finds fw_cfg with DMA" grep -q "QEMU fw_cfg DMA interface supported" "$tmp/debug.txt"
check "SeaBIOS sees the i440FX and the PIIX3 on PCI" \
    sh -c "grep -q 'id=8086:1237' '$tmp/debug.txt' && grep -q 'id=8086:7000' '$tmp/debug.txt'"
check "SeaBIOS loads our ACPI tables (pm_base moved for the table loader)" \
    grep -q "Moving pm_base to 0x600" "$tmp/debug.txt"
echo "# time to exit: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s"
if [ $fail != 0 ]; then
    echo "# --- serial"; sed 's/^/# /' "$tmp/serial.txt" | tail -20
    echo "# --- stderr"; sed 's/^/# /' "$tmp/stderr.txt" | tail -20
fi
exit 0
