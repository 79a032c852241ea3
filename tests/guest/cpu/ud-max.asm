; SPDX-License-Identifier: LGPL-2.1-or-later
; model: max
; ud.asm on the max model (no SSE there either).
%include "ud.asm"
