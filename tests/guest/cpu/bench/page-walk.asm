; SPDX-License-Identifier: LGPL-2.1-or-later
; Paging with TLB pressure: 4 KiB pages over 12 MiB, one write per page,
; 300 passes (3072 pages per pass, more than the TLB holds).
%macro BENCH 0
    mov edi, 0x10000
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov edi, 0x11000
    mov eax, 0x007
    mov ecx, 4096
.pt: stosd
    add eax, 0x1000
    loop .pt
    mov dword [0x10000], 0x11007
    mov dword [0x10004], 0x12007
    mov dword [0x10008], 0x13007
    mov dword [0x1000c], 0x14007
    mov eax, 0x10000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov edx, 300
.o: mov edi, 0x400000
    mov ecx, 3072
.l: mov [edi], ecx
    add edi, 0x1000
    dec ecx
    jnz .l
    dec edx
    jnz .o
%endmacro
%include "prologue.inc"
%include "epilogue.inc"
