; SPDX-License-Identifier: LGPL-2.1-or-later
; A byte-at-a-time copy loop (memcpy written naively): load, store, inc,
; inc, dec, jnz = 6 instructions per byte, 64 KiB per pass, 256 passes
; (16 MiB). Per pass: 3 (esi, edi, ecx) + 65536 x 6 + 2 (dec edx, jnz)
; = 393,221; x 256 = 100,664,576, plus 1 (mov edx) and the ret:
; 100,664,578.
; bench-insns: 100664578
; bench-extra: 16777216 bytes
%include "bench.inc"
bench:
    mov edx, 256
.o: mov esi, 0x100000
    mov edi, 0x200000
    mov ecx, 65536
.l: mov al, [esi]
    mov [edi], al
    inc esi
    inc edi
    dec ecx
    jnz .l
    dec edx
    jnz .o
    ret
%include "tail.inc"
