; SPDX-License-Identifier: LGPL-2.1-or-later
; MMX (SDM vol. 1 ch. 9, vol. 2 instruction pages): every instruction
; group with values worked out by hand (wrap-around and saturation,
; compares, multiplies, packs/unpacks, shifts by register and immediate
; including counts >= the element width, logic, MOVD/MOVQ), the aliasing
; on the x87 registers (TOP=0, tags valid, exponent bits 0xffff; EMMS
; empties the tags) and the fault order (CR0.EM #UD, CR0.TS #NM, pending
; x87 exception #MF).
    org 0
%include "lib.inc"

; MMXOP instruction, a, b, expected, "text": mm0 = a, mm1 = b, op mm0, mm1
%macro MMXOP 5
    movq mm0, [ROMBASE + %%a]
    movq mm1, [ROMBASE + %%b]
    %1 mm0, mm1
    movq [0x600], mm0
    jmp %%run
align 8
%%a: dq %2
%%b: dq %3
%%e: dq %4
%%run:
    mov eax, [0x600]
    cmp eax, [ROMBASE + %%e]
    jne %%bad
    mov eax, [0x604]
    cmp eax, [ROMBASE + %%e + 4]
    jne %%bad
    xor eax, eax
    jmp %%out
%%bad:
    mov eax, [0x604]
    xor eax, [0x600]
    or eax, 1
%%out:
    TEST_EQ eax, 0, %5
%endmacro

; MMXIMM instruction, a, imm, expected, "text"
%macro MMXIMM 5
    movq mm2, [ROMBASE + %%a]
    %1 mm2, %3
    movq [0x600], mm2
    jmp %%run
align 8
%%a: dq %2
%%e: dq %4
%%run:
    mov eax, [0x600]
    cmp eax, [ROMBASE + %%e]
    jne %%bad
    mov eax, [0x604]
    cmp eax, [ROMBASE + %%e + 4]
    jne %%bad
    xor eax, eax
    jmp %%out
%%bad:
    mov eax, [0x604]
    xor eax, [0x600]
    or eax, 1
%%out:
    TEST_EQ eax, 0, %5
%endmacro

    PM32_FLAT
    X87_ON
    fninit

    ; --- MOVD / MOVQ ---
    mov eax, 0x12345678
    movd mm3, eax
    movq [0x600], mm3
    TEST_EQ [0x600], 0x12345678, "movd mm, r32: low dword"
    TEST_EQ [0x604], 0, "movd mm, r32: high dword zeroed"
    movd ebx, mm3
    TEST_EQ ebx, 0x12345678, "movd r32, mm"
    mov dword [0x610], 0xcafebabe
    movd mm4, [0x610]
    movd [0x614], mm4
    TEST_EQ [0x614], 0xcafebabe, "movd m32 both ways"
    movq mm5, mm3
    movq [0x600], mm5
    TEST_EQ [0x600], 0x12345678, "movq mm, mm"

    ; --- add/sub ---
    MMXOP paddb,   0x7f01ff80fe0280ff, 0x0101010101010101, 0x80020081ff038100, "paddb wraps"
    MMXOP paddsb,  0x7f01ff80fe0280ff, 0x0101010101010101, 0x7f020081ff038100, "paddsb saturates at 0x7f"
    MMXOP paddusb, 0x7f01ff80fe0280ff, 0x0101010101010101, 0x8002ff81ff0381ff, "paddusb saturates at 0xff"
    MMXOP paddw,   0x7fff0001ffff8000, 0x0001000100018000, 0x8000000200000000, "paddw wraps"
    MMXOP paddsw,  0x7fff0001ffff8000, 0x0001000100018000, 0x7fff000200008000, "paddsw saturates"
    MMXOP paddusw, 0x7fff0001ffff8000, 0x0001000100018000, 0x80000002ffffffff, "paddusw saturates"
    MMXOP paddd,   0xffffffff7fffffff, 0x0000000100000001, 0x0000000080000000, "paddd wraps"
    MMXOP psubb,   0x0080000110000000, 0x0101010101010101, 0xff7fff000fffffff, "psubb wraps"
    MMXOP psubsb,  0x0080000110000000, 0x0101010101010101, 0xff80ff000fffffff, "psubsb saturates at 0x80"
    MMXOP psubusb, 0x0080000110000000, 0x0101010101010101, 0x007f00000f000000, "psubusb saturates at 0"
    MMXOP psubw,   0x8000000100000005, 0x0001000200010003, 0x7fffffffffff0002, "psubw wraps"
    MMXOP psubsw,  0x8000000100000005, 0x0001000200010003, 0x8000ffffffff0002, "psubsw saturates"
    MMXOP psubusw, 0x8000000100000005, 0x0001000200010003, 0x7fff000000000002, "psubusw saturates"
    MMXOP psubd,   0x0000000080000000, 0x0000000100000001, 0xffffffff7fffffff, "psubd wraps"

    ; --- compares ---
    MMXOP pcmpeqb, 0x0102030405060708, 0x0100030005000700, 0xff00ff00ff00ff00, "pcmpeqb"
    MMXOP pcmpeqw, 0x0001000200030004, 0x0001000000030000, 0xffff0000ffff0000, "pcmpeqw"
    MMXOP pcmpeqd, 0x1234567800000000, 0x1234567800000001, 0xffffffff00000000, "pcmpeqd"
    MMXOP pcmpgtb, 0x7f80000102030405, 0x807f000003020100, 0xff0000ff00ffffff, "pcmpgtb (signed)"
    MMXOP pcmpgtw, 0x7fff800000010000, 0x80007fff0000ffff, 0xffff0000ffffffff, "pcmpgtw (signed)"
    MMXOP pcmpgtd, 0x8000000000000001, 0x7fffffffffffffff, 0x00000000ffffffff, "pcmpgtd (signed)"

    ; --- multiplies ---
    MMXOP pmullw,  0x1234ffff00037fff, 0x0100000100050002, 0x3400ffff000ffffe, "pmullw: low words"
    MMXOP pmulhw,  0x1234ffff00037fff, 0x0100000100050002, 0x0012ffff00000000, "pmulhw: signed high words"
    MMXOP pmaddwd, 0x0004000300020001, 0x0008000700060005, 0x0000003500000011, "pmaddwd (1*5+2*6, 3*7+4*8)"
    MMXOP pmaddwd, 0x8000800080008000, 0x8000800000010001, 0x80000000ffff0000, "pmaddwd 0x8000 products wrap"

    ; --- packs ---
    MMXOP packsswb, 0x00800070ff000100, 0x8000ff7f00010002, 0x808001027f70807f, "packsswb"
    MMXOP packuswb, 0x00ff0050ffff0100, 0x7fff800000020001, 0xff000201ff5000ff, "packuswb"
    MMXOP packssdw, 0xfffe000000010000, 0x00000005ffffffff, 0x0005ffff80007fff, "packssdw"

    ; --- unpacks ---
    MMXOP punpcklbw, 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x0b030a0209010800, "punpcklbw"
    MMXOP punpckhbw, 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x0f070e060d050c04, "punpckhbw"
    MMXOP punpcklwd, 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x0b0a030209080100, "punpcklwd"
    MMXOP punpckhwd, 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x0f0e07060d0c0504, "punpckhwd"
    MMXOP punpckldq, 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x0b0a090803020100, "punpckldq"
    MMXOP punpckhdq, 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x0f0e0d0c07060504, "punpckhdq"

    ; --- logic ---
    MMXOP pand,  0xff00ff00f0f0f0f0, 0x0ff00ff0ffff0000, 0x0f000f00f0f00000, "pand"
    MMXOP pandn, 0xff00ff00f0f0f0f0, 0x0ff00ff0ffff0000, 0x00f000f00f0f0000, "pandn (~a & b)"
    MMXOP por,   0xff00ff00f0f0f0f0, 0x0ff00ff0ffff0000, 0xfff0fff0fffff0f0, "por"
    MMXOP pxor,  0xff00ff00f0f0f0f0, 0x0ff00ff0ffff0000, 0xf0f0f0f00f0ff0f0, "pxor"

    ; --- shifts by register ---
    MMXOP psllw, 0x8001800180018001, 4, 0x0010001000100010, "psllw 4"
    MMXOP psrlw, 0x8001800180018001, 4, 0x0800080008000800, "psrlw 4"
    MMXOP psraw, 0x8001800180017001, 4, 0xf800f800f8000700, "psraw 4"
    MMXOP psraw, 0x8001800100017001, 16, 0xffffffff00000000, "psraw 16: sign fill"
    MMXOP psllw, 0x8001800180018001, 16, 0, "psllw 16: zero"
    MMXOP pslld, 0x8000000180000001, 33, 0, "pslld 33: zero"
    MMXOP pslld, 0x8000000180000001, 1, 0x0000000200000002, "pslld 1"
    MMXOP psrld, 0x8000000180000001, 31, 0x0000000100000001, "psrld 31"
    MMXOP psrad, 0x8000000040000000, 0x100000000, 0xffffffff00000000, "psrad count 2^32: sign fill"
    MMXOP psllq, 0x8000000000000001, 63, 0x8000000000000000, "psllq 63"
    MMXOP psrlq, 0x8000000000000001, 63, 1, "psrlq 63"
    MMXOP psrlq, 0x8000000000000001, 64, 0, "psrlq 64: zero"

    ; --- shifts by immediate ---
    MMXIMM psllw, 0x8001800180018001, 1, 0x0002000200020002, "psllw imm 1"
    MMXIMM psrlw, 0x8001800180018001, 15, 0x0001000100010001, "psrlw imm 15"
    MMXIMM psraw, 0x8001000180017fff, 15, 0xffff0000ffff0000, "psraw imm 15"
    MMXIMM pslld, 0x0000000180000000, 31, 0x8000000000000000, "pslld imm 31"
    MMXIMM psrld, 0x8000000000000001, 32, 0, "psrld imm 32: zero"
    MMXIMM psrad, 0x8000000000000001, 255, 0xffffffff00000000, "psrad imm 255: sign fill"
    MMXIMM psllq, 0x0000000180000000, 4, 0x0000001800000000, "psllq imm 4"
    MMXIMM psrlq, 0x0000000180000000, 4, 0x0000000018000000, "psrlq imm 4"

    ; --- memory source ---
    mov dword [0x620], 0x01010101
    mov dword [0x624], 0x01010101
    movq mm6, [ROMBASE + q_a]
    paddb mm6, [0x620]
    movq [0x600], mm6
    TEST_EQ [0x600], 0x04030201, "paddb mm, m64 (low)"
    TEST_EQ [0x604], 0x08070605, "paddb mm, m64 (high)"
    movq mm6, [ROMBASE + q_a]
    punpcklbw mm6, [0x620]
    movq [0x600], mm6
    TEST_EQ [0x600], 0x01010100, "punpcklbw mm, m32"

    ; --- aliasing on the x87 registers ---
    fninit
    fld1                        ; TOP=7
    mov eax, 0x55667788
    movd mm3, eax
    fnstenv [0x800]
    TEST_W [0x804], 0x0000, "MMX write: TOP=0"
    ; all registers non-empty; FSTENV classifies them from their contents:
    ; R0-R6 hold MMX values (exponent 0xffff: special), R7 the 1.0 (valid)
    TEST_W [0x808], 0x2aaa, "MMX write: no register empty (tags from contents)"
    fnsave [0xa00]
    TEST_W [0xa00 + 28 + 3 * 10 + 8], 0xffff, "MMX write: exponent bits of R3 = 0xffff"
    TEST_EQ [0xa00 + 28 + 3 * 10], 0x55667788, "MMX register = significand of R3"
    TEST_W [0xa00 + 28 + 7 * 10 + 8], 0x3fff, "R7 keeps the 1.0 (read-only use)"
    frstor [0xa00]
    emms
    fnstenv [0x800]
    TEST_W [0x808], 0xffff, "emms: all tags empty"
    fninit
    fld1
    movq mm0, mm0               ; a read-write of the same register
    fxsave [0x4000]
    TEST_B [0x4004], 0xff, "fxsave after MMX: abridged tags all valid"
    emms
    fninit
    fldpi
    fstp st0                    ; R7 = pi, empty
    movq mm7, mm7
    movq [0x600], mm7
    TEST_EQ [0x604], 0xc90fdaa2, "mm7 reads R7's significand (pi)"

    ; --- faults ---
    mov eax, cr0
    or eax, 4                   ; EM
    mov cr0, eax
    EXPECT_FAULT .f1
    paddb mm0, mm1
.f1:
    TEST_EQ [EXC_VEC], 6, "CR0.EM: #UD"
    EXPECT_FAULT .f1b
    emms
.f1b:
    TEST_EQ [EXC_VEC], 6, "CR0.EM: emms #UD"
    mov eax, cr0
    and eax, ~4
    or eax, 8                   ; TS
    mov cr0, eax
    EXPECT_FAULT .f2
    movq mm0, mm1
.f2:
    TEST_EQ [EXC_VEC], 7, "CR0.TS: #NM"
    clts
    fninit
    mov word [0x700], 0x037b    ; ZE unmasked
    fldcw [0x700]
    fld1
    fldz
    fdivp st1, st0
    EXPECT_FAULT .f3
    pxor mm0, mm0
.f3:
    TEST_EQ [EXC_VEC], 16, "pending x87 exception: #MF"
    fninit
    emms

    call tap_done32

align 8
q_a: dq 0x0706050403020100

    times 0xfff0 - ($ - $$) db 0xcc
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xcc
