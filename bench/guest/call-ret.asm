; SPDX-License-Identifier: LGPL-2.1-or-later
; Near call/ret: call + (add, ret in the callee) + dec + jnz = 5 instructions
; per iteration, 20,000,000 iterations = 100,000,000, plus 2 of setup and
; the ret: 100,000,003.
; bench-insns: 100000003
%include "bench.inc"
bench:
    mov ecx, 20000000
    xor eax, eax
.l: call fn
    dec ecx
    jnz .l
    ret
fn: add eax, ecx
    ret
%include "tail.inc"
