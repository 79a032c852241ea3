; SPDX-License-Identifier: LGPL-2.1-or-later
; call/ret: 5 instructions per iteration, 10M iterations.
%macro BENCH 0
    mov ecx, 10000000
.l: call fn
    dec ecx
    jnz .l
%endmacro
%include "prologue.inc"
fn: push ebx
    pop ebx
    ret
%include "epilogue.inc"
