; SPDX-License-Identifier: LGPL-2.1-or-later
; Exactness of the decoded-block run loop: what a guest sees when code
; runs from the decoded-instruction cache (straight-line runs of decodable
; 32-bit instructions) must be what the architecture says for one
; instruction at a time (Intel SDM vol. 3A ch. 6, 17.3; vol. 1 ch. 3).
; Each case runs in a loop, so its blocks are decoded and then re-run from
; the cache.
;  - a #PF, #GP and #SS raised by the Nth instruction of a block: the frame
;    holds that instruction's EIP and the error code, the instructions
;    before it are done (registers, memory, lazily kept flags), the ones
;    after it are not;
;  - faults in PUSH, CALL (stack writes at CPL 3, memory operands at CPL 0),
;    RET, LEAVE and read-modify-write ALU ops on a read-only page (WP=1):
;    ESP, EBP, memory and flags untouched;
;  - an INTR raised by an OUT in mid-block is taken right after the OUT;
;    one raised with IF=0 after STI and the one-instruction shadow; NMI;
;  - self-modifying code: a store that patches a later instruction of the
;    same block (immediate or opcode, byte/word/dword/RMW stores, through a
;    second linear alias of the page), and the next block in the same and
;    in another page;
;  - TF single-step inside a block (a trap after every instruction with the
;    next EIP), a DR0 execute breakpoint on the 5th instruction of a block,
;    a DR1 write breakpoint on the 3rd;
;  - segments: flat -> base != 0 / small limit -> flat again between
;    blocks, limit faults in mid-block, expand-down data (incl. the empty
;    range of limit 4G), read-only data, an execute-only code segment read
;    through CS:, a small SS limit (#SS), real mode after protected mode
;    (a reload sets base = sel << 4);
;  - effective addresses without a base and/or index ([disp32], SIB with
;    no base and no index, [index*s+disp32]) with every register non-zero.
; Instruction counts: port 0xF2 reads the number of instructions retired
; so far (a faulting instruction does not retire; delivering an exception
; or interrupt is not an instruction). Each case reads it with IN just
; before the block under test (N0, stored by the block's first
; instruction) and the handler reads it again after one PUSH, so the
; expected difference is 1 (the IN) + the instructions retired in the
; block before the event + 1 (the PUSH), counted by hand below.
    org 0
%include "lib.inc"

T0        equ 0x600             ; count read before the block
ICNT      equ 0x604             ; count read by a handler
IRQ_EIP   equ 0x608
IRQ_ECX   equ 0x60c
IRQ_EDX   equ 0x610
ITER      equ 0x614
DBN       equ 0x618
DBSTOP    equ 0x61c
TST       equ 0x620
EXC_CR2   equ 0x624
IRQ_N     equ 0x628
ESP_SAVE  equ 0x62c
IRQ_EBX   equ 0x630
DB_EIP    equ 0x634
DB_DR6    equ 0x638
ZA        equ 0x640             ; zero-register operands (0x640-0x67f)
REGS      equ 0x680             ; EAX ECX EDX EBX ESP EBP ESI EDI saved
DBARR     equ 0x800             ; #DB trap EIPs (64 entries)
W         equ 0x700             ; write-watched dword
ENV       equ 0x900             ; FNSTENV image

PD        equ 0x10000
PT        equ 0x11000
CODE_RAM  equ 0x20000           ; self-modifying code (copied from smc_blob)
CODE_RAM2 equ 0x21000
PG_NP     equ 0x300000          ; not present
PG_RO     equ 0x301000          ; read-only (CR0.WP=1)
PG_SUP    equ 0x302000          ; supervisor only
ALIAS     equ 0x305000          ; second linear address of CODE_RAM
SEGB      equ 0x50000           ; base of the based segments

EFL_ARITH equ 0x8d5             ; OF SF ZF AF PF CF
EFL_TF    equ 0x100
EFL_RF    equ 0x10000

; Save the general registers (not ESP) at REGS (DS must be flat).
%macro SAVE_REGS 0
    mov [REGS + 0], eax
    mov [REGS + 4], ecx
    mov [REGS + 8], edx
    mov [REGS + 12], ebx
    mov [REGS + 20], ebp
    mov [REGS + 24], esi
    mov [REGS + 28], edi
%endmacro
%define R_EAX_S [REGS + 0]
%define R_ECX_S [REGS + 4]
%define R_EDX_S [REGS + 8]
%define R_EBX_S [REGS + 12]
%define R_ESP_S [REGS + 16]
%define R_EBP_S [REGS + 20]
%define R_ESI_S [REGS + 24]
%define R_EDI_S [REGS + 28]

; TEST_COUNT expected, "text": ICNT - T0 (see the header)
%macro TEST_COUNT 2
    mov eax, [ICNT]
    sub eax, [T0]
    TEST_EQ eax, %1, %2
%endmacro

;  TEST_TODO value, expected, "text", "reason": like TEST_EQ, but a failure
;  is reported as a TAP TODO (a known bug, named in reason) so that make
;  check stays green until it is fixed; a pass is a plain "ok".
%macro TEST_TODO 4
    mov eax, %1
    cmp eax, %2
    jmp %%after
%%s: db %3, 0
%%r: db " # TODO ", %4, ": got ", 0
%%after:
    push esi
    mov esi, ROMBASE + %%s
    je %%ok
    push eax
    inc dword [TAP_COUNT]
    mov esi, ROMBASE + s_notok
    call print32
    mov eax, [TAP_COUNT]
    call num32
    mov esi, ROMBASE + s_dash
    call print32
    mov esi, ROMBASE + %%s
    call print32
    mov esi, ROMBASE + %%r
    call print32
    pop eax
    call hex32
    mov esi, ROMBASE + s_nl
    call print32
    jmp %%done
%%ok:
    call tap_ok32
%%done:
    pop esi
%endmacro

;  TEST16_TODO reg16 value, expected, "text", "reason": the same in real mode
%macro TEST16_TODO 4
    mov ax, %1
    cmp ax, %2
    jmp %%after
%%s: db %3, 0
%%r: db " # TODO ", %4, ": got ", 0
%%after:
    push si
    je %%ok
    push ax
    inc dword [TAP_COUNT]
    mov si, s_notok
    call print16
    call num16
    mov si, s_dash
    call print16
    mov si, %%s
    call print16
    mov si, %%r
    call print16
    pop ax
    movzx eax, ax
    call hex16_eax
    mov si, s_nl
    call print16
    jmp %%done
%%ok:
    mov si, %%s
    call tap_ok16
%%done:
    pop si
%endmacro

; Start of a counted block: N0 -> EAX (IN ends the previous block), then
; the block's first instruction stores it.
%macro COUNT_START 0
    in eax, 0xf2
    mov [T0], eax
%endmacro

%macro LOOP_START 1             ; run the following %1 times (till LOOP_END)
    mov dword [ITER], %1
%%top:
%define LOOP_TOP %%top
%endmacro
%macro LOOP_END 0
    dec dword [ITER]
    jnz LOOP_TOP
%endmacro

[bits 16]
start:
    REAL_INIT
    call rm_tests
    PM32_ENTER RAM
    FLAT_GDT
    dq 0x0000890030000067       ; 0x18 TSS (0x3000)
    dq 0x00cffa000000ffff       ; 0x20 code32 ring 3 (0x23)
    dq 0x00cff2000000ffff       ; 0x28 data32 ring 3 (0x2b)
    dq 0x0040920500000fff       ; 0x30 data, base 0x50000, limit 0xfff
    dq 0x0040960000000fff       ; 0x38 data expand-down, B=1, limit 0xfff
    dq 0x00cf98000000ffff       ; 0x40 code32 execute-only
    dq 0x00cf90000000ffff       ; 0x48 data read-only, flat
    dq 0x00009a0f0000ffff       ; 0x50 code16, base 0xf0000
    dq 0x000092000000ffff       ; 0x58 data16, base 0, limit 0xffff
    dq 0x0040920000008fff       ; 0x60 data (stack), base 0, limit 0x8fff
    dq 0x00cf96000000ffff       ; 0x68 data expand-down, G=1, limit 0xfffff
    dq 0x00cf92050000ffff       ; 0x70 data, base 0x50000, limit 4G
    dq 0                        ; 0x78 code32 with a small limit (set in pm32)
    dq 0x000092060000ffff       ; 0x80 data16 (stack, B=0), base 0x60000
    dq 0                        ; 0x88 code32, limit lim_end - 1 (set in pm32)
gdt_end:

    PM32_INIT
    fninit
    ; counting stubs for #SS, #GP, #PF
    mov eax, 12
    mov ebx, ROMBASE + cstub12
    mov dx, 0x8e00
    call set_gate32
    mov eax, 13
    mov ebx, ROMBASE + cstub13
    call set_gate32
    mov eax, 14
    mov ebx, ROMBASE + cstub14
    call set_gate32
    mov eax, 2
    mov ebx, ROMBASE + irq_rec
    call set_gate32
    mov eax, 0x40
    mov ebx, ROMBASE + irq_rec
    call set_gate32
    mov eax, 0x80
    mov ebx, ROMBASE + sys80
    mov dx, 0xee00
    call set_gate32
    ; TSS: ring-0 stack for faults at CPL 3
    mov edi, 0x3000
    mov ecx, 0x68 / 4
    xor eax, eax
    rep stosd
    mov dword [0x3004], 0x8000   ; below the ring-0 stack in use
    mov dword [0x3008], 0x10
    mov ax, 0x18
    ltr ax
    ; paging: identity, user pages, with PG_NP not present, PG_RO
    ; read-only, PG_SUP supervisor only, ALIAS -> CODE_RAM
    mov edi, PT
    mov eax, 0x007
    mov ecx, 1024
.pt: stosd
    add eax, 0x1000
    loop .pt
    mov dword [PD], PT | 7
    mov dword [PT + (PG_NP >> 12) * 4], 0
    mov dword [PT + (PG_RO >> 12) * 4], PG_RO | 5
    mov dword [PT + (PG_SUP >> 12) * 4], PG_SUP | 3
    mov dword [PT + (ALIAS >> 12) * 4], CODE_RAM | 7
    mov dword [PG_RO], 0x1000
    mov dword [PG_RO + 4], 0x1004
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80010000          ; PG, WP
    mov cr0, eax
    ; self-modifying code in RAM
    mov esi, ROMBASE + smc_blob
    mov edi, CODE_RAM
    mov ecx, smc_blob_end - smc_blob
    rep movsb
    mov dword [CODE_RAM2], 0x000000b8      ; mov eax, 0; ret
    mov dword [CODE_RAM2 + 4], 0x9090c300
    ; based-segment data
    mov dword [0x10], 0x11110010
    mov dword [SEGB + 0x10], 0xabcd0010
    mov dword [SEGB + 0x20], 0
    mov dword [SEGB + 0xffc], 0xabcd0ffc
    mov dword [SEGB + 0x17], 0xabcd0017
    ; 0x78: code32, base 0, byte-granular limit lim_end + 1 (the MOV at
    ; lim_end straddles it)
    mov eax, ROMBASE + lim_end + 1
    mov [0x1000 + 0x78], ax
    mov dword [0x1000 + 0x7a], 0x9a000000  ; base 0, type code r/x
    shr eax, 16
    or al, 0x40
    mov [0x1000 + 0x7e], al
    mov eax, ROMBASE + lim_end - 1
    mov [0x1000 + 0x88], ax
    mov dword [0x1000 + 0x8a], 0x9a000000
    shr eax, 16
    or al, 0x40
    mov [0x1000 + 0x8e], al

    call zero_reg_tests
    call pf_gp_tests
    call stack_alu_tests
    call ring3_tests
    call irq_tests
    call smc_tests
    call debug_tests
    call seg_tests
    call misc_tests
    call jcc_tests
    jmp real_mode_tests

; ---------------------------------------------------------------------
; (7) effective addresses with no base / no index: regs[] must not leak
zero_reg_tests:
    mov dword [ZA], 0x11223344
    mov dword [ZA + 4], 0
    mov dword [ZA + 8], 0x100
    mov dword [ZA + 12], 0x7fffffff
    mov dword [ZA + 16], 3
    mov dword [ZA + 24], ROMBASE + zr_func
    mov dword [ZA + 28], ROMBASE + zero_reg_tests.j0
    mov dword [ZA + 32], ROMBASE + zero_reg_tests.j1
    mov dword [SEGB + ZA + 7], 0x5e65e600
    LOOP_START 2
    mov eax, 1
    mov ecx, 2
    mov edx, 3
    mov ebx, 4
    mov ebp, 7
    mov esi, 5
    mov edi, 6
    mov edx, [ZA]                       ; ModRM [disp32]
    mov [REGS + 0], edx
    mov edx, 3
    db 0x8b, 0x14, 0x25                 ; mov edx, [disp32] through SIB (no base, no index)
    dd ZA
    mov [REGS + 4], edx
    db 0x8b, 0x14, 0xe5                 ; same with scale 8 on the absent index
    dd ZA
    mov [REGS + 8], edx
    mov edx, [ecx * 4 + ZA - 8]         ; index only (ECX = 2)
    mov [REGS + 12], edx
    lea edx, [eax * 8 + 0x1000]         ; index only: 0x1008
    mov [REGS + 16], edx
    lea edx, [0x1234]                   ; displacement only
    mov [REGS + 20], edx
    mov [ZA + 4], ecx                   ; store [disp32]
    add [ZA + 8], ebx                   ; RMW [disp32]: 0x104
    inc dword [ZA + 12]                 ; 0x80000000
    db 0x8b, 0x14, 0x2d                 ; mov edx, [EBP*1 + disp32]: index only
    dd ZA - 7
    mov [REGS + 24], edx
    TEST_EQ [REGS + 0], 0x11223344, "[disp32] load with EAX-EDI non-zero"
    TEST_EQ [REGS + 4], 0x11223344, "SIB without base and index"
    TEST_EQ [REGS + 8], 0x11223344, "SIB without base and index, scale 8"
    TEST_EQ [REGS + 12], 0x11223344, "[ECX*4+disp32]"
    TEST_EQ [REGS + 16], 0x1008, "LEA [EAX*8+disp32]"
    TEST_EQ [REGS + 20], 0x1234, "LEA [disp32]"
    TEST_EQ [ZA + 4], 2, "MOV [disp32], ECX"
    TEST_EQ [ZA + 8], 0x104, "ADD [disp32], EBX"
    TEST_EQ [ZA + 12], 0x80000000, "INC dword [disp32]"
    TEST_EQ [REGS + 24], 0x11223344, "[EBP*1+disp32]"
    mov dword [ZA + 8], 0x100
    mov dword [ZA + 12], 0x7fffffff
    ; the same with DS based at SEGB: [EBP*1+disp] uses DS, [EBP+disp] SS
    mov ax, 0x70
    mov ds, ax
    mov ebp, 7
    mov eax, 1
    mov edx, [nosplit ebp * 1 + ZA]     ; DS:ZA+7 -> SEGB + ZA + 7
    mov ecx, [ebp + ZA - 7]             ; SS:ZA -> ZA
    mov ebx, [ss:ebp + eax * 1 + ZA - 8] ; SS:ZA
    mov ax, 0x10
    mov ds, ax
    SAVE_REGS
    TEST_EQ R_EDX_S, 0x5e65e600, "[EBP*1+disp32] with no base defaults to DS"
    TEST_EQ R_ECX_S, 0x11223344, "[EBP+disp32] defaults to SS"
    TEST_EQ R_EBX_S, 0x11223344, "[EBP+EAX+disp8] SS"
    mov eax, 1
    mov ecx, 2
    mov edx, 3
    mov ebx, 4
    mov ebp, 7
    mov esi, 5
    mov edi, 6
    push dword [ZA]                     ; PUSH [disp32]
    pop edx
    mov [REGS + 0], edx
    cmp dword [ZA], 0x11223344          ; CMP [disp32], imm32
    setz dl
    movzx edx, dl
    mov [REGS + 4], edx
    movzx edx, byte [ZA]                ; MOVZX [disp32]
    mov [REGS + 8], edx
    mov edx, 5
    imul edx, [ZA + 16]                 ; IMUL [disp32]: 15
    mov [REGS + 12], edx
    mov edx, 0xffffffff
    mov dx, [ZA]                        ; 16-bit MOV [disp32]
    mov [REGS + 16], edx
    xor edx, edx
    cmovz edx, [ZA]                     ; CMOVZ [disp32]
    mov [REGS + 20], edx
    mov edx, 3
    call [ZA + 24]                      ; CALL [disp32]: EDX = 0x600d
    mov [REGS + 24], edx
    mov ecx, 2
    jmp [ecx * 4 + ZA + 20]             ; JMP [ECX*4+disp32] -> .j0
.j1:
    mov edx, 0xbad
    jmp .j2
.j0:
    mov edx, 0x900d
.j2:
    mov [REGS + 28], edx
    fild dword [ZA]                     ; x87 memory operand [disp32]
    fistp dword [ZA + 20]
    TEST_EQ [REGS + 0], 0x11223344, "PUSH [disp32]"
    TEST_EQ [REGS + 4], 1, "CMP [disp32], imm32"
    TEST_EQ [REGS + 8], 0x44, "MOVZX r32, byte [disp32]"
    TEST_EQ [REGS + 12], 15, "IMUL r32, [disp32]"
    TEST_EQ [REGS + 16], 0xffff3344, "MOV r16, [disp32]"
    TEST_EQ [REGS + 20], 0x11223344, "CMOVZ r32, [disp32]"
    TEST_EQ [REGS + 24], 0x600d, "CALL [disp32]"
    TEST_EQ [REGS + 28], 0x900d, "JMP [ECX*4+disp32]"
    TEST_EQ [ZA + 20], 0x11223344, "FILD/FISTP [disp32]"
    LOOP_END
    ret

zr_func:
    mov edx, 0x600d
    ret

; ---------------------------------------------------------------------
; (1) #PF, #GP and #SS by the Nth instruction of a straight-line block
pf_gp_tests:
    LOOP_START 2
    mov ebx, 0xb0b0b0b0
    mov ecx, 0xc0c0c0c0
    mov edx, 0xd0d0d0d0
    mov esi, 0x05151515
    mov edi, 0xd1d1d1d1
    mov ebp, 0xbbbbbbbb
    mov dword [TST], 0
    EXPECT_FAULT .pf1r
    COUNT_START
    mov ebx, 0x11111111         ; 2
    add ecx, 0x01010101         ; 3: 0xc1c1c1c1
    lea edx, [ebx + ecx * 2]    ; 4: 0x94949493
    mov dword [TST], 0x12345678 ; 5
    mov eax, 0xffffffff         ; 6
    add eax, 1                  ; 7: 0, CF ZF AF PF
.pf1:
    mov esi, [PG_NP + 0x234]    ; 8: #PF
    mov edi, 0x22222222
    add ebp, 1
    mov dword [TST], 0
.pf1r:
    SAVE_REGS
    TEST_EQ [EXC_VEC], 14, "block, 8th instruction: #PF"
    TEST_EQ [EXC_ERR], 0, "block #PF: error code 0 (read, not present)"
    TEST_EQ [EXC_EIP], ROMBASE + .pf1, "block #PF: EIP of the faulting instruction"
    TEST_EQ [EXC_CR2], PG_NP + 0x234, "block #PF: CR2"
    TEST_COUNT 9, "block #PF: instruction count at the handler"
    TEST_EQ R_EBX_S, 0x11111111, "block #PF: 2nd instruction done"
    TEST_EQ R_ECX_S, 0xc1c1c1c1, "block #PF: 3rd instruction done"
    TEST_EQ R_EDX_S, 0x94949493, "block #PF: 4th instruction done"
    TEST_EQ [TST], 0x12345678, "block #PF: 5th instruction's store done"
    TEST_EQ R_EAX_S, 0, "block #PF: 7th instruction done"
    mov eax, [EXC_EFL]
    and eax, EFL_ARITH
    TEST_EQ eax, 0x55, "block #PF: flags of the 7th instruction in the frame"
    TEST_EQ R_ESI_S, 0x05151515, "block #PF: faulting load not done"
    TEST_EQ R_EDI_S, 0xd1d1d1d1, "block #PF: 9th instruction not done"
    TEST_EQ R_EBP_S, 0xbbbbbbbb, "block #PF: 10th instruction not done"

    ; a write to a not-present page, 4th instruction
    mov ebx, 0xb0b0b0b0
    mov ecx, 0xc0c0c0c0
    EXPECT_FAULT .pf2r
    COUNT_START
    mov ebx, 0x22               ; 2
    inc ecx                     ; 3
.pf2:
    mov [PG_NP + 0xffc], ebx    ; 4: #PF
    mov ebx, 0x33
    inc ecx
.pf2r:
    SAVE_REGS
    TEST_EQ [EXC_VEC], 14, "block, 4th instruction: #PF on a write"
    TEST_EQ [EXC_ERR], 2, "block write #PF: error code 2"
    TEST_EQ [EXC_EIP], ROMBASE + .pf2, "block write #PF: EIP"
    TEST_EQ [EXC_CR2], PG_NP + 0xffc, "block write #PF: CR2"
    TEST_COUNT 5, "block write #PF: instruction count"
    TEST_EQ R_EBX_S, 0x22, "block write #PF: earlier MOV done, later not"
    TEST_EQ R_ECX_S, 0xc0c0c0c1, "block write #PF: one INC done"

    ; #GP: a limit violation through ES (limit 0xfff), 6th instruction
    mov ax, 0x30
    mov es, ax
    mov ebx, 0xb0b0b0b0
    mov ecx, 0xc0c0c0c0
    mov edx, 0xd0d0d0d0
    EXPECT_FAULT .gp1r
    COUNT_START
    mov ebx, [es:0xffc]         ; 2: SEGB + 0xffc
    mov ecx, [es:0x10]          ; 3: SEGB + 0x10
    sub edx, 0x10               ; 4
    mov eax, 0x7fffffff         ; 5
.gp1:
    mov esi, [es:0xffd]         ; 6: #GP(0), the dword crosses the limit
    mov edx, 0
    mov ebx, 0
.gp1r:
    SAVE_REGS
    mov ax, 0x10
    mov es, ax
    TEST_EQ [EXC_VEC], 13, "block, 6th instruction: #GP (ES limit)"
    TEST_EQ [EXC_ERR], 0, "block #GP: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .gp1, "block #GP: EIP of the faulting instruction"
    TEST_COUNT 7, "block #GP: instruction count at the handler"
    TEST_EQ R_EBX_S, 0xabcd0ffc, "block #GP: load at ES:0xffc done"
    TEST_EQ R_ECX_S, 0xabcd0010, "block #GP: load at ES:0x10 done"
    TEST_EQ R_EDX_S, 0xd0d0d0c0, "block #GP: SUB done, later MOV not"
    TEST_EQ R_EAX_S, 0x7fffffff, "block #GP: 5th instruction done"

    ; #GP: a write through a read-only data segment (GS), 3rd instruction
    mov ax, 0x48
    mov gs, ax
    mov dword [TST], 0x77
    EXPECT_FAULT .gp2r
    COUNT_START
    mov ecx, [gs:TST]           ; 2: readable
.gp2:
    mov [gs:TST], eax           ; 3: #GP(0)
    mov ecx, 0
.gp2r:
    SAVE_REGS
    mov ax, 0x10
    mov gs, ax
    TEST_EQ [EXC_VEC], 13, "block, write to a read-only segment: #GP"
    TEST_EQ [EXC_ERR], 0, "read-only segment: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .gp2, "read-only segment: EIP"
    TEST_COUNT 4, "read-only segment: instruction count"
    TEST_EQ R_ECX_S, 0x77, "read-only segment: the read before it done"
    TEST_EQ [TST], 0x77, "read-only segment: memory unchanged"

    ; #SS: [EBP] past a small SS limit, 4th instruction
    mov ebp, 0x9000
    mov ebx, 0xb0b0b0b0
    mov ecx, 0xc0c0c0c0
    mov [ESP_SAVE], esp
    mov ax, 0x60
    mov ss, ax
    mov esp, [ESP_SAVE]
    EXPECT_FAULT .ss1r
    COUNT_START
    mov ebx, [ebp - 4]          ; 2: SS:0x8ffc, inside
    mov ecx, 0x5555             ; 3
.ss1:
    mov edx, [ebp]              ; 4: #SS(0)
    mov ecx, 0
.ss1r:
    SAVE_REGS
    mov ax, 0x10
    mov ss, ax
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_VEC], 12, "block, [EBP] past the SS limit: #SS"
    TEST_EQ [EXC_ERR], 0, "block #SS: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .ss1, "block #SS: EIP"
    TEST_COUNT 5, "block #SS: instruction count"
    TEST_EQ R_ECX_S, 0x5555, "block #SS: 3rd instruction done, 5th not"
    LOOP_END
    ret

; ---------------------------------------------------------------------
; (2) RET, LEAVE, PUSH [m], CALL [m] and RMW ALU faults at CPL 0
stack_alu_tests:
    LOOP_START 2
    ; RET with ESP at the start of a not-present page (the frame goes below)
    mov [ESP_SAVE], esp
    mov ebx, 0xb0b0b0b0
    EXPECT_FAULT .r1r
    COUNT_START
    mov ebx, 1                  ; 2
    mov esp, PG_NP              ; 3
.r1:
    ret                         ; 4: #PF
.r1r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    SAVE_REGS
    TEST_EQ [EXC_VEC], 14, "RET from a not-present page: #PF"
    TEST_EQ [EXC_ERR], 0, "RET #PF: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .r1, "RET #PF: EIP of the RET"
    TEST_EQ [EXC_CR2], PG_NP, "RET #PF: CR2"
    TEST_EQ R_ESP_S, PG_NP, "RET #PF: ESP unchanged"
    TEST_COUNT 5, "RET #PF: instruction count"

    ; RET imm16 likewise
    mov [ESP_SAVE], esp
    EXPECT_FAULT .r2r
    COUNT_START
    mov esp, PG_NP              ; 2
.r2:
    ret 8                       ; 3: #PF
.r2r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_VEC], 14, "RET imm16: #PF"
    TEST_EQ [EXC_EIP], ROMBASE + .r2, "RET imm16: EIP"
    TEST_EQ R_ESP_S, PG_NP, "RET imm16: ESP unchanged"
    TEST_COUNT 4, "RET imm16: instruction count"

    ; LEAVE with EBP in a not-present page
    mov [ESP_SAVE], esp
    mov ebp, 0xbbbbbbbb
    EXPECT_FAULT .l1r
    COUNT_START
    mov ecx, 3                  ; 2
    mov ebp, PG_NP + 0x40       ; 3
.l1:
    leave                       ; 4: #PF
    mov ecx, 4
.l1r:
    mov [REGS + 16], esp
    SAVE_REGS
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_VEC], 14, "LEAVE: #PF"
    TEST_EQ [EXC_ERR], 0, "LEAVE: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .l1, "LEAVE: EIP"
    TEST_EQ [EXC_CR2], PG_NP + 0x40, "LEAVE: CR2"
    mov eax, [ESP_SAVE]
    TEST_EQ R_ESP_S, eax, "LEAVE: ESP unchanged"
    TEST_EQ R_EBP_S, PG_NP + 0x40, "LEAVE: EBP unchanged"
    TEST_EQ R_ECX_S, 3, "LEAVE: the instruction after it not done"
    TEST_COUNT 5, "LEAVE: instruction count"

    ; PUSH [m] and CALL [m] with the operand in a not-present page
    mov [ESP_SAVE], esp
    EXPECT_FAULT .pm1r
    COUNT_START
    mov ecx, 5                  ; 2
.pm1:
    push dword [PG_NP + 8]      ; 3: #PF
    mov ecx, 6
.pm1r:
    mov [REGS + 16], esp
    SAVE_REGS
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_VEC], 14, "PUSH [m]: #PF"
    TEST_EQ [EXC_EIP], ROMBASE + .pm1, "PUSH [m]: EIP"
    TEST_EQ [EXC_CR2], PG_NP + 8, "PUSH [m]: CR2"
    mov eax, [ESP_SAVE]
    TEST_EQ R_ESP_S, eax, "PUSH [m]: ESP unchanged"
    TEST_EQ R_ECX_S, 5, "PUSH [m]: the instruction after it not done"
    TEST_COUNT 4, "PUSH [m]: instruction count"
    EXPECT_FAULT .cm1r
    COUNT_START
    mov ecx, 7                  ; 2
.cm1:
    call [PG_NP + 0x10]         ; 3: #PF
.cm1r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_VEC], 14, "CALL [m]: #PF"
    TEST_EQ [EXC_EIP], ROMBASE + .cm1, "CALL [m]: EIP"
    mov eax, [ESP_SAVE]
    TEST_EQ R_ESP_S, eax, "CALL [m]: ESP unchanged"
    TEST_COUNT 4, "CALL [m]: instruction count"

    ; ADD [m], r on a read-only page (CR0.WP=1): memory and flags untouched
    EXPECT_FAULT .a1r
    COUNT_START
    mov ebx, 5                  ; 2
    mov ecx, 0x80000000         ; 3
    add ecx, ecx                ; 4: 0, CF ZF PF OF
.a1:
    add [PG_RO], ebx            ; 5: #PF
    mov edx, 9
.a1r:
    TEST_EQ [EXC_VEC], 14, "ADD [m], r on a read-only page: #PF"
    TEST_EQ [EXC_ERR], 3, "ADD [m], r: error code 3 (write, present)"
    TEST_EQ [EXC_EIP], ROMBASE + .a1, "ADD [m], r: EIP"
    TEST_EQ [EXC_CR2], PG_RO, "ADD [m], r: CR2"
    TEST_EQ [PG_RO], 0x1000, "ADD [m], r: memory unchanged"
    mov eax, [EXC_EFL]
    and eax, EFL_ARITH
    TEST_EQ eax, 0x845, "ADD [m], r: flags of the previous ADD in the frame"
    TEST_COUNT 6, "ADD [m], r: instruction count"
    ; ADD [m], imm8 / SUB byte [m], imm8 / INC [m] / ADC byte [m], r8 / MOV
    EXPECT_FAULT .a2r
    COUNT_START
    mov ecx, 1                  ; 2
.a2:
    add dword [PG_RO + 4], 7    ; 3: #PF
.a2r:
    TEST_EQ [EXC_EIP], ROMBASE + .a2, "ADD [m], imm8: EIP"
    TEST_EQ [EXC_ERR], 3, "ADD [m], imm8: error code 3"
    TEST_EQ [PG_RO + 4], 0x1004, "ADD [m], imm8: memory unchanged"
    TEST_COUNT 4, "ADD [m], imm8: instruction count"
    EXPECT_FAULT .a3r
    COUNT_START
    mov ecx, 1                  ; 2
    mov edx, 2                  ; 3
.a3:
    sub byte [PG_RO + 1], 1     ; 4: #PF
.a3r:
    TEST_EQ [EXC_EIP], ROMBASE + .a3, "SUB byte [m], imm8: EIP"
    TEST_EQ [PG_RO], 0x1000, "SUB byte [m], imm8: memory unchanged"
    TEST_COUNT 5, "SUB byte [m], imm8: instruction count"
    EXPECT_FAULT .a4r
    COUNT_START
.a4:
    inc dword [PG_RO]           ; 2: #PF
.a4r:
    TEST_EQ [EXC_EIP], ROMBASE + .a4, "INC [m]: EIP"
    TEST_EQ [PG_RO], 0x1000, "INC [m]: memory unchanged"
    TEST_COUNT 3, "INC [m]: instruction count"
    EXPECT_FAULT .a5r
    COUNT_START
    mov bl, 0x10                ; 2
    stc                         ; 3 (generic: ends the block)
.a5:
    adc [PG_RO + 1], bl         ; 4: #PF
.a5r:
    TEST_EQ [EXC_EIP], ROMBASE + .a5, "ADC byte [m], r8: EIP"
    TEST_EQ [PG_RO], 0x1000, "ADC byte [m], r8: memory unchanged"
    TEST_COUNT 5, "ADC byte [m], r8: instruction count"
    EXPECT_FAULT .a6r
    COUNT_START
    mov ebx, 0x66               ; 2
.a6:
    mov [PG_RO + 4], ebx        ; 3: #PF
.a6r:
    TEST_EQ [EXC_EIP], ROMBASE + .a6, "MOV [m], r to a read-only page: EIP"
    TEST_EQ [EXC_ERR], 3, "MOV [m], r: error code 3"
    TEST_EQ [PG_RO + 4], 0x1004, "MOV [m], r: memory unchanged"
    TEST_COUNT 4, "MOV [m], r: instruction count"
    ; CMP [m], r only reads: no fault
    EXPECT_FAULT .a7r
    mov ebx, 0x1000
    cmp [PG_RO], ebx
    setz cl
.a7r:
    mov dword [RECOVER], 0
    TEST_EQ [EXC_VEC], 0xffffffff, "CMP [m], r on a read-only page: no fault"
    movzx eax, cl
    TEST_EQ eax, 1, "CMP [m], r on a read-only page: ZF"
    LOOP_END
    ret

; ---------------------------------------------------------------------
; (2) PUSH, PUSH imm and CALL with the stack in a not-present page (CPL 3,
; so the fault is delivered on the ring-0 stack)
ring3_tests:
    mov ebx, ROMBASE + ring3_code
    mov edx, 0x3002             ; IOPL 3
    call to_ring3
    ret

ring3_code:
    mov ax, 0x2b
    mov ds, ax
    mov es, ax
    LOOP_START 2
    mov [ESP_SAVE], esp
    mov ebx, 0xb0b0b0b0
    mov ecx, 0xc0c0c0c0
    EXPECT_FAULT .p1r
    mov esp, PG_NP + 0x1000
    COUNT_START
    mov ebx, 0x1b               ; 2
.p1:
    push ebx                    ; 3: #PF
    mov ecx, 0x1c
.p1r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    SAVE_REGS
    TEST_EQ [EXC_VEC], 14, "CPL 3 PUSH into a not-present page: #PF"
    TEST_EQ [EXC_ERR], 6, "PUSH #PF: error code 6 (user write)"
    TEST_EQ [EXC_EIP], ROMBASE + .p1, "PUSH #PF: EIP of the PUSH"
    TEST_EQ [EXC_CR2], PG_NP + 0xffc, "PUSH #PF: CR2"
    TEST_EQ R_ESP_S, PG_NP + 0x1000, "PUSH #PF: ESP unchanged"
    TEST_EQ R_EBX_S, 0x1b, "PUSH #PF: the MOV before it done"
    TEST_EQ R_ECX_S, 0xc0c0c0c0, "PUSH #PF: the MOV after it not done"
    TEST_COUNT 4, "PUSH #PF: instruction count"
    EXPECT_FAULT .p2r
    mov esp, PG_NP + 0x1000
    COUNT_START
    mov ecx, 1                  ; 2
    mov edx, 2                  ; 3
.p2:
    push 0x55                   ; 4: #PF
.p2r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_EIP], ROMBASE + .p2, "PUSH imm8 #PF: EIP"
    TEST_EQ [EXC_ERR], 6, "PUSH imm8 #PF: error code 6"
    TEST_EQ R_ESP_S, PG_NP + 0x1000, "PUSH imm8 #PF: ESP unchanged"
    TEST_COUNT 5, "PUSH imm8 #PF: instruction count"
    mov dword [TST], 0
    EXPECT_FAULT .c1r
    mov esp, PG_NP + 0x1000
    COUNT_START
    mov ecx, 1                  ; 2
.c1:
    call .callee                ; 3: #PF
.c1r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_VEC], 14, "CALL with the stack in a not-present page: #PF"
    TEST_EQ [EXC_EIP], ROMBASE + .c1, "CALL #PF: EIP of the CALL"
    TEST_EQ [EXC_ERR], 6, "CALL #PF: error code 6"
    TEST_EQ R_ESP_S, PG_NP + 0x1000, "CALL #PF: ESP unchanged"
    TEST_EQ [TST], 0, "CALL #PF: the target did not run"
    TEST_COUNT 4, "CALL #PF: instruction count"
    ; a supervisor-only page: error code 7 (user write, present)
    EXPECT_FAULT .c2r
    mov esp, PG_SUP + 0x800
    COUNT_START
.c2:
    call .callee                ; 2: #PF
.c2r:
    mov [REGS + 16], esp
    mov esp, [ESP_SAVE]
    TEST_EQ [EXC_ERR], 7, "CALL with the stack in a supervisor page: error code 7"
    TEST_EQ [EXC_EIP], ROMBASE + .c2, "CALL into a supervisor page: EIP"
    TEST_EQ R_ESP_S, PG_SUP + 0x800, "CALL into a supervisor page: ESP unchanged"
    TEST_COUNT 3, "CALL into a supervisor page: instruction count"
    LOOP_END
    int 0x80
.callee:
    mov dword [TST], 1
    ret

; Run EBX at CPL 3 with EFLAGS EDX; INT 0x80 there comes back here.
to_ring3:
    pop eax
    mov [RESUME0], eax
    mov [KSTACK_SAVE], esp
    push dword 0x2b
    push dword 0xa000
    push edx
    push dword 0x23
    push ebx
    iretd

sys80:
    mov esp, [KSTACK_SAVE]
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    jmp [RESUME0]

; ---------------------------------------------------------------------
; (3) INTR raised by OUT 0xF0 in mid-block; with IF=0, after STI + 1; NMI
irq_tests:
    LOOP_START 2
    mov dword [IRQ_N], 0
    sti
    mov ecx, 0xc
    mov edx, 0xd
    COUNT_START
    mov ecx, 1                  ; 2
    mov al, 0x40                ; 3
    out 0xf0, al                ; 4: INTR, taken after it
.o1n:
    mov edx, 2
    cli
    TEST_EQ [IRQ_N], 1, "INTR from OUT in mid-block: taken once"
    TEST_EQ [IRQ_EIP], ROMBASE + .o1n, "INTR from OUT: return EIP is the next instruction"
    TEST_EQ [IRQ_ECX], 1, "INTR from OUT: instruction before it done"
    TEST_EQ [IRQ_EDX], 0xd, "INTR from OUT: instruction after it not done"
    TEST_COUNT 6, "INTR from OUT: instruction count at the handler"

    ; IF=0: held until STI and one more instruction
    mov dword [IRQ_N], 0
    mov ebx, 0xb
    mov ecx, 0xc
    mov edx, 0xd
    COUNT_START
    mov al, 0x40                ; 2
    out 0xf0, al                ; 3: INTR held (IF=0)
    mov ebx, 1                  ; 4
    sti                         ; 5
    mov ecx, 2                  ; 6: the STI shadow
.s1n:
    mov edx, 3
    cli
    TEST_EQ [IRQ_N], 1, "INTR with IF=0: taken once after STI"
    TEST_EQ [IRQ_EIP], ROMBASE + .s1n, "INTR with IF=0: taken after STI and one instruction"
    TEST_EQ [IRQ_EBX], 1, "INTR with IF=0: MOV before STI done"
    TEST_EQ [IRQ_ECX], 2, "INTR with IF=0: the shadow instruction done"
    TEST_EQ [IRQ_EDX], 0xd, "INTR with IF=0: the one after not done"
    TEST_COUNT 8, "INTR after STI: instruction count at the handler"

    ; NMI from OUT 0xF1 with IF=0
    mov dword [IRQ_N], 0
    mov ecx, 0xc
    mov edx, 0xd
    COUNT_START
    mov ecx, 1                  ; 2
    out 0xf1, al                ; 3: NMI
.n1n:
    mov edx, 2
    TEST_EQ [IRQ_N], 1, "NMI from OUT in mid-block: taken once"
    TEST_EQ [IRQ_EIP], ROMBASE + .n1n, "NMI from OUT: return EIP is the next instruction"
    TEST_EQ [IRQ_ECX], 1, "NMI from OUT: instruction before it done"
    TEST_EQ [IRQ_EDX], 0xd, "NMI from OUT: instruction after it not done"
    TEST_COUNT 5, "NMI from OUT: instruction count at the handler"
    LOOP_END
    ret

; ---------------------------------------------------------------------
; (4) self-modifying code (run from CODE_RAM)
smc_tests:
    LOOP_START 3
    mov ecx, [ITER]             ; 3, 2, 1
    add ecx, 0x40
    mov ebx, CODE_RAM + (smc1 - smc_blob)
    call ebx
    mov ecx, [ITER]
    add ecx, 0x40
    TEST_EQ eax, ecx, "SMC: byte store patches an immediate later in the same block"
    mov eax, 0x100
    mov ebx, [ITER]
    mov bl, [ROMBASE + smc2_ops - 1 + ebx]
    mov ecx, CODE_RAM + (smc2 - smc_blob)
    call ecx
    mov ebx, [ITER]
    mov ebx, [ROMBASE + smc2_res - 4 + ebx * 4]
    TEST_EQ eax, ebx, "SMC: byte store patches the opcode of the next instruction"
    mov ecx, [ITER]
    shl ecx, 20
    add ecx, 0x1234
    mov ebx, CODE_RAM + (smc3 - smc_blob)
    call ebx
    TEST_EQ eax, ecx, "SMC: dword store patches the next block (same page)"
    mov ecx, [ITER]
    shl ecx, 16
    add ecx, 0x4321
    mov ebx, CODE_RAM + (smc4 - smc_blob)
    call ebx
    TEST_EQ eax, ecx, "SMC: dword store patches the next block (other page)"
    mov ecx, [ITER]
    add ecx, 0x70
    mov ebx, CODE_RAM + (smc5 - smc_blob)
    call ebx
    mov ecx, [ITER]
    add ecx, 0x70
    TEST_EQ eax, ecx, "SMC: store through a second linear alias of the page"
    mov ecx, [ITER]
    add ecx, 0x5a00
    mov ebx, CODE_RAM + (smc6 - smc_blob)
    call ebx
    mov ecx, [ITER]
    add ecx, 0x5a00
    TEST_EQ eax, ecx, "SMC: word store patches the same block"
    mov ebx, CODE_RAM + (smc7 - smc_blob)
    call ebx
    mov ecx, 4
    sub ecx, [ITER]
    TEST_EQ eax, ecx, "SMC: ADD [m], imm patches the same block"
    ; a dword store that crosses from CODE_RAM's page into CODE_RAM2's,
    ; patching the first immediate byte there (the block at CODE_RAM2 was
    ; decoded by smc4 / the previous pass)
    mov ebx, CODE_RAM2
    call ebx
    mov ecx, [ITER]
    add ecx, 0xa0
    shl ecx, 24
    or ecx, 0x00b89090          ; 90 90 | b8 imm0
    mov [CODE_RAM2 - 2], ecx
    mov ebx, CODE_RAM2
    call ebx
    mov ecx, [ITER]
    add ecx, 0xa0
    movzx eax, al
    TEST_EQ eax, ecx, "SMC: a store crossing into the next page patches code there"
    LOOP_END
    ret

smc2_ops: db 0x40, 0x90, 0x48           ; ITER 1, 2, 3: INC, NOP, DEC EAX
smc2_res: dd 0x102, 0x101, 0x100

; Copied to CODE_RAM; addresses inside it are CODE_RAM + (label - smc_blob).
align 16
smc_blob:
smc1:                           ; CL: new immediate byte
    mov [CODE_RAM + (smc1.ins + 1 - smc_blob)], cl
    mov edx, 0
    inc edx
.ins:
    mov eax, 0
    ret
smc2:                           ; BL: new opcode for .op
    mov [CODE_RAM + (smc2.op - smc_blob)], bl
.op:
    inc eax
    inc eax
    ret
smc3:                           ; ECX: new immediate
    mov [CODE_RAM + (smc3.nb + 1 - smc_blob)], ecx
    jmp .nb
.nb:
    mov eax, 0
    ret
smc4:                           ; ECX: new immediate of CODE_RAM2
    mov [CODE_RAM2 + 1], ecx
    mov ebx, CODE_RAM2
    jmp ebx
smc5:                           ; CL, written through ALIAS
    mov [ALIAS + (smc5.ins + 1 - smc_blob)], cl
    nop
.ins:
    mov eax, 0
    ret
smc6:                           ; CX, 16-bit store
    mov [CODE_RAM + (smc6.ins + 1 - smc_blob)], cx
    mov edx, 1
.ins:
    mov eax, 0
    ret
smc7:                           ; counts its calls in its own immediate
    add dword [CODE_RAM + (smc7.ins + 1 - smc_blob)], 1
    nop
.ins:
    mov eax, 0
    ret
smc_blob_end:

; ---------------------------------------------------------------------
; (5) TF single-step in a block; DR0 execute and DR1 write breakpoints
debug_tests:
    mov eax, 1
    mov ebx, ROMBASE + db_step
    mov dx, 0x8e00
    call set_gate32
    LOOP_START 2
    mov dword [DBN], 0
    mov dword [DBSTOP], ROMBASE + .tstop
    mov ecx, 2
    pushfd
    or dword [esp], EFL_TF
    popfd                       ; the trap comes after the next instruction
.t0:
    mov eax, 1
.t1:
    add eax, ecx
.t2:
    mov [TST], eax
.t3:
    lea ebx, [eax + 4]
.t4:
    dec ecx
.t5:
    jnz .t0
.tstop:
    SAVE_REGS
    TEST_EQ [DBN], 12, "TF: 12 traps for 12 instructions"
    TEST_EQ [DBARR + 0], ROMBASE + .t1, "TF trap 1: EIP of the next instruction"
    TEST_EQ [DBARR + 4], ROMBASE + .t2, "TF trap 2"
    TEST_EQ [DBARR + 8], ROMBASE + .t3, "TF trap 3"
    TEST_EQ [DBARR + 12], ROMBASE + .t4, "TF trap 4"
    TEST_EQ [DBARR + 16], ROMBASE + .t5, "TF trap 5"
    TEST_EQ [DBARR + 20], ROMBASE + .t0, "TF trap 6: after the taken JNZ"
    TEST_EQ [DBARR + 24], ROMBASE + .t1, "TF trap 7"
    TEST_EQ [DBARR + 28], ROMBASE + .t2, "TF trap 8"
    TEST_EQ [DBARR + 32], ROMBASE + .t3, "TF trap 9"
    TEST_EQ [DBARR + 36], ROMBASE + .t4, "TF trap 10"
    TEST_EQ [DBARR + 40], ROMBASE + .t5, "TF trap 11"
    TEST_EQ [DBARR + 44], ROMBASE + .tstop, "TF trap 12: after the JNZ not taken"
    TEST_EQ R_EAX_S, 2, "TF: results (EAX)"
    TEST_EQ R_EBX_S, 6, "TF: results (EBX)"
    TEST_EQ [TST], 2, "TF: results (store)"
    LOOP_END

    ; TF and MOV SS (SDM vol. 3A 6.8.3): the trap after MOV SS waits for
    ; the next instruction
    mov dword [DBN], 0
    mov dword [DBSTOP], ROMBASE + .mstop
    mov eax, ss
    pushfd
    or dword [esp], EFL_TF
    popfd
.m0:
    mov edx, 1
.m1:
    mov ss, ax
.m2:
    mov esp, esp
.m3:
    nop
.mstop:
    TEST_EQ [DBARR + 0], ROMBASE + .m1, "TF: trap after the instruction before MOV SS"
    TEST_EQ [DBARR + 4], ROMBASE + .m3, "TF: no trap right after MOV SS, one after the next"
    TEST_EQ [DBN], 3, "TF over MOV SS: 3 traps"

    ; DR0 on the 5th instruction of a block
    mov eax, 1
    mov ebx, ROMBASE + db_exec
    mov dx, 0x8e00
    call set_gate32
    mov dword [DBN], 0
    LOOP_START 2
    xor eax, eax
    mov dr6, eax
    mov eax, ROMBASE + .bp5
    mov dr0, eax
    mov eax, 1                  ; L0, R/W 00, LEN 00
    mov dr7, eax
    mov ebx, 0xb
    mov ecx, 0xc
    mov edx, 0xd
    COUNT_START
    mov ebx, 1                  ; 2
    mov ecx, 2                  ; 3
    add ebx, ecx                ; 4
.bp5:
    mov edx, 5                  ; 5: #DB before it
    mov ecx, 7
    SAVE_REGS
    xor eax, eax
    mov dr7, eax
    TEST_EQ [DB_EIP], ROMBASE + .bp5, "DR0 on the 5th instruction: #DB with its EIP"
    TEST_EQ [IRQ_EBX], 3, "DR0: the 4 instructions before it done"
    TEST_EQ [IRQ_EDX], 0xd, "DR0: the instruction not done at the #DB"
    TEST_EQ [DB_DR6], 1, "DR0: DR6.B0"
    TEST_COUNT 6, "DR0: instruction count at the handler"
    TEST_EQ R_EDX_S, 5, "DR0: the instruction runs after IRET with RF"
    TEST_EQ R_ECX_S, 7, "DR0: the block goes on"
    LOOP_END
    TEST_EQ [DBN], 2, "DR0: one #DB per pass"

    ; DR1 write breakpoint hit by the 3rd instruction of a block
    mov dword [DBN], 0
    LOOP_START 2
    xor eax, eax
    mov dr6, eax
    mov eax, W
    mov dr1, eax
    mov eax, (1 << 2) | (1 << 20) | (3 << 22)  ; L1, R/W 01, LEN 4
    mov dr7, eax
    mov ebx, 0xb
    mov ecx, 0xc
    mov edx, 0xd
    COUNT_START
    mov ebx, 1                  ; 2
.dw3:
    mov [W], ebx                ; 3: #DB trap after it
.dw4:
    mov edx, 4
    mov ecx, 5
    SAVE_REGS
    xor eax, eax
    mov dr7, eax
    TEST_EQ [DB_EIP], ROMBASE + .dw4, "DR1 write: trap with the next EIP"
    TEST_EQ [IRQ_EDX], 0xd, "DR1 write: the next instruction not done at the trap"
    TEST_EQ [DB_DR6], 2, "DR1 write: DR6.B1"
    TEST_COUNT 5, "DR1 write: instruction count at the handler"
    TEST_EQ [W], 1, "DR1 write: the write done"
    TEST_EQ R_EDX_S, 4, "DR1 write: the block goes on"
    LOOP_END
    TEST_EQ [DBN], 2, "DR1 write: one #DB per pass"
    ret

; ---------------------------------------------------------------------
; (6) segments: flat -> based / limited -> flat between blocks
seg_tests:
    LOOP_START 2
    mov ax, 0x30
    mov es, ax
    mov ebx, [es:0x10]          ; SEGB + 0x10
    mov ecx, [0x10]             ; DS flat
    mov edx, [es:0xffc]         ; inside the limit
    mov [es:0x20], ecx          ; SEGB + 0x20
    mov ax, 0x70
    mov fs, ax
    mov esi, [fs:0x10]          ; base SEGB, limit 4G
    add esi, [fs:0x17]          ; ALU source through FS
    mov ax, 0x10
    mov es, ax
    mov edi, [es:0x10]          ; flat again
    mov fs, ax
    mov ebp, [fs:0x10]
    SAVE_REGS
    TEST_EQ R_EBX_S, 0xabcd0010, "ES based at 0x50000: load uses the base"
    TEST_EQ R_ECX_S, 0x11110010, "DS still flat"
    TEST_EQ R_EDX_S, 0xabcd0ffc, "ES: load at the limit"
    TEST_EQ [SEGB + 0x20], 0x11110010, "ES based: store uses the base"
    TEST_EQ R_ESI_S, 0x579a0027, "FS base 0x50000, limit 4G: loads use the base"
    TEST_EQ R_EDI_S, 0x11110010, "ES flat again"
    TEST_EQ R_EBP_S, 0x11110010, "FS flat again"
    mov dword [SEGB + 0x20], 0

    ; DS itself based: default-segment loads and stores, then flat again
    mov ax, 0x70
    mov ds, ax
    mov ebx, [0x10]
    mov ecx, 0x600d
    mov [0x20], ecx
    mov ax, 0x10
    mov ds, ax
    mov edx, [0x10]
    SAVE_REGS
    TEST_EQ R_EBX_S, 0xabcd0010, "DS based: load uses the base"
    TEST_EQ [SEGB + 0x20], 0x600d, "DS based: store uses the base"
    TEST_EQ R_EDX_S, 0x11110010, "DS flat again"
    mov dword [SEGB + 0x20], 0

    ; a write past the limit in mid-block
    mov ax, 0x30
    mov es, ax
    EXPECT_FAULT .l2r
    mov ebx, 0x42
    mov [es:0xfff], bl          ; the last byte: fine
.l2:
    mov [es:0x1000], bl         ; #GP(0)
.l2r:
    mov ax, 0x10
    mov es, ax
    TEST_EQ [EXC_VEC], 13, "byte store past the ES limit: #GP"
    TEST_EQ [EXC_EIP], ROMBASE + .l2, "byte store past the ES limit: EIP"
    TEST_B [SEGB + 0xfff], 0x42, "byte store at the ES limit done"
    mov dword [SEGB + 0xffc], 0xabcd0ffc

    ; expand-down, B=1, limit 0xfff: offsets 0x1000-0xffffffff
    mov ax, 0x38
    mov es, ax
    EXPECT_FAULT .e1r
    mov ebx, [es:0x1008]        ; GDT entry 1, low dword
.e1:
    mov ecx, [es:0xffe]         ; #GP(0)
.e1r:
    mov ax, 0x10
    mov es, ax
    TEST_EQ ebx, 0x0000ffff, "expand-down: a load above the limit"
    TEST_EQ [EXC_VEC], 13, "expand-down: a dword reaching below limit+1 is #GP"
    TEST_EQ [EXC_EIP], ROMBASE + .e1, "expand-down: EIP"
    ; expand-down, G=1, limit 0xfffff: the effective limit is 0xffffffff,
    ; so no offset is valid (SDM vol. 3A 5.3)
    mov ax, 0x68
    mov es, ax
    EXPECT_FAULT .e2r
.e2:
    mov ecx, [es:0x2000]        ; #GP(0)
.e2r:
    mov ax, 0x10
    mov es, ax
    TEST_EQ [EXC_VEC], 13, "expand-down with limit 4G: no valid offset, #GP"
    mov dword [RECOVER], 0

    ; execute-only code: a read through CS is #GP, a readable one is fine
    EXPECT_FAULT .x1r
    jmp 0x40:(ROMBASE + .xo)
.xo:
    mov ebx, 1
.x1:
    mov ecx, [cs:ROMBASE + xo_data]     ; #GP(0)
.x1r:
    jmp 0x08:(ROMBASE + .xback)
.xback:
    TEST_EQ [EXC_VEC], 13, "read through an execute-only CS: #GP"
    TEST_EQ [EXC_ERR], 0, "execute-only CS: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .x1, "execute-only CS: EIP"
    TEST_W [EXC_CS], 0x40, "execute-only CS: CS in the frame"
    mov ecx, [cs:ROMBASE + xo_data]
    TEST_EQ ecx, 0x5eed5eed, "read through a readable CS"
    EXPECT_FAULT .x2r
.x2:
    mov [cs:TST], ecx           ; #GP(0): code is never writable
.x2r:
    TEST_EQ [EXC_VEC], 13, "write through CS: #GP"
    TEST_EQ [EXC_EIP], ROMBASE + .x2, "write through CS: EIP"
    LOOP_END
    ret

xo_data: dd 0x5eed5eed

; ---------------------------------------------------------------------
; RDTSC (the runner's TSC is the instruction count), FIP/FDP of an x87
; instruction in mid-block, the CS limit in a block, a 16-bit stack
misc_tests:
    LOOP_START 2
    COUNT_START
    nop                         ; 2
    mov ebx, 1                  ; 3
    rdtsc                       ; 4: 4 retired since N0
    mov esi, eax                ; 5
    nop                         ; 6
    nop                         ; 7
    rdtsc                       ; 8
    sub eax, esi
    mov ebx, eax
    mov eax, esi
    sub eax, [T0]
    TEST_EQ eax, 4, "RDTSC in mid-block: the count of retired instructions"
    TEST_EQ ebx, 4, "RDTSC twice in a block: 4 apart"

    fninit
    mov dword [ENV + 12], 0
    mov dword [ENV + 20], 0
    mov eax, 1
    nop
.fp:
    fld dword [ZA]
    mov ebx, 2
    fnstenv [ENV]
    fstp st0
    TEST_EQ [ENV + 12], ROMBASE + .fp, "FNSTENV after FLD in mid-block: FIP"
    TEST_EQ [ENV + 20], ZA, "FNSTENV: FDP"
    TEST_W [ENV + 16], 0x08, "FNSTENV: FCS"

    ; a JMP past the CS limit (decoded): #GP(0) at the JMP
    mov edx, 0xd
    EXPECT_FAULT lim_rec
    jmp 0x78:(ROMBASE + lim_jtest)
.back1:
    TEST_EQ [EXC_VEC], 13, "JMP past the CS limit: #GP"
    TEST_EQ [EXC_ERR], 0, "JMP past the CS limit: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + lim_jmp, "JMP past the CS limit: EIP of the JMP"
    TEST_EQ edx, 4, "JMP past the CS limit: the MOV before it done"
    ; a block reaching past the limit: the straddling MOV is #GP(0)
    mov eax, 0xa
    mov ebx, 0xb
    mov ecx, 0xc
    EXPECT_FAULT lim_rec2
    jmp 0x78:(ROMBASE + lim_start)
.back2:
    SAVE_REGS
    TEST_EQ [EXC_VEC], 13, "instruction straddling the CS limit: #GP"
    TEST_EQ [EXC_EIP], ROMBASE + lim_end, "straddling the CS limit: EIP"
    TEST_EQ R_EAX_S, 1, "CS limit: 1st instruction done"
    TEST_EQ R_EBX_S, 2, "CS limit: 2nd instruction done"
    TEST_EQ R_ECX_S, 0xc, "CS limit: 3rd not done"
    ; an instruction starting past the limit (0x88: limit lim_end - 1)
    mov eax, 0xa
    mov ebx, 0xb
    mov ecx, 0xc
    EXPECT_FAULT lim_rec3
    jmp 0x88:(ROMBASE + lim_start)
.back3:
    SAVE_REGS
    TEST_EQ [EXC_VEC], 13, "instruction past the CS limit: #GP"
    TEST_EQ [EXC_EIP], ROMBASE + lim_end, "instruction past the CS limit: EIP"
    TEST_EQ [EXC_ERR], 0, "instruction past the CS limit: error code 0"
    TEST_EQ R_EBX_S, 2, "CS limit: the instruction before it done"
    TEST_EQ R_ECX_S, 0xc, "CS limit: the instruction past it not done"

    ; 16-bit stack (B=0) under 32-bit code: SP wraps in 16 bits, the
    ; upper half of ESP stays
    mov dword [0x60200], 0xbeef0200
    mov [ESP_SAVE], esp
    mov ax, 0x80
    mov ss, ax
    mov esp, 0x12340100
    mov ebp, 0x56780200
    mov eax, 0x11111111
    push eax
    push 0x22222222
    call .f16
.ret16:
    pop ecx
    pop edx
    mov [REGS + 16], esp
    leave
    mov [REGS + 24], esp
    mov [REGS + 28], ebp
    mov ax, 0x10
    mov ss, ax
    mov esp, [ESP_SAVE]
    TEST_EQ [0x600fc], 0x11111111, "16-bit stack: PUSH r32 at SS:SP-4"
    TEST_EQ [0x600f8], 0x22222222, "16-bit stack: PUSH imm32"
    TEST_EQ [0x600f4], ROMBASE + .ret16, "16-bit stack: CALL pushes at SS:SP-4"
    TEST_EQ [REGS + 32], 0x123400f4, "16-bit stack: ESP in the callee"
    TEST_EQ ecx, 0x22222222, "16-bit stack: POP"
    TEST_EQ edx, 0x11111111, "16-bit stack: POP again"
    TEST_EQ [REGS + 16], 0x12340100, "16-bit stack: ESP back, upper half kept"
    TEST_EQ [REGS + 24], 0x12340204, "16-bit stack: LEAVE sets SP = BP + 4"
    TEST_EQ [REGS + 28], 0xbeef0200, "16-bit stack: LEAVE loads EBP from SS:BP"
    LOOP_END
    ret
.f16:
    mov [REGS + 32], esp
    ret

; ---------------------------------------------------------------------
; Conditional branches in mid-block, taken and not taken, before a fault,
; an INTR and a count
jcc_tests:
    LOOP_START 2
    mov ebx, 0xb
    mov ecx, 0xc
    EXPECT_FAULT .j1r
    COUNT_START
    xor edx, edx                ; 2: ZF=1
    jnz .jx                     ; 3: not taken
    mov ebx, 1                  ; 4
    jz .j1y                     ; 5: taken
    mov ebx, 2
.j1y:
    mov ecx, 3                  ; 6
    jc .jx                      ; 7: not taken (XOR cleared CF)
.j1:
    mov eax, [PG_NP]            ; 8: #PF
    mov ecx, 4
.j1r:
    SAVE_REGS
    TEST_EQ [EXC_VEC], 14, "fault after taken and not-taken Jcc: #PF"
    TEST_EQ [EXC_EIP], ROMBASE + .j1, "fault after Jcc: EIP"
    TEST_COUNT 9, "fault after Jcc: instruction count"
    TEST_EQ R_EBX_S, 1, "fault after Jcc: the skipped MOV not done"
    TEST_EQ R_ECX_S, 3, "fault after Jcc: the MOV at the target done, the one after the fault not"

    ; a loop of not-taken and taken branches, then INTR from OUT
    mov dword [IRQ_N], 0
    sti
    mov ecx, 3
    xor ebx, ebx
    COUNT_START
.j2l:
    inc ebx                     ; 2, 5, 8
    cmp ebx, 100                ; 3, 6, 9
    ja .jx                      ; 4, 7, 10: not taken
    dec ecx                     ; 5...
    jnz .j2l                    ; taken twice
    mov al, 0x40
    out 0xf0, al
.j2n:
    mov edx, 7
    cli
    TEST_EQ [IRQ_EIP], ROMBASE + .j2n, "INTR after a loop of Jcc: return EIP"
    TEST_EQ [IRQ_EBX], 3, "INTR after a loop of Jcc: EBX"
    ; IN, MOV [T0], 3 x (INC, CMP, JA, DEC, JNZ), MOV AL, OUT, PUSH
    TEST_COUNT 1 + 1 + 15 + 2 + 1, "INTR after a loop of Jcc: instruction count"
    LOOP_END
    ret
.jx:
    TEST_EQ 0, 1, "Jcc went the wrong way"
    ret

; run at CS 0x78 (limit lim_end + 1)
lim_rec:
    jmp 0x08:(ROMBASE + misc_tests.back1)
lim_rec2:
    jmp 0x08:(ROMBASE + misc_tests.back2)
lim_rec3:
    jmp 0x08:(ROMBASE + misc_tests.back3)
lim_jtest:
    mov edx, 4
lim_jmp:
    jmp near lim_far
lim_start:
    mov eax, 1
    mov ebx, 2
lim_end:
    mov ecx, 3
lim_far:
    hlt

; ---------------------------------------------------------------------
; (6) real mode after protected mode: DS is flat (base 0, limit 4G) when
; PE is cleared; a reload in real mode sets base = sel << 4 (the limit
; stays: unreal mode).
real_mode_tests:
    mov eax, cr0
    and eax, 0x7fffffff         ; paging off first
    mov cr0, eax
    jmp 0x50:pm16
[bits 16]
pm16:
    mov eax, cr0
    and eax, 0x7ffefffe
    mov cr0, eax
    jmp 0xf000:real_again
real_again:
    mov ax, 0x5000
    mov ds, ax
    mov ebx, [0x10]             ; 0x50010
    mov ax, 0x5001
    mov es, ax
    mov ecx, [es:0]             ; 0x50010
    xor ax, ax
    mov ds, ax
    mov edx, [dword 0x10]       ; 0x10
    mov esi, [es:0x7]           ; 0x50017
    mov ax, 0
    mov es, ax
    mov edi, [es:dword SEGB + 0x10]     ; unreal: 32-bit offset, base 0
    mov ax, 0
    mov ss, ax
    mov esp, 0x7000
    mov eax, ebx
    TEST16_EQ ax, 0x0010, "real mode: DS reload sets base 0x50000 (low word)"
    shr eax, 16
    TEST16_EQ ax, 0xabcd, "real mode: DS reload sets base 0x50000 (high word)"
    mov eax, ecx
    shr eax, 16
    TEST16_EQ ax, 0xabcd, "real mode: ES reload sets base 0x50010"
    mov eax, edx
    shr eax, 16
    TEST16_EQ ax, 0x1111, "real mode: DS reload to 0 sets base 0"
    mov eax, esi
    TEST16_EQ ax, 0x0017, "real mode: ES:7 at 0x50017"
    mov eax, edi
    shr eax, 16
    TEST16_EQ ax, 0xabcd, "real mode: limit kept from protected mode (unreal)"
    jmp tap_done16


; ---------------------------------------------------------------------
; Real mode, first thing after reset (64 KiB limits): 16-bit code runs
; from the decoded-instruction cache too. #GP (INT 13) for a word at
; offset 0xFFFF and #SS (INT 12) for one at SS:0xFFFF in mid-block, INTR
; from OUT in mid-block and after STI + 1, self-modifying code, TF.
[bits 16]
RM_SMC  equ 0x2000              ; segment of the real-mode SMC copy

%macro RM_COUNT_START 0
    in eax, 0xf2
    mov [ss:T0], eax
%endmacro
; RM_TEST_COUNT expected, "text" (DS = 0)
%macro RM_TEST_COUNT 2
    mov eax, [ICNT]
    sub eax, [T0]
    TEST16_EQ ax, %1, %2
%endmacro

rm_tests:
    mov word [1 * 4], rm_db
    mov word [1 * 4 + 2], 0xf000
    mov word [2 * 4], rm_irq
    mov word [2 * 4 + 2], 0xf000
    mov word [12 * 4], rm_ss
    mov word [12 * 4 + 2], 0xf000
    mov word [13 * 4], rm_gp
    mov word [13 * 4 + 2], 0xf000
    mov word [0x40 * 4], rm_irq
    mov word [0x40 * 4 + 2], 0xf000
    ; the SMC routines, copied to RAM_SMC:0
    push es
    mov ax, cs
    mov ds, ax
    mov ax, RM_SMC
    mov es, ax
    mov si, rm_smc_blob
    xor di, di
    mov cx, rm_smc_end - rm_smc_blob
    cld
    rep movsb
    pop es
    xor ax, ax
    mov ds, ax

    mov dword [ITER], 2
.loop:
    ; #GP: a word at DS:0xFFFF, 4th instruction of the block
    mov ax, 0x1000
    mov ds, ax
    mov bx, 0xb0b0
    mov cx, 0xc0c0
    mov word [ss:RECOVER], .g1r
    RM_COUNT_START
    mov bx, 0x1111              ; 2
    add cx, 1                   ; 3
.g1:
    mov ax, [0xffff]            ; 4: #GP
    mov bx, 0x2222
.g1r:
    xor ax, ax
    mov ds, ax
    mov [REGS + 12], bx
    mov [REGS + 4], cx
    TEST16_EQ [EXC_VEC], 13, "real mode, 4th instruction: word at DS:0xFFFF is #GP"
    TEST16_EQ [EXC_EIP], .g1, "real mode #GP: IP of the faulting instruction"
    RM_TEST_COUNT 5, "real mode #GP: instruction count at the handler"
    TEST16_EQ [REGS + 12], 0x1111, "real mode #GP: earlier MOV done, later not"
    TEST16_EQ [REGS + 4], 0xc0c1, "real mode #GP: ADD before it done"

    ; #SS: [BP] at SS:0xFFFF, 3rd instruction
    mov bp, 0xffff
    mov cx, 0xc0c0
    mov word [ss:RECOVER], .s1r
    RM_COUNT_START
    mov cx, 5                   ; 2
.s1:
    mov ax, [bp]                ; 3: #SS
    mov cx, 6
.s1r:
    mov [REGS + 4], cx
    TEST16_EQ [EXC_VEC], 12, "real mode: word at SS:0xFFFF through [BP] is #SS"
    TEST16_EQ [EXC_EIP], .s1, "real mode #SS: IP"
    RM_TEST_COUNT 4, "real mode #SS: instruction count"
    TEST16_EQ [REGS + 4], 5, "real mode #SS: MOV before it done, after it not"

    ; INTR from OUT 0xF0 in mid-block (IF=1)
    mov word [IRQ_N], 0
    sti
    mov cx, 0xc
    mov dx, 0xd
    RM_COUNT_START
    mov cx, 1                   ; 2
    mov al, 0x40                ; 3
    out 0xf0, al                ; 4
.o1n:
    mov dx, 2
    cli
    TEST16_EQ [IRQ_N], 1, "real mode INTR from OUT: taken once"
    TEST16_EQ [IRQ_EIP], .o1n, "real mode INTR from OUT: return IP is the next instruction"
    TEST16_EQ [IRQ_ECX], 1, "real mode INTR from OUT: instruction before it done"
    TEST16_EQ [IRQ_EDX], 0xd, "real mode INTR from OUT: instruction after it not done"
    RM_TEST_COUNT 6, "real mode INTR from OUT: instruction count"

    ; INTR held with IF=0 until STI + 1
    mov word [IRQ_N], 0
    mov cx, 0xc
    mov dx, 0xd
    RM_COUNT_START
    mov al, 0x40                ; 2
    out 0xf0, al                ; 3
    mov bx, 1                   ; 4
    sti                         ; 5
    mov cx, 2                   ; 6: the shadow
.s2n:
    mov dx, 3
    cli
    TEST16_EQ [IRQ_N], 1, "real mode INTR with IF=0: taken once after STI"
    TEST16_EQ [IRQ_EIP], .s2n, "real mode INTR with IF=0: after STI and one instruction"
    TEST16_EQ [IRQ_ECX], 2, "real mode INTR with IF=0: the shadow instruction done"
    TEST16_EQ [IRQ_EDX], 0xd, "real mode INTR with IF=0: the one after not done"
    RM_TEST_COUNT 8, "real mode INTR after STI: instruction count"

    ; self-modifying code at RM_SMC:0
    mov cx, [ITER]
    add cx, 0x30
    call RM_SMC:(rsmc1 - rm_smc_blob)
    mov cx, [ITER]
    add cx, 0x30
    cmp ax, cx
    mov ax, 0
    sete al
    TEST16_EQ ax, 1, "real mode SMC: store patches an immediate later in the same block"
    mov bx, [ITER]
    mov bl, [cs:rm_smc_ops - 1 + bx]
    mov ax, 0x100
    call RM_SMC:(rsmc2 - rm_smc_blob)
    mov bx, [ITER]
    shl bx, 1
    cmp ax, [cs:rm_smc_res - 2 + bx]
    mov ax, 0
    sete al
    TEST16_EQ ax, 1, "real mode SMC: store patches the opcode of the next instruction"

    ; TF single-step
    mov word [DBN], 0
    mov word [DBSTOP], .tstop
    mov cx, 2
    pushf
    mov bp, sp
    or word [bp], 0x100
    popf
.t0:
    mov ax, 1
.t1:
    add ax, cx
.t2:
    mov [TST], ax
.t3:
    mov bx, ax
.t4:
    dec cx
.t5:
    jnz .t0
.tstop:
    TEST16_EQ [DBN], 12, "real mode TF: 12 traps for 12 instructions"
    TEST16_EQ [DBARR + 0], .t1, "real mode TF trap 1"
    TEST16_EQ [DBARR + 2], .t2, "real mode TF trap 2"
    TEST16_EQ [DBARR + 4], .t3, "real mode TF trap 3"
    TEST16_EQ [DBARR + 6], .t4, "real mode TF trap 4"
    TEST16_EQ [DBARR + 8], .t5, "real mode TF trap 5"
    TEST16_EQ [DBARR + 10], .t0, "real mode TF trap 6: after the taken JNZ"
    TEST16_EQ [DBARR + 12], .t1, "real mode TF trap 7"
    TEST16_EQ [DBARR + 20], .t5, "real mode TF trap 11"
    TEST16_EQ [DBARR + 22], .tstop, "real mode TF trap 12: after the JNZ not taken"
    TEST16_EQ [TST], 2, "real mode TF: results"

    ; TF and MOV SS: no trap between MOV SS and the next instruction
    ; (SDM vol. 3A 6.8.3)
    mov word [DBN], 0
    mov word [DBSTOP], .mstop
    mov ax, ss
    pushf
    mov bp, sp
    or word [bp], 0x100
    popf
.m0:
    mov dx, 1
.m1:
    mov ss, ax
.m2:
    mov sp, sp
.m3:
    nop
.mstop:
    TEST16_EQ [DBARR + 0], .m1, "real mode TF: trap after the instruction before MOV SS"
    TEST16_EQ [DBARR + 2], .m3, "real mode TF: no trap right after MOV SS, one after the next"
    TEST16_EQ [DBN], 3, "real mode TF over MOV SS: 3 traps"

    dec dword [ITER]
    jnz .loop
    ret

rm_smc_ops: db 0x40, 0x90, 0x48         ; ITER 1, 2, 3: INC, NOP, DEC AX
rm_smc_res: dw 0x102, 0x101, 0x100

align 16
rm_smc_blob:
rsmc1:                          ; CL: new immediate byte
    mov [cs:rsmc1.ins + 1 - rm_smc_blob], cl
    mov dx, 0
    inc dx
.ins:
    mov ax, 0
    retf
rsmc2:                          ; BL: new opcode for .op
    mov [cs:rsmc2.op - rm_smc_blob], bl
.op:
    inc ax
    inc ax
    retf
rm_smc_end:

; #GP / #SS in real mode: note the count, vector and IP; resume at
; [RECOVER] (low word)
rm_gp:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    mov dword [ss:EXC_VEC], 13
    jmp rm_exc_common
rm_ss:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    mov dword [ss:EXC_VEC], 12
rm_exc_common:
    push bp
    mov bp, sp
    mov ax, [bp + 6]
    mov [ss:EXC_EIP], ax
    mov ax, [ss:RECOVER]
    mov [bp + 6], ax
    pop bp
    pop eax
    iret

; INTR 0x40 and NMI in real mode
rm_irq:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    push bp
    mov bp, sp
    mov ax, [bp + 6]
    mov [ss:IRQ_EIP], ax
    pop bp
    mov [ss:IRQ_EBX], bx
    mov [ss:IRQ_ECX], cx
    mov [ss:IRQ_EDX], dx
    inc word [ss:IRQ_N]
    pop eax
    iret

; #DB in real mode: IP into DBARR (words); clear TF at [DBSTOP]
rm_db:
    push ax
    push bx
    push bp
    mov bp, sp
    mov bx, [ss:DBN]
    mov ax, [bp + 6]
    shl bx, 1
    mov [ss:DBARR + bx], ax
    shr bx, 1
    inc bx
    and bx, 63
    mov [ss:DBN], bx
    cmp ax, [ss:DBSTOP]
    jne .r
    and word [bp + 10], ~0x100
.r: pop bp
    pop bx
    pop ax
    iret

[bits 32]
; ---------------------------------------------------------------------
; Handlers

; #SS/#GP/#PF: note the instruction count (and CR2), then lib.inc's stub
cstub12:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    pop eax
    jmp exc_stub_12
cstub13:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    pop eax
    jmp exc_stub_13
cstub14:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    mov eax, cr2
    mov [ss:EXC_CR2], eax
    pop eax
    jmp exc_stub_14

; INTR 0x40 and NMI: the count, the return EIP, EBX/ECX/EDX
irq_rec:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    mov eax, [esp + 4]
    mov [ss:IRQ_EIP], eax
    mov [ss:IRQ_EBX], ebx
    mov [ss:IRQ_ECX], ecx
    mov [ss:IRQ_EDX], edx
    inc dword [ss:IRQ_N]
    pop eax
    iretd

; #DB for single-step: record EIP; clear TF in the frame at DBSTOP
db_step:
    push eax
    push ebx
    mov ebx, [ss:DBN]
    mov eax, [esp + 8]
    mov [ss:DBARR + ebx * 4], eax
    inc ebx
    and ebx, 63
    mov [ss:DBN], ebx
    cmp eax, [ss:DBSTOP]
    jne .r
    and dword [esp + 16], ~EFL_TF
.r: pop ebx
    pop eax
    iretd

; #DB for breakpoints: count, EIP, DR6, EBX/EDX; RF in the frame
db_exec:
    push eax
    in eax, 0xf2
    mov [ss:ICNT], eax
    mov eax, [esp + 4]
    mov [ss:DB_EIP], eax
    mov eax, dr6
    and eax, 0xf
    mov [ss:DB_DR6], eax
    mov [ss:IRQ_EBX], ebx
    mov [ss:IRQ_EDX], edx
    inc dword [ss:DBN]
    or dword [esp + 12], EFL_RF
    pop eax
    iretd

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
