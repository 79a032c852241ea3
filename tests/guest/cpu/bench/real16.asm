; SPDX-License-Identifier: LGPL-2.1-or-later
; Real mode, 16-bit operands and addressing, in the style of BIOS and DOS
; code: [bx+si], [bp+si+disp] (SS), [si+disp16], byte and word ALU, PUSH/
; POP, CALL/RET, Jcc. 16 instructions per iteration, 5M iterations.
    org 0
[bits 16]
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov bp, 0x3000
    mov bx, 0x1000
    xor di, di
    mov dx, 100
.o: mov cx, 50000
    xor si, si
.l: mov ax, [bx+si]
    add ax, [bp+si+4]
    mov [bx+si+2], ax
    inc si
    and si, 0x1ff
    cmp ax, 0x1234
    adc di, 0
    push ax
    call fn
    pop ax
    dec cx
    jnz .l
    dec dx
    jnz .o
    mov al, 0
    out 0xf4, al
    hlt
fn: mov al, [bx+3]
    add [si+0x2000], al
    test byte [bx+si], 1
    ret
%include "epilogue.inc"
