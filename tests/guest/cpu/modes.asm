; SPDX-License-Identifier: LGPL-2.1-or-later
; Modes and protection: real mode (INT, A20), protected mode with segment
; checks and exceptions (error codes per Intel SDM vol. 3A ch. 6), external
; interrupts and the STI shadow, paging (4 KiB, 4 MiB PSE, WP, A/D bits,
; INVLPG, MMIO), ring 3 with IOPL/I/O bitmap/#PF checks, a call gate,
; INT to ring 0, SYSENTER/SYSEXIT, and the way back to real mode.
    org 0
%include "lib.inc"

[bits 16]
start:
    REAL_INIT

    ; real-mode arithmetic and INT through the IVT
    mov ax, 0x1234
    add ax, 0x4321
    TEST16_EQ ax, 0x5555, "real mode: add"
    mov word [0x30 * 4], int30
    mov word [0x30 * 4 + 2], 0xf000
    xor ax, ax
    int 0x30
    TEST16_EQ ax, 0x5a5a, "real mode: INT through the IVT"
    pushf
    pop ax
    and ax, 0x0200
    TEST16_EQ ax, 0, "real mode: IRET restores IF=0"

    ; A20: with the gate off, 0x100600 aliases 0x600
    mov word [0x600], 0
    mov al, 0
    out 0x92, al
    mov ax, 0xffff
    mov fs, ax
    mov word [fs:0x610], 0x7777
    TEST16_EQ word [0x600], 0x7777, "A20 off: 1 MiB wraps"
    mov al, 2
    out 0x92, al
    mov word [fs:0x610], 0x1111
    TEST16_EQ word [0x600], 0x7777, "A20 on: no wrap"

    ; GDT to RAM (the CPU writes accessed/busy bits)
    PM32_ENTER RAM

int30:
    mov ax, 0x5a5a
    iret

    FLAT_GDT
    dq 0x00009a0f0000ffff       ; 0x18 code16 base 0xf0000
    dq 0x000092000000ffff       ; 0x20 data16
    dq 0x00cffa000000ffff       ; 0x28 code32 ring 3
    dq 0x00cff2000000ffff       ; 0x30 data32 ring 3
    dq 0x0000890030000088       ; 0x38 TSS at 0x3000, limit 0x88
    dq 0                        ; 0x40 call gate, built at run time
    dq 0x0040920000000fff       ; 0x48 data, limit 0xfff
    dq 0x00cf12000000ffff       ; 0x50 data, not present
gdt_end:

    PM32_INIT
    mov eax, cs
    TEST_EQ eax, 0x08, "protected mode: CS"

    ; segment loads
    EXPECT_FAULT .r1
    mov ax, 0x60
    mov ds, ax
.r1:
    TEST_EQ [EXC_VEC], 13, "selector beyond GDT limit: #GP"
    TEST_EQ [EXC_ERR], 0x60, "selector beyond GDT limit: error code"
    EXPECT_FAULT .r2
    mov ax, 0x50
    mov ds, ax
.r2:
    TEST_EQ [EXC_VEC], 11, "not-present segment: #NP"
    TEST_EQ [EXC_ERR], 0x50, "not-present segment: error code"
    mov ax, 0x48
    mov es, ax
    mov dword [es:0xffc], 0x11223344
    TEST_EQ [es:0xffc], 0x11223344, "access at the segment limit"
    EXPECT_FAULT .r3
    mov eax, [es:0xffd]
.r3:
    TEST_EQ [EXC_VEC], 13, "access past the segment limit: #GP"
    TEST_EQ [EXC_ERR], 0, "access past the segment limit: error code 0"
    mov ax, 0x10
    mov es, ax
    EXPECT_FAULT .r4
    mov ax, 0x08
    mov ss, ax
.r4:
    TEST_EQ [EXC_ERR], 0x08, "code segment into SS: #GP(sel)"

    ; exceptions without error codes
    EXPECT_FAULT .r5
    ud2
.r5:
    TEST_EQ [EXC_VEC], 6, "UD2: #UD"
    EXPECT_FAULT .r6
    xor edx, edx
    xor ecx, ecx
    mov eax, 1
    div ecx
.r6:
    TEST_EQ [EXC_VEC], 0, "DIV by zero: #DE"
    EXPECT_FAULT .r7
    mov edx, 2
    mov eax, 0
    mov ecx, 2
    div ecx
.r7:
    TEST_EQ [EXC_VEC], 0, "DIV quotient overflow: #DE"
    EXPECT_FAULT .r8
    int3
.r8a:
    nop
.r8:
    TEST_EQ [EXC_VEC], 3, "INT3: #BP"
    TEST_EQ [EXC_EIP], ROMBASE + .r8a, "INT3 is a trap: EIP after it"
    EXPECT_FAULT .r9
    mov dword [ROMBASE + 0x8000], 0   ; ROM: written through the bus, ignored
    mov eax, 0x7fffffff
    add eax, 1
    into
.r9:
    TEST_EQ [EXC_VEC], 4, "INTO with OF=1: #OF"
    EXPECT_FAULT .r10
    mov eax, 5
    bound eax, [ROMBASE + bounds]
.r10:
    TEST_EQ [EXC_VEC], 5, "BOUND out of range: #BR"

    ; external interrupt, STI shadow
    mov eax, 0x21
    mov ebx, ROMBASE + irq_handler
    mov dx, 0x8e00
    call set_gate32
    mov dword [0x530], 0
    mov al, 0x21
    out 0xf0, al
    nop
    TEST_EQ [0x530], 0, "INTR held off while IF=0"
    sti
    mov ebx, [0x530]
    mov ecx, [0x530]
    cli
    TEST_EQ ebx, 0, "STI shadow: one instruction"
    TEST_EQ ecx, 1, "INTR taken after the shadow"

    ; paging: PD at 0x10000, PT at 0x11000
    mov edi, 0x10000
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov edi, 0x11000
    mov eax, 0x007
    mov ecx, 1024
.pt: stosd
    add eax, 0x1000
    loop .pt
    mov dword [0x10000], 0x11007
    mov dword [0x10004], 0x00000087          ; 4 MiB page: 0x400000 -> 0
    mov dword [0x10000 + 0x3fb * 4], 0xfec00083
    mov dword [0x11000 + 0x200 * 4], 0       ; 0x200000 not present
    mov dword [0x11000 + 0x201 * 4], 0x201005 ; read-only
    mov dword [0x11000 + 0x206 * 4], 0x206003 ; supervisor only
    mov eax, 0x10000
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    TEST_EQ [0x530], 1, "paging on: identity mapping"

    EXPECT_FAULT .p1
    mov eax, [0x200123]
.p1:
    TEST_EQ [EXC_VEC], 14, "not-present page: #PF"
    TEST_EQ [EXC_ERR], 0, "not-present read: error code 0"
    mov eax, cr2
    TEST_EQ eax, 0x200123, "CR2 holds the faulting address"
    EXPECT_FAULT .p2
    mov dword [0x200000], 1
.p2:
    TEST_EQ [EXC_ERR], 2, "not-present write: error code 2"
    mov dword [0x201000], 0x55
    TEST_EQ [0x201000], 0x55, "WP=0: supervisor writes a read-only page"
    mov eax, cr0
    or eax, 0x10000
    mov cr0, eax
    EXPECT_FAULT .p3
    mov dword [0x201000], 0x66
.p3:
    TEST_EQ [EXC_ERR], 3, "WP=1: write to read-only page, error code 3"
    TEST_EQ [0x201000], 0x55, "faulting write left memory alone"
    mov eax, [0x203000]
    mov eax, [0x11000 + 0x203 * 4]
    and eax, 0x60
    TEST_EQ eax, 0x20, "read sets A only"
    mov dword [0x202000], 1
    mov eax, [0x11000 + 0x202 * 4]
    and eax, 0x60
    TEST_EQ eax, 0x60, "write sets A and D"
    mov eax, [0x10000]
    and eax, 0x20
    TEST_EQ eax, 0x20, "PDE accessed bit"
    mov dword [0x5f0], 0x1234abcd
    TEST_EQ [0x4005f0], 0x1234abcd, "4 MiB PSE page"
    mov dword [0xfed00010], 0xcafef00d
    TEST_EQ [0xfed00010], 0xcafef00d, "MMIO page through the bus"
    mov dword [0x204000], 0xaaaa
    mov dword [0x205000], 0xbbbb
    mov eax, [0x204000]
    mov dword [0x11000 + 0x204 * 4], 0x205007
    invlpg [0x204000]
    TEST_EQ [0x204000], 0xbbbb, "INVLPG picks up a new mapping"
    mov dword [0x11000 + 0x204 * 4], 0x204007
    mov eax, cr3
    mov cr3, eax
    TEST_EQ [0x204000], 0xaaaa, "CR3 reload flushes the TLB"

    ; ring 3: TSS with ESP0 and an I/O bitmap allowing only 0xe9
    mov edi, 0x3000
    mov ecx, 0x90 / 4
    xor eax, eax
    rep stosd
    mov dword [0x3004], 0x9000
    mov dword [0x3008], 0x10
    mov word [0x3066], 0x68
    mov edi, 0x3068
    mov ecx, 32
    mov al, 0xff
    rep stosb
    and byte [0x3068 + 0xe9 / 8], ~(1 << (0xe9 & 7))
    mov ax, 0x38
    ltr ax
    mov eax, [0x1000 + 0x38 + 4]
    and eax, 0x200
    TEST_EQ eax, 0x200, "LTR marks the TSS busy"
    ; call gate 0x40: DPL 3, 32-bit, to gate_fn
    mov eax, ROMBASE + gate_fn
    mov word [0x1040], ax
    mov word [0x1042], 0x08
    mov word [0x1044], 0xec00
    shr eax, 16
    mov word [0x1046], ax
    ; INT 0x80: DPL 3 interrupt gate
    mov eax, 0x80
    mov ebx, ROMBASE + sys80
    mov dx, 0xee00
    call set_gate32
    mov [KSTACK_SAVE], esp
    mov dword [RESUME0], ROMBASE + back0
    push dword 0x33
    push dword 0xa000
    push dword 0x002
    push dword 0x2b
    push dword ROMBASE + ring3
    iretd

ring3:
    mov ax, 0x33
    mov ds, ax
    mov es, ax
    mov eax, cs
    and eax, 3
    TEST_EQ eax, 3, "ring 3: CPL"
    EXPECT_FAULT .u1
    cli
.u1:
    TEST_EQ [EXC_VEC], 13, "ring 3: CLI with IOPL 0 is #GP"
    TEST_EQ [EXC_CS], 0x2b, "ring 3: fault frame has the user CS"
    EXPECT_FAULT .u2
    in al, 0x80
.u2:
    TEST_EQ [EXC_VEC], 13, "ring 3: IN denied by the I/O bitmap"
    EXPECT_FAULT .u3
    mov eax, cr0
.u3:
    TEST_EQ [EXC_VEC], 13, "ring 3: MOV from CR0 is #GP"
    EXPECT_FAULT .u4
    hlt
.u4:
    TEST_EQ [EXC_ERR], 0, "ring 3: HLT is #GP(0)"
    EXPECT_FAULT .u5
    mov eax, [0x206000]
.u5:
    TEST_EQ [EXC_VEC], 14, "ring 3: supervisor page is #PF"
    TEST_EQ [EXC_ERR], 5, "ring 3: error code U|P"
    EXPECT_FAULT .u6
    mov dword [0x201000], 0
.u6:
    TEST_EQ [EXC_ERR], 7, "ring 3: read-only page write, error code 7"
    mov dword [0x548], 0
    call 0x43:0
    TEST_EQ [0x548], 0, "call gate: ran at CPL 0"
    TEST_EQ [0x54c], 0x33, "call gate: user SS on the inner stack"
    mov eax, ss
    TEST_EQ eax, 0x33, "RETF restores the user stack"
    EXPECT_FAULT .u7
    int 0x21
.u7:
    TEST_EQ [EXC_ERR], 0x21 * 8 + 2, "INT to a DPL 0 gate: #GP(vector*8+2)"
    int 0x80

gate_fn:
    mov eax, cs
    and eax, 3
    mov [0x548], eax
    mov eax, [esp + 12]
    mov [0x54c], eax
    retf

sys80:
    mov eax, [esp + 4]
    mov [0x540], eax
    mov eax, [esp + 16]
    mov [0x544], eax
    mov esp, [KSTACK_SAVE]
    jmp [RESUME0]

back0:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    TEST_EQ [0x540], 0x2b, "INT 0x80 from ring 3: user CS in frame"
    TEST_EQ [0x544], 0x33, "INT 0x80 from ring 3: user SS in frame"
    mov eax, ss
    TEST_EQ eax, 0x10, "ring 0 stack from the TSS"

    ; SYSENTER/SYSEXIT with SYSENTER_CS = 0x18: user CS 0x2b, SS 0x33
    mov ecx, 0x174
    xor edx, edx
    mov eax, 0x18
    wrmsr
    mov ecx, 0x175
    mov eax, 0x8800
    wrmsr
    mov ecx, 0x176
    mov eax, ROMBASE + sysenter_entry
    wrmsr
    mov ecx, 0xa000
    mov edx, ROMBASE + sys_user
    sysexit
sys_user:
    mov eax, cs
    mov [0x550], eax
    mov eax, ss
    mov [0x554], eax
    sysenter
sysenter_entry:
    mov [0x558], esp
    jmp 0x08:(ROMBASE + .flat)
.flat:
    mov ax, 0x10
    mov ss, ax
    mov esp, [KSTACK_SAVE]
    TEST_EQ [0x550], 0x2b, "SYSEXIT: user CS"
    TEST_EQ [0x554], 0x33, "SYSEXIT: user SS"
    TEST_EQ [0x558], 0x8800, "SYSENTER: ESP from the MSR"

    ; back to real mode through a 16-bit segment
    jmp 0x18:pm16
[bits 16]
pm16:
    mov ax, 0x20
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr0
    and eax, 0x7ffefffe
    mov cr0, eax
    jmp 0xf000:real_again
real_again:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    lidt [cs:ivt_desc]
    mov ax, cs
    TEST16_EQ ax, 0xf000, "back in real mode"
    int 0x30
    TEST16_EQ ax, 0x5a5a, "real mode INT after protected mode"
    jmp tap_done16

[bits 32]
irq_handler:
    mov dword [0x530], 1
    iretd

bounds: dd 0, 4
ivt_desc: dw 0x3ff
          dd 0

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
