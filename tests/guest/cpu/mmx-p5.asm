; SPDX-License-Identifier: LGPL-2.1-or-later
; model: pentium
; The Pentium (P54C) has no MMX and no FXSAVE: CPUID does not report them
; and the opcodes raise #UD; FCMOVcc and FCOMI (P6) raise #UD too.
    org 0
%include "lib.inc"

[bits 16]
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov dword [TAP_COUNT], 0
    mov dword [RECOVER], 0
    lgdt [cs:gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(ROMBASE + pm32)
gdt_desc: dw 23
          dd ROMBASE + gdt
align 8
gdt: dq 0, 0x00cf9a000000ffff, 0x00cf92000000ffff

[bits 32]
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x9000
    call setup_idt32
    mov eax, cr0
    and eax, ~(4 | 8)
    or eax, 0x22
    mov cr0, eax
    fninit

    mov eax, 1
    cpuid
    and edx, (1 << 0) | (1 << 23) | (1 << 24) | (1 << 25)
    TEST_EQ edx, 1, "cpuid pentium: FPU only (no MMX, FXSR, SSE)"
    EXPECT_FAULT .u1
    paddb mm0, mm1
.u1:
    TEST_EQ [EXC_VEC], 6, "paddb: #UD"
    EXPECT_FAULT .u2
    emms
.u2:
    TEST_EQ [EXC_VEC], 6, "emms: #UD"
    EXPECT_FAULT .u3
    fxsave [0x4000]
.u3:
    TEST_EQ [EXC_VEC], 6, "fxsave: #UD"
    fld1
    fldz
    EXPECT_FAULT .u4
    fcomi st0, st1
.u4:
    TEST_EQ [EXC_VEC], 6, "fcomi: #UD"
    EXPECT_FAULT .u5
    fcmovb st0, st1
.u5:
    TEST_EQ [EXC_VEC], 6, "fcmovb: #UD"
    fcompp
    fnstsw ax
    and eax, 0x4500
    TEST_EQ eax, 0x0100, "fcompp still works (0 < 1: C0)"

    call tap_done32

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
