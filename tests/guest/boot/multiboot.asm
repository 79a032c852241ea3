; SPDX-License-Identifier: LGPL-2.1-or-later
;
; A Multiboot (v1) kernel that checks what the loader handed it and reports
; on the debug console (port 0xe9) one character per check, '1' = pass,
; '0' = fail, then "\n" and exits through isa-debug-exit at 0xf4 with 0
; when all passed (process status 1) or 1 otherwise (status 3).
; Assembled twice: -f bin with the a.out kludge (header flag 16) and
; -f elf32 -DELF, linked at 1 MiB.
; Expectations (set by tests/guest/boot/multiboot.sh): -m 64M, -append
; "mbtest-arg", -initrd "MODULE modarg" where MODULE is 16 bytes starting
; with "BPMODULE".

bits 32
MB_MAGIC  equ 0x1badb002
%ifdef ELF
MB_FLAGS  equ 0x00000003
section .text
global _start
%else
MB_FLAGS  equ 0x00010003
org 0x100000
%endif

header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
%ifndef ELF
    dd header                   ; header_addr
    dd header                   ; load_addr
    dd 0                        ; load_end_addr: the whole file
    dd image_end                ; bss_end_addr
    dd _start                   ; entry_addr
%endif

_start:
    mov esp, stack_top
    mov esi, ebx                ; multiboot information
    xor edi, edi                ; failures

    cmp eax, 0x2badb002
    call report
    mov eax, [esi]              ; flags: mem, cmdline, mods
    and eax, 0x0d
    cmp eax, 0x0d
    call report
    cmp dword [esi + 4], 640    ; mem_lower
    call report
    cmp dword [esi + 8], 64 * 1024 - 1024   ; mem_upper for -m 64M
    call report
    mov edx, [esi + 16]         ; cmdline
    mov ebx, str_cmdline
    call contains
    call report
    cmp dword [esi + 20], 1     ; mods_count
    call report
    mov ebp, [esi + 24]         ; mods_addr
    mov edx, [ebp]              ; mod_start
    cmp dword [edx], 'BPMO'
    jne .bad_mod
    cmp dword [edx + 4], 'DULE'
.bad_mod:
    call report
    mov eax, [ebp + 4]          ; mod_end - mod_start == 16
    sub eax, [ebp]
    cmp eax, 16
    call report
    mov edx, [ebp + 8]          ; module string
    mov ebx, str_modarg
    call contains
    call report
    test dword [ebp], 0xfff     ; modules are page aligned (flag bit 0)
    call report

    mov al, 10
    out 0xe9, al
    mov eax, edi
    test eax, eax
    setnz al
    out 0xf4, al
.hang:
    hlt
    jmp .hang

; ZF set: pass. Prints '1' or '0' and counts failures in edi.
report:
    pushfd
    pop eax
    test eax, 0x40
    mov al, '1'
    jnz .out
    mov al, '0'
    inc edi
.out:
    out 0xe9, al
    ret

; Does the string at edx contain the string at ebx? ZF set if so.
contains:
    push esi
.start:
    mov esi, 0
.cmp:
    mov al, [ebx + esi]
    test al, al
    jz .found
    mov ah, [edx + esi]
    test ah, ah
    jz .missing
    cmp al, ah
    jne .next
    inc esi
    jmp .cmp
.next:
    inc edx
    jmp .start
.found:
    pop esi
    xor eax, eax                ; ZF=1
    ret
.missing:
    pop esi
    or eax, 1                   ; ZF=0
    ret

str_cmdline: db 'mbtest-arg', 0
str_modarg:  db 'modarg', 0

    align 16
stack:
    times 1024 db 0
stack_top:
image_end:
