#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the guest kit from Debian's own packages, cached outside git:
#   bios.bin          Debian's seabios (from the installed package, else downloaded)
#   vmlinuz-686       Debian's 6.1 686 kernel (linux-image-686:i386's current version)
#   kit.cpio.gz       busybox-static:i386 with our /init (tests/kit/init)
# Prints the kit directory on stdout. Needs apt-get (run as root the first
# time so that the i386 architecture can be added).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kit=${BP_KIT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/backplane/kit}
mkdir -p "$kit"
log() { echo "build-kit: $*" >&2; }
# Tests run this in parallel (make -j check): one at a time builds the kit.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$kit/.lock"
    flock 9
fi

need_i386() {
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        log "adding the i386 architecture (dpkg --add-architecture i386)"
        dpkg --add-architecture i386
        apt-get update -qq
    fi
    if ! apt-cache show busybox-static:i386 >/dev/null 2>&1; then
        apt-get update -qq
    fi
}

fetch() {   # fetch PACKAGE -> extracts into $kit/pkg/PACKAGE
    pkg=$1
    dest="$kit/pkg/$(echo "$pkg" | tr ':' '_')"
    [ -d "$dest" ] && return 0
    tmp=$(mktemp -d)
    log "apt-get download $pkg"
    (cd "$tmp" && apt-get download -q "$pkg" >&2)
    mkdir -p "$dest.tmp"
    dpkg-deb -x "$tmp"/*.deb "$dest.tmp"
    rm -rf "$tmp"
    mv "$dest.tmp" "$dest"
}

# SeaBIOS: the seabios package is architecture-independent.
if [ ! -f "$kit/bios.bin" ]; then
    if [ -f /usr/share/seabios/bios.bin ]; then
        cp /usr/share/seabios/bios.bin "$kit/bios.bin"
    else
        fetch seabios
        cp "$kit/pkg/seabios/usr/share/seabios/bios.bin" "$kit/bios.bin"
    fi
fi

if [ ! -f "$kit/vmlinuz-686" ] || [ ! -f "$kit/busybox" ]; then
    need_i386
fi

if [ ! -f "$kit/vmlinuz-686" ]; then
    # linux-image-686 is a metapackage: take the versioned image it depends on.
    img=$(apt-cache depends linux-image-686:i386 2>/dev/null \
          | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*-686\)\(:i386\)\{0,1\}$/\1/p' | head -n 1)
    if [ -z "$img" ]; then
        img=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686$' \
              | awk '{print $1}' | sort -V | tail -n 1)
    fi
    [ -n "$img" ] || { log "cannot find Debian's linux-image-*-686 package (apt-get update?)"; exit 1; }
    fetch "$img:i386"
    cp "$kit/pkg/${img}_i386"/boot/vmlinuz-* "$kit/vmlinuz-686"
    echo "$img" > "$kit/kernel-package"
fi

if [ ! -f "$kit/busybox" ]; then
    fetch busybox-static:i386
    cp "$kit/pkg/busybox-static_i386/bin/busybox" "$kit/busybox"
fi

# Rebuilt when our /init changes (by content: a fresh checkout's mtime says
# nothing); the copy it was built with is kept next to it.
if [ ! -f "$kit/kit.cpio.gz" ] || ! cmp -s "$here/init" "$kit/init"; then
    root=$(mktemp -d)
    mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
    cp "$kit/busybox" "$root/bin/busybox"
    chmod 755 "$root/bin/busybox"
    cp "$here/init" "$root/init"
    chmod 755 "$root/init"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$kit/kit.cpio.gz.tmp"
    mv "$kit/kit.cpio.gz.tmp" "$kit/kit.cpio.gz"
    cp "$here/init" "$kit/init"
    rm -rf "$root"
fi
echo "$kit"
