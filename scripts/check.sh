#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is needed, builds and runs the whole test suite: the modular
# build, the --disable-modules build, and the sanitizer build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/tests/kit/build-kit.sh" >/dev/null
cd "$top"
./autogen.sh >/dev/null 2>&1
jobs=$(nproc)
run() {   # run DIR configure-args...
    dir=$1; shift
    rm -rf "$dir"; mkdir -p "$dir"
    echo "== check: $dir ($*)"
    (cd "$dir" && "$top/configure" -q "$@" && make -j"$jobs" >/dev/null && make -j"$jobs" check) \
        || { find "$dir" -name 'test-suite.log' -exec cat {} \; ; exit 1; }
}
run "$top/build-check"
run "$top/build-static" --disable-modules
run "$top/build-asan" --enable-sanitizers
echo "== all builds passed"
