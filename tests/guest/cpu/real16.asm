; SPDX-License-Identifier: LGPL-2.1-or-later
; 16-bit code through the decoded-instruction cache (cpu/x86/dcache16.h):
; real-mode 16-bit addressing ([bx+si+disp], [bp+di+disp], [disp16]) with
; offsets wrapping at 64 KiB, BP-based forms on SS, segment overrides,
; 32-bit operands and addresses (66/67) in 16-bit code, MOV/ALU/TEST/INC/
; DEC/NEG/NOT/shifts/MOVZX/MOVSX/LEA/CBW/CWD/XCHG with their flags, PUSH/
; POP of registers, immediates, memory and segment registers, CALL/RET/
; JMP (direct, register, memory), LOOP/JCXZ, LEAVE, CLC/STC/CLD/STD; IP
; wrapping at 64 KiB on JMP short, CALL near and Jcc; then 16-bit
; protected mode: #GP(0) past a data segment limit, #SS(0) past the stack
; segment limit, #GP(0) for a JMP/CALL/RET target past CS.limit (nothing
; pushed or popped), each reported at the faulting instruction.
; The computations run three times in a loop (compute), then the stored
; results are checked. Expected values: Intel SDM vol. 2 (instruction
; pages: flags), vol. 1 ch. 3.7.5 (16-bit addressing), vol. 3A ch. 6
; (#GP/#SS with error code 0 for limit violations).
    org 0
[bits 16]
start:
    jmp main

; IP wrap: these run at fixed offsets near 0 and near 0xffff of CS=0xf000
    times 0x10 - ($ - $$) db 0x90
wrap_lo:                        ; offset 0x10, from wrap_hi's JMP short
    add dx, 0x2222
    ; CALL rel16 backwards over 0: to wrap_hi2
.call:
    db 0xe8
    dw (wrap_hi2 - (.call + 3)) & 0xffff
    cmp dx, 0x7777
    ; JE rel8 backwards over 0: to wrap_hi3
.je:
    db 0x74, (wrap_hi3 - (.je + 2)) & 0xff
    mov dx, 0xdead
    jmp compute.after_wrap

%include "lib.inc"
[bits 16]

RES     equ 0x4000              ; results, RES + slot
DAT     equ 0x5000              ; operands
ITER    equ 0x4ffe

%assign SLOT 0
%macro SAVE 2                   ; SAVE reg16, name: [SS:name] = reg16
    mov [ss:RES + SLOT], %1
%2 equ RES + SLOT
%assign SLOT SLOT + 2
%endmacro
%macro SAVE32 2                 ; SAVE32 reg32, name
    mov [ss:RES + SLOT], %1
%2 equ RES + SLOT
%assign SLOT SLOT + 4
%endmacro
%macro SAVEF 2                  ; SAVEF mask, name: [name] = FLAGS & mask (clobbers AX)
    pushf
    pop ax
    and ax, %1
    SAVE ax, %2
%endmacro

; TEST16_D value32, expected, "description" (real or 16-bit code; EAX)
%macro TEST16_D 3
    mov eax, %1
    cmp eax, %2
    jmp %%after
%%s: db %3, 0
%%after:
    push si
    mov si, %%s
    je %%ok
    call tap_fail16
    jmp %%done
%%ok:
    call tap_ok16
%%done:
    pop si
%endmacro

; EXPECT_FAULT16 label: resume at label in the 16-bit code segment
%macro EXPECT_FAULT16 1
    mov dword [RECOVER], %1
    mov dword [EXC_VEC], 0xffffffff
    mov dword [EXC_ERR], 0xffffffff
%endmacro

OSZAPC  equ 0x8d5
OSZPC   equ 0x8c5               ; AF undefined (logic ops, shifts)
SZPC    equ 0x0c5               ; OF and AF undefined (multi-bit shifts)

main:
    REAL_INIT
    mov word [ITER], 3
.again:
    call compute
    dec word [ITER]
    jnz .again
    jmp checks

compute:
    ; --- 16-bit addressing, wrapping at 64 KiB
    mov word [DAT], 0xbeef      ; [disp16]
    mov word [DAT + 2], 0xcafe
    mov word [0xfff8], 0x1357
    mov bx, 0xff00
    mov si, 0x0100
    mov ax, [bx+si+DAT]         ; 0x15000 -> 0x5000
    SAVE ax, r_wrap16
    mov bx, 8
    xor di, di
    mov cx, [bx+di-0x10]        ; -8 -> 0xfff8
    SAVE cx, r_wrap8
    mov si, 0xfffe
    mov dx, [si+DAT+2]          ; 0x15000 -> 0x5000
    SAVE dx, r_wrapsi
    lea ax, [bx+si+0x10]        ; 0x10016 -> 0x0016
    SAVE ax, r_lea16
    lea eax, [bx+di-9]          ; o32, a16: 0xffff zero-extended
    SAVE32 eax, r_lea32
    mov ebx, DAT - 8
    mov esi, 2
    mov ax, [ebx+esi*4]         ; a32, o16
    SAVE ax, r_a32
    mov eax, [ebx+esi*4]        ; a32, o32
    SAVE32 eax, r_a32o32
    xor cx, cx
    mov cl, [ebx+esi*4+3]       ; a32, byte
    SAVE cx, r_a32b

    ; --- BP and (E)SP address SS, the others DS
    mov word [0x5800], 0x1111   ; SS view (base 0)
    mov word [0x7800], 0x2222   ; DS view (base 0x2000)
    mov ax, 0x0200
    mov ds, ax
    mov bp, 0x5800
    mov bx, 0x5800
    xor si, si
    xor di, di
    mov ax, [bp+si]
    SAVE ax, r_bpsi
    mov ax, [bx+si]
    SAVE ax, r_bxsi
    mov ax, [bp]
    SAVE ax, r_bp
    mov bp, 0xe800
    mov ax, [bp+di+0x7000]      ; 0x15800 -> SS:0x5800
    SAVE ax, r_bpdiwrap
    mov bp, 0x5800
    mov ax, [ds:bp+si]
    SAVE ax, r_dsbp
    mov ax, [ss:bx+si]
    SAVE ax, r_ssbx
    mov ax, [es:bx]             ; ES = 0
    SAVE ax, r_esbx
    mov ebp, 0x5800
    mov ax, [ebp]               ; a32: SS
    SAVE ax, r_ebp
    mov ebx, 0x5800
    mov ax, [ebx]               ; a32: DS
    SAVE ax, r_ebx
    mov ax, [0x5800]            ; moffs, DS
    SAVE ax, r_moffs
    mov ax, [ss:0x5800]         ; moffs with an override
    SAVE ax, r_moffs_ss
    mov al, 0x5a
    mov [es:0x7802], al         ; moffs byte store, ES = 0
    xor ax, ax
    mov ds, ax
    mov al, [0x7802]
    SAVE ax, r_moffs_b

    ; --- ALU and flags
    mov bx, DAT
    mov ax, 0x7fff
    mov cx, 1
    add ax, cx
    SAVE ax, r_add
    SAVEF OSZAPC, f_add         ; OF SF AF PF
    mov word [bx+4], 0
    sub word [bx+4], 1
    mov ax, [bx+4]
    SAVE ax, r_sub
    SAVEF OSZAPC, f_sub         ; SF AF PF CF
    mov ax, 0x8000
    cmp ax, 1
    SAVEF OSZAPC, f_cmp         ; OF AF PF
    mov ax, 0x00ff
    mov byte [bx+6], 1
    add al, [bx+6]
    SAVE ax, r_add8
    SAVEF OSZAPC, f_add8        ; ZF AF PF CF
    stc
    mov dx, 0xfffe
    adc dx, 1
    SAVE dx, r_adc
    SAVEF OSZAPC, f_adc         ; ZF AF PF CF
    mov word [bx+8], 0x8000
    mov cx, 1
    stc
    sbb [bx+8], cx
    mov ax, [bx+8]
    SAVE ax, r_sbb
    SAVEF OSZAPC, f_sbb         ; OF AF
    mov ax, 0x8034
    mov cx, 0x80ff
    add ah, ch
    SAVE ax, r_addh
    SAVEF OSZAPC, f_addh        ; OF ZF PF CF
    mov word [bx+10], 0x7fff
    stc
    inc word [bx+10]
    SAVEF OSZAPC, f_incm        ; OF SF AF PF, CF kept
    mov byte [bx+12], 0
    clc
    dec byte [bx+12]
    SAVEF OSZAPC, f_decm8       ; SF AF PF, CF kept
    mov ax, [bx+10]
    SAVE ax, r_incm
    xor ax, ax
    mov al, [bx+12]
    SAVE ax, r_decm8
    mov si, 0xffff
    stc
    inc si
    SAVE si, r_inc
    SAVEF OSZAPC, f_inc         ; ZF AF PF CF(kept)
    mov ax, 0x8001
    test ax, 0x8000
    SAVEF OSZPC, f_test         ; SF PF
    mov word [bx+14], 0x00f0
    mov dx, 0x0f0f
    test [bx+14], dx
    SAVEF OSZPC, f_testm        ; ZF PF
    test byte [bx+14], 0x80
    SAVEF OSZPC, f_testmi       ; SF
    mov ax, 1
    neg ax
    SAVE ax, r_neg
    SAVEF OSZAPC, f_neg         ; SF AF PF CF
    mov cx, 0x00ff
    not cx
    SAVE cx, r_not
    cmp word [bx+14], 0x00f0
    SAVEF OSZAPC, f_cmpm        ; ZF PF

    ; --- shifts
    mov ax, 0x1234
    shl ax, 4
    SAVE ax, r_shl
    SAVEF SZPC, f_shl           ; CF
    mov dx, 0x8001
    shr dx, 1
    SAVE dx, r_shr
    SAVEF OSZPC, f_shr          ; OF PF CF
    xor ax, ax
    mov al, 0x81
    sar al, 1
    SAVE ax, r_sar8
    SAVEF OSZPC, f_sar8         ; SF PF CF
    mov dx, 0x0101
    mov cl, 3
    shl dx, cl
    SAVE dx, r_shlcl
    SAVEF SZPC, f_shlcl         ; none

    ; --- MOVZX/MOVSX, CBW/CWD, XCHG, 32-bit operands with 16-bit addresses
    mov byte [bx+16], 0x80
    mov word [bx+18], 0x8000
    movsx ax, byte [bx+16]
    SAVE ax, r_movsx16
    movzx eax, word [bx+18]
    SAVE32 eax, r_movzx32
    movsx edx, word [bx+18]
    SAVE32 edx, r_movsx32
    mov al, 0x90
    movzx cx, al
    SAVE cx, r_movzxr
    mov ax, 0x1280
    cbw
    SAVE ax, r_cbw
    mov ax, 0x8000
    cwd
    SAVE dx, r_cwd
    mov ax, 0x1111
    mov dx, 0x2222
    xchg ax, dx
    SAVE ax, r_xchga
    SAVE dx, r_xchgd
    mov dword [bx+20], 0x12345678
    add dword [bx+20], 0x10000001
    mov eax, [bx+20]
    SAVE32 eax, r_add32m
    mov ecx, 0xffffffff
    add ecx, 1
    SAVEF OSZAPC, f_add32       ; ZF AF PF CF
    mov byte [bx+24], 0xa5
    xor ax, ax
    mov ah, [bx+24]
    SAVE ax, r_movah

    ; --- stack
    mov di, sp
    push 0x1234
    push -16                    ; 6A: sign-extended to 0xfff0
    pop cx
    pop dx
    SAVE cx, r_pushi8
    SAVE dx, r_pushi16
    mov word [bx+22], 0x4321
    push word [bx+22]
    pop ax
    SAVE ax, r_pushm
    mov eax, 0x89abcdef
    push eax
    mov si, sp
    pop ecx
    SAVE32 ecx, r_push32
    sub di, si
    SAVE di, r_push32sp         ; 4
    push 0x2468
    pop word [bx+32]            ; 8F
    mov ax, [bx+32]
    SAVE ax, r_popm
    push dword 0x11111111
    push dword 0x22222222
    pop dword [esp]             ; 66 67 8F: ESP after the pop
    pop ecx
    SAVE32 ecx, r_popesp
    mov di, sp
    push bp
    mov bp, sp
    sub sp, 8
    mov word [bp-2], 0x7777
    leave
    sub di, sp
    SAVE di, r_leave            ; 0
    mov ax, 0x1234
    mov es, ax
    mov cx, es
    SAVE cx, r_movsreg
    mov [bx+26], es
    mov ax, [bx+26]
    SAVE ax, r_movmsreg
    push cs
    pop ds
    mov cx, ds
    push ss
    pop ds
    SAVE cx, r_pushcs
    xor ax, ax
    mov es, ax

    ; --- calls and jumps
    xor dx, dx
    call sub_inc                ; E8
    mov ax, sub_inc
    call ax                     ; FF /2 register
    mov word [bx+28], sub_inc
    call word [bx+28]           ; FF /2 memory
    mov di, sp
    push 0x5555
    call sub_ret2               ; RET 2
    sub di, sp
    SAVE di, r_ret2             ; 0
    mov ax, .j1
    jmp ax                      ; FF /4 register
    mov dx, 0xdead
.j1:
    mov word [bx+30], .j2
    jmp word [bx+30]            ; FF /4 memory
    mov dx, 0xdead
.j2:
    SAVE dx, r_calls            ; 3 calls + 0x100 from sub_ret2
    mov cx, 5
    xor dx, dx
.loop:
    add dx, cx
    loop .loop
    SAVE dx, r_loop             ; 15
    SAVE cx, r_loopcx           ; 0
    mov ax, 1
    jcxz .jcxz
    xor ax, ax
.jcxz:
    SAVE ax, r_jcxz
    std
    SAVEF 0x400, f_std
    cld
    SAVEF 0x400, f_cld
    mov ax, 3
    cmp ax, 5
    setl cl
    SAVE cx, r_setl             ; CH 0 from LOOP
    ; IP wrap: 0x00xx -> JMP near -> 0xffc0 -> JMP short -> 0x0010 ->
    ; CALL near -> 0xffd0 -> RET -> 0x0016 -> JE -> 0xffe0 -> JMP near
    xor dx, dx
    jmp wrap_hi
.after_wrap:
    SAVE dx, r_wrapip           ; 0x1111 + 0x2222 + 0x4444 + 1
    ret

sub_inc:
    inc dx
    ret

sub_ret2:
    add dx, 0x100
    ret 2

checks:
    TEST16_EQ word [r_wrap16], 0xbeef, "[bx+si+disp16] wraps at 64 KiB"
    TEST16_EQ word [r_wrap8], 0x1357, "[bx+di-disp8] wraps below 0"
    TEST16_EQ word [r_wrapsi], 0xbeef, "[si+disp16] wraps at 64 KiB"
    TEST16_EQ word [r_lea16], 0x0016, "LEA r16 wraps at 64 KiB"
    TEST16_D dword [r_lea32], 0xffff, "LEA r32 with a 16-bit address: zero-extended"
    TEST16_EQ word [r_a32], 0xbeef, "67: [ebx+esi*4], 16-bit operand"
    TEST16_D dword [r_a32o32], 0xcafebeef, "66 67: [ebx+esi*4], 32-bit operand"
    TEST16_EQ word [r_a32b], 0x00ca, "67: byte load [ebx+esi*4+3]"
    TEST16_EQ word [r_bpsi], 0x1111, "[bp+si] addresses SS"
    TEST16_EQ word [r_bxsi], 0x2222, "[bx+si] addresses DS"
    TEST16_EQ word [r_bp], 0x1111, "[bp+0] addresses SS"
    TEST16_EQ word [r_bpdiwrap], 0x1111, "[bp+di+disp16] on SS wraps at 64 KiB"
    TEST16_EQ word [r_dsbp], 0x2222, "DS: override on [bp+si]"
    TEST16_EQ word [r_ssbx], 0x1111, "SS: override on [bx+si]"
    TEST16_EQ word [r_esbx], 0x1111, "ES: override on [bx]"
    TEST16_EQ word [r_ebp], 0x1111, "67: [ebp] addresses SS"
    TEST16_EQ word [r_ebx], 0x2222, "67: [ebx] addresses DS"
    TEST16_EQ word [r_moffs], 0x2222, "MOV AX, moffs16"
    TEST16_EQ word [r_moffs_ss], 0x1111, "MOV AX, SS:moffs16"
    TEST16_EQ word [r_moffs_b], 0x005a, "MOV ES:moffs16, AL"
    TEST16_EQ word [r_add], 0x8000, "ADD 0x7fff + 1"
    TEST16_EQ word [f_add], 0x894, "ADD 0x7fff + 1: OF SF AF PF"
    TEST16_EQ word [r_sub], 0xffff, "SUB m16, 1 from 0"
    TEST16_EQ word [f_sub], 0x095, "SUB 0 - 1: SF AF PF CF"
    TEST16_EQ word [f_cmp], 0x814, "CMP 0x8000, 1: OF AF PF"
    TEST16_EQ word [r_add8], 0x0000, "ADD AL, m8: 0xff + 1"
    TEST16_EQ word [f_add8], 0x055, "ADD AL, m8: 0xff + 1: ZF AF PF CF"
    TEST16_EQ word [r_adc], 0x0000, "ADC 0xfffe + 1 + CF"
    TEST16_EQ word [f_adc], 0x055, "ADC 0xfffe + 1 + CF: ZF AF PF CF"
    TEST16_EQ word [r_sbb], 0x7ffe, "SBB m16: 0x8000 - 1 - CF"
    TEST16_EQ word [f_sbb], 0x810, "SBB m16: 0x8000 - 1 - CF: OF AF"
    TEST16_EQ word [r_addh], 0x0034, "ADD AH, CH: 0x80 + 0x80"
    TEST16_EQ word [f_addh], 0x845, "ADD AH, CH: OF ZF PF CF"
    TEST16_EQ word [r_incm], 0x8000, "INC m16 0x7fff"
    TEST16_EQ word [f_incm], 0x895, "INC m16 0x7fff: OF SF AF PF, CF kept"
    TEST16_EQ word [r_decm8], 0x00ff, "DEC m8 0"
    TEST16_EQ word [f_decm8], 0x094, "DEC m8 0: SF AF PF, CF kept clear"
    TEST16_EQ word [r_inc], 0x0000, "INC SI 0xffff"
    TEST16_EQ word [f_inc], 0x055, "INC SI 0xffff: ZF AF PF, CF kept"
    TEST16_EQ word [f_test], 0x084, "TEST AX, imm16: SF PF"
    TEST16_EQ word [f_testm], 0x044, "TEST m16, r16: ZF PF"
    TEST16_EQ word [f_testmi], 0x080, "TEST m8, imm8: SF"
    TEST16_EQ word [r_neg], 0xffff, "NEG AX 1"
    TEST16_EQ word [f_neg], 0x095, "NEG AX 1: SF AF PF CF"
    TEST16_EQ word [r_not], 0xff00, "NOT CX"
    TEST16_EQ word [f_cmpm], 0x044, "CMP m16, imm8 equal: ZF PF"
    TEST16_EQ word [r_shl], 0x2340, "SHL AX, 4"
    TEST16_EQ word [f_shl], 0x001, "SHL AX, 4: CF"
    TEST16_EQ word [r_shr], 0x4000, "SHR DX, 1"
    TEST16_EQ word [f_shr], 0x805, "SHR DX, 1: OF PF CF"
    TEST16_EQ word [r_sar8], 0x00c0, "SAR AL, 1"
    TEST16_EQ word [f_sar8], 0x085, "SAR AL, 1: SF PF CF"
    TEST16_EQ word [r_shlcl], 0x0808, "SHL DX, CL"
    TEST16_EQ word [f_shlcl], 0x000, "SHL DX, CL: no flags"
    TEST16_EQ word [r_movsx16], 0xff80, "MOVSX r16, m8"
    TEST16_D dword [r_movzx32], 0x8000, "MOVZX r32, m16 (16-bit address)"
    TEST16_D dword [r_movsx32], 0xffff8000, "MOVSX r32, m16 (16-bit address)"
    TEST16_EQ word [r_movzxr], 0x0090, "MOVZX r16, r8"
    TEST16_EQ word [r_cbw], 0xff80, "CBW"
    TEST16_EQ word [r_cwd], 0xffff, "CWD"
    TEST16_EQ word [r_xchga], 0x2222, "XCHG AX, DX: AX"
    TEST16_EQ word [r_xchgd], 0x1111, "XCHG AX, DX: DX"
    TEST16_D dword [r_add32m], 0x22345679, "ADD m32, imm32 (16-bit address)"
    TEST16_EQ word [f_add32], 0x055, "ADD ECX 0xffffffff + 1: ZF AF PF CF"
    TEST16_EQ word [r_movah], 0xa500, "MOV AH, m8"
    TEST16_EQ word [r_pushi8], 0xfff0, "PUSH imm8 sign-extended to 16 bits"
    TEST16_EQ word [r_pushi16], 0x1234, "PUSH imm16"
    TEST16_EQ word [r_pushm], 0x4321, "PUSH m16"
    TEST16_D dword [r_push32], 0x89abcdef, "PUSH/POP r32 in 16-bit code"
    TEST16_EQ word [r_push32sp], 4, "PUSH r32 moves SP by 4"
    TEST16_EQ word [r_popm], 0x2468, "POP m16"
    TEST16_D dword [r_popesp], 0x22222222, "POP m32 [esp]: the address uses ESP after the pop"
    TEST16_EQ word [r_leave], 0, "LEAVE restores SP"
    TEST16_EQ word [r_movsreg], 0x1234, "MOV ES, r16 / MOV r16, ES"
    TEST16_EQ word [r_movmsreg], 0x1234, "MOV m16, ES"
    TEST16_EQ word [r_pushcs], 0xf000, "PUSH CS / POP DS"
    TEST16_EQ word [r_ret2], 0, "RET imm16 releases the argument"
    TEST16_EQ word [r_calls], 0x103, "CALL rel16, CALL r16, CALL m16, JMP r16, JMP m16"
    TEST16_EQ word [r_loop], 15, "LOOP"
    TEST16_EQ word [r_loopcx], 0, "LOOP ends with CX 0"
    TEST16_EQ word [r_jcxz], 1, "JCXZ taken"
    TEST16_EQ word [f_std], 0x400, "STD"
    TEST16_EQ word [f_cld], 0, "CLD"
    TEST16_EQ word [r_setl], 1, "SETL after CMP 3, 5"
    TEST16_EQ word [r_wrapip], 0x7778, "JMP short, CALL near, Jcc wrap IP at 64 KiB"
    jmp pm_tests

; --- 16-bit protected mode
pm_tests:
    PM32_ENTER RAM
    FLAT_GDT
    dq 0x00009a0f0000efff       ; 0x18 code16, base 0xf0000, limit 0xefff
    dq 0x000092000000ffff       ; 0x20 data16, limit 0xffff
    dq 0x0000920000000fff       ; 0x28 data16, limit 0x0fff
    dq 0x0000920000007fff       ; 0x30 stack16, limit 0x7fff
gdt_end:

    PM32_INIT 0x7000
    jmp 0x18:pm16
[bits 16]
pm16:
    mov ax, 0x20
    mov ds, ax
    mov es, ax
    mov ax, 0x30
    mov ss, ax
    mov sp, 0x7000
    mov word [ITER], 3
    xor dx, dx
.again:
    mov bx, 0x0ffe
    mov word [es:bx], 0x0101
    add dx, [es:bx]
    dec word [ITER]
    jnz .again
    TEST16_EQ dx, 0x0303, "16-bit protected mode: loop with memory operands"

    mov ax, 0x28
    mov es, ax
    mov bx, 0x0fff
    mov al, [es:bx]             ; the last byte: allowed
    EXPECT_FAULT16 .r1
.f1:
    mov ax, [es:bx]             ; a word across the limit
.r1:
    TEST16_EQ word [EXC_VEC], 13, "word across the ES limit: #GP"
    TEST16_EQ word [EXC_ERR], 0, "word across the ES limit: error code 0"
    TEST16_EQ word [EXC_EIP], .f1, "word across the ES limit: at the instruction"
    EXPECT_FAULT16 .r2
    mov bx, 0x1000
.f2:
    add [es:bx], al             ; read-modify-write past the limit
.r2:
    TEST16_EQ word [EXC_VEC], 13, "ADD m8 past the ES limit: #GP"
    TEST16_EQ word [EXC_EIP], .f2, "ADD m8 past the ES limit: at the instruction"
    mov bp, 0x7fff
    xor si, si
    EXPECT_FAULT16 .r3
.f3:
    mov ax, [bp+si]             ; SS, limit 0x7fff
.r3:
    TEST16_EQ word [EXC_VEC], 12, "[bp+si] across the SS limit: #SS"
    TEST16_EQ word [EXC_ERR], 0, "[bp+si] across the SS limit: error code 0"
    TEST16_EQ word [EXC_EIP], .f3, "[bp+si] across the SS limit: at the instruction"
    mov di, sp
    EXPECT_FAULT16 .r4
.f4:
    db 0xe9                     ; JMP rel16 to 0xf800, past CS.limit 0xefff
    dw (0xf800 - (.f4 - $$ + 3)) & 0xffff
.r4:
    TEST16_EQ word [EXC_VEC], 13, "JMP past CS.limit: #GP"
    TEST16_EQ word [EXC_EIP], .f4, "JMP past CS.limit: at the JMP"
    EXPECT_FAULT16 .r5
.f5:
    db 0xe8                     ; CALL rel16 to 0xf800
    dw (0xf800 - (.f5 - $$ + 3)) & 0xffff
.r5:
    TEST16_EQ word [EXC_VEC], 13, "CALL past CS.limit: #GP"
    TEST16_EQ word [EXC_EIP], .f5, "CALL past CS.limit: at the CALL"
    TEST16_EQ sp, di, "CALL past CS.limit: nothing pushed"
    push word 0xf800
    mov di, sp
    EXPECT_FAULT16 .r6
.f6:
    ret
.r6:
    TEST16_EQ word [EXC_VEC], 13, "RET past CS.limit: #GP"
    TEST16_EQ word [EXC_EIP], .f6, "RET past CS.limit: at the RET"
    TEST16_EQ sp, di, "RET past CS.limit: nothing popped"
    add sp, 2
    xor ax, ax                  ; ZF=1
    EXPECT_FAULT16 .r7
    db 0x0f, 0x85               ; JNE rel16 past CS.limit, not taken: no fault
    dw (0xf800 - ($ - $$ + 2)) & 0xffff
    TEST16_EQ word [EXC_VEC], 0xffff, "JNE past CS.limit not taken: no fault"
    xor ax, ax
.f7:
    db 0x0f, 0x84               ; JE rel16 past CS.limit, taken
    dw (0xf800 - (.f7 - $$ + 4)) & 0xffff
.r7:
    TEST16_EQ word [EXC_VEC], 13, "JE past CS.limit: #GP"
    TEST16_EQ word [EXC_EIP], .f7, "JE past CS.limit: at the JE"
    jmp tap_done16

; IP wrap (real mode), high end of the segment
    times 0xffc0 - ($ - $$) db 0xcc
wrap_hi:                        ; 0xffc0
    mov dx, 0x1111
.j: db 0xeb, (wrap_lo - (.j + 2)) & 0xff
    times 0xffd0 - ($ - $$) db 0xcc
wrap_hi2:                       ; 0xffd0
    add dx, 0x4444
    ret
    times 0xffe0 - ($ - $$) db 0xcc
wrap_hi3:                       ; 0xffe0
    inc dx
.j: db 0xe9
    dw (compute.after_wrap - (.j + 3)) & 0xffff
    times 0xfff0 - ($ - $$) db 0xcc
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
