#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is needed, builds and runs the whole test suite in three
# builds: modules (the default), --disable-modules (the same modules
# dlpreopened into one binary) and --enable-sanitizers (ASan + UBSan),
# then make distcheck in the default build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/tests/kit/build-kit.sh" >/dev/null
cd "$top"
./autogen.sh >/dev/null 2>&1
jobs=$(nproc)
passed=0
failed=0
status=0
run() {   # run DIR configure-args...
    dir=$1; shift
    rm -rf "$dir"; mkdir -p "$dir"
    echo "== check: $(basename "$dir") ${*:-(default)}"
    # (autoconf's exit trap says "rm: cannot remove 'core'" about our core/
    # directory in the build tree: that line is noise, anything else is shown.)
    if (cd "$dir" && "$top/configure" -q "$@" >/dev/null 2>configure.err; rc=$?
            grep -v "cannot remove 'core'" configure.err >&2; [ $rc = 0 ]) &&
            (cd "$dir" && make -j"$jobs" >/dev/null); then
        (cd "$dir" && make -j"$jobs" check) > "$dir/check.out" 2>&1 || status=1
        grep -E '^(PASS|FAIL|ERROR|XPASS):' "$dir/check.out" | grep -v '^PASS' || true
        p=$(sed -n 's/^# PASS: *//p' "$dir/check.out" | tail -n 1)
        f=$(sed -n 's/^# FAIL: *//p' "$dir/check.out" | tail -n 1)
        e=$(sed -n 's/^# ERROR: *//p' "$dir/check.out" | tail -n 1)
        echo "   ${p:-0} passed, ${f:-0} failed, ${e:-0} errors"
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-0} + ${e:-0}))
        if [ -z "$p" ]; then
            tail -n 30 "$dir/check.out"
            failed=$((failed + 1))
            status=1
        fi
    else
        echo "   build failed"
        status=1
        failed=$((failed + 1))
    fi
    if [ $status != 0 ]; then
        find "$dir" -name '*.log' -newer "$dir/Makefile" -exec grep -l -E '^(not ok|Bail out)' {} + 2>/dev/null \
            | head -n 10 | while read -r l; do echo "--- $l"; grep -E -B2 -A10 '^(not ok|Bail out)' "$l" | head -n 40; done
    fi
}
run "$top/build-check"
run "$top/build-static" --disable-modules
run "$top/build-asan" --enable-sanitizers
# The release tarball: complete (every source, header, script and test),
# builds and passes make check out of tree with a read-only source tree,
# installs and uninstalls cleanly.
echo "== distcheck (from build-check)"
if [ -f "$top/build-check/Makefile" ] && \
        (cd "$top/build-check" && make -j"$jobs" distcheck) > "$top/build-check/distcheck.out" 2>&1; then
    p=$(sed -n 's/^# PASS: *//p' "$top/build-check/distcheck.out" | tail -n 1)
    echo "   passed (${p:-?} tests in the unpacked tarball)"
else
    echo "   failed"
    grep -E '^(FAIL|ERROR|XPASS):|ERROR:|missing|No rule|not found' "$top/build-check/distcheck.out" | head -n 20
    tail -n 20 "$top/build-check/distcheck.out"
    failed=$((failed + 1))
    status=1
fi
echo "check: $passed passed, $failed failed"
exit $status
