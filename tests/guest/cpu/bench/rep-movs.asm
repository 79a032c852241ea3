; SPDX-License-Identifier: LGPL-2.1-or-later
; REP MOVSD of 1 MiB, 200 times (instructions count one per REP).
%macro BENCH 0
    mov edx, 200
    cld
.o: mov esi, 0x100000
    mov edi, 0x200000
    mov ecx, 262144
    rep movsd
    dec edx
    jnz .o
%endmacro
%include "prologue.inc"
%include "epilogue.inc"
