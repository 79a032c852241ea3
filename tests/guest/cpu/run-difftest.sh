#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential CPU test (TAP). Builds the 32-bit native helper with
# ${CC:-cc} -m32 and runs tests/guest/cpu/difftest with a fixed seed.
# Usage: run-difftest.sh [SEED [CASES_PER_TEMPLATE]]
srcdir=${BP_SRC_DIR:-$(dirname "$0")/../../..}/tests/guest/cpu
builddir=${BP_BUILD_DIR:-.}/tests/guest/cpu
helper=$builddir/difftest-native
if ! ${CC:-cc} -m32 -O1 -o "$helper" "$srcdir/difftest-native.c" 2>"$helper.err"; then
    echo "1..0 # SKIP cannot build 32-bit programs (install gcc-multilib)"
    exit 0
fi
exec "$builddir/difftest" "$helper" "${1:-1}" "${2:-2000}"
