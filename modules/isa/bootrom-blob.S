/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The assembled boot option ROM, linked into the fwcfg module. */
    .section .rodata
    .globl bp_bootrom
    .hidden bp_bootrom
    .globl bp_bootrom_len
    .hidden bp_bootrom_len
bp_bootrom:
    .incbin "modules/isa/bootrom.bin"
bp_bootrom_end:
    .balign 4
bp_bootrom_len:
    .long bp_bootrom_end - bp_bootrom
    .section .note.GNU-stack,"",@progbits
