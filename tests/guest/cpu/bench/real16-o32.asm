; SPDX-License-Identifier: LGPL-2.1-or-later
; Real mode with 32-bit operands and addressing (66/67 prefixes), in the
; style of gcc -m16 code such as SeaBIOS's: [esp+disp], [ebx+esi*4], MOVZX,
; PUSH/POP r32, CALL/RET with 32-bit return addresses, 16-bit word moves
; with 32-bit addresses. 14 instructions per iteration, 5M iterations.
    org 0
[bits 16]
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x7000
    mov ebx, 0x1000
    xor edi, edi
    mov ecx, 5000000
.l: mov eax, [esp+4]
    add eax, [ebx+esi*4]
    mov [ebx+esi*4+4], eax
    movzx edx, word [ebx+2]
    mov [ebx+esi*2+0x800], dx
    inc esi
    and esi, 0xff
    push ebx
    call dword fn
    pop ebx
    dec ecx
    jnz .l
    mov al, 0
    out 0xf4, al
    hlt
fn: add edi, [esp+6]
    o32 ret
%include "epilogue.inc"
