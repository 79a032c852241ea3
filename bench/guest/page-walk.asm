; SPDX-License-Identifier: LGPL-2.1-or-later
; Paging with TLB misses: 4 KiB pages identity-mapping 0-16 MiB (page
; directory at 0x100000, four page tables after it); each pass writes one
; dword in each of the 2048 pages of 4-12 MiB (8 MiB: more pages than the
; TLB holds, so every access walks the page tables), then reloads CR3 to
; flush the TLB. 2000 passes = 4,096,000 TLB misses.
; Setup: page directory clear 3 (edi, ecx, eax) + rep stosd (1)
;   + table fill 3 (edi, eax, ecx) + 4096 x 3 (stosd, add, loop)
;   + 4 PDE stores + 2 (CR3) + 3 (CR0) + mov edx = 12,305
; Per pass: 2 (edi, ecx) + 2048 x 4 (mov, add, dec, jnz) + 2 (cr3 reload)
;   + 2 (dec edx, jnz) = 8,198; x 2000 = 16,396,000.
; Teardown: 3 (cr0 paging off) and the ret: 4.
; Total 16,396,000 + 12,305 + 4 = 16,408,309.
; bench-insns: 16408309
; bench-extra: 4096000 page-walks
%include "bench.inc"
PD  equ 0x100000
bench:
    mov edi, PD
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov edi, PD + 0x1000            ; 4 page tables: 4096 PTEs for 0-16 MiB
    mov eax, 0x003                  ; present, writable
    mov ecx, 4096
.pt: stosd
    add eax, 0x1000
    loop .pt
    mov dword [PD + 0], PD + 0x1003
    mov dword [PD + 4], PD + 0x2003
    mov dword [PD + 8], PD + 0x3003
    mov dword [PD + 12], PD + 0x4003
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov edx, 2000
.o: mov edi, 0x400000
    mov ecx, 2048
.l: mov [edi], ecx
    add edi, 0x1000
    dec ecx
    jnz .l
    mov eax, cr3
    mov cr3, eax
    dec edx
    jnz .o
    mov eax, cr0
    and eax, 0x7fffffff
    mov cr0, eax
    ret
%include "tail.inc"
