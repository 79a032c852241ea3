; SPDX-License-Identifier: LGPL-2.1-or-later
; Empty benchmark: the emulator's start-up and exit plus the common frame.
; bench/cpu subtracts its time from the others.
; bench-insns: 1
%include "bench.inc"
bench:
    ret
%include "tail.inc"
