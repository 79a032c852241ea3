; SPDX-License-Identifier: LGPL-2.1-or-later
; Opcodes a model does not implement raise #UD (Intel SDM vol. 2 app. A,
; tables A-2/A-3, and the instruction pages' CPUID columns). The models
; here have no SSE: CPUID.1:EDX bits 25/26 are clear, so every SSE/SSE2
; encoding is #UD -- 0F 10-17, 0F 28-2F, 0F 50-5F, 0F C2-C6, the SSE
; integer opcodes in the MMX range (PSHUFW, PMOVMSKB, PAVGB, MOVNTQ,
; PADDQ, PMULUDQ ...), 0F AE /2-/7 (LDMXCSR, STMXCSR, the fences,
; CLFLUSH) and every MMX or FXSAVE opcode with a 66, F2 or F3 prefix (the
; SDM lists those forms as "NP": with the prefix they are the SSE2/SSE3
; instructions). Also #UD: SSSE3 (0F 38/0F 3A), POPCNT, PREFETCHW,
; SYSCALL, UD0/UD1/UD2. Still working: the plain MMX forms, FXSAVE, CMOV,
; FCOMI, FCMOVcc, the P6 hint NOPs 0F 18-1F with or without a prefix (F3 0F
; 1E FB is ENDBR32), and F3 0F BC/BD, which CPUs without BMI1/LZCNT run as
; BSF/BSR. ud-486.asm and ud-p5.asm check the older models.
; Runs on pentium2 (this file) and max (ud-max.asm includes it).
    org 0
%include "lib.inc"

; UD "text", bytes...: the encoding must raise #UD at its first byte
%macro UD 2+
    EXPECT_FAULT %%after
%%insn:
    db %2
%%after:
    TEST_EQ [EXC_VEC], 6, %1
    TEST_EQ [EXC_EIP], ROMBASE + %%insn, %1
%endmacro

    PM32_FLAT
    X87_ON
    mov eax, cr4
    or eax, 0x200                ; OSFXSR: SSE would be enabled if present
    mov cr4, eax
    fninit

    mov eax, 1
    cpuid
    mov ebx, edx
    and ebx, (1 << 25) | (1 << 26)
    TEST_EQ ebx, 0, "cpuid.1:edx: no SSE, no SSE2"
    and edx, (1 << 23) | (1 << 24) | (1 << 15)
    TEST_EQ edx, (1 << 23) | (1 << 24) | (1 << 15), "cpuid.1:edx: MMX, FXSR, CMOV"

    ; --- SSE/SSE2 without a prefix ---
    UD "0f 10 movups",          0x0f, 0x10, 0xc1
    UD "0f 11 movups store",    0x0f, 0x11, 0xc1
    UD "0f 12 movlps",          0x0f, 0x12, 0x05, 0x00, 0x06, 0x00, 0x00
    UD "0f 16 movhps",          0x0f, 0x16, 0x05, 0x00, 0x06, 0x00, 0x00
    UD "0f 28 movaps",          0x0f, 0x28, 0xc1
    UD "0f 29 movaps store",    0x0f, 0x29, 0xc1
    UD "0f 2a cvtpi2ps",        0x0f, 0x2a, 0xc1
    UD "0f 2e ucomiss",         0x0f, 0x2e, 0xc1
    UD "0f 50 movmskps",        0x0f, 0x50, 0xc1
    UD "0f 54 andps",           0x0f, 0x54, 0xc1
    UD "0f 57 xorps",           0x0f, 0x57, 0xc1
    UD "0f 58 addps",           0x0f, 0x58, 0xc1
    UD "0f 5f maxps",           0x0f, 0x5f, 0xc1
    UD "0f c2 cmpps",           0x0f, 0xc2, 0xc1, 0x00
    UD "0f c3 movnti",          0x0f, 0xc3, 0x05, 0x00, 0x06, 0x00, 0x00
    UD "0f c4 pinsrw",          0x0f, 0xc4, 0xc1, 0x00
    UD "0f c5 pextrw",          0x0f, 0xc5, 0xc1, 0x00
    UD "0f c6 shufps",          0x0f, 0xc6, 0xc1, 0x00
    UD "0f 70 pshufw",          0x0f, 0x70, 0xc1, 0x00
    UD "0f d7 pmovmskb",        0x0f, 0xd7, 0xc1
    UD "0f e0 pavgb",           0x0f, 0xe0, 0xc1
    UD "0f e4 pmulhuw",         0x0f, 0xe4, 0xc1
    UD "0f e7 movntq",          0x0f, 0xe7, 0x05, 0x00, 0x06, 0x00, 0x00
    UD "0f ea pminsw",          0x0f, 0xea, 0xc1
    UD "0f f6 psadbw",          0x0f, 0xf6, 0xc1
    UD "0f f7 maskmovq",        0x0f, 0xf7, 0xc1
    UD "0f d4 paddq mm (sse2)", 0x0f, 0xd4, 0xc1
    UD "0f f4 pmuludq mm (sse2)", 0x0f, 0xf4, 0xc1
    UD "0f fb psubq mm (sse2)", 0x0f, 0xfb, 0xc1
    UD "0f ae /2 ldmxcsr",      0x0f, 0xae, 0x15, 0x00, 0x06, 0x00, 0x00
    UD "0f ae /3 stmxcsr",      0x0f, 0xae, 0x1d, 0x00, 0x06, 0x00, 0x00
    UD "0f ae /7 clflush",      0x0f, 0xae, 0x3d, 0x00, 0x06, 0x00, 0x00
    UD "0f ae e8 lfence",       0x0f, 0xae, 0xe8
    UD "0f ae f0 mfence",       0x0f, 0xae, 0xf0
    UD "0f ae f8 sfence",       0x0f, 0xae, 0xf8

    ; --- MMX/FXSAVE opcodes with a mandatory prefix: SSE2/SSE3 forms ---
    UD "66 0f 6f movdqa",       0x66, 0x0f, 0x6f, 0xc1
    UD "f3 0f 6f movdqu",       0xf3, 0x0f, 0x6f, 0xc1
    UD "66 0f 7f movdqa store", 0x66, 0x0f, 0x7f, 0xc1
    UD "f3 0f 7f movdqu store", 0xf3, 0x0f, 0x7f, 0xc1
    UD "66 0f ef pxor xmm",     0x66, 0x0f, 0xef, 0xc1
    UD "f2 0f ef (reserved)",   0xf2, 0x0f, 0xef, 0xc1
    UD "66 0f fc paddb xmm",    0x66, 0x0f, 0xfc, 0xc1
    UD "66 0f 6e movd xmm, r32", 0x66, 0x0f, 0x6e, 0xc0
    UD "66 0f 7e movd r32, xmm", 0x66, 0x0f, 0x7e, 0xc0
    UD "f3 0f 7e movq xmm",     0xf3, 0x0f, 0x7e, 0xc1
    UD "66 0f 71 /2 psrlw xmm", 0x66, 0x0f, 0x71, 0xd0, 0x01
    UD "66 0f 60 punpcklbw xmm", 0x66, 0x0f, 0x60, 0xc1
    UD "66 0f 6c punpcklqdq",   0x66, 0x0f, 0x6c, 0xc1
    UD "66 0f d6 movq xmm",     0x66, 0x0f, 0xd6, 0xc1
    UD "f2 0f d6 movdq2q",      0xf2, 0x0f, 0xd6, 0xc1
    UD "66 0f 77 (emms is NP)", 0x66, 0x0f, 0x77
    UD "f3 0f 77 (emms is NP)", 0xf3, 0x0f, 0x77
    UD "66 0f 10 movupd",       0x66, 0x0f, 0x10, 0xc1
    UD "f3 0f 10 movss",        0xf3, 0x0f, 0x10, 0xc1
    UD "f2 0f 10 movsd",        0xf2, 0x0f, 0x10, 0xc1
    UD "66 0f 58 addpd",        0x66, 0x0f, 0x58, 0xc1
    UD "f2 0f 58 addsd",        0xf2, 0x0f, 0x58, 0xc1
    UD "f2 0f d0 addsubps",     0xf2, 0x0f, 0xd0, 0xc1
    UD "66 0f ae /0 (fxsave is NP)", 0x66, 0x0f, 0xae, 0x05, 0x00, 0x40, 0x00, 0x00
    UD "f3 0f ae /1 (fxrstor is NP)", 0xf3, 0x0f, 0xae, 0x0d, 0x00, 0x40, 0x00, 0x00

    ; --- later extensions and reserved opcodes ---
    UD "0f 38 00 pshufb (ssse3)", 0x0f, 0x38, 0x00, 0xc1
    UD "0f 3a 0f palignr (ssse3)", 0x0f, 0x3a, 0x0f, 0xc1, 0x00
    UD "f3 0f b8 popcnt",       0xf3, 0x0f, 0xb8, 0xc1
    UD "0f 0d /1 prefetchw",    0x0f, 0x0d, 0x0d, 0x00, 0x06, 0x00, 0x00
    UD "0f 05 syscall",         0x0f, 0x05
    UD "0f 0b ud2",             0x0f, 0x0b
    UD "0f b9 ud1",             0x0f, 0xb9, 0xc1
    UD "0f ff ud0",             0x0f, 0xff, 0xc1
    UD "0f 78 vmread",          0x0f, 0x78, 0xc1
    UD "0f c7 /6 rdrand",       0x0f, 0xc7, 0xf0

    ; --- what still works ---
    mov dword [0x600], 0x0f0f00ff
    mov dword [0x604], 0x12345678
    mov dword [0x608], 0xffff0f0f
    mov dword [0x60c], 0x87654321
    movq mm0, [0x600]
    pxor mm0, [0x608]
    movq [0x610], mm0
    TEST_EQ [0x610], 0xf0f00ff0, "0f ef pxor mm: low dword"
    TEST_EQ [0x614], 0x95511559, "0f ef pxor mm: high dword"
    movq mm1, [0x600]
    paddb mm1, mm1
    movq [0x610], mm1
    TEST_EQ [0x610], 0x1e1e00fe, "0f fc paddb mm"
    movd eax, mm1
    TEST_EQ eax, 0x1e1e00fe, "0f 7e movd r32, mm"
    emms
    fnstenv [0x700]
    TEST_W [0x708], 0xffff, "emms: all tags empty"
    fxsave [0x4000]
    TEST_W [0x4000], 0x037f, "0f ae /0 fxsave: FCW"
    mov dword [0x4000], 0x027f
    fxrstor [0x4000]
    fnstcw [0x700]
    TEST_W [0x700], 0x027f, "0f ae /1 fxrstor: FCW"
    fninit
    mov eax, 1
    mov ecx, 2
    cmp eax, eax
    cmove eax, ecx
    TEST_EQ eax, 2, "0f 44 cmove"
    fld1
    fldz
    fcomi st0, st1              ; 0 < 1: CF=1
    setc al
    TEST_B al, 1, "db f1 fcomi"
    stc
    fcmovb st0, st1             ; CF=1: ST0 = 1.0
    fstp dword [0x600]
    TEST_EQ [0x600], 0x3f800000, "da c1 fcmovb"
    fninit
    mov dword [RECOVER], 0
    mov dword [EXC_VEC], 0xffffffff
    db 0x0f, 0x18, 0x0d, 0x00, 0x06, 0x00, 0x00  ; prefetcht0 [0x600]
    db 0x0f, 0x18, 0x05, 0x00, 0x06, 0x00, 0x00  ; prefetchnta [0x600]
    db 0x66, 0x0f, 0x18, 0x0d, 0x00, 0x06, 0x00, 0x00
    db 0x0f, 0x1f, 0x44, 0x00, 0x00              ; nop dword [eax+eax]
    db 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00        ; nop word [eax+eax]
    db 0xf3, 0x0f, 0x1e, 0xfb                    ; endbr32
    db 0x0f, 0x19, 0xc0                          ; reserved-NOP
    TEST_EQ [EXC_VEC], 0xffffffff, "0f 18-1f hint NOPs (with and without a prefix) run"
    mov ecx, 0x00012000
    db 0xf3, 0x0f, 0xbc, 0xc1                    ; tzcnt eax, ecx = rep bsf
    TEST_EQ eax, 13, "f3 0f bc runs as bsf"
    db 0xf3, 0x0f, 0xbd, 0xc1                    ; lzcnt eax, ecx = rep bsr
    TEST_EQ eax, 16, "f3 0f bd runs as bsr"

    jmp tap_done32

    times 0xfff0 - ($ - $$) db 0xf4
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xf4
