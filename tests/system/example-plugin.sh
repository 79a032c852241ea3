#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make install` into a temporary DESTDIR, build examples/isa-scratch
# against that installation with nothing but pkg-config (and libtool),
# load it into the installed binary with -L, and check that a module
# built for another ABI major is refused. Prints TAP.
set -u
: "${BP_BUILD_DIR:?}" "${BP_SRC_DIR:?}"
MAKE=${MAKE:-make}
CC=${CC:-cc}
LIBTOOL="$BP_BUILD_DIR/libtool"
# The outer make's flags (jobserver, -s, variables) are not for these.
unset MAKEFLAGS MFLAGS MAKELEVEL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bp-example-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; sed 's/^/# /' "$2"; }
skip_rest() { while [ $n -lt 5 ]; do n=$((n + 1)); echo "not ok $n - skipped: $1"; done; exit 1; }

echo "1..5"

dest=$tmp/dest
if $MAKE -C "$BP_BUILD_DIR" install DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
    ok "make install DESTDIR=..."
else
    notok "make install DESTDIR=..." "$tmp/install.log"
    skip_rest "install failed"
fi

# Where the .pc landed and which prefix it names; the installed tree is
# that prefix under DESTDIR.
pc=$(find "$dest" -name backplane-module.pc | head -n 1)
bin=$(find "$dest" -type f -path '*/bin/backplane' | head -n 1)
if [ -z "$pc" ] || [ -z "$bin" ]; then
    echo "# installed files:"; find "$dest" | sed 's/^/# /'
    n=$((n + 1)); echo "not ok $n - installed backplane-module.pc and bin/backplane"
    skip_rest "incomplete install"
fi
# The .pc names the configured prefix; the files are under DESTDIR.
# A copy that names where they really are stands for an install there
# (--define-variable would also move glib's own paths).
prefix=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=prefix backplane-module)
mkdir -p "$tmp/pkgconfig"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$pc" >"$tmp/pkgconfig/backplane-module.pc"
export PKG_CONFIG_PATH="$tmp/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
PKG_CONFIG=pkg-config

src=$tmp/isa-scratch
cp -R "$BP_SRC_DIR/examples/isa-scratch" "$src" && chmod -R u+w "$src"
if $MAKE -C "$src" PKG_CONFIG="$PKG_CONFIG" LIBTOOL="$LIBTOOL" CC="$CC" \
        >"$tmp/build.log" 2>&1 && [ -f "$src/scratch.la" ]; then
    ok "example builds from the installed SDK with pkg-config"
else
    notok "example builds from the installed SDK with pkg-config" "$tmp/build.log"
    skip_rest "example did not build"
fi
# An index for -L, if this backplane wants one (harmless otherwise).
"$bin" --index-modules "$src" >"$tmp/index.log" 2>&1 || true

if BP_BACKPLANE=$bin BP_PLUGIN_DIR=$src \
        "$BP_BUILD_DIR/tests/system/test-plugin" >"$tmp/plugin.log" 2>&1; then
    ok "installed backplane loads the example with -L and it works"
    sed 's/^/# /' "$tmp/plugin.log"
else
    notok "installed backplane loads the example with -L and it works" "$tmp/plugin.log"
fi

bad=$tmp/badabi
mkdir -p "$bad"
cp "$BP_SRC_DIR/tests/system/badabi.c" "$bad/"
cflags=$($PKG_CONFIG --cflags backplane-module)
libs=$($PKG_CONFIG --libs backplane-module)
if (cd "$bad" &&
    $LIBTOOL --tag=CC --mode=compile $CC $cflags -fvisibility=hidden -c badabi.c &&
    $LIBTOOL --tag=CC --mode=link $CC -o badabi.la badabi.lo -rpath "$bad" $libs) \
        >"$tmp/bad.log" 2>&1; then
    ok "a module for ABI major+1 builds"
else
    notok "a module for ABI major+1 builds" "$tmp/bad.log"
    skip_rest "no bad module"
fi
major=$(sed -n 's/^#define BP_ABI_MAJOR \([0-9]*\).*/\1/p' "$BP_SRC_DIR/include/backplane/abi.h")
minor=$(sed -n 's/^#define BP_ABI_MINOR \([0-9]*\).*/\1/p' "$BP_SRC_DIR/include/backplane/abi.h")
# Refused when -L DIR is indexed on the fly (no modules.index yet; -d
# modules shows why) and by --index-modules; never registered.
"$bin" -L "$bad" -d modules -M none -nodefaults -display none -device isa-badabi \
    >"$tmp/badrun.log" 2>&1
st=$?
"$bin" --index-modules "$bad" >"$tmp/badindex.log" 2>&1
refused() {
    grep "$bad/" "$1" | grep "ABI $((major + 1))\.0" | grep -q "ABI $major\.$minor"
}
if [ $st -eq 1 ] && refused "$tmp/badrun.log" && refused "$tmp/badindex.log" &&
   ! grep -q "isa-badabi" "$bad/modules.index"; then
    ok "-L refuses a module built for ABI $((major + 1)).0, naming the file and both versions"
    sed 's/^/# /' "$tmp/badrun.log" "$tmp/badindex.log"
else
    echo "# exit status $st"
    cat "$tmp/badindex.log" >>"$tmp/badrun.log"
    notok "-L refuses a module built for ABI $((major + 1)).0, naming the file and both versions" \
        "$tmp/badrun.log"
fi
exit $fail
