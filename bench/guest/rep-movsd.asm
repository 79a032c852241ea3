; SPDX-License-Identifier: LGPL-2.1-or-later
; memcpy-like: REP MOVSD copies of 4 KiB (a page, as a kernel's copy_page),
; 64 consecutive pages from 0x100000 to 0x200000 per pass, 4096 passes
; = 1 GiB copied. A REP MOVSD counts as one instruction (as the CPU's
; instruction counter does).
; Per pass: 3 (set esi, edi, ebx) + 64 x 4 (mov ecx, rep movsd, dec, jnz)
; + 2 (dec edx, jnz) = 261; 4096 passes = 1,069,056, plus 2 (mov edx,
; cld) and the ret: 1,069,059.
; bench-insns: 1069059
; bench-extra: 1073741824 bytes
%include "bench.inc"
bench:
    mov edx, 4096
    cld
.o: mov esi, 0x100000
    mov edi, 0x200000
    mov ebx, 64
.p: mov ecx, 1024
    rep movsd
    dec ebx
    jnz .p
    dec edx
    jnz .o
    ret
%include "tail.inc"
