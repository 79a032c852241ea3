; SPDX-License-Identifier: LGPL-2.1-or-later
; Conditions read straight after the instruction that set the flags, in
; the same decoded block: all 16 SETcc and all 16 Jcc (rel8) after ADD,
; ADC and SBB with a carry in (8, 16 and 32 bits, including the cases
; where the result equals an operand), SUB, CMP, NEG, INC/DEC (CF kept),
; AND, SHL/SHR/SAR by 1 and by CL, shifts by a count of 0 (flags kept),
; ROL/RCL (CF and OF only; the other flags kept). The engine keeps flags
; lazily and evaluates some conditions without building EFLAGS, so each
; case is checked through both. Expected flags are worked out by hand
; from the SDM vol. 2 instruction pages (only flags the SDM defines for
; the instruction are used); the 16 expected conditions follow from them
; (SDM vol. 1 app. B). Each case runs twice (decoded, then cached).
    org 0
%include "lib.inc"

SB      equ 0x600               ; SETcc bytes
JM      equ 0x640               ; Jcc mask
RES     equ 0x644

[bits 16]
start:
    REAL_INIT
    PM32_ENTER RAM
    FLAT_GDT
gdt_end:

; The 16 conditions in encoding order (O NO B AE E NE BE A S NS P NP L GE
; LE G) as a mask, from CF ZF SF OF PF.
%macro EXPECT_MASK 5
%assign %%b %1
%assign %%z %2
%assign %%s %3
%assign %%o %4
%assign %%p %5
%assign %%be (%%b | %%z)
%assign %%l (%%s ^ %%o)
%assign %%le (%%l | %%z)
%assign EXPMASK %%o | ((1 - %%o) << 1) | (%%b << 2) | ((1 - %%b) << 3) | (%%z << 4) | ((1 - %%z) << 5) | (%%be << 6) | ((1 - %%be) << 7) | (%%s << 8) | ((1 - %%s) << 9) | (%%p << 10) | ((1 - %%p) << 11) | (%%l << 12) | ((1 - %%l) << 13) | (%%le << 14) | ((1 - %%le) << 15)
%endmacro

; CASE setup-macro, CF, ZF, SF, OF, PF, "text": the setup macro ends with
; the flag-setting instruction; SETcc and Jcc follow it in the same block.
%macro CASE 7
    EXPECT_MASK %2, %3, %4, %5, %6
    mov dword [ITERS], 2
%%again:
    %1
    mov [RES], eax
    seto al
    setno ah
    setb bl
    setae bh
    setz cl
    setnz ch
    setbe dl
    seta dh
    mov [SB + 0], eax
    mov [SB + 4], ebx
    mov [SB + 8], ecx
    mov [SB + 12], edx
    %1
    sets al
    setns ah
    setp bl
    setnp bh
    setl cl
    setge ch
    setle dl
    setg dh
    mov [SB + 16], eax
    mov [SB + 20], ebx
    mov [SB + 24], ecx
    mov [SB + 28], edx
    call pack_setcc
    TEST_EQ eax, EXPMASK, {%7, " (SETcc)"}
    mov dword [JM], 0
%assign %%i 0
%rep 16
    %1
    db 0x70 + %%i, 2            ; Jcc over the JMP
    db 0xeb, 10                 ; JMP over the OR
    or dword [JM], strict dword (1 << %%i)
%assign %%i %%i + 1
%endrep
    TEST_EQ [JM], EXPMASK, {%7, " (Jcc)"}
    dec dword [ITERS]
    jnz %%again
%endmacro

ITERS   equ 0x648

; ---- the cases (flags: CF ZF SF OF PF, by hand) ----
%macro C_ADD32 0
    mov eax, 0xffffffff
    add eax, 1                  ; 0
%endmacro
%macro C_ADC32_SAME 0
    mov eax, 5
    mov ebx, 0xffffffff
    stc
    adc eax, ebx                ; 5 + 0xffffffff + 1 = 5, carry out
%endmacro
%macro C_SBB32_SAME 0
    mov eax, 5
    mov ebx, 5
    stc
    sbb eax, ebx                ; 5 - 5 - 1 = 0xffffffff, borrow
%endmacro
%macro C_ADC32_OF 0
    mov eax, 0x7fffffff
    stc
    adc eax, 0                  ; 0x80000000
%endmacro
%macro C_SBB32_OF 0
    mov eax, 0x80000000
    stc
    sbb eax, 0                  ; 0x7fffffff
%endmacro
%macro C_SBB32_ZERO 0
    xor eax, eax
    stc
    sbb eax, 0xffffffff         ; 0 - 0xffffffff - 1 = 0, borrow
%endmacro
%macro C_ADC8 0
    mov eax, 0x1ff
    mov bl, 0xff
    stc
    adc al, bl                  ; 0xff + 0xff + 1 = 0x1ff: AL 0xff
%endmacro
%macro C_ADC8_SAME 0
    mov eax, 0x10
    mov bl, 0xff
    stc
    adc al, bl                  ; 0x10 + 0xff + 1 = 0x110: AL 0x10
%endmacro
%macro C_SBB16 0
    mov eax, 0x8000
    mov bx, 1
    stc
    sbb ax, bx                  ; 0x8000 - 1 - 1 = 0x7ffe
%endmacro
%macro C_SBB16_ZERO 0
    xor eax, eax
    mov bx, 0xffff
    stc
    sbb ax, bx                  ; 0 - 0xffff - 1 = 0, borrow
%endmacro
%macro C_SHL1 0
    mov eax, 0x80000001
    shl eax, 1                  ; 2, CF 1, OF = 0 ^ 1
%endmacro
%macro C_SHR1 0
    mov eax, 3
    shr eax, 1                  ; 1, CF 1, OF = old MSB 0
%endmacro
%macro C_SAR1 0
    mov eax, 0x80000001
    sar eax, 1                  ; 0xc0000000, CF 1, OF 0
%endmacro
%macro C_SHL_CL 0
    mov eax, 0x40000000
    mov ecx, 1
    shl eax, cl                 ; 0x80000000, CF 0, OF 1
%endmacro
%macro C_SHIFT0 0
    mov eax, 0xffffffff
    add eax, 1                  ; CF ZF PF
    mov ecx, 32
    shl ebx, cl                 ; count 0 after masking: flags kept
%endmacro
%macro C_SHIFT0_IMM 0
    mov eax, 3
    cmp eax, 5                  ; CF SF
    shl ebx, 0                  ; count 0: flags kept
%endmacro
%macro C_SHL8 0
    mov eax, 0x81
    shl al, 1                   ; 2, CF 1, OF 1
%endmacro
%macro C_ROL 0
    xor edx, edx                ; ZF 1, SF 0, PF 1, CF 0, OF 0
    mov eax, 0x80000000
    rol eax, 1                  ; 1: CF 1, OF = 0 ^ 1; ZF SF PF kept
%endmacro
%macro C_RCL 0
    xor edx, edx
    mov eax, 0x80000000
    rcl eax, 1                  ; 0 (CF was 0): CF 1, OF 1; ZF SF PF kept
%endmacro
%macro C_INC_CF 0
    stc
    mov eax, 0xffffffff
    inc eax                     ; 0, CF kept (1)
%endmacro
%macro C_INC_OF 0
    clc
    mov eax, 0x7fffffff
    inc eax                     ; 0x80000000, CF kept (0)
%endmacro
%macro C_DEC 0
    stc
    mov eax, 0x80000000
    dec eax                     ; 0x7fffffff, OF 1, CF kept (1)
%endmacro
%macro C_NEG 0
    mov eax, 5
    neg eax                     ; 0xfffffffb
%endmacro
%macro C_NEG0 0
    stc
    xor eax, eax
    neg eax                     ; 0, CF 0
%endmacro
%macro C_CMP 0
    mov eax, 0x80000000
    cmp eax, 1                  ; 0x7fffffff
%endmacro
%macro C_AND 0
    stc
    mov eax, 0xf0
    and eax, 0x0f               ; 0, CF 0 OF 0
%endmacro
%macro C_SUB_MEM 0
    mov dword [RES + 8], 7
    mov eax, 7
    sub eax, [RES + 8]          ; 0
%endmacro
%macro C_ADD_MEM 0
    mov dword [RES + 8], 0x80000000
    mov eax, 0x80000000
    add eax, [RES + 8]          ; 0, CF 1, OF 1
%endmacro

    PM32_INIT
    ;    setup          CF ZF SF OF PF
    CASE C_ADD32,       1, 1, 0, 0, 1, "ADD 0xffffffff+1"
    CASE C_ADC32_SAME,  1, 0, 0, 0, 1, "ADC 5+0xffffffff+CF: result equals the operand, carry"
    CASE C_SBB32_SAME,  1, 0, 1, 0, 1, "SBB 5-5-CF: borrow"
    CASE C_ADC32_OF,    0, 0, 1, 1, 1, "ADC 0x7fffffff+0+CF: OF"
    CASE C_SBB32_OF,    0, 0, 0, 1, 1, "SBB 0x80000000-0-CF: OF"
    CASE C_SBB32_ZERO,  1, 1, 0, 0, 1, "SBB 0-0xffffffff-CF: zero with a borrow"
    CASE C_ADC8,        1, 0, 1, 0, 1, "ADC AL 0xff+0xff+CF"
    CASE C_ADC8_SAME,   1, 0, 0, 0, 0, "ADC AL 0x10+0xff+CF: result equals the operand, carry"
    CASE C_SBB16,       0, 0, 0, 1, 0, "SBB AX 0x8000-1-CF: OF"
    CASE C_SBB16_ZERO,  1, 1, 0, 0, 1, "SBB AX 0-0xffff-CF: zero with a borrow"
    CASE C_SHL1,        1, 0, 0, 1, 0, "SHL 0x80000001,1"
    CASE C_SHR1,        1, 0, 0, 0, 0, "SHR 3,1"
    CASE C_SAR1,        1, 0, 1, 0, 1, "SAR 0x80000001,1"
    CASE C_SHL_CL,      0, 0, 1, 1, 1, "SHL 0x40000000,CL=1"
    CASE C_SHIFT0,      1, 1, 0, 0, 1, "SHL by CL=32 (count 0) keeps the flags of ADD"
    CASE C_SHIFT0_IMM,  1, 0, 1, 0, 0, "SHL by 0 keeps the flags of CMP"
    CASE C_SHL8,        1, 0, 0, 1, 0, "SHL AL 0x81,1"
    CASE C_ROL,         1, 1, 0, 1, 1, "ROL 0x80000000,1 after XOR: CF OF set, ZF SF PF kept"
    CASE C_RCL,         1, 1, 0, 1, 1, "RCL 0x80000000,1 after XOR: CF OF set, ZF SF PF kept"
    CASE C_INC_CF,      1, 1, 0, 0, 1, "INC 0xffffffff keeps CF=1"
    CASE C_INC_OF,      0, 0, 1, 1, 1, "INC 0x7fffffff keeps CF=0, OF"
    CASE C_DEC,         1, 0, 0, 1, 1, "DEC 0x80000000 keeps CF=1, OF"
    CASE C_NEG,         1, 0, 1, 0, 0, "NEG 5"
    CASE C_NEG0,        0, 1, 0, 0, 1, "NEG 0: CF 0"
    CASE C_CMP,         0, 0, 0, 1, 1, "CMP 0x80000000,1"
    CASE C_AND,         0, 1, 0, 0, 1, "AND: CF OF cleared"
    CASE C_SUB_MEM,     0, 1, 0, 0, 1, "SUB r, [m] equal"
    CASE C_ADD_MEM,     1, 1, 0, 1, 1, "ADD 0x80000000+[m] 0x80000000"
    jmp tap_done32

; SETcc bytes at SB + {0,1,4,5,8,9,12,13,16,...} -> mask in EAX
pack_setcc:
    push ebx
    push ecx
    push edx
    xor eax, eax
    xor ecx, ecx
.l: mov edx, ecx
    shr edx, 1
    lea edx, [edx * 4]
    mov ebx, ecx
    and ebx, 1
    add edx, ebx
    movzx ebx, byte [SB + edx]
    shl ebx, cl
    or eax, ebx
    inc ecx
    cmp ecx, 16
    jb .l
    pop edx
    pop ecx
    pop ebx
    ret

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
