; SPDX-License-Identifier: LGPL-2.1-or-later
; x87 classification, partial remainders, scaling, BCD and integer
; formats, out-of-range trigonometry, and the state images: FSTENV in the
; real-mode (16/32-bit) and protected-mode (16/32-bit) layouts (SDM vol. 1
; figures 8-9 to 8-12), FLDENV, FSAVE/FRSTOR, FXSAVE/FXRSTOR (vol. 2
; FXSAVE: the 512-byte area, abridged tag word, #GP on misalignment).
; Expected values are worked out from the SDM.
    org 0
%include "lib.inc"

%macro TEST_FSW 3
    fnstsw ax
    movzx eax, ax
    and eax, %1
    TEST_EQ eax, %2, %3
%endmacro

%macro TEST_ST0 4
    fstp tword [0x600]
    mov eax, [0x600]
    cmp eax, %3
    jne %%bad
    mov eax, [0x604]
    cmp eax, %2
    jne %%bad
    movzx eax, word [0x608]
    cmp eax, %1
    jne %%bad
    xor eax, eax
    jmp %%out
%%bad:
    mov eax, [0x604]
    or eax, 1
%%out:
    TEST_EQ eax, 0, %4
%endmacro

; TEST_INT "text", expected: FISTP ST0 to a dword and compare
%macro TEST_INT 2
    fistp dword [0x610]
    TEST_EQ [0x610], %2, %1
%endmacro

[bits 16]
start:
    REAL_INIT

    ; --- real-mode FSTENV, 16-bit: IP and DP as 20-bit linear addresses ---
    fninit
rfld1:
    fld dword [0x900]           ; D9 06 00 09: FOP 0x106
    fnstenv [0x800]
    TEST16_EQ [0x800], 0x037f, "real 16-bit fstenv: FCW"
    TEST16_EQ [0x802], 0x3800, "real 16-bit fstenv: FSW (TOP=7)"
    TEST16_EQ [0x806], rfld1, "real 16-bit fstenv: IP 15-0 of f000:rfld1"
    TEST16_EQ [0x808], 0xf106, "real 16-bit fstenv: IP 19-16 and FOP"
    TEST16_EQ [0x80a], 0x0900, "real 16-bit fstenv: DP 15-0"
    TEST16_EQ [0x80c], 0x0000, "real 16-bit fstenv: DP 19-16"
    ; 32-bit operand size in real mode
    o32 fnstenv [0x800]
    TEST16_EQ [0x80c], rfld1, "real 32-bit fstenv: IP 15-0"
    TEST16_EQ [0x810], 0xf106, "real 32-bit fstenv: IP 31-16 at bits 27-12, FOP"
    TEST16_EQ [0x812], 0x0000, "real 32-bit fstenv: IP bits 31-28 zero"
    TEST16_EQ [0x814], 0x0900, "real 32-bit fstenv: DP 15-0"
    fnstcw [0x820]
    TEST16_EQ [0x820], 0x037f, "fstenv: exceptions masked afterwards"
    ; real-mode 16-bit FSAVE: 14-byte environment, then the registers
    fninit
    fld1
    fnsave [0x800]
    TEST16_EQ [0x800 + 14 + 8], 0x3fff, "real 16-bit fsave: ST0 at +14"
    TEST16_EQ [0x800 + 2], 0x3800, "real 16-bit fsave: FSW (TOP=7)"
    fnstsw ax
    TEST16_EQ ax, 0, "real fsave reinitialises"
    frstor [0x800]
    fnstsw ax
    TEST16_EQ ax, 0x3800, "real 16-bit frstor: TOP=7 back"
    fninit

    PM32_ENTER
    FLAT_GDT
gdt_end:
    PM32_INIT
    X87_ON

    ; --- protected-mode FSTENV, 32 and 16 bits ---
    fninit
    mov word [0x700], 0x0360
    fldcw [0x700]
pfld1:
    fld dword [0x900]           ; D9 05 disp32: FOP 0x105
    fnstenv [0x800]
    TEST_W [0x800], 0x0360, "pm 32-bit fstenv: FCW"
    TEST_W [0x804], 0x3800, "pm 32-bit fstenv: FSW"
    TEST_EQ [0x80c], ROMBASE + pfld1, "pm 32-bit fstenv: FIP"
    TEST_W [0x810], 0x08, "pm 32-bit fstenv: FCS"
    TEST_W [0x812], 0x0105, "pm 32-bit fstenv: FOP"
    TEST_EQ [0x814], 0x900, "pm 32-bit fstenv: FDP"
    TEST_W [0x818], 0x10, "pm 32-bit fstenv: FDS"
    fnstcw [0x700]
    TEST_W [0x700], 0x037f, "pm fstenv masks all exceptions"
    o16 fnstenv [0x800]
    TEST_W [0x806], pfld1 - $$, "pm 16-bit fstenv: IP"
    TEST_W [0x808], 0x08, "pm 16-bit fstenv: CS"
    TEST_W [0x80a], 0x900, "pm 16-bit fstenv: DP"
    TEST_W [0x80c], 0x10, "pm 16-bit fstenv: DS"

    ; --- tag word from the register contents ---
    fninit
    fld tword [ROMBASE + t_den]   ; special
    fldz                        ; zero
    fld1                        ; valid
    fnstenv [0x800]
    TEST_W [0x808], 0x93ff, "fstenv tag word: special, zero, valid, empty (phys 7..0)"
    ; FLDENV: tags other than empty are recomputed from the contents
    mov word [0x808], 0x03ff    ; physical 5..7 "valid" (non-empty)
    mov word [0x800], 0x0c7f    ; RC chop
    fldenv [0x800]
    fnstcw [0x700]
    TEST_W [0x700], 0x0c7f, "fldenv: FCW"
    fnstenv [0x800]
    TEST_W [0x808], 0x93ff, "fldenv: non-empty tags recomputed from contents"

    ; --- FSAVE / FRSTOR ---
    fninit
    fld1
    fldpi
    fnsave [0xa00]
    TEST_W [0xa00 + 28 + 8], 0x4000, "fsave: ST0 = pi (exponent)"
    TEST_EQ [0xa00 + 28 + 4], 0xc90fdaa2, "fsave: ST0 = pi (mantissa)"
    TEST_W [0xa00 + 38 + 8], 0x3fff, "fsave: ST1 = 1"
    fnstcw [0x700]
    TEST_W [0x700], 0x037f, "fsave reinitialises: FCW"
    TEST_FSW 0xffff, 0, "fsave reinitialises: FSW"
    frstor [0xa00]
    TEST_FSW 0x3800, 0x3000, "frstor: TOP=6"
    fld1
    fsubp st1, st0              ; pi - 1
    fstp st0
    TEST_ST0 0x3fff, 0x80000000, 0, "frstor: ST1 = 1 back"

    ; --- FXAM ---
    fninit
    fxam
    TEST_FSW 0x4500, 0x4100, "fxam empty: C3 C0"
    fldz
    fxam
    TEST_FSW 0x4700, 0x4000, "fxam +0: C3"
    fld tword [ROMBASE + t_inf]
    fchs
    fxam
    TEST_FSW 0x4700, 0x0700, "fxam -inf: C2 C0, C1 sign"
    fld tword [ROMBASE + t_qnan]
    fxam
    TEST_FSW 0x4700, 0x0100, "fxam NaN: C0"
    fld1
    fxam
    TEST_FSW 0x4700, 0x0400, "fxam normal: C2"
    fld tword [ROMBASE + t_den]
    fxam
    TEST_FSW 0x4700, 0x4400, "fxam denormal: C3 C2"
    fld tword [ROMBASE + t_unnormal]
    fxam
    TEST_FSW 0x4700, 0x0000, "fxam unsupported: none"

    ; --- FPREM / FPREM1 ---
    fninit
    fild dword [ROMBASE + i_3]
    fild dword [ROMBASE + i_10]
    fprem
    TEST_FSW 0x4700, 0x4200, "fprem 10,3: q=3 -> C3 C1, C2=0"
    TEST_INT "fprem 10,3 = 1", 1
    fild dword [ROMBASE + i_11]
    fprem1
    TEST_FSW 0x4700, 0x0100, "fprem1 11,3: q=4 -> C0"
    TEST_INT "fprem1 11,3 = -1", -1
    fld tword [ROMBASE + t_2p100]
    fprem
    TEST_FSW 0x0400, 0x0400, "fprem 2^100,3: partial (C2)"
    fninit

    ; --- FSCALE, FXTRACT ---
    fild dword [ROMBASE + i_3]
    fld dword [ROMBASE + f_1_5]
    fscale
    TEST_INT "fscale 1.5 * 2^3 = 12", 12
    fstp st0
    fld dword [ROMBASE + f_3_7]
    fld dword [ROMBASE + f_1_5]
    fscale
    TEST_INT "fscale truncates ST1: 1.5 * 2^3", 12
    fninit
    fild dword [ROMBASE + i_12]
    fxtract
    fstp dword [0x610]
    TEST_EQ [0x610], 0x3fc00000, "fxtract 12: significand 1.5"
    TEST_INT "fxtract 12: exponent 3", 3
    fldz
    fxtract
    TEST_FSW 0x003f, 0x0004, "fxtract 0: ZE"
    fstp st0
    TEST_ST0 0xffff, 0x80000000, 0, "fxtract 0: exponent -inf"

    ; --- BCD ---
    fninit
    fild dword [ROMBASE + i_1234567]
    fbstp [0x620]
    TEST_EQ [0x620], 0x01234567, "fbstp 1234567: digits"
    TEST_W [0x628], 0x0000, "fbstp 1234567: sign"
    fild dword [ROMBASE + i_m99]
    fbstp [0x620]
    TEST_EQ [0x620], 0x99, "fbstp -99: digits"
    TEST_B [0x629], 0x80, "fbstp -99: sign"
    fbld [ROMBASE + bcd_m]
    TEST_INT "fbld -987654321", -987654321
    fld tword [ROMBASE + t_1e18]
    fbstp [0x620]
    TEST_FSW 0x0001, 0x0001, "fbstp 10^18: IE"
    TEST_W [0x628], 0xffff, "fbstp 10^18: BCD indefinite (bytes 8-9)"
    TEST_B [0x627], 0xc0, "fbstp 10^18: BCD indefinite (byte 7)"

    ; --- integer stores: overflow gives the integer indefinite ---
    fninit
    fild qword [ROMBASE + q_3e9]
    fist dword [0x630]
    TEST_EQ [0x630], 0x80000000, "fist m32 of 3e9: indefinite"
    TEST_FSW 0x0001, 1, "fist overflow: IE"
    mov word [0x634], 0x1234
    fist word [0x634]
    TEST_W [0x634], 0x8000, "fist m16 of 3e9: indefinite"
    fninit
    fld tword [ROMBASE + t_2p63]
    fistp qword [0x638]
    TEST_EQ [0x63c], 0x80000000, "fistp m64 of 2^63: indefinite"
    fninit
    fld dword [ROMBASE + f_m2_5]
    fist dword [0x630]
    TEST_EQ [0x630], -2, "fist -2.5 nearest: -2"
    mov word [0x700], 0x077f
    fldcw [0x700]
    fist dword [0x630]
    TEST_EQ [0x630], -3, "fist -2.5 down: -3"

    ; --- out-of-range trigonometry: C2, operand unchanged ---
    fninit
    fld tword [ROMBASE + t_2p63]
    fsin
    TEST_FSW 0x0400, 0x0400, "fsin 2^63: C2"
    TEST_ST0 0x403e, 0x80000000, 0, "fsin 2^63: ST0 unchanged"
    fld tword [ROMBASE + t_2p63]
    fptan
    TEST_FSW 0x3c00, 0x3c00, "fptan 2^63: C2, nothing pushed (TOP=7)"
    fninit
    fldz
    fptan
    TEST_FSW 0x3c00, 0x3000, "fptan 0: pushes 1.0 (TOP=6), C2=0"
    TEST_ST0 0x3fff, 0x80000000, 0, "fptan: 1.0 pushed"

    ; --- transcendental instructions with exact results ---
    fninit
    fld1
    f2xm1
    TEST_ST0 0x3fff, 0x80000000, 0, "f2xm1 1 = 2^1 - 1 = 1"
    fild dword [ROMBASE + i_3]
    fild dword [ROMBASE + i_8]
    fyl2x
    TEST_FSW 0x3800, 0x3800, "fyl2x pops (TOP=7)"
    TEST_INT "fyl2x 3 * log2(8) = 9", 9
    fnclex
    fild dword [ROMBASE + i_3]
    fldz
    fyl2x
    TEST_FSW 0x003f, 0x0004, "fyl2x x=0: ZE"
    TEST_ST0 0xffff, 0x80000000, 0, "fyl2x 3 * log2(0) = -inf"
    fninit
    fild dword [ROMBASE + i_3]
    fld1
    fchs
    fyl2x
    TEST_FSW 0x003f, 0x0001, "fyl2x x<0: IE"
    TEST_ST0 0xffff, 0xc0000000, 0, "fyl2x x<0: real indefinite"
    fninit
    fild dword [ROMBASE + i_3]
    fldz
    fyl2xp1
    TEST_ST0 0, 0, 0, "fyl2xp1 3 * log2(1 + 0) = +0"
    fninit
    fldz
    fsincos
    TEST_FSW 0x3c00, 0x3000, "fsincos 0: pushes (TOP=6), C2=0"
    TEST_ST0 0x3fff, 0x80000000, 0, "fsincos 0: ST0 = cos 0 = 1"
    TEST_ST0 0, 0, 0, "fsincos 0: ST1 = sin 0 = 0"
    fld tword [ROMBASE + t_2p63]
    fcos
    TEST_FSW 0x0400, 0x0400, "fcos 2^63: C2"
    fstp st0
    fld tword [ROMBASE + t_2p63]
    fsincos
    TEST_FSW 0x3c00, 0x3c00, "fsincos 2^63: C2, nothing pushed (TOP=7)"
    fninit

    ; --- FXSAVE / FXRSTOR ---
    fninit
    fld1
    fxsave [0x4000]
    TEST_W [0x4000], 0x037f, "fxsave: FCW"
    TEST_W [0x4002], 0x3800, "fxsave: FSW"
    TEST_B [0x4004], 0x80, "fxsave: abridged tag (physical 7)"
    TEST_EQ [0x4018], 0x1f80, "fxsave: MXCSR default"
    TEST_W [0x4028], 0x3fff, "fxsave: ST0 exponent at +32"
    TEST_EQ [0x4024], 0x80000000, "fxsave: ST0 mantissa"
    EXPECT_FAULT .gp1
    fxsave [0x4008]
.gp1:
    TEST_EQ [EXC_VEC], 13, "fxsave misaligned: #GP"
    TEST_EQ [EXC_ERR], 0, "fxsave misaligned: error code 0"
    mov byte [0x4004], 0        ; all empty
    mov word [0x4000], 0x0c7f
    fxrstor [0x4000]
    fnstcw [0x700]
    TEST_W [0x700], 0x0c7f, "fxrstor: FCW"
    fnstenv [0x800]
    TEST_W [0x808], 0xffff, "fxrstor: abridged tag 0 -> all empty"
    mov byte [0x4004], 0x80
    fxrstor [0x4000]
    fnstenv [0x800]
    TEST_W [0x808], 0x3fff, "fxrstor: tag recomputed (valid)"
    EXPECT_FAULT .gp2
    fxrstor [0x4004]
.gp2:
    TEST_EQ [EXC_VEC], 13, "fxrstor misaligned: #GP"

    ; with CR4.OSFXSR: MXCSR checked on restore, the XMM area (no SSE
    ; here) saved as zeros
    mov eax, cr4
    or eax, 0x200
    mov cr4, eax
    mov dword [0x40a0], 0xffffffff
    fxsave [0x4000]
    TEST_EQ [0x40a0], 0, "fxsave with OSFXSR: XMM0 area zero"
    TEST_EQ [0x401c], 0xffbf, "fxsave: MXCSR_MASK"
    mov dword [0x4018], 0x10000
    EXPECT_FAULT .gp3
    fxrstor [0x4000]
.gp3:
    TEST_EQ [EXC_VEC], 13, "fxrstor MXCSR reserved bit: #GP"
    mov eax, cr4
    and eax, ~0x200
    mov cr4, eax

    ; --- CPUID (pentium2): FPU, MMX, FXSR; no SSE ---
    mov eax, 1
    cpuid
    and edx, (1 << 0) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26)
    TEST_EQ edx, (1 << 0) | (1 << 23) | (1 << 24), "cpuid: FPU MMX FXSR, no SSE/SSE2"

    call tap_done32

align 16
i_3:      dd 3
i_10:     dd 10
i_11:     dd 11
i_12:     dd 12
i_8:      dd 8
i_1234567: dd 1234567
i_m99:    dd -99
f_1_5:    dd 1.5
f_3_7:    dd 3.7
f_m2_5:   dd -2.5
q_3e9:    dq 3000000000
align 16
bcd_m:    db 0x21, 0x43, 0x65, 0x87, 0x09, 0, 0, 0, 0, 0x80
align 16
t_den:    dq 1
          dw 0
align 16
t_inf:    dq 0x8000000000000000
          dw 0x7fff
align 16
t_qnan:   dq 0xc000000000000000
          dw 0x7fff
align 16
t_unnormal: dq 0x4000000000000000
          dw 0x3fff
align 16
t_2p100:  dq 0x8000000000000000
          dw 0x3fff + 100
align 16
t_2p63:   dq 0x8000000000000000
          dw 0x3fff + 63
align 16
t_1e18:   dq 0xde0b6b3a76400000      ; 10^18 = 0x0de0b6b3a7640000 << 4
          dw 0x3fff + 59

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
