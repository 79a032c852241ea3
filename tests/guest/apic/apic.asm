; SPDX-License-Identifier: LGPL-2.1-or-later
; The local APIC and the I/O APIC as a CPU sees them, on -M pc with this
; image as the BIOS (run.sh): CPUID and IA32_APIC_BASE, self IPIs taken in
; vector priority order through INTA (ISR set in the handler, EOI), TPR
; gating, the 8259 through LINT0 in ExtINT mode (the PIT), the APIC timer
; (one-shot and periodic, waking HLT), a level-triggered I/O APIC input
; (the RTC on IRQ 8) re-delivered after EOI while still asserted and Remote
; IRR cleared by the EOI broadcast, and moving/disabling the APIC through
; the MSR. Reporting protocol as in tests/guest/cpu/lib.inc.
    org 0
%include "lib.inc"

APIC     equ 0xfee00000
IOAPIC   equ 0xfec00000
LOGN     equ 0x5f8          ; interrupts taken
HOOK     equ 0x5fc          ; handler hook (linear), 0: APIC EOI
LOG      equ 0x600          ; vectors in the order taken
SCRATCH  equ 0x5f0

[bits 16]
start:
    REAL_INIT
    PM32_ENTER RAM
    FLAT_GDT
gdt_end:

[bits 32]
; Interrupt stubs for vectors 0x30-0xff: log the vector, run the hook or
; send the APIC an EOI.
%assign i 0x30
%rep 0xd0
irq_stub_%[i]:
    push dword i
    jmp irq_common
%assign i i+1
%endrep

irq_common:
    pushad
    mov eax, [esp + 32]
    mov ecx, [LOGN]
    mov [LOG + ecx * 4], eax
    inc dword [LOGN]
    mov ebx, [HOOK]
    test ebx, ebx
    jz .eoi
    call ebx
    jmp .out
.eoi:
    mov dword [APIC + 0xb0], 0
.out:
    popad
    add esp, 4
    iretd

irq_stub_table:
%assign i 0x30
%rep 0xd0
    dd ROMBASE + irq_stub_%[i]
%assign i i+1
%endrep

clear_log:
    mov dword [LOGN], 0
    mov dword [LOG], 0
    mov dword [LOG + 4], 0
    mov dword [LOG + 8], 0
    mov dword [HOOK], 0
    ret

; EAX = IOAPIC register EAX
io_read:
    mov [IOAPIC], eax
    mov eax, [IOAPIC + 0x10]
    ret

; IOAPIC register EAX <- EBX
io_write:
    mov [IOAPIC], eax
    mov [IOAPIC + 0x10], ebx
    ret

; The RTC handler for the level test: the first time, EOI with the line
; still asserted (register C unread); the second time, read C first.
rtc_hook:
    mov eax, 0x10 + 2 * 8
    call io_read
    mov [SCRATCH], eax          ; entry as seen in the handler
    cmp dword [LOGN], 2
    jb .eoi
    mov al, 0x0c
    out 0x70, al
    in al, 0x71
    mov al, 0x0b                ; periodic interrupts off
    out 0x70, al
    mov al, 0x02
    out 0x71, al
.eoi:
    mov dword [APIC + 0xb0], 0
    ret

; The 8259's handler: EOI to the PIC, not the APIC (ExtINT has no ISR bit).
pic_hook:
    mov al, 0xff                ; mask everything: one interrupt is enough
    out 0x21, al
    mov al, 0x20
    out 0x20, al
    ret

; The FPU error handler: clear the latch (port 0xF0) and the exception,
; then EOI both 8259s.
ferr_hook:
    xor al, al
    out 0xf0, al
    fnclex
    mov al, 0x20
    out 0xa0, al
    out 0x20, al
    ret

; The handler of the ISR test: record ISR word 2 (vectors 0x40-0x5f).
isr_hook:
    mov eax, [APIC + 0x120]
    mov [SCRATCH], eax
    mov dword [APIC + 0xb0], 0
    ret

    PM32_INIT
    mov ecx, 0x30
.gates:
    mov eax, ecx
    mov ebx, [ROMBASE + irq_stub_table - 0x30 * 4 + ecx * 4]
    mov dx, 0x8e00
    call set_gate32
    inc ecx
    cmp ecx, 0x100
    jb .gates
    call clear_log

    ; CPUID and the MSR
    mov eax, 1
    cpuid
    and edx, 1 << 9
    TEST_EQ edx, 1 << 9, "CPUID.1:EDX.APIC set with a local APIC"
    mov ecx, 0x1b
    rdmsr
    TEST_EQ eax, 0xfee00900, "IA32_APIC_BASE: 0xfee00000, BSP, enabled"
    TEST_EQ [APIC + 0x30], 0x50014, "APIC version register"

    ; Software enable, spurious vector 0xff
    mov dword [APIC + 0xf0], 0x1ff

    ; A self IPI: taken at STI, in service inside the handler, retired by EOI
    mov dword [HOOK], ROMBASE + isr_hook
    mov dword [APIC + 0x300], 0x40040
    sti
    nop
    cli
    TEST_EQ [LOGN], 1, "self IPI taken once"
    TEST_EQ [LOG], 0x40, "self IPI vector"
    TEST_EQ [SCRATCH], 1, "ISR holds the vector in its handler"
    TEST_EQ [APIC + 0x120], 0, "EOI retired it"

    ; Three pending vectors are taken highest first
    call clear_log
    mov dword [APIC + 0x300], 0x40041
    mov dword [APIC + 0x300], 0x40081
    mov dword [APIC + 0x300], 0x40061
    sti
    nop
    cli
    TEST_EQ [LOGN], 3, "three self IPIs taken"
    TEST_EQ [LOG], 0x81, "first: 0x81"
    TEST_EQ [LOG + 4], 0x61, "second: 0x61"
    TEST_EQ [LOG + 8], 0x41, "third: 0x41"

    ; TPR holds a vector of its class back
    call clear_log
    mov dword [APIC + 0x80], 0x50
    mov dword [APIC + 0x300], 0x40045
    sti
    nop
    nop
    cli
    TEST_EQ [LOGN], 0, "TPR 0x50 holds vector 0x45"
    mov dword [APIC + 0x80], 0
    sti
    nop
    cli
    TEST_EQ [LOGN], 1, "TPR 0 lets it through"

    ; The 8259 through LINT0 (virtual wire): the PIT on IRQ 0
    call clear_log
    mov dword [HOOK], ROMBASE + pic_hook
    mov dword [APIC + 0x350], 0x700
    mov al, 0x11
    out 0x20, al
    mov al, 0x70                ; master vectors 0x70-0x77
    out 0x21, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x01
    out 0x21, al
    mov al, 0xfe                ; IRQ 0 only
    out 0x21, al
    mov al, 0x34                ; PIT channel 0, mode 2
    out 0x43, al
    mov al, 0x00
    out 0x40, al
    mov al, 0x10                ; 4096 ticks: about 3.4 ms
    out 0x40, al
    sti
    hlt
    cli
    TEST_EQ [LOGN], 1, "PIT interrupt through ExtINT"
    TEST_EQ [LOG], 0x70, "vector from the 8259 (IRQ 0 -> 0x70)"
    mov al, 0x30                ; PIT channel 0 back to one-shot (quiet)
    out 0x43, al
    mov dword [APIC + 0x350], 0x10700

    ; The APIC timer, one-shot, wakes HLT
    call clear_log
    mov dword [APIC + 0x3e0], 0xb           ; divide by 1
    mov dword [APIC + 0x320], 0x50
    mov dword [APIC + 0x380], 100000        ; 100 us at 1 GHz
    sti
    hlt
    cli
    TEST_EQ [LOGN], 1, "one-shot timer interrupt"
    TEST_EQ [LOG], 0x50, "timer vector"
    TEST_EQ [APIC + 0x390], 0, "one-shot count stays at 0"

    ; Periodic: three interrupts through HLT
    call clear_log
    mov dword [APIC + 0x320], 0x20051
    mov dword [APIC + 0x380], 50000
    sti
.wait3:
    hlt
    cmp dword [LOGN], 3
    jb .wait3
    cli
    mov dword [APIC + 0x320], 0x30051       ; masked
    mov dword [APIC + 0x380], 0
    TEST_EQ [LOG + 8], 0x51, "periodic timer, third interrupt"

    ; A level input of the I/O APIC: RTC (IRQ 8) periodic interrupt
    call clear_log
    mov dword [HOOK], ROMBASE + rtc_hook
    mov eax, 0x11 + 2 * 8
    xor ebx, ebx
    call io_write
    mov eax, 0x10 + 2 * 8
    mov ebx, 0x8058                         ; level, vector 0x58
    call io_write
    mov al, 0x0c                            ; clear any old flags
    out 0x70, al
    in al, 0x71
    mov al, 0x0a
    out 0x70, al
    mov al, 0x26                            ; 1024 Hz
    out 0x71, al
    mov al, 0x0b
    out 0x70, al
    mov al, 0x42                            ; PIE, 24-hour
    out 0x71, al
    sti
.wait_rtc:
    hlt
    cmp dword [LOGN], 2
    jb .wait_rtc
    cli
    TEST_EQ [LOGN], 2, "level input delivered again after EOI while asserted"
    mov eax, [SCRATCH]
    and eax, 0x4000
    TEST_EQ eax, 0x4000, "Remote IRR set while in service"
    mov eax, 0x10 + 2 * 8
    call io_read
    TEST_EQ eax, 0x8058, "EOI broadcast cleared Remote IRR"
    mov eax, 0x10 + 2 * 8
    mov ebx, 0x18058
    call io_write

    ; The legacy x87 error path: with CR0.NE=0 an unmasked exception
    ; asserts FERR#, which the PIIX latches as IRQ 13 (slave IRQ 5)
    call clear_log
    mov dword [HOOK], ROMBASE + ferr_hook
    mov dword [APIC + 0x350], 0x700
    PIC_INIT 0x70, 0x78, 0xfb, 0xdf   ; 0x70-0x7f; IRQ 13 (and the cascade) only
    mov eax, cr0
    and eax, ~0x2c              ; NE, TS, EM clear
    mov cr0, eax
    fninit
    mov word [SCRATCH], 0x037b  ; ZM cleared: divide by zero unmasked
    fldcw [SCRATCH]
    fld1
    fldz
    sti
    fdivp st1, st0
    nop
    nop
    cli
    TEST_EQ [LOGN], 1, "unmasked x87 exception (CR0.NE=0): one FERR# interrupt"
    TEST_EQ [LOG], 0x7d, "through IRQ 13 on the slave 8259 (vector 0x7d)"
    fninit
    mov al, 0xff
    out 0x21, al
    out 0xa1, al
    mov dword [APIC + 0x350], 0x10700

    ; Moving the APIC through IA32_APIC_BASE
    mov ecx, 0x1b
    mov eax, 0xfed00900
    xor edx, edx
    wrmsr
    TEST_EQ [0xfed00030], 0x50014, "APIC moved to 0xfed00000"
    ; Globally disabled: gone from memory, and the state is lost
    mov eax, 0xfee00100
    wrmsr
    TEST_EQ [APIC + 0x30], 0xffffffff, "globally disabled: no registers"
    mov eax, 0xfee00900
    wrmsr
    TEST_EQ [APIC + 0xf0], 0xff, "re-enabled: SVR back at its reset value"

    call tap_done32

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
