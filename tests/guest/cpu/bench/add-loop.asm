; SPDX-License-Identifier: LGPL-2.1-or-later
; Dependent adds: 4 instructions per iteration, 25M iterations.
%macro BENCH 0
    mov ecx, 25000000
    xor eax, eax
    mov ebx, 3
.l: add eax, ebx
    add eax, ecx
    dec ecx
    jnz .l
%endmacro
%include "prologue.inc"
%include "epilogue.inc"
