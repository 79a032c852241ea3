#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Assemble and run the CPU guest tests (tests/guest/cpu/*.asm) in x86-run
# and merge their TAP output into one stream. Each program prints
# "ok N - ..." / "not ok N - ..." lines and a plan "1..N" on port 0xe9 and
# exits through port 0xf4 with 0 (runner exit status 1). Anything else (a
# missing plan, fewer results than planned, another exit status) fails.
# Usage: run-tests.sh [TEST.asm ...]   (default: all)
srcdir=${BP_SRC_DIR:-$(dirname "$0")/../../..}/tests/guest/cpu
builddir=${BP_BUILD_DIR:-.}/tests/guest/cpu
nasm=${NASM:-nasm}
runner=$builddir/x86-run
[ $# -gt 0 ] || set -- "$srcdir"/*.asm
n=0
for src in "$@"; do
    name=$(basename "$src" .asm)
    bin=$builddir/$name.bin
    out=$builddir/$name.out
    if ! "$nasm" -f bin -I "$srcdir/" -o "$bin" "$src" 2>"$out.err"; then
        n=$((n + 1)); echo "not ok $n - $name: nasm failed"; sed 's/^/# /' "$out.err"; continue
    fi
    model=$(sed -n 's/^; *model: *//p' "$src" | head -n 1)
    "$runner" ${model:+-m "$model"} -n 200000000 "$bin" >"$out" 2>"$out.err"
    status=$?
    plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
    results=0
    while IFS= read -r line; do
        case $line in
        "ok "*|"not ok "*)
            results=$((results + 1)); n=$((n + 1))
            ok=${line%% *}; [ "$ok" = not ] && ok="not ok"
            text=${line#*" - "}
            echo "$ok $n - $name: $text" ;;
        "1.."*) ;;
        *) echo "# $name: $line" ;;
        esac
    done <"$out"
    if [ "$status" -ne 1 ] || [ -z "$plan" ] || [ "$plan" -ne "$results" ]; then
        n=$((n + 1))
        echo "not ok $n - $name: finished (status $status, plan ${plan:-none}, $results results)"
        sed 's/^/# /' "$out.err"
    else
        n=$((n + 1)); echo "ok $n - $name: finished"
    fi
done
echo "1..$n"
