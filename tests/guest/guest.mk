# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end boots of Debian's SeaBIOS and Linux (kit from tests/kit).
TESTS += tests/guest/boot/seabios.sh tests/guest/boot/multiboot.sh tests/guest/boot/linux.sh
EXTRA_DIST += tests/guest/boot/seabios.sh tests/guest/boot/linux.sh \
	tests/guest/boot/multiboot.sh tests/guest/boot/multiboot.asm \
	tests/kit/build-kit.sh tests/kit/init
