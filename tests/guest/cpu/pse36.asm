; SPDX-License-Identifier: LGPL-2.1-or-later
; PSE-36 (Intel SDM vol. 3A 4.3, table 4-4 and 4.7): the Pentium II
; (family 6 model 5) reports CPUID.1:EDX.PSE-36 [bit 17]; with CR4.PSE=1
; and PAE off, a 4 MiB PDE supplies physical address bits 35:32 from its
; bits 16:13, and its bits 21:17 are reserved (#PF with P=1 and RSVD=1 in
; the error code). The runner has nothing above 4 GiB: reads there return
; all ones, writes are dropped, and fetched bytes are all ones (FF FF is
; the reserved group-5 /7 encoding: #UD).
    org 0
%include "lib.inc"

PD equ 0x10000

    PM32_FLAT

    mov eax, 1
    cpuid
    and edx, (1 << 17) | (1 << 3)
    TEST_EQ edx, (1 << 17) | (1 << 3), "cpuid.1:edx: PSE and PSE-36"

    ; page directory: 4 MiB pages (P RW PS = 0x83)
    mov edi, PD
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PD + 0 * 4], 0x00000083   ; 0-4M: identity
    mov dword [PD + 1 * 4], 0x00000083   ; 4M: physical 0, bits 16:13 = 0
    mov dword [PD + 2 * 4], 0x00002083   ; 8M: physical 0x1_0000_0000
    mov dword [PD + 3 * 4], 0x0001e083   ; 12M: physical 0xf_0000_0000
    mov dword [PD + 4 * 4], 0x00020083   ; 16M: bit 17 set (reserved)
    mov dword [PD + 5 * 4], 0x00200083   ; 20M: bit 21 set (reserved)
    mov dword [PD + 6 * 4], 0x00402083   ; 24M: physical 0x1_0040_0000
    mov eax, PD
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10                         ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax

    mov dword [0x600], 0x5a5aa5a5
    mov dword [0x400000], 0x11223344
    TEST_EQ [0x400600], 0x5a5aa5a5, "PDE bits 16:13 = 0: maps physical 0"
    TEST_EQ [0], 0x11223344, "PDE bits 16:13 = 0: writes reach physical 0"
    TEST_EQ [0x800600], 0xffffffff, "PDE bits 16:13 = 1: physical 1_0000_0600 reads all ones"
    mov dword [0x800600], 0x01020304
    TEST_EQ [0x600], 0x5a5aa5a5, "write to physical 1_0000_0600 does not reach 0x600"
    TEST_EQ [0x800600], 0xffffffff, "write above 4 GiB is dropped"
    mov eax, 0x12340000
    mov ax, [0x800ffe]
    TEST_EQ eax, 0x1234ffff, "word read above 4 GiB: all ones"
    mov eax, [0xbffffe]                  ; 12M - 2: crosses into the 12M page
    TEST_EQ eax, 0xffffffff, "dword read across two pages above 4 GiB"
    TEST_EQ [0xc00000], 0xffffffff, "PDE bits 16:13 = 0xf: physical f_0000_0000 reads all ones"
    TEST_EQ [0x1800000], 0xffffffff, "PDE bits 16:13 = 1, bits 31:22 = 1: physical 1_0040_0000"
    TEST_EQ [0x400000 + 0x400000], 0xffffffff, "no alias of physical 0"
    mov eax, [PD + 2 * 4]
    and eax, 0x60
    TEST_EQ eax, 0x60, "PDE of a page above 4 GiB: accessed and dirty set"

    EXPECT_FAULT .f1
    mov eax, [0x1000010]
.f1:
    TEST_EQ [EXC_VEC], 14, "PDE bit 17 set: #PF"
    TEST_EQ [EXC_ERR], 9, "PDE bit 17: error code P|RSVD"
    mov eax, cr2
    TEST_EQ eax, 0x1000010, "PDE bit 17: CR2"
    EXPECT_FAULT .f2
    mov dword [0x1400020], 0
.f2:
    TEST_EQ [EXC_VEC], 14, "PDE bit 21 set, write: #PF"
    TEST_EQ [EXC_ERR], 0xb, "PDE bit 21: error code P|W|RSVD"
    mov eax, [PD + 4 * 4]
    TEST_EQ eax, 0x00020083, "reserved-bit fault leaves the PDE alone"

    EXPECT_FAULT .f3
    mov eax, 0x800000
    jmp eax
.f3:
    TEST_EQ [EXC_VEC], 6, "code above 4 GiB fetches all ones: FF FF is #UD"
    TEST_EQ [EXC_EIP], 0x800000, "#UD at the first fetched byte"

    mov eax, cr0
    and eax, 0x7fffffff
    mov cr0, eax
    jmp tap_done32

    times 0xfff0 - ($ - $$) db 0xf4
[bits 16]
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xf4
