#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The APIC guest test: assembles apic.asm (with tests/guest/cpu/lib.inc)
# and runs it as the BIOS of -M pc with the interpreter. The program prints
# TAP on port 0xe9 and leaves through isa-debug-exit (status 1 when it
# finished); this script passes its lines on and adds a "finished" result.
set -u
build=${BP_BUILD_DIR:?}
src=${BP_SRC_DIR:?}
nasm=${NASM:-nasm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$nasm" -f bin -I "$src/tests/guest/cpu/" -o "$tmp/apic.bin" "$src/tests/guest/apic/apic.asm" \
        2>"$tmp/nasm.err"; then
    echo "not ok 1 - apic.asm: nasm failed"; sed 's/^/# /' "$tmp/nasm.err"; echo "1..1"; exit 0
fi
timeout 60 "$build/backplane" -M pc -nodefaults -display none -bios "$tmp/apic.bin" \
    -debugcon "file:$tmp/out.txt" -device isa-debug-exit,iobase=0xf4,iosize=4 \
    </dev/null >"$tmp/stdout.txt" 2>"$tmp/stderr.txt"
status=$?
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/out.txt" | tail -n 1)
results=$(grep -c '^\(not \)\{0,1\}ok ' "$tmp/out.txt")
grep -v '^1\.\.' "$tmp/out.txt"
n=$((results + 1))
if [ "$status" -eq 1 ] && [ -n "$plan" ] && [ "$plan" -eq "$results" ]; then
    echo "ok $n - apic.asm finished"
else
    echo "not ok $n - apic.asm finished (status $status, plan ${plan:-none}, $results results)"
    sed 's/^/# /' "$tmp/stderr.txt" | tail -20
fi
echo "1..$n"
