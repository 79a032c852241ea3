; SPDX-License-Identifier: LGPL-2.1-or-later
; Debug registers and alignment checking (Intel SDM vol. 3 ch. 17 and
; 6.15): data breakpoints (DR7 R/W 01 and 11, LEN 1/2/4/8, L and G
; enables, DR6.B0-3, a trap after the access), a REP STOSB/MOVSB stopped
; after the iteration that hit (EIP at the instruction, RF=1 in the
; frame), a hit in a loop of decoded instructions and from CPL 3, I/O
; breakpoints (R/W 10 with CR4.DE: OUT, IN, REP OUTSB), DR7.GD
; (#DB fault with DR6.BD, GD cleared), DR4/DR5 aliasing DR6/DR7 with
; CR4.DE=0 and #UD with CR4.DE=1, MOV DR at CPL 3 (#GP(0)), and #AC
; (CR0.AM=1, EFLAGS.AC=1, CPL 3: misaligned word/dword/qword and PUSH,
; FNSAVE/FRSTOR and SGDT checked as a whole, error code 0; none at CPL 0,
; with AC=0 or AM=0, or for descriptor reads from a misaligned LDT).
; model: max
    org 0
%include "lib.inc"

W       equ 0x7000              ; watched data
SAVE    equ 0x600               ; scratch for register values
CR0_AM  equ 0x40000
EFL_AC  equ 0x40000
EFL_RF  equ 0x10000

; DR7 fields of breakpoint n
%define DR7_L(n) (1 << (2 * (n)))
%define DR7_G(n) (2 << (2 * (n)))
%define DR7_RW(n, v) ((v) << (16 + 4 * (n)))
%define DR7_LEN(n, v) ((v) << (18 + 4 * (n)))

%macro CLEAR_DR6 0
    xor eax, eax
    mov dr6, eax
%endmacro

; DR6 & 0xe00f (BT, BS, BD, B3-B0) equals %1
%macro TEST_DR6 2
    mov eax, dr6
    and eax, 0xe00f
    TEST_EQ eax, %1, %2
%endmacro

[bits 16]
start:
    REAL_INIT
    PM32_ENTER RAM
    FLAT_GDT
    dq 0x0000890030000067       ; 0x18 TSS (0x3000)
    dq 0x00cffa000000ffff       ; 0x20 code32 ring 3 (0x23)
    dq 0x00cff2000000ffff       ; 0x28 data32 ring 3 (0x2b)
    dq 0x000082001801000f       ; 0x30 LDT at 0x1801 (misaligned), 2 entries
gdt_end:

    PM32_INIT
    ; TSS: ring-0 stack for exceptions and INT 0x80 from ring 3
    mov edi, 0x3000
    mov ecx, 0x68 / 4
    xor eax, eax
    rep stosd
    mov dword [0x3004], 0x9000
    mov dword [0x3008], 0x10
    mov ax, 0x18
    ltr ax
    mov eax, 0x80
    mov ebx, ROMBASE + sys80
    mov dx, 0xee00
    call set_gate32
    ; LDT entry 1 (selector 0x0f): ring-3 data at a misaligned address
    mov dword [0x1801], 0
    mov dword [0x1805], 0
    mov dword [0x1809], 0x0000ffff
    mov dword [0x180d], 0x00cff200
    mov ax, 0x30
    lldt ax
    fninit

    ; --- data breakpoints ---------------------------------------------
    mov dword [W], 0
    mov eax, [W]                ; the page is in the TLB before DR7 is set
    CLEAR_DR6
    mov eax, dr6
    TEST_EQ eax, 0xffff0ff0, "DR6 after writing 0: reserved bits read 1"
    mov eax, W
    mov dr0, eax
    mov eax, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 0)
    mov dr7, eax
    EXPECT_FAULT .a1
    mov eax, [W]
.a1:
    TEST_EQ [EXC_VEC], 0xffffffff, "write breakpoint: a read does not trap"
    EXPECT_FAULT .a2
    mov byte [W], 0x5a
.a2:
    TEST_EQ [EXC_VEC], 1, "write breakpoint: a byte write is #DB"
    TEST_EQ [EXC_EIP], ROMBASE + .a2, "write breakpoint: trap, EIP after the write"
    TEST_B [W], 0x5a, "write breakpoint: the write completed"
    TEST_DR6 1, "write breakpoint: DR6.B0"
    mov eax, [EXC_EFL]
    and eax, EFL_RF
    TEST_EQ eax, 0, "write breakpoint: RF=0 in the trap frame"
    EXPECT_FAULT .a3
    mov byte [W + 1], 0x5a
.a3:
    TEST_EQ [EXC_VEC], 0xffffffff, "write breakpoint: the next byte does not trap"

    ; R/W=11 LEN=4 on DR1
    CLEAR_DR6
    mov eax, W + 0x10
    mov dr1, eax
    mov eax, DR7_L(1) | DR7_RW(1, 3) | DR7_LEN(1, 3)
    mov dr7, eax
    EXPECT_FAULT .b1
    mov al, [W + 0x13]
.b1:
    TEST_EQ [EXC_VEC], 1, "read/write breakpoint: a byte read in the dword is #DB"
    TEST_DR6 2, "read/write breakpoint: DR6.B1"
    EXPECT_FAULT .b2
    mov al, [W + 0x14]
.b2:
    TEST_EQ [EXC_VEC], 0xffffffff, "read/write breakpoint: past LEN=4 no trap"
    EXPECT_FAULT .b3
    mov ax, [W + 0x0f]
.b3:
    TEST_EQ [EXC_VEC], 1, "read/write breakpoint: a word overlapping its start traps"
    EXPECT_FAULT .b4
    mov byte [W + 0x11], 1
.b4:
    TEST_EQ [EXC_VEC], 1, "read/write breakpoint: a write traps too"

    ; LEN=2 on DR2 with a misaligned address: the low bit is ignored
    CLEAR_DR6
    mov eax, W + 0x21
    mov dr2, eax
    mov eax, DR7_L(2) | DR7_RW(2, 1) | DR7_LEN(2, 1)
    mov dr7, eax
    EXPECT_FAULT .c1
    mov byte [W + 0x20], 1
.c1:
    TEST_EQ [EXC_VEC], 1, "LEN=2: address masked to the word"
    TEST_DR6 4, "LEN=2: DR6.B2"
    EXPECT_FAULT .c2
    mov byte [W + 0x22], 1
.c2:
    TEST_EQ [EXC_VEC], 0xffffffff, "LEN=2: the next word does not trap"

    ; G3 alone enables DR3; a misaligned dword reaching into it
    CLEAR_DR6
    mov eax, W + 0x30
    mov dr3, eax
    mov eax, DR7_G(3) | DR7_RW(3, 1) | DR7_LEN(3, 3)
    mov dr7, eax
    EXPECT_FAULT .d1
    mov dword [W + 0x2e], 0
.d1:
    TEST_EQ [EXC_VEC], 1, "G3 enable: a dword write crossing into the range traps"
    TEST_DR6 8, "G3 enable: DR6.B3"
    ; R/W=01 with neither L nor G: nothing
    mov eax, DR7_RW(3, 1) | DR7_LEN(3, 3)
    mov dr7, eax
    EXPECT_FAULT .d2
    mov dword [W + 0x30], 0
.d2:
    TEST_EQ [EXC_VEC], 0xffffffff, "disabled breakpoint: no trap"

    ; two breakpoints hit by one access
    CLEAR_DR6
    mov eax, W + 0x40
    mov dr0, eax
    mov eax, W + 0x42
    mov dr1, eax
    mov eax, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 0) | DR7_L(1) | DR7_RW(1, 3) | DR7_LEN(1, 0)
    mov dr7, eax
    EXPECT_FAULT .e1
    mov dword [W + 0x40], 0
.e1:
    TEST_EQ [EXC_VEC], 1, "two breakpoints in one write: #DB"
    TEST_DR6 3, "two breakpoints in one write: DR6.B0|B1"

    ; LEN=10: 8 bytes on P6 processors
    CLEAR_DR6
    mov eax, W + 0x48
    mov dr0, eax
    mov eax, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 2)
    mov dr7, eax
    EXPECT_FAULT .f1
    mov byte [W + 0x4f], 1
.f1:
    TEST_EQ [EXC_VEC], 1, "LEN=8: last byte traps"
    EXPECT_FAULT .f2
    mov byte [W + 0x50], 1
.f2:
    TEST_EQ [EXC_VEC], 0xffffffff, "LEN=8: the byte after does not trap"

    ; a loop of decoded instructions: trap after the store that hit
    xor eax, eax
    mov dr7, eax
    call store_loop
    call store_loop
    CLEAR_DR6
    mov eax, W + 0x68
    mov dr0, eax
    mov eax, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 3)
    mov dr7, eax
    EXPECT_FAULT .g1
    call store_loop
.g1:
    add esp, 4                  ; store_loop's return address
    mov [SAVE], ecx
    TEST_EQ [EXC_VEC], 1, "store loop: #DB"
    TEST_EQ [EXC_EIP], ROMBASE + store_loop.next, "store loop: trap after the store"
    TEST_EQ [SAVE], 2, "store loop: the third store hit"
    TEST_DR6 1, "store loop: DR6.B0"

    ; REP STOSB: trap after the iteration that hit, EIP at the
    ; instruction while iterations are left, RF=1 in the frame
    CLEAR_DR6
    mov eax, W + 0x103
    mov dr0, eax
    mov eax, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 0)
    mov dr7, eax
    cld
    mov edi, W + 0x100
    mov ecx, 8
    mov al, 0x77
    EXPECT_FAULT .h1
.h0:
    rep stosb
.h1:
    mov [SAVE], ecx
    mov [SAVE + 4], edi
    TEST_EQ [EXC_VEC], 1, "REP STOSB: #DB"
    TEST_EQ [EXC_EIP], ROMBASE + .h0, "REP STOSB: EIP at the instruction"
    TEST_EQ [SAVE], 4, "REP STOSB: stopped after the 4th iteration (ECX)"
    TEST_EQ [SAVE + 4], W + 0x104, "REP STOSB: EDI after the 4th iteration"
    TEST_B [W + 0x104], 0, "REP STOSB: the 5th byte not written yet"
    mov eax, [EXC_EFL]
    and eax, EFL_RF
    TEST_EQ eax, EFL_RF, "REP STOSB: RF=1 in the frame"
    TEST_DR6 1, "REP STOSB: DR6.B0"
    ; a hit in the last iteration: a plain trap after the instruction
    mov eax, W + 0x107
    mov dr0, eax
    mov edi, W + 0x100
    mov ecx, 8
    EXPECT_FAULT .h3
.h2:
    rep stosb
.h3:
    TEST_EQ [EXC_EIP], ROMBASE + .h3, "REP STOSB: last-iteration hit, EIP after"
    mov eax, [EXC_EFL]
    and eax, EFL_RF
    TEST_EQ eax, 0, "REP STOSB: last-iteration hit, RF=0"

    ; REP MOVSB, read breakpoint on the source
    CLEAR_DR6
    mov eax, W + 0x205
    mov dr1, eax
    mov eax, DR7_L(1) | DR7_RW(1, 3) | DR7_LEN(1, 0)
    mov dr7, eax
    mov esi, W + 0x200
    mov edi, W + 0x300
    mov ecx, 8
    EXPECT_FAULT .i1
.i0:
    rep movsb
.i1:
    mov [SAVE], ecx
    TEST_EQ [EXC_EIP], ROMBASE + .i0, "REP MOVSB: read breakpoint, EIP at the instruction"
    TEST_EQ [SAVE], 2, "REP MOVSB: stopped after the 6th iteration"
    TEST_DR6 2, "REP MOVSB: DR6.B1"

    ; --- I/O breakpoints (R/W=10, CR4.DE=1) ------------------------------
    CLEAR_DR6
    mov eax, 0x80
    mov dr0, eax
    mov eax, 0x84
    mov dr1, eax
    mov eax, DR7_L(0) | DR7_RW(0, 2) | DR7_LEN(0, 0) | DR7_L(1) | DR7_RW(1, 2) | DR7_LEN(1, 3)
    mov dr7, eax
    mov eax, cr4
    or eax, 8
    mov cr4, eax
    EXPECT_FAULT .o2
    out 0x80, al
.o2:
    TEST_EQ [EXC_VEC], 1, "I/O breakpoint: OUT is #DB"
    TEST_EQ [EXC_EIP], ROMBASE + .o2, "I/O breakpoint: trap after OUT"
    TEST_DR6 1, "I/O breakpoint: DR6.B0"
    EXPECT_FAULT .o3
    out 0x81, al
.o3:
    TEST_EQ [EXC_VEC], 0xffffffff, "I/O breakpoint: another port does not trap"
    CLEAR_DR6
    EXPECT_FAULT .o4
    mov dx, 0x86
    in ax, dx
.o4:
    TEST_EQ [EXC_VEC], 1, "I/O breakpoint: IN inside a LEN=4 range is #DB"
    TEST_DR6 2, "I/O breakpoint: DR6.B1"
    CLEAR_DR6
    mov dx, 0x80
    mov esi, W + 0x400
    mov ecx, 3
    EXPECT_FAULT .o6
.o5:
    rep outsb
.o6:
    mov [SAVE], ecx
    TEST_EQ [EXC_EIP], ROMBASE + .o5, "I/O breakpoint: REP OUTSB stops after the first iteration"
    TEST_EQ [SAVE], 2, "I/O breakpoint: REP OUTSB, ECX after one iteration"
    mov eax, cr4
    and eax, ~8
    mov cr4, eax

    ; --- DR7.GD, DR4/DR5 ------------------------------------------------
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov eax, 0x100              ; LE through DR5
    mov dr5, eax
    mov eax, dr7
    TEST_EQ eax, 0x500, "DR5 aliases DR7 with CR4.DE=0"
    mov eax, dr4
    mov ebx, dr6
    TEST_EQ eax, ebx, "DR4 aliases DR6 with CR4.DE=0"
    mov eax, cr4
    or eax, 8
    mov cr4, eax
    EXPECT_FAULT .j1
    mov eax, dr4
.j1:
    TEST_EQ [EXC_VEC], 6, "MOV from DR4 with CR4.DE=1: #UD"
    EXPECT_FAULT .j2
    mov dr5, eax
.j2:
    TEST_EQ [EXC_VEC], 6, "MOV to DR5 with CR4.DE=1: #UD"
    mov eax, cr4
    and eax, ~8
    mov cr4, eax

    mov eax, 0x1234
    mov dr1, eax
    CLEAR_DR6
    mov eax, 0x2000             ; GD
    mov dr7, eax
    EXPECT_FAULT .k1
.k0:
    mov eax, dr0
.k1:
    TEST_EQ [EXC_VEC], 1, "DR7.GD: MOV from DR0 is #DB"
    TEST_EQ [EXC_EIP], ROMBASE + .k0, "DR7.GD: fault, EIP at the MOV"
    mov eax, [EXC_EFL]
    and eax, EFL_RF
    TEST_EQ eax, EFL_RF, "DR7.GD: RF=1 in the fault frame"
    mov eax, dr7
    TEST_EQ eax, 0x400, "DR7.GD: GD cleared for the handler"
    TEST_DR6 0x2000, "DR7.GD: DR6.BD"
    CLEAR_DR6
    mov eax, 0x2000
    mov dr7, eax
    mov ebx, 0x5678
    EXPECT_FAULT .k3
.k2:
    mov dr1, ebx
.k3:
    TEST_EQ [EXC_EIP], ROMBASE + .k2, "DR7.GD: MOV to DR1 is #DB before the move"
    mov eax, dr1
    TEST_EQ eax, 0x1234, "DR7.GD: DR1 unchanged"
    TEST_DR6 0x2000, "DR7.GD: DR6.BD for the write"

    ; --- alignment check --------------------------------------------------
    mov eax, cr0
    or eax, CR0_AM
    mov cr0, eax
    pushfd
    or dword [esp], EFL_AC
    popfd
    EXPECT_FAULT .l1
    mov eax, [W + 1]
.l1:
    TEST_EQ [EXC_VEC], 0xffffffff, "AM=1 AC=1 at CPL 0: no #AC"
    pushfd
    and dword [esp], ~EFL_AC
    popfd

    ; breakpoint for the CPL 3 part
    CLEAR_DR6
    mov eax, W + 0x80
    mov dr0, eax
    mov eax, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 3)
    mov dr7, eax
    mov ebx, ROMBASE + ring3_ac
    mov edx, 0x3002 | EFL_AC    ; IOPL 3 for the TAP port
    call to_ring3
    ; back at CPL 0
    TEST_DR6 1, "CPL 3: DR6.B0 for the user write"
    xor eax, eax
    mov dr7, eax

    ; AM=0: no #AC at CPL 3 with AC=1
    mov eax, cr0
    and eax, ~CR0_AM
    mov cr0, eax
    mov ebx, ROMBASE + ring3_noam
    mov edx, 0x3002 | EFL_AC
    call to_ring3
    jmp tap_done32

; ECX = 0..7: [W + 0x60 + ECX*4] = ECX
store_loop:
    mov ebx, W + 0x60
    xor ecx, ecx
.lp:
    mov [ebx + ecx * 4], ecx
.next:
    inc ecx
    cmp ecx, 8
    jb .lp
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

ring3_ac:
    mov ax, 0x2b
    mov ds, ax
    mov es, ax
    mov eax, cs
    and eax, 3
    TEST_EQ eax, 3, "CPL 3"
    EXPECT_FAULT .m0
    mov eax, dr7
.m0:
    TEST_EQ [EXC_VEC], 13, "MOV from DR7 at CPL 3: #GP"
    TEST_EQ [EXC_ERR], 0, "MOV from DR7 at CPL 3: error code 0"
    EXPECT_FAULT .m0b
    mov dr0, eax
.m0b:
    TEST_EQ [EXC_VEC], 13, "MOV to DR0 at CPL 3: #GP"
    EXPECT_FAULT .m1
    mov dword [W + 0x80], 1
.m1:
    TEST_EQ [EXC_VEC], 1, "CPL 3: write breakpoint traps"
    EXPECT_FAULT .m2
    mov eax, [W + 4]
    mov ax, [W + 2]
    mov al, [W + 1]
    mov [W + 8], eax
.m2:
    TEST_EQ [EXC_VEC], 0xffffffff, "AC: aligned accesses pass"
    mov dword [W + 0x8], 0x11223344
    EXPECT_FAULT .m4
.m3:
    mov eax, [W + 1]
.m4:
    TEST_EQ [EXC_VEC], 17, "AC: misaligned dword read is #AC"
    TEST_EQ [EXC_ERR], 0, "AC: error code 0"
    TEST_EQ [EXC_EIP], ROMBASE + .m3, "AC: fault, EIP at the instruction"
    EXPECT_FAULT .m5
    mov word [W + 9], 0
.m5:
    TEST_EQ [EXC_VEC], 17, "AC: misaligned word write is #AC"
    TEST_EQ [W + 8], 0x11223344, "AC: the write did not happen"
    EXPECT_FAULT .m6
    mov ax, [W + 0xe]
    mov [W + 0x12], ax
.m6:
    TEST_EQ [EXC_VEC], 0xffffffff, "AC: words at 2 mod 4 pass"
    EXPECT_FAULT .m7
    fld qword [W + 4]
.m7:
    TEST_EQ [EXC_VEC], 17, "AC: FLD qword at 4 mod 8 is #AC"
    EXPECT_FAULT .m8
    fld qword [W + 8]
    fstp st0
.m8:
    TEST_EQ [EXC_VEC], 0xffffffff, "AC: FLD qword at 8 passes"
    EXPECT_FAULT .m7b
    cmpxchg8b [W + 0x24]
.m7b:
    TEST_EQ [EXC_VEC], 17, "AC: CMPXCHG8B at 4 mod 8 is #AC"
    EXPECT_FAULT .m8b
    fnsave [W + 0x404]          ; 4-aligned image, registers at 2 mod 4
    frstor [W + 0x404]
    sgdt [W + 0x484]
.m8b:
    TEST_EQ [EXC_VEC], 0xffffffff, "AC: FNSAVE/FRSTOR/SGDT with 4-aligned operands pass"
    EXPECT_FAULT .m8c
    fnsave [W + 0x502]
.m8c:
    TEST_EQ [EXC_VEC], 17, "AC: FNSAVE at 2 mod 4 is #AC"
    EXPECT_FAULT .m8d
    sgdt [W + 0x586]
.m8d:
    TEST_EQ [EXC_VEC], 17, "AC: SGDT at 2 mod 4 is #AC"
    mov ebp, esp
    mov esp, 0x9ffe
    EXPECT_FAULT .m9
    push eax
.m9:
    mov esp, ebp
    TEST_EQ [EXC_VEC], 17, "AC: PUSH with a misaligned ESP is #AC"
    EXPECT_FAULT .m10
    mov ax, 0x0f
    mov fs, ax
.m10:
    TEST_EQ [EXC_VEC], 0xffffffff, "AC: descriptor read from a misaligned LDT is exempt"
    mov eax, fs
    TEST_EQ eax, 0x0f, "AC: FS loaded from the misaligned LDT"
    pushfd
    and dword [esp], ~EFL_AC
    popfd
    EXPECT_FAULT .m11
    mov eax, [W + 1]
.m11:
    TEST_EQ [EXC_VEC], 0xffffffff, "AC=0 at CPL 3: no #AC"
    pushfd
    or dword [esp], EFL_AC
    popfd
    EXPECT_FAULT .m12
    mov eax, [W + 3]
.m12:
    TEST_EQ [EXC_VEC], 17, "AC set again by POPF at CPL 3: #AC"
    int 0x80

ring3_noam:
    mov ax, 0x2b
    mov ds, ax
    mov es, ax
    EXPECT_FAULT .n1
    mov eax, [W + 1]
.n1:
    TEST_EQ [EXC_VEC], 0xffffffff, "AM=0 AC=1 at CPL 3: no #AC"
    int 0x80

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
