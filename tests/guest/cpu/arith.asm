; SPDX-License-Identifier: LGPL-2.1-or-later
; Integer instructions in flat 32-bit protected mode: ALU flags, shifts and
; rotates (incl. counts >= width), MUL/IMUL/DIV/IDIV, BCD, bit operations,
; CMPXCHG/XADD/CMPXCHG8B, string instructions with prefixes, 16-bit
; operand/address forms, CPUID. Expected values follow the Intel SDM vol. 2
; instruction descriptions (only flags the SDM defines are compared).
    org 0
[warning -prefix-lock]          ; the LOCK #UD tests are deliberate
%include "lib.inc"

; FLAGS_EQ mask, expected, "text": compare the arithmetic flags
%macro FLAGS_EQ 3
    pushfd
    pop eax
    and eax, %1
    TEST_EQ eax, %2, %3
%endmacro

CF equ 0x001
PF equ 0x004
AF equ 0x010
ZF equ 0x040
SF equ 0x080
OF equ 0x800
ALLF equ CF|PF|AF|ZF|SF|OF

[bits 16]
start:
    REAL_INIT
    PM32_ENTER
    FLAT_GDT
    dq 0x00cf92001000ffff       ; 0x18 data, base 0x1000
gdt_end:

    PM32_INIT

    ; ADD/SUB/ADC/SBB/INC/DEC/NEG flags
    mov eax, 0x7fffffff
    add eax, 1
    FLAGS_EQ ALLF, OF|SF|AF|PF, "add 0x7fffffff+1: OF SF AF PF"
    xor eax, eax
    sub eax, 1
    FLAGS_EQ ALLF, CF|SF|AF|PF, "sub 0-1: CF SF AF PF"
    mov al, 0xff
    add al, 1
    FLAGS_EQ ALLF, CF|ZF|AF|PF, "add al 0xff+1: CF ZF AF PF"
    stc
    mov eax, 0xffffffff
    adc eax, 0
    FLAGS_EQ CF|ZF, CF|ZF, "adc -1+0+CF: CF ZF"
    stc
    mov eax, 0
    sbb eax, 0
    mov ebx, eax
    FLAGS_EQ CF|ZF|SF, CF|SF, "sbb 0-0-CF: CF SF"
    TEST_EQ ebx, 0xffffffff, "sbb 0-0-CF: result"
    stc
    mov eax, 0x7fffffff
    inc eax
    FLAGS_EQ CF|OF|SF, CF|OF|SF, "inc keeps CF, sets OF"
    clc
    mov eax, 0x80000000
    dec eax
    FLAGS_EQ CF|OF|SF, OF, "dec 0x80000000: OF"
    mov eax, 5
    neg eax
    FLAGS_EQ CF|SF|ZF, CF|SF, "neg 5: CF SF"
    xor eax, eax
    neg eax
    FLAGS_EQ CF|ZF, ZF, "neg 0: CF=0 ZF"
    mov eax, 0xf0
    and eax, 0x0f
    FLAGS_EQ CF|OF|ZF|PF, ZF|PF, "and: CF=OF=0 ZF PF"
    mov ax, 0x8000
    cmp ax, 1
    FLAGS_EQ CF|OF|SF|ZF, OF, "cmp16 0x8000,1: OF"

    ; shifts and rotates
    mov eax, 0x80000001
    shl eax, 1
    mov ebx, eax
    FLAGS_EQ CF|OF|ZF|SF, CF|OF, "shl 1: CF, OF=MSB^CF"
    TEST_EQ ebx, 2, "shl 1: result"
    mov eax, 0x80000000
    shr eax, 31
    mov ebx, eax
    FLAGS_EQ CF, 0, "shr 31: CF=bit 30"
    TEST_EQ ebx, 1, "shr 31"
    mov eax, 0x80000000
    sar eax, 4
    TEST_EQ eax, 0xf8000000, "sar 4"
    mov al, 0x81
    mov cl, 9
    shl al, cl
    TEST_B al, 0, "shl al by 9: zero"
    stc
    mov eax, 0x12345678
    mov cl, 32
    shl eax, cl
    mov ebx, eax
    FLAGS_EQ CF, CF, "shl by 32: flags unchanged"
    TEST_EQ ebx, 0x12345678, "shl by 32: count masked to 0"
    mov al, 0x81
    rol al, 1
    mov bl, al
    FLAGS_EQ CF|OF, CF|OF, "rol al 1: CF OF"
    TEST_B bl, 0x03, "rol al 1"
    mov al, 0x81
    mov cl, 8
    rol al, cl
    mov bl, al
    FLAGS_EQ CF, CF, "rol al 8: CF=LSB"
    TEST_B bl, 0x81, "rol al 8: unchanged"
    mov eax, 1
    ror eax, 1
    mov ebx, eax
    FLAGS_EQ CF|OF, CF|OF, "ror 1: CF, OF=MSB^MSB-1"
    TEST_EQ ebx, 0x80000000, "ror 1"
    clc
    mov al, 0x80
    rcl al, 1
    mov bl, al
    FLAGS_EQ CF|OF, CF|OF, "rcl al 1: CF OF"
    TEST_B bl, 0, "rcl al 1: result"
    stc
    mov al, 0x01
    rcr al, 1
    mov bl, al
    FLAGS_EQ CF|OF, CF|OF, "rcr al 1: CF OF"
    TEST_B bl, 0x80, "rcr al 1 with CF: result"
    stc
    mov ax, 0x0001
    mov cl, 17
    rcl ax, cl
    mov bx, ax
    FLAGS_EQ CF, CF, "rcl ax 17: CF back"
    TEST_W bx, 0x0001, "rcl ax 17: full turn"
    mov eax, 0x12345678
    mov ebx, 0x9abcdef0
    shld eax, ebx, 8
    TEST_EQ eax, 0x3456789a, "shld 8"
    mov eax, 0x12345678
    mov ebx, 0x9abcdef0
    mov cl, 12
    shrd eax, ebx, cl
    mov ebx, eax
    FLAGS_EQ CF, 0, "shrd 12: CF=bit 11"
    TEST_EQ ebx, 0xef012345, "shrd 12"

    ; multiply and divide
    mov eax, 0xffffffff
    mov ecx, 0xffffffff
    mul ecx
    mov ebx, eax
    FLAGS_EQ CF|OF, CF|OF, "mul: CF OF"
    TEST_EQ edx, 0xfffffffe, "mul: high"
    TEST_EQ ebx, 1, "mul: low"
    mov eax, -3
    mov ecx, 7
    imul ecx
    FLAGS_EQ CF|OF, 0, "imul fits: CF=OF=0"
    TEST_EQ edx, 0xffffffff, "imul: sign extension in EDX"
    mov eax, 0x10000
    imul eax, eax, 0x10000
    FLAGS_EQ CF|OF, CF|OF, "imul overflow: CF OF"
    mov eax, -7
    cdq
    mov ecx, 2
    idiv ecx
    TEST_EQ eax, -3, "idiv -7/2: quotient"
    TEST_EQ edx, -1, "idiv -7/2: remainder"
    mov ax, 1000
    mov cl, 7
    div cl
    TEST_W ax, (1000 % 7) << 8 | (1000 / 7), "div r8"
    EXPECT_FAULT .d1
    mov eax, 0x80000000
    cdq
    mov ecx, -1
    idiv ecx
.d1:
    TEST_EQ [EXC_VEC], 0, "idiv INT_MIN/-1: #DE"
    EXPECT_FAULT .d2
    mov ax, 0x8000
    mov cl, 0xff
    idiv cl
.d2:
    TEST_EQ [EXC_VEC], 0, "idiv r8 overflow: #DE"

    ; BCD
    mov al, 0x79
    add al, 0x35
    daa
    mov bl, al
    FLAGS_EQ CF, CF, "daa 79+35: CF"
    TEST_B bl, 0x14, "daa 79+35"
    mov al, 0x35
    sub al, 0x47
    das
    mov bl, al
    FLAGS_EQ CF, CF, "das 35-47: CF"
    TEST_B bl, 0x88, "das 35-47"
    mov ax, 0x0009
    add al, 8
    aaa
    TEST_W ax, 0x0107, "aaa 9+8"
    mov ax, 0x0102
    sub al, 5
    aas
    TEST_W ax, 0x0007, "aas 12-5"
    mov al, 63
    aam
    TEST_W ax, 0x0603, "aam 63"
    mov ax, 0x0607
    aad
    TEST_W ax, 67, "aad 0607"
    EXPECT_FAULT .b1
    db 0xd4, 0x00
.b1:
    TEST_EQ [EXC_VEC], 0, "aam 0: #DE"

    ; bit operations
    mov eax, 0x00010000
    bsf ecx, eax
    TEST_EQ ecx, 16, "bsf"
    mov eax, 0x00010001
    bsr ecx, eax
    TEST_EQ ecx, 16, "bsr"
    xor eax, eax
    bsf ecx, eax
    FLAGS_EQ ZF, ZF, "bsf 0: ZF"
    mov dword [0x600], 0
    mov dword [0x604], 0
    mov eax, 35
    bts [0x600], eax
    FLAGS_EQ CF, 0, "bts: CF=old bit"
    TEST_EQ [0x604], 8, "bts m32 with register offset 35"
    mov eax, -1
    mov dword [0x5fc], 0x80000000
    bt [0x600], eax
    FLAGS_EQ CF, CF, "bt with negative offset"
    mov eax, 0x12345678
    bswap eax
    TEST_EQ eax, 0x78563412, "bswap"
    mov ecx, 0xff
    btc ecx, 33
    TEST_EQ ecx, 0xfd, "btc reg imm masked to 5 bits"
    mov eax, 0x1234
    movsx ebx, ax
    TEST_EQ ebx, 0x1234, "movsx positive"
    mov al, 0x80
    movsx ebx, al
    TEST_EQ ebx, 0xffffff80, "movsx negative"
    movzx ebx, al
    TEST_EQ ebx, 0x80, "movzx"
    mov ecx, 5
    cmp ecx, 6
    setl al
    setg ah
    TEST_W ax, 0x0001, "setl/setg"
    mov ebx, 1
    mov ecx, 2
    cmp ebx, ecx
    cmovb ebx, ecx
    TEST_EQ ebx, 2, "cmovb"

    ; atomics
    mov dword [0x610], 5
    mov eax, 5
    mov ecx, 9
    lock cmpxchg [0x610], ecx
    TEST_EQ [0x610], 9, "cmpxchg equal: stored"
    mov eax, 1
    cmpxchg [0x610], ecx
    TEST_EQ eax, 9, "cmpxchg different: loaded"
    mov ecx, 3
    lock xadd [0x610], ecx
    TEST_EQ ecx, 9, "xadd: old value"
    TEST_EQ [0x610], 12, "xadd: sum"
    mov dword [0x620], 0x11111111
    mov dword [0x624], 0x22222222
    mov eax, 0x11111111
    mov edx, 0x22222222
    mov ebx, 0x33333333
    mov ecx, 0x44444444
    cmpxchg8b [0x620]
    TEST_EQ [0x624], 0x44444444, "cmpxchg8b equal: stored"
    EXPECT_FAULT .l1
    lock mov [0x620], eax
.l1:
    TEST_EQ [EXC_VEC], 6, "lock mov: #UD"
    EXPECT_FAULT .l2
    lock add eax, ebx
.l2:
    TEST_EQ [EXC_VEC], 6, "lock with register destination: #UD"

    ; string instructions
    mov edi, 0x700
    mov ecx, 16
    mov al, 0x5a
    cld
    rep stosb
    TEST_EQ [0x70c], 0x5a5a5a5a, "rep stosb"
    TEST_EQ ecx, 0, "rep stosb: ECX=0"
    mov esi, 0x700
    mov edi, 0x701
    mov byte [0x700], 0x11
    mov ecx, 4
    rep movsb
    TEST_EQ [0x701], 0x11111111, "overlapping rep movsb replicates"
    mov esi, ROMBASE + str1
    mov edi, ROMBASE + str2
    mov ecx, 8
    repe cmpsb
    TEST_EQ ecx, 4, "repe cmpsb stops at the difference"
    mov edi, ROMBASE + str1
    mov ecx, 8
    mov al, 'c'
    repne scasb
    TEST_EQ edi, ROMBASE + str1 + 3, "repne scasb"
    std
    mov esi, 0x703
    mov edi, 0x803
    mov ecx, 4
    rep movsb
    cld
    TEST_EQ esi, 0x6ff, "std rep movsb decrements"
    mov ecx, 0
    mov edi, 0x900
    rep stosd
    TEST_EQ edi, 0x900, "rep with ECX=0 does nothing"
    mov esi, ROMBASE + str1
    lodsw
    TEST_W ax, 'ab', "lodsw"
    mov ecx, 0x10002
    mov edi, 0x10a00
    mov byte [0xa00], 0
    mov al, 0x77
    a16 rep stosb
    TEST_EQ ecx, 0x10000, "a16 rep stosb uses CX"
    TEST_EQ edi, 0x10a02, "a16 rep stosb uses DI"

    ; 16-bit forms
    mov bx, 0x700
    mov si, 0x10
    mov word [0x710], 0xbeef
    mov ax, [bx + si]
    TEST_W ax, 0xbeef, "16-bit addressing [bx+si]"
    mov eax, 0x12345678
    add ax, 0xffff
    TEST_EQ eax, 0x12345677, "o16 add keeps the high word"
    mov eax, 0
    xchg ax, ax
    mov dword [0x640], 0xaaaaaaaa
    mov ebp, 0x640
    push word 0x1234
    pop word [ebp]
    TEST_EQ [0x640], 0xaaaa1234, "push/pop word"
    mov esp, 0x9000
    mov dword [0x9000], 0
    push dword 0x55
    pop dword [esp]
    TEST_EQ [0x9000], 0x55, "pop m32 [esp]: address after increment"
    mov esp, 0x9000
    pushad
    popad
    TEST_EQ esp, 0x9000, "pushad/popad"
    enter 16, 0
    TEST_EQ ebp, 0x9000 - 4, "enter: frame pointer"
    TEST_EQ esp, 0x9000 - 4 - 16, "enter: locals"
    leave
    TEST_EQ esp, 0x9000, "leave"
    mov al, 0xf0
    mov ebx, ROMBASE + xlat_tab - 0xf0
    xlatb
    TEST_B al, 0x42, "xlat"

    ; CPUID and models
    xor eax, eax
    cpuid
    TEST_EQ ebx, 'Genu', "cpuid 0: vendor"
    mov eax, 1
    cpuid
    mov eax, edx
    and eax, (1 << 15) | (1 << 8) | (1 << 4)
    TEST_EQ eax, (1 << 15) | (1 << 8) | (1 << 4), "cpuid 1: CMOV CX8 TSC"
    mov eax, edx
    and eax, (1 << 25) | (1 << 26)
    TEST_EQ eax, 0, "cpuid 1: no SSE/SSE2"
    rdtsc
    mov ebx, eax
    rdtsc
    sub eax, ebx
    cmp eax, 0
    setg al
    TEST_B al, 1, "rdtsc advances"
    pushfd
    pop eax
    xor eax, 0x200000
    push eax
    popfd
    pushfd
    pop ebx
    xor eax, ebx
    and eax, 0x200000
    TEST_EQ eax, 0, "EFLAGS.ID toggles"

    ; self-modifying code in RAM: the decoded copy must follow the bytes
    mov esi, ROMBASE + smc_code
    mov edi, 0x20000
    mov ecx, smc_end - smc_code
    rep movsb
    mov ebx, 0x33333333
    mov eax, 0x20000
    call eax
    TEST_EQ eax, 0x33333333, "SMC: store patches the next instruction"
    mov ebx, 0x55555555
    mov eax, 0x20000
    call eax
    TEST_EQ eax, 0x55555555, "SMC: patched again after it ran"
    mov dword [0x20000 + smc_ret - smc_code - 4], 0x66666666
    mov eax, 0x20000
    call eax
    TEST_EQ eax, 0x55555555, "SMC: later bytes patched by the store"
    mov byte [0x20000 + smc_mov - smc_code], 0x90     ; the store becomes NOPs
    mov dword [0x20000 + smc_mov - smc_code + 1], 0x90909090
    mov dword [0x20000 + smc_mov - smc_code + 5], 0x90909090
    mov byte [0x20000 + smc_mov - smc_code + 9], 0x90
    mov eax, 0x20000
    call eax
    TEST_EQ eax, 0x55555555, "SMC: store replaced by NOPs"

    ; forms the decoded-instruction cache specialises
    mov ax, 0x18
    mov fs, ax
    mov dword [0x1650], 0xabcd1234
    mov eax, [fs:0x650]
    TEST_EQ eax, 0xabcd1234, "FS override load"
    mov dword [fs:0x654], 0x77
    TEST_EQ [0x1654], 0x77, "FS override store"
    mov ebx, 0x650
    mov ax, 0x5555
    mov [fs:ebx], ax
    TEST_EQ [0x1650], 0xabcd5555, "FS word store"
    mov cx, [fs:ebx + 2]
    TEST_W cx, 0xabcd, "FS word load"
    mov dword [0x660], ROMBASE + arith_callee
    xor esi, esi
    call [0x660]
    TEST_EQ esi, 0x99, "call [mem]"
    mov eax, ROMBASE + arith_callee
    xor esi, esi
    call eax
    TEST_EQ esi, 0x99, "call reg"
    mov dword [0x664], ROMBASE + .jt
    jmp [0x664]
    TEST_EQ 0, 1, "jmp [mem] fell through"
.jt:
    push dword [0x664]
    pop eax
    TEST_EQ eax, ROMBASE + .jt, "push [mem]"
    mov byte [0x668], 0x81
    test byte [0x668], 0x80
    setnz al
    TEST_B al, 1, "mov/test byte [mem], imm8"
    mov dword [0x668], 0x12345681
    mov eax, [0x668]
    mov [0x66c], eax
    TEST_EQ [0x66c], 0x12345681, "mov eax, moffs / moffs, eax"
    cmp byte [0x668], 0x81
    sete al
    TEST_B al, 1, "cmp byte [mem], imm8"
    inc dword [0x66c]
    TEST_EQ [0x66c], 0x12345682, "inc dword [mem]"
    mov al, 0xf0
    mov bl, 0x20
    add al, bl
    setc cl
    TEST_B cl, 1, "add r8, r8 carry"
    mov byte [0x670], 0x7f
    add byte [0x670], 1
    seto cl
    TEST_B cl, 1, "add byte [mem], 1 overflow"

    mov dword [0x674], 0x80000001
    test dword [0x674], 0x80000000
    sets al
    TEST_B al, 1, "test dword [mem], imm32"
    mov ecx, 1
    test [0x674], ecx
    setnz al
    TEST_B al, 1, "test [mem], reg"
    mov edx, esp
    push dword 1
    push dword 2
    call arith_ret8
    sub edx, esp
    TEST_EQ edx, 0, "ret imm16 pops the arguments"

    call tap_done32

arith_ret8:
    ret 8

arith_callee:
    mov esi, 0x99
    ret

smc_code:
smc_mov:
    mov [0x20000 + smc_imm - smc_code], ebx    ; 89 1d addr32
    nop
    nop
    nop
    nop
smc_load:
    db 0xb8                                     ; mov eax, imm32
smc_imm:
    dd 0x44444444
smc_ret:
    ret
smc_end:

str1: db "abcdefgh"
str2: db "abcXefgh"
xlat_tab: db 0x42

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
