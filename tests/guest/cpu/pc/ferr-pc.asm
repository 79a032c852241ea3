; SPDX-License-Identifier: LGPL-2.1-or-later
; The legacy x87 error path on -M pc (pc/run-pc.sh): CPU, PIIX3 and 8259s
; together, as Intel SDM vol. 1 8.7.3.2 and app. D.2.1 describe it. With
; CR0.NE=0 an unmasked exception raises FERR#, which the PIIX3 latches as
; IRQ 13 (slave 8259 input 5); the next waiting x87 instruction freezes the
; CPU until that interrupt is taken, and the handler runs before the
; instruction and its successor, then returns to the frozen instruction.
; The handler's write to port 0xF0 clears IRQ 13 and raises IGNNE#, so it
; can run x87 instructions before it clears the exception; FNCLEX drops
; FERR# and with it IGNNE#.
    org 0
%include "lib.inc"

APIC  equ 0xfee00000
COUNT equ 0x640             ; handler runs
SUCC  equ 0x644             ; the successor of the frozen FWAIT ran
SEEN  equ 0x648             ; SUCC as the handler saw it
RETIP equ 0x64c             ; the handler's return EIP
HFSW  equ 0x650             ; FSW after the handler's FLD1/FSTP (word)

[bits 16]
start:
    REAL_INIT
    PM32_ENTER RAM
    FLAT_GDT
gdt_end:

[bits 32]
; IRQ 13 (vector 0x7d): count, record what the interrupted code had done,
; clear the latch (IGNNE# on), run x87 code, clear the exception, EOI.
irq13:
    push eax
    inc dword [COUNT]
    mov eax, [SUCC]
    mov [SEEN], eax
    mov eax, [esp + 4]
    mov [RETIP], eax
    xor al, al
    out 0xf0, al
    fld1                        ; would freeze (IF=0: for good) without IGNNE#
    fstp st0
    fnstsw ax
    mov [HFSW], ax
    fnclex
    mov al, 0x20
    out 0xa0, al
    out 0x20, al
    pop eax
    iretd

    PM32_INIT
    mov eax, 0x7d
    mov ebx, ROMBASE + irq13
    mov dx, 0x8e00
    call set_gate32

    ; 8259s: master 0x70-0x77, slave 0x78-0x7f; only IRQ 13 (and the
    ; cascade) unmasked. The local APIC passes the 8259 on through LINT0.
    PIC_INIT 0x70, 0x78, 0xfb, 0xdf
    mov dword [APIC + 0xf0], 0x1ff
    mov dword [APIC + 0x350], 0x700

    mov eax, cr0
    and eax, ~0x2c              ; NE, TS, EM clear
    mov cr0, eax
    fninit
    mov word [0x700], 0x037b    ; divide by zero unmasked
    fldcw [0x700]

    ; 1/0 with IF=0: FERR# -> IRQ 13 held; STI; the FWAIT in the STI shadow
    ; freezes until the interrupt
    mov dword [COUNT], 0
    mov dword [SUCC], 0
    mov dword [SEEN], 0xffffffff
    fld1
    fldz
    fdivp st1, st0
    sti
.fw:
    fwait
    mov dword [SUCC], 1
    cli
    TEST_EQ [COUNT], 1, "FERR#: one IRQ 13"
    TEST_EQ [SEEN], 0, "the handler ran before the FWAIT's successor"
    TEST_EQ [RETIP], ROMBASE + .fw, "and returned to the frozen FWAIT"
    TEST_EQ [SUCC], 1, "the FWAIT then ran"
    ; TOP: FLD1, FLDZ, FDIVP with an unmasked ZE (no result, no pop): 6
    TEST_W [HFSW], 0xb084, "handler: FLD1/FSTP ran with ZE pending (port 0xF0 raised IGNNE#)"
    fnstsw [0x654]
    TEST_W [0x654], 0x3000, "the handler's FNCLEX cleared ZE, ES, B"

    ; Port 0xF0 while FERR# is high raises IGNNE#: a waiting instruction
    ; runs with the exception pending (with IF=0, where a freeze would
    ; never end)
    fninit
    fldcw [0x700]
    fld1
    fldz
    fdivp st1, st0
    xor al, al
    out 0xf0, al
    fld1
    fnstsw [0x654]
    TEST_W [0x654], 0xa884, "port 0xF0 with FERR# high: FLD1 runs, ZE ES B still set"
    fnclex

    fninit
    mov al, 0xff
    out 0x21, al
    out 0xa1, al
    jmp tap_done32

    times 0xfff0 - ($ - $$) db 0xf4
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xf4
