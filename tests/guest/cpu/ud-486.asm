; SPDX-License-Identifier: LGPL-2.1-or-later
; model: 486
; ud-old.inc on the Intel486 (DX4, CPUID 0480h: FPU and VME only).
%define MODEL_486
FEATURES equ 0
%include "ud-old.inc"
