; SPDX-License-Identifier: LGPL-2.1-or-later
; System mechanisms: task switches (CALL to a TSS with NT/back link and
; IRET, JMP through a task gate), single-step (TF) and DR0 instruction
; breakpoints, virtual-8086 mode (INT via the IDT with IOPL 3, #GP for CLI
; with IOPL 0, return to ring 0), PAE paging with 2 MiB and 4 KiB pages,
; and a double fault delivered through a task gate (last).
; model: max
    org 0
%include "lib.inc"

TSS_A equ 0x3000
TSS_B equ 0x3100
TSS_C equ 0x3200

[bits 16]
start:
    REAL_INIT
    PM32_ENTER RAM
    FLAT_GDT
    dq 0x00008900300000a8       ; 0x18 TSS A (0x3000), redirection + I/O bitmaps
    dq 0x0000890031000067       ; 0x20 TSS B (0x3100)
    dq 0x0000850000200000       ; 0x28 task gate -> 0x20
    dq 0x0000890032000067       ; 0x30 TSS C (0x3200)
gdt_end:

    PM32_INIT

    ; TSS A: ring-0 stack for V86 interrupts, I/O bitmap allowing 0xe9
    mov edi, TSS_A
    mov ecx, 0x300 / 4
    xor eax, eax
    rep stosd
    mov dword [TSS_A + 4], 0x8800
    mov dword [TSS_A + 8], 0x10
    mov word [TSS_A + 0x66], 0x88               ; redirection bitmap at 0x68 (all 0)
    mov edi, TSS_A + 0x88
    mov ecx, 32
    mov al, 0xff
    rep stosb
    and byte [TSS_A + 0x88 + 0xe9 / 8], ~(1 << (0xe9 & 7))
    mov ax, 0x18
    ltr ax

    ; TSS B: a task in this address space
    mov dword [TSS_B + 0x20], ROMBASE + task_b
    mov dword [TSS_B + 0x24], 0x2
    mov dword [TSS_B + 0x38], 0x6000     ; ESP
    mov dword [TSS_B + 0x48], 0x10       ; ES
    mov dword [TSS_B + 0x4c], 0x08       ; CS
    mov dword [TSS_B + 0x50], 0x10       ; SS
    mov dword [TSS_B + 0x54], 0x10       ; DS
    mov dword [TSS_B + 0x58], 0x10
    mov dword [TSS_B + 0x5c], 0x10
    mov ebx, 0x1234
    call 0x20:0
    ; back from task B's IRET
    TEST_EQ [0x560], 0x4000, "CALL to a TSS: NT set in the new task"
    TEST_EQ [0x564], 0x18, "CALL to a TSS: back link"
    TEST_EQ [0x568], 0x20, "STR in the new task"
    TEST_EQ [0x56c], 0, "EBX comes from the new TSS, not the caller"
    str eax
    TEST_EQ eax, 0x18, "IRET with NT returns to the old task"
    TEST_EQ ebx, 0x1234, "old task's registers restored"
    mov eax, [0x1000 + 0x20 + 4]
    and eax, 0x200
    TEST_EQ eax, 0, "IRET clears the busy bit of the task left"
    mov eax, cr0
    and eax, 8
    TEST_EQ eax, 8, "task switch sets CR0.TS"
    clts
    jmp 0x28:0
    ; task B jumped back to us
    TEST_EQ [0x570], 0x5678, "JMP through a task gate resumes task B"
    mov eax, [0x1000 + 0x20 + 4]
    and eax, 0x200
    TEST_EQ eax, 0, "JMP back clears task B's busy bit"
    clts

    ; single step: traps after each instruction while TF is set
    mov eax, 1
    mov ebx, ROMBASE + db_handler
    mov dx, 0x8e00
    call set_gate32
    mov dword [0x580], 0
    pushfd
    or dword [esp], 0x100
    popfd
    nop
    nop
    pushfd
    and dword [esp], ~0x100
    popfd
    nop
    TEST_EQ [0x580], 5, "TF: five single-step traps"
    mov eax, dr6
    and eax, 0x4000
    TEST_EQ eax, 0x4000, "DR6.BS after single step"
    ; DR0 instruction breakpoint (fault; the handler sets RF)
    mov dword [0x580], 0
    xor eax, eax
    mov dr6, eax
    mov eax, ROMBASE + bp_here
    mov dr0, eax
    mov eax, 0x1
    mov dr7, eax
    nop
bp_here:
    mov ecx, 7
    xor eax, eax
    mov dr7, eax
    TEST_EQ [0x580], 1, "DR0 execute breakpoint: one #DB"
    TEST_EQ ecx, 7, "instruction after the breakpoint ran"
    mov eax, dr6
    and eax, 0xf
    TEST_EQ eax, 1, "DR6.B0"

    ; V86: IOPL 3, INT 0x31 through a DPL 3 gate to ring 0 and back
    mov eax, 0x31
    mov ebx, ROMBASE + v86_int31
    mov dx, 0xee00
    call set_gate32
    mov eax, 0x80
    mov ebx, ROMBASE + v86_exit
    mov dx, 0xee00
    call set_gate32
    mov [KSTACK_SAVE], esp
    mov dword [RESUME0], ROMBASE + after_v86
    push dword 0                ; GS
    push dword 0                ; FS
    push dword 0                ; DS
    push dword 0                ; ES
    push dword 0                ; SS
    push dword 0x6800           ; ESP
    push dword 0x23002          ; VM, IOPL 3
    push dword 0xf000           ; CS
    push dword v86_code         ; IP
    iretd

[bits 16]
v86_code:
    pushfd
    pop eax
    shr eax, 12
    and ax, 3
    TEST16_EQ ax, 3, "V86: running with IOPL 3"
    mov ax, 0
    int 0x31
    TEST16_EQ ax, 0x31, "V86: INT to a ring-0 handler and IRET back"
    mov ax, ss
    TEST16_EQ ax, 0, "V86: SS restored"
    ; IOPL 0 from here: CLI faults, OUT 0xe9 is allowed by the bitmap
    int 0x80

[bits 32]
v86_int31:
    mov bx, ds
    mov ax, 0x10
    mov ds, ax
    mov eax, [esp + 8]
    and eax, 0x20000
    mov [0x590], eax
    mov [0x594], bx
    mov eax, 0x31
    iretd

v86_exit:
    mov esp, [ss:KSTACK_SAVE]
    jmp [ss:RESUME0]

after_v86:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    TEST_EQ [0x590], 0x20000, "V86 interrupt frame has VM set"
    TEST_W [0x594], 0, "V86 interrupt: DS is null in the handler"
    ; V86 with IOPL 0: CLI is #GP(0); a dedicated #GP handler leaves V86
    mov eax, 13
    mov ebx, ROMBASE + v86_gp
    mov dx, 0x8e00
    call set_gate32
    mov dword [RESUME0], ROMBASE + after_v86_2
    mov [KSTACK_SAVE], esp
    push dword 0
    push dword 0
    push dword 0
    push dword 0
    push dword 0
    push dword 0x6800
    push dword 0x20002          ; VM, IOPL 0
    push dword 0xf000
    push dword v86_code2
    iretd
[bits 16]
v86_code2:
    mov al, '#'
    out 0xe9, al
    mov al, 10
    out 0xe9, al
    cli
    hlt
[bits 32]
v86_gp:
    mov dword [ss:0x598], 13
    mov eax, [esp]
    mov [ss:0x59c], eax
    mov eax, [esp + 12]
    mov [ss:0x5a0], eax
    mov esp, [ss:KSTACK_SAVE]
    jmp [ss:RESUME0]
after_v86_2:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    TEST_EQ [0x598], 13, "V86 IOPL 0: CLI is #GP"
    TEST_EQ [0x59c], 0, "V86 IOPL 0: error code 0"
    mov eax, [0x5a0]
    and eax, 0x20000
    TEST_EQ eax, 0x20000, "V86 #GP frame: VM set"

    ; VME, IOPL 0: INT 0x33 redirected to the 8086 handler in the IVT,
    ; CLI/STI act on VIF
    mov eax, cr4
    or eax, 1
    mov cr4, eax
    or byte [TSS_A + 0x68 + 0x80 / 8], 1
    mov word [0x33 * 4], v86_int33
    mov word [0x33 * 4 + 2], 0xf000
    mov dword [RESUME0], ROMBASE + after_v86_3
    mov [KSTACK_SAVE], esp
    push dword 0
    push dword 0
    push dword 0
    push dword 0
    push dword 0
    push dword 0x6800
    push dword 0x20002          ; VM, IOPL 0
    push dword 0xf000
    push dword v86_code3
    iretd
[bits 16]
v86_code3:
    mov ax, 0
    int 0x33
    TEST16_EQ ax, 0x3333, "VME: INT redirected through the V86 IVT"
    sti
    pushf
    pop ax
    and ax, 0x3200
    TEST16_EQ ax, 0x3200, "VME: PUSHF shows VIF as IF, IOPL 3"
    cli
    int 0x80                    ; bit set in the bitmap, IOPL 0: #GP leaves V86
v86_int33:
    mov ax, 0x3333
    iret
[bits 32]
after_v86_3:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov eax, cr4
    and eax, ~1
    mov cr4, eax
    mov eax, 13
    mov ebx, ROMBASE + exc_stub_13
    mov dx, 0x8e00
    call set_gate32

    ; PAE: PDPT at 0x20000, PD at 0x21000, PT at 0x22000
    mov edi, 0x20000
    mov ecx, 0x3000 / 4
    xor eax, eax
    rep stosd
    mov dword [0x20000], 0x21001
    mov dword [0x21000], 0x22003             ; 0-2 MiB: 4 KiB pages
    mov dword [0x21008], 0x00000083          ; 2-4 MiB: 2 MiB page -> 0
    mov edi, 0x22000
    mov eax, 0x003
    mov ecx, 512
.pt: mov [edi], eax
    mov dword [edi + 4], 0
    add eax, 0x1000
    add edi, 8
    loop .pt
    mov dword [0x22000 + 0x100 * 8], 0       ; 0x100000 not present
    mov eax, 0x20000
    mov cr3, eax
    mov eax, cr4
    or eax, 0x20
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov dword [0x5f0], 0xfeedf00d
    TEST_EQ [0x2005f0], 0xfeedf00d, "PAE: 2 MiB page"
    EXPECT_FAULT .pf
    mov eax, [0x100000]
.pf:
    TEST_EQ [EXC_VEC], 14, "PAE: not-present 4 KiB page"
    mov eax, [0x22000]
    and eax, 0x20
    TEST_EQ eax, 0x20, "PAE: accessed bit in the PTE"
    mov eax, [0x21008]
    and eax, 0x20
    TEST_EQ eax, 0x20, "PAE: accessed bit in the 2 MiB PDE"
    mov eax, cr0
    or eax, 0x10000
    mov cr0, eax
    mov dword [0x21008], 0x000000e1          ; P|A|D|PS, read-only
    mov eax, cr3
    mov cr3, eax
    mov eax, [0x2005f0]
    EXPECT_FAULT .ro
    mov dword [0x2005f0], 1
.ro:
    TEST_EQ [EXC_ERR], 3, "PAE: write to a read-only 2 MiB page (A, D set)"
    mov eax, cr0
    and eax, ~0x10000
    mov cr0, eax
    ; NX (model max): EFER.NXE, an NX page cannot be executed
    mov ecx, 0xc0000080
    rdmsr
    or eax, 0x800
    wrmsr
    mov dword [0x22000 + 0x30 * 8 + 4], 0x80000000   ; 0x30000 NX
    mov eax, cr3
    mov cr3, eax
    mov byte [0x30000], 0xc3
    mov eax, [0x30000]
    EXPECT_FAULT .nx
    mov eax, 0x30000
    call eax
.nx:
    TEST_EQ [EXC_VEC], 14, "NX page: fetch faults"
    TEST_EQ [EXC_ERR], 0x11, "NX fetch: error code I/D|P"
    mov eax, cr0
    and eax, 0x7fffffff
    mov cr0, eax

    ; double fault through a task gate: #GP with a not-present #GP gate
    mov dword [TSS_C + 0x20], ROMBASE + task_df
    mov dword [TSS_C + 0x24], 0x2
    mov dword [TSS_C + 0x38], 0x5000
    mov dword [TSS_C + 0x48], 0x10
    mov dword [TSS_C + 0x4c], 0x08
    mov dword [TSS_C + 0x50], 0x10
    mov dword [TSS_C + 0x54], 0x10
    mov dword [TSS_C + 0x58], 0x10
    mov dword [TSS_C + 0x5c], 0x10
    mov word [0x2000 + 8 * 8 + 2], 0x30      ; IDT[8]: task gate to 0x30
    mov word [0x2000 + 8 * 8 + 4], 0x8500
    and byte [0x2000 + 13 * 8 + 5], 0x7f     ; IDT[13] not present
    mov ax, 0x99
    mov ds, ax                               ; #GP -> #NP -> #DF
    jmp $

task_df:
    pop eax
    mov [0x5b0], eax
    str eax
    TEST_EQ eax, 0x30, "double fault: handled in the task of its gate"
    TEST_EQ [0x5b0], 0, "double fault: error code 0"
    TEST_EQ [TSS_A + 0x54], 0x10, "double fault: old DS saved in the old TSS"
    call tap_done32

task_b:
    pushfd
    pop eax
    and eax, 0x4000
    mov [0x560], eax
    movzx eax, word [TSS_B]
    mov [0x564], eax
    str eax
    mov [0x568], eax
    mov [0x56c], ebx
    iretd
    ; resumed by the JMP through the task gate
    mov dword [0x570], 0x5678
    jmp 0x18:0

db_handler:
    inc dword [0x580]
    or dword [esp + 8], 0x10000     ; RF: do not re-trigger a fault breakpoint
    iretd

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
