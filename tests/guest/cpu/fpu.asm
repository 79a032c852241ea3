; SPDX-License-Identifier: LGPL-2.1-or-later
; x87 basics: the Linux FPU probe and FDIV check, loads/stores of each
; format, arithmetic, compares (FCOM/FNSTSW, FCOMI), the tag word, CR0.EM
; and CR0.TS (#NM), stack underflow with IE masked.
    org 0
%include "lib.inc"

    PM32_FLAT
    X87_ON

    ; the probe Linux runs: FNINIT, FNSTSW, FNSTCW
    mov word [0x600], 0x5a5a
    fninit
    fnstsw [0x600]
    TEST_W [0x600], 0, "fninit: status word 0"
    fnstcw [0x600]
    TEST_W [0x600], 0x037f, "fninit: control word 0x37f"

    ; the FDIV check: x - (x/y)*y == 0
    fninit
    fld qword [ROMBASE + fdiv_x]
    fdiv qword [ROMBASE + fdiv_y]
    fmul qword [ROMBASE + fdiv_y]
    fld qword [ROMBASE + fdiv_x]
    fsubp st1, st0
    fistp dword [0x604]
    fwait
    TEST_EQ [0x604], 0, "fdiv check"

    fld1
    fld1
    faddp st1, st0
    fsqrt
    fmul st0, st0
    fistp dword [0x608]
    TEST_EQ [0x608], 2, "sqrt(2)^2 rounds to 2"
    fldpi
    fstp dword [0x60c]
    TEST_EQ [0x60c], 0x40490fdb, "fldpi stored as single"
    fild dword [ROMBASE + int_m7]
    fistp word [0x610]
    TEST_W [0x610], 0xfff9, "fild/fistp m16 -7"
    fld dword [ROMBASE + f_2_5]
    fistp dword [0x614]
    TEST_EQ [0x614], 2, "fistp 2.5 rounds to even"
    fnstcw [0x618]
    or word [0x618], 0x0c00
    fldcw [0x618]
    fld dword [ROMBASE + f_m2_5]
    fistp dword [0x614]
    TEST_EQ [0x614], -2, "fistp -2.5 with RC=truncate"
    fninit
    fild dword [ROMBASE + int_1234]
    fbstp [0x620]
    TEST_EQ [0x620], 0x1234, "fbstp"
    fbld [0x620]
    fistp dword [0x630]
    TEST_EQ [0x630], 1234, "fbld"
    fld tword [ROMBASE + t_one]
    fistp dword [0x634]
    TEST_EQ [0x634], 1, "fld m80"

    ; compares
    fld1
    fldz
    fcom st1
    fnstsw ax
    and ax, 0x4500
    TEST_W ax, 0x0100, "fcom 0 < 1: C0"
    fcomi st0, st1
    pushfd
    pop eax
    and eax, 0x45
    TEST_EQ eax, 1, "fcomi 0 < 1: CF"
    fxch st1
    fucomip st0, st1
    pushfd
    pop eax
    and eax, 0x45
    TEST_EQ eax, 0, "fucomip 1 > 0: no flags"
    fstp st0
    fnstenv [0x640]
    TEST_W [0x648], 0xffff, "all registers empty after pops"

    ; stack underflow, masked: IE|SF and a NaN result
    fninit
    fadd st0, st1
    fnstsw ax
    and ax, 0x41
    TEST_W ax, 0x41, "underflow: IE and SF"
    fninit

    ; FSAVE/FRSTOR round trip
    fld1
    fldpi
    fnsave [0x700]
    fnstsw ax
    fninit
    frstor [0x700]
    fstp dword [0x680]
    TEST_EQ [0x680], 0x40490fdb, "frstor restores ST0"

    ; #NM
    mov eax, cr0
    or eax, 8
    mov cr0, eax
    EXPECT_FAULT .n1
    fld1
.n1:
    TEST_EQ [EXC_VEC], 7, "CR0.TS: #NM"
    EXPECT_FAULT .n2
    fwait
.n2:
    TEST_EQ [EXC_VEC], 7, "CR0.TS+MP: fwait #NM"
    clts
    mov eax, cr0
    or eax, 4
    mov cr0, eax
    EXPECT_FAULT .n3
    fninit
.n3:
    TEST_EQ [EXC_VEC], 7, "CR0.EM: #NM"
    mov eax, cr0
    and eax, ~4
    mov cr0, eax

    ; unmasked exception: #MF on the next waiting instruction
    fninit
    mov word [0x618], 0x037b    ; ZE unmasked
    fldcw [0x618]
    fld1
    fldz
    fdivp st1, st0
    EXPECT_FAULT .m1
    fwait
.m1:
    TEST_EQ [EXC_VEC], 16, "unmasked #Z: #MF at the next fwait"
    fninit

    call tap_done32

align 8
fdiv_x: dq 4195835.0
fdiv_y: dq 3145727.0
int_m7: dd -7
int_1234: dd 1234
f_2_5: dd 2.5
f_m2_5: dd -2.5
t_one: dt 1.0

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
