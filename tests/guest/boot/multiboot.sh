#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# -kernel with a Multiboot kernel (a.out kludge and ELF), -initrd as a
# module with arguments, -append as its command line: the guest checks the
# information block itself (multiboot.asm) and exits through isa-debug-exit.
set -u
build=${BP_BUILD_DIR:?}
src=${BP_SRC_DIR:?}
kit=$("$src/tests/kit/build-kit.sh") || { echo "1..0 # kit unavailable"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..2"
printf 'BPMODULE%08d' 0 > "$tmp/module.bin"
nasm -f bin -o "$tmp/mb-aout.bin" "$src/tests/guest/boot/multiboot.asm" || exit 1
nasm -f elf32 -DELF -o "$tmp/mb.o" "$src/tests/guest/boot/multiboot.asm" &&
    ld -m elf_i386 -n -Ttext=0x100000 -e _start -o "$tmp/mb.elf" "$tmp/mb.o" || exit 1
n=0
for k in mb-aout.bin mb.elf; do
    n=$((n + 1))
    timeout 120 "$build/backplane" -nographic -m 64M -bios "$kit/bios.bin" -icount shift=2 \
        -serial null -kernel "$tmp/$k" -append "mbtest-arg" -initrd "$tmp/module.bin modarg" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -chardev "file,id=dbg,path=$tmp/$k.out" -device isa-debugcon,chardev=dbg \
        </dev/null >"$tmp/$k.stdout" 2>"$tmp/$k.stderr"
    rc=$?
    got=$(cat "$tmp/$k.out" 2>/dev/null)
    if [ "$rc" = 1 ] && [ "$got" = "1111111111" ]; then
        echo "ok $n - $k: all 10 checks of the Multiboot information pass"
    else
        echo "not ok $n - $k: status $rc, checks '$got' (1 = pass, in multiboot.asm order)"
        sed 's/^/# /' "$tmp/$k.stderr" | tail -5
    fi
done
exit 0
