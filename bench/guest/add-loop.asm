; SPDX-License-Identifier: LGPL-2.1-or-later
; Dependent adds: every add reads the previous one's result (and its flags
; are live for nobody but the last dec): 6 adds + dec + jnz = 8 instructions
; per iteration, 12,500,000 iterations = 100,000,000, plus 6 of setup and
; the ret: 100,000,007.
; bench-insns: 100000007
%include "bench.inc"
bench:
    mov ecx, 12500000
    xor eax, eax
    mov ebx, 1
    mov edx, 3
    mov esi, 5
    mov edi, 7
.l: add eax, ebx
    add eax, ecx
    add eax, edx
    add eax, esi
    add eax, edi
    add eax, eax
    dec ecx
    jnz .l
    ret
%include "tail.inc"
