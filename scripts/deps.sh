#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what Backplane needs to build, test and boot its guests on Debian 12.
set -eu
pkgs="build-essential autoconf automake libtool libtool-bin libltdl-dev pkg-config python3
      libglib2.0-dev libffi-dev libjson-glib-dev libsdl2-dev libpcap-dev libslirp-dev
      nasm gcc-multilib seabios cpio gzip dpkg-dev ca-certificates bc"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
# A mirror that is being synced can fail one index (e.g. the security
# suite's i386 list): say so and go on; the install below fails if a
# package really cannot be found.
update() {
    $sudo apt-get update -qq || echo "deps: apt-get update reported errors; trying to install anyway" >&2
}
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    $sudo dpkg --add-architecture i386
    missing="$missing"   # the i386 lists come with the update below
    update
elif [ -n "$missing" ]; then
    update
fi
if [ -n "$missing" ]; then
    echo "deps: installing$missing" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi
