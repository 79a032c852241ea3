#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is needed, builds, fetches the guest kit (Debian's SeaBIOS,
# 686 kernel and busybox) and boots it to a shell on this terminal.
# Quit with 'poweroff -f' in the guest, or Ctrl-A x.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
kit=$("$top/tests/kit/build-kit.sh")
exec "$top/build/backplane" -nographic -m 256M \
    -kernel "$kit/vmlinuz-686" -initrd "$kit/kit.cpio.gz" -append "console=ttyS0 quiet"
