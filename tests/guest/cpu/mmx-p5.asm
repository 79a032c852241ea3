; SPDX-License-Identifier: LGPL-2.1-or-later
; model: pentium
; The Pentium (P54C) has no MMX and no FXSAVE: CPUID does not report them
; and the opcodes raise #UD; FCMOVcc and FCOMI (P6) raise #UD too.
    org 0
%include "lib.inc"

    PM32_FLAT
    X87_ON
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
