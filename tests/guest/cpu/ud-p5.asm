; SPDX-License-Identifier: LGPL-2.1-or-later
; model: pentium
; ud-old.inc on the Pentium (P54C, CPUID 052xh: TSC, MSR and CX8 among
; the checked bits).
FEATURES equ (1 << 4) | (1 << 5) | (1 << 8)
%include "ud-old.inc"
