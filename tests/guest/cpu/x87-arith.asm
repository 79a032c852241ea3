; SPDX-License-Identifier: LGPL-2.1-or-later
; x87 arithmetic exactness, with expected values worked out by hand from
; the SDM rules (vol. 1 ch. 4 and 8): precision control (24/53/64 bits)
; and rounding control on 1/3 with C1 (rounded up) and PE; masked
; responses of IE (0/0, inf-inf, sqrt(-1), SNaN loads), ZE, OE, UE, DE;
; NaN propagation; stack overflow/underflow (SF, C1); unmasked responses
; (no result for IE, biased results for OE/UE with a register
; destination, ES/B, #MF on the next waiting instruction with CR0.NE=1,
; with CR0.NE=0 a freeze until an interrupt); compares with unordered operands (FCOM/FUCOM/
; FCOMI/FUCOMI); FCMOVcc.
    org 0
%include "lib.inc"

; TEST_FSW mask, expected, "text": FNSTSW AX and compare the masked bits
%macro TEST_FSW 3
    fnstsw ax
    movzx eax, ax
    and eax, %1
    TEST_EQ eax, %2, %3
%endmacro

; TEST_ST0 exponent+sign word, mantissa high, mantissa low, "text": pops
; ST0 to 0x600 as an 80-bit real and compares all of it
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

; SETCW value: load a control word
%macro SETCW 1
    mov word [0x700], %1
    fldcw [0x700]
%endmacro

    PM32_FLAT
    X87_ON

    ; --- precision control: 1/3 = 1.0101...b x 2^-2 ---
    fninit
    SETCW 0x007f                ; PC=24 bits, nearest
    fld1
    fidiv dword [ROMBASE + i_three]
    TEST_FSW 0x023f, 0x0220, "PC24 1/3: PE, C1 (rounded up)"
    TEST_ST0 0x3ffd, 0xaaaaab00, 0, "PC24 1/3 = 0.aaaaab"
    SETCW 0x027f                ; PC=53 bits
    fld1
    fidiv dword [ROMBASE + i_three]
    TEST_FSW 0x023f, 0x0020, "PC53 1/3: PE, C1=0 (rounded down)"
    TEST_ST0 0x3ffd, 0xaaaaaaaa, 0xaaaaa800, "PC53 1/3"
    SETCW 0x037f                ; PC=64 bits
    fld1
    fidiv dword [ROMBASE + i_three]
    TEST_FSW 0x023f, 0x0220, "PC64 1/3: PE, C1"
    TEST_ST0 0x3ffd, 0xaaaaaaaa, 0xaaaaaaab, "PC64 1/3"

    ; --- rounding control ---
    SETCW 0x077f                ; down
    fld1
    fidiv dword [ROMBASE + i_three]
    TEST_FSW 0x0200, 0, "RC down 1/3: C1=0"
    TEST_ST0 0x3ffd, 0xaaaaaaaa, 0xaaaaaaaa, "RC down 1/3"
    fld1
    fchs
    fidiv dword [ROMBASE + i_three]
    TEST_FSW 0x0200, 0x0200, "RC down -1/3: C1 (magnitude up)"
    TEST_ST0 0xbffd, 0xaaaaaaaa, 0xaaaaaaab, "RC down -1/3"
    SETCW 0x0b7f                ; up
    fld1
    fidiv dword [ROMBASE + i_three]
    TEST_ST0 0x3ffd, 0xaaaaaaaa, 0xaaaaaaab, "RC up 1/3"
    SETCW 0x0f7f                ; chop
    fld1
    fchs
    fidiv dword [ROMBASE + i_three]
    TEST_ST0 0xbffd, 0xaaaaaaaa, 0xaaaaaaaa, "RC chop -1/3"
    SETCW 0x0b7f                ; up, PC64: 1 + 2^-70 -> next above 1
    fld1
    fld tword [ROMBASE + t_2m70]
    faddp st1, st0
    TEST_ST0 0x3fff, 0x80000000, 1, "RC up 1 + 2^-70 = 1 + 2^-63"

    ; --- masked invalid operations: the real indefinite ---
    fninit
    fldz
    fldz
    fdivp st1, st0
    TEST_FSW 0x003f, 0x0001, "0/0: IE"
    TEST_ST0 0xffff, 0xc0000000, 0, "0/0: real indefinite"
    fninit
    fld tword [ROMBASE + t_inf]
    fld tword [ROMBASE + t_inf]
    fsubp st1, st0
    TEST_FSW 0x003f, 0x0001, "inf - inf: IE"
    TEST_ST0 0xffff, 0xc0000000, 0, "inf - inf: real indefinite"
    fninit
    fld1
    fchs
    fsqrt
    TEST_FSW 0x003f, 0x0001, "sqrt(-1): IE"
    TEST_ST0 0xffff, 0xc0000000, 0, "sqrt(-1): real indefinite"
    fninit
    fld dword [ROMBASE + f_snan]
    TEST_FSW 0x003f, 0x0001, "fld m32 SNaN: IE"
    TEST_ST0 0x7fff, 0xc0000100, 0, "fld m32 SNaN: quieted"

    ; --- ZE, OE, UE, DE (masked) ---
    fninit
    fld1
    fldz
    fdivp st1, st0
    TEST_FSW 0x003f, 0x0004, "1/0: ZE"
    TEST_ST0 0x7fff, 0x80000000, 0, "1/0: +inf"
    fninit
    fld tword [ROMBASE + t_max]
    fmul st0, st0
    TEST_FSW 0x003f, 0x0028, "max*max: OE PE"
    TEST_ST0 0x7fff, 0x80000000, 0, "max*max: +inf (nearest)"
    fninit
    SETCW 0x0f7f                ; chop: overflow gives the largest finite
    fld tword [ROMBASE + t_max]
    fmul st0, st0
    TEST_ST0 0x7ffe, 0xffffffff, 0xffffffff, "max*max chop: largest finite"
    fninit
    fld tword [ROMBASE + t_tiny]
    fmul st0, st0
    TEST_FSW 0x003f, 0x0030, "tiny*tiny: UE PE"
    TEST_ST0 0, 0, 0, "tiny*tiny: +0"
    fninit
    fld1
    fld tword [ROMBASE + t_den]
    faddp st1, st0
    TEST_FSW 0x003f, 0x0022, "1 + denormal: DE PE"
    fninit
    fld tword [ROMBASE + t_den]
    fld tword [ROMBASE + t_two63]
    fmulp st1, st0
    TEST_FSW 0x003f, 0x0002, "denormal * 2^63: DE only (exact)"
    TEST_ST0 0x0001, 0x80000000, 0, "denormal 2^-16445 * 2^63 = 2^-16382 (smallest normal)"

    ; --- NaN propagation ---
    fninit
    fld tword [ROMBASE + t_qnan1]
    fld tword [ROMBASE + t_qnan2]
    faddp st1, st0
    TEST_FSW 0x003f, 0, "QNaN + QNaN: no IE"
    TEST_ST0 0x7fff, 0xc0000000, 2, "QNaN + QNaN: larger significand"
    fninit
    fld tword [ROMBASE + t_qnan1]
    fld tword [ROMBASE + t_snan]
    faddp st1, st0
    TEST_FSW 0x003f, 1, "SNaN + QNaN: IE"
    TEST_ST0 0x7fff, 0xc0000000, 1, "SNaN + QNaN: the QNaN"
    fninit
    fld1
    fld tword [ROMBASE + t_snan]
    fmulp st1, st0
    TEST_ST0 0x7fff, 0xc0000000, 1, "SNaN * 1: the SNaN quieted"
    fninit
    fld1
    fld tword [ROMBASE + t_unnormal]
    faddp st1, st0
    TEST_FSW 0x003f, 1, "unnormal operand: IE (unsupported format)"
    TEST_ST0 0xffff, 0xc0000000, 0, "unnormal operand: real indefinite"

    ; --- stack faults ---
    fninit
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    TEST_FSW 0x027f, 0x0241, "stack overflow: IE SF C1=1"
    TEST_ST0 0xffff, 0xc0000000, 0, "stack overflow: indefinite pushed"
    fninit
    fld1
    fadd st0, st1
    TEST_FSW 0x027f, 0x0041, "stack underflow: IE SF C1=0"
    TEST_ST0 0xffff, 0xc0000000, 0, "stack underflow: indefinite result"

    ; --- unmasked responses ---
    fninit
    SETCW 0x037e                ; IE unmasked
    fldz
    fldz
    fdiv st0, st1
    TEST_FSW 0x80ff, 0x8081, "unmasked 0/0: IE ES B"
    fnclex
    TEST_FSW 0x80ff, 0, "fnclex clears flags, ES, B"
    TEST_ST0 0, 0, 0, "unmasked 0/0: ST0 unchanged"
    fninit
    SETCW 0x0377                ; OE unmasked
    fld tword [ROMBASE + t_max]
    fmul st0, st0
    TEST_FSW 0x82ff, 0x80a8, "unmasked OE: OE PE ES B, C1=0"
    fnclex
    TEST_ST0 0x5ffe, 0xffffffff, 0xfffffffe, "unmasked OE: exponent biased by -24576"
    fninit
    SETCW 0x036f                ; UE unmasked
    fld tword [ROMBASE + t_tiny]
    fmul st0, st0
    TEST_FSW 0x80ff, 0x8090, "unmasked UE (exact): UE ES B"
    fnclex
    TEST_ST0 0x2003, 0x80000000, 0, "unmasked UE: exponent biased by +24576"
    fninit
    SETCW 0x037e
    mov dword [0x610], 0x11111111
    fild qword [ROMBASE + q_3e9]
    fist dword [0x610]
    fnclex
    TEST_EQ [0x610], 0x11111111, "unmasked IE on fist: memory unchanged"
    fninit
    SETCW 0x037b                ; ZE unmasked
    fld1
    fldz
    fdivp st1, st0
    fnstsw ax                   ; control instructions do not fault
    EXPECT_FAULT .mf1
    fadd st0, st0
.mf1:
    TEST_EQ [EXC_VEC], 16, "pending ZE: #MF on the next FADD"
    TEST_EQ [EXC_EIP], ROMBASE + .mf1 - 2, "#MF reported at the FADD"
    ; CR0.NE=0 (MS-DOS compatibility, SDM vol. 1 8.7.3.2): no #MF; the
    ; next waiting instruction freezes the CPU until an interrupt comes
    ; (IRQ 13 on a PC, here vector 0x30 raised through the runner's port
    ; 0xF0 and held by IF=0 until after the STI shadow); the handler runs
    ; before the FWAIT's successor and returns to the FWAIT, which then runs
    fninit
    mov eax, cr0
    and eax, ~0x20
    mov cr0, eax
    SETCW 0x037b
    fld1
    fldz
    fdivp st1, st0
    mov eax, 0x30
    mov ebx, ROMBASE + ferr_irq
    mov dx, 0x8e00
    call set_gate32
    mov dword [0x640], 0
    mov dword [0x644], 0
    mov dword [0x648], 0xffffffff
    EXPECT_FAULT .mf2
    mov al, 0x30
    out 0xf0, al                ; INTR high, IF=0: held
    sti
.fw:
    fwait                       ; in the STI shadow: freezes
    mov dword [0x644], 1
    cli
.mf2:
    mov dword [RECOVER], 0
    TEST_EQ [EXC_VEC], 0xffffffff, "CR0.NE=0: no #MF"
    TEST_EQ [0x640], 1, "CR0.NE=0: FWAIT froze until the interrupt"
    TEST_EQ [0x648], 0, "interrupt handler ran before the FWAIT's successor"
    TEST_EQ [0x64c], ROMBASE + .fw, "interrupt returned to the frozen FWAIT"
    TEST_EQ [0x644], 1, "FWAIT then ran"
    fninit
    mov eax, cr0
    or eax, 0x20
    mov cr0, eax

    ; --- compares ---
    fninit
    fld tword [ROMBASE + t_qnan1]
    fld1
    fcom st1
    TEST_FSW 0x4701, 0x4501, "fcom QNaN: unordered, IE"
    fnclex
    fucom st1
    TEST_FSW 0x4701, 0x4500, "fucom QNaN: unordered, no IE"
    fcomi st0, st1
    pushfd
    pop eax
    and eax, 0x8d5
    TEST_EQ eax, 0x45, "fcomi unordered: ZF PF CF"
    TEST_FSW 0x0001, 1, "fcomi QNaN: IE"
    fnclex
    fucomi st0, st1
    TEST_FSW 0x0001, 0, "fucomi QNaN: no IE"
    fninit
    fld1
    fld tword [ROMBASE + t_snan]
    fucom st1
    TEST_FSW 0x4701, 0x4501, "fucom SNaN: IE"
    fninit
    fild dword [ROMBASE + i_three]
    fld1
    fcomi st0, st1              ; 1 < 3
    pushfd
    pop eax
    and eax, 0x8d5
    TEST_EQ eax, 0x01, "fcomi 1 < 3: CF only"
    fcomip st0, st1             ; pops
    TEST_FSW 0x3800, 0x3800, "fcomip pops (TOP=7)"
    fninit
    fld1
    fldz
    stc
    fcmovb st0, st1
    TEST_ST0 0x3fff, 0x80000000, 0, "fcmovb with CF=1 moves"
    fninit
    fld1
    fldz
    clc
    fcmovb st0, st1
    TEST_ST0 0, 0, 0, "fcmovb with CF=0 does not"

    call tap_done32

; vector 0x30 for the CR0.NE=0 freeze test: count, whether the FWAIT's
; successor ran, the return EIP; FNCLEX clears the pending exception
ferr_irq:
    inc dword [0x640]
    mov eax, [0x644]
    mov [0x648], eax
    mov eax, [esp]
    mov [0x64c], eax
    fnclex
    iretd

align 16
i_three: dd 3
f_snan:  dd 0x7f800001
q_3e9:   dq 3000000000
align 16
t_inf:   dq 0x8000000000000000
         dw 0x7fff
align 16
t_max:   dq 0xffffffffffffffff
         dw 0x7ffe
align 16
t_tiny:  dq 0x8000000000000000
         dw 0x0001
align 16
t_den:   dq 1
         dw 0
align 16
t_two63: dq 0x8000000000000000
         dw 0x403e
align 16
t_2m70:  dq 0x8000000000000000
         dw 0x3fff - 70
align 16
t_qnan1: dq 0xc000000000000001
         dw 0x7fff
align 16
t_qnan2: dq 0xc000000000000002
         dw 0x7fff
align 16
t_snan:  dq 0x8000000000000001
         dw 0x7fff
align 16
t_unnormal: dq 0x4000000000000000
         dw 0x3fff

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
