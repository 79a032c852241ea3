; SPDX-License-Identifier: LGPL-2.1-or-later
; x87: x = x * 0.5 + 1.0 in double precision through memory (fld, fmul,
; fadd, fstp) + dec + jnz = 6 instructions per iteration, 10,000,000
; iterations = 60,000,000. Setup: 4 (mov eax,cr0; and; or; mov cr0,eax)
; + fninit + 2 (x = 1.0) + mov ecx = 8, plus the ret: 60,000,009.
; x converges to 2.0: no denormals, overflow or exceptions.
; If the emulator has no x87, the first x87 instruction raises #UD and
; the program exits with status 5 (bench/cpu reports "skipped").
; bench-insns: 60000009
%include "bench.inc"
bench:
    mov eax, cr0
    and eax, ~(1 << 2)              ; EM = 0: x87 present
    or eax, (1 << 1) | (1 << 5)     ; MP = 1, NE = 1
    mov cr0, eax
    fninit
    mov dword [DATA], 0
    mov dword [DATA + 4], 0x3ff00000    ; x = 1.0
    mov ecx, 10000000
.l: fld qword [DATA]
    fmul qword [ROM + half]
    fadd qword [ROM + one]
    fstp qword [DATA]
    dec ecx
    jnz .l
    ret
align 8
half: dq 0.5
one:  dq 1.0
%include "tail.inc"
