#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# CPU micro benchmarks: assemble each bench/*.asm, run it in x86-run -t and
# print millions of guest instructions per second.
# Usage: run.sh BUILD_DIR   (x86-run is built by `make check`)
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-.}
runner=$build/tests/guest/cpu/x86-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in "$here"/*.asm; do
    name=$(basename "$src" .asm)
    nasm -f bin -I "$here/../" -I "$here/" -o "$tmp/$name.bin" "$src" || exit 1
    printf '%-10s ' "$name"
    "$runner" -t "$tmp/$name.bin" 2>&1 >/dev/null | sed -n 's/^x86-run: //p' | tail -n 1
done
