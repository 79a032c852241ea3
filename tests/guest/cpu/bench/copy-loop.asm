; SPDX-License-Identifier: LGPL-2.1-or-later
; memcpy-like: a 64 KiB copy with a mov loop (5 instructions per dword),
; 200 times.
%macro BENCH 0
    mov edx, 200
.o: mov esi, 0x100000
    mov edi, 0x200000
    mov ecx, 16384
.l: mov eax, [esi]
    mov [edi], eax
    add esi, 4
    add edi, 4
    dec ecx
    jnz .l
    dec edx
    jnz .o
%endmacro
%include "prologue.inc"
%include "epilogue.inc"
