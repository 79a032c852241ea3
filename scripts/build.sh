#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configures and builds in build/ (extra arguments go to configure).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q "$@"
make -j"$(nproc)" >/dev/null
