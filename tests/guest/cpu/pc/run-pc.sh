#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# CPU guest tests that need the PC platform around the CPU (ferr-pc.asm:
# FERR#, IRQ 13 and IGNNE# through the PIIX3): each program is assembled
# with lib.inc and run as the BIOS of -M pc with the interpreter; it prints
# TAP on port 0xe9 and leaves through isa-debug-exit (status 1 when it
# finished). The results are merged into one TAP stream with a "finished"
# result per program, as run-tests.sh does.
# Usage: run-pc.sh [TEST.asm ...]   (default: every pc/*.asm)
set -u
build=${BP_BUILD_DIR:?}
src=${BP_SRC_DIR:?}
nasm=${NASM:-nasm}
[ $# -gt 0 ] || set -- "$src"/tests/guest/cpu/pc/*.asm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for asm in "$@"; do
    name=$(basename "$asm" .asm)
    if ! "$nasm" -f bin -I "$src/tests/guest/cpu/" -o "$tmp/$name.bin" "$asm" 2>"$tmp/nasm.err"; then
        n=$((n + 1)); echo "not ok $n - $name: nasm failed"; sed 's/^/# /' "$tmp/nasm.err"; continue
    fi
    : >"$tmp/out.txt"
    timeout 30 "$build/backplane" -M pc -nodefaults -display none -bios "$tmp/$name.bin" \
        -debugcon "file:$tmp/out.txt" -device isa-debug-exit,iobase=0xf4,iosize=4 \
        </dev/null >"$tmp/stdout.txt" 2>"$tmp/stderr.txt"
    status=$?
    plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/out.txt" | tail -n 1)
    results=0
    while IFS= read -r line; do
        case $line in
        "ok "*|"not ok "*)
            results=$((results + 1)); n=$((n + 1))
            ok=${line%% *}; [ "$ok" = not ] && ok="not ok"
            echo "$ok $n - $name: ${line#*" - "}" ;;
        "1.."*) ;;
        *) echo "# $name: $line" ;;
        esac
    done <"$tmp/out.txt"
    n=$((n + 1))
    if [ "$status" -eq 1 ] && [ -n "$plan" ] && [ "$plan" -eq "$results" ]; then
        echo "ok $n - $name: finished"
    else
        echo "not ok $n - $name: finished (status $status, plan ${plan:-none}, $results results)"
        sed 's/^/# /' "$tmp/stderr.txt" | tail -20
    fi
done
echo "1..$n"
