; SPDX-License-Identifier: LGPL-2.1-or-later
;
; Backplane's boot option ROM for direct kernel boot (-kernel). SeaBIOS
; runs it from fw_cfg's "genroms/" directory and lists its PnP bootstrap
; entry vector as a boot device. When booted it loads, through the fw_cfg
; DMA interface, each of the setup / kernel / initrd / command line items
; to the address fw_cfg gives for it, then starts the kernel:
;   KERNEL_ENTRY == 0: Linux boot protocol, real-mode setup code at
;                      SETUP_ADDR, jump to (SETUP_ADDR >> 4) + 0x20 : 0;
;   KERNEL_ENTRY != 0: Multiboot: flat 32-bit protected mode, EAX =
;                      0x2BADB002, EBX = CMDLINE_ADDR (the info block).
; The ROM's size byte and checksums are filled in by the fwcfg module.

bits 16
org 0

FW_CFG_SEL      equ 0x510
FW_CFG_DATA     equ 0x511
FW_CFG_DMA_HI   equ 0x514
FW_CFG_DMA_LO   equ 0x518

KERNEL_ADDR     equ 0x07
KERNEL_SIZE     equ 0x08
INITRD_ADDR     equ 0x0a
INITRD_SIZE     equ 0x0b
KERNEL_ENTRY    equ 0x10
KERNEL_DATA     equ 0x11
INITRD_DATA     equ 0x12
CMDLINE_ADDR    equ 0x13
CMDLINE_SIZE    equ 0x14
CMDLINE_DATA    equ 0x15
SETUP_ADDR      equ 0x16
SETUP_SIZE      equ 0x17
SETUP_DATA      equ 0x18

SCRATCH         equ 0x500           ; free low memory for the GDT

header:
    db 0x55, 0xaa
    db 0                            ; size in 512-byte blocks (patched)
    jmp init                        ; offset 3: initialisation entry
    times 0x1a - ($ - $$) db 0
    dw pnp

pnp:
    db '$PnP'
    db 1                            ; structure revision
    db 2                            ; length in 16-byte units
    dw 0                            ; next header
    db 0
    db 0                            ; checksum (patched)
    dd 0                            ; device identifier
    dw manufacturer
    dw product
    db 0, 0, 0                      ; device type
    db 0x04                         ; indicators: bootable IPL device
    dw 0                            ; boot connection vector
    dw 0                            ; disconnect vector
    dw bev                          ; bootstrap entry vector
    dw 0
    dw 0

manufacturer: db 'Backplane', 0
product:      db 'Direct kernel boot (-kernel)', 0

init:
    retf

; eax <- the 32-bit little-endian item whose key is in ax
read32:
    push dx
    push cx
    mov dx, FW_CFG_SEL
    out dx, ax
    mov dx, FW_CFG_DATA
    mov cx, 4
.next:
    in al, dx
    ror eax, 8
    loop .next
    pop cx
    pop dx
    ret

; Load one item: bx = address key, si = size key, di = data key.
load_item:
    mov ax, bx
    call read32
    mov edx, eax                    ; destination
    mov ax, si
    call read32
    mov ecx, eax                    ; length
    test ecx, ecx
    jz .done
    sub sp, 16                      ; DMA descriptor on the stack (SS = 0)
    mov bp, sp
    movzx eax, di
    shl eax, 16
    or eax, 0x0a                    ; SELECT | READ
    bswap eax
    mov [bp], eax
    mov eax, ecx
    bswap eax
    mov [bp + 4], eax
    mov dword [bp + 8], 0
    mov eax, edx
    bswap eax
    mov [bp + 12], eax
    xor eax, eax
    mov dx, FW_CFG_DMA_HI
    out dx, eax
    movzx eax, bp
    bswap eax
    mov dx, FW_CFG_DMA_LO
    out dx, eax
.wait:
    mov eax, [bp]
    bswap eax
    test eax, 0xfffffffe            ; done when only ERROR may remain
    jnz .wait
    add sp, 16
.done:
    ret

bev:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, 0x7c00
    mov ds, ax
    mov es, ax

    mov bx, SETUP_ADDR
    mov si, SETUP_SIZE
    mov di, SETUP_DATA
    call load_item
    mov bx, KERNEL_ADDR
    mov si, KERNEL_SIZE
    mov di, KERNEL_DATA
    call load_item
    mov bx, INITRD_ADDR
    mov si, INITRD_SIZE
    mov di, INITRD_DATA
    call load_item
    mov bx, CMDLINE_ADDR
    mov si, CMDLINE_SIZE
    mov di, CMDLINE_DATA
    call load_item

    mov ax, KERNEL_ENTRY
    call read32
    test eax, eax
    jnz multiboot

linux:
    mov ax, SETUP_ADDR
    call read32
    shr eax, 4
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov sp, 0xfe00
    add ax, 0x20
    push ax
    push word 0
    retf

multiboot:
    mov esi, eax                    ; entry point
    mov ax, CMDLINE_ADDR
    call read32
    mov ebx, eax                    ; multiboot information block
    ; flat GDT in low memory: null, code 0x08, data 0x10
    mov dword [SCRATCH + 0], 0
    mov dword [SCRATCH + 4], 0
    mov dword [SCRATCH + 8], 0x0000ffff
    mov dword [SCRATCH + 12], 0x00cf9a00
    mov dword [SCRATCH + 16], 0x0000ffff
    mov dword [SCRATCH + 20], 0x00cf9200
    mov word [SCRATCH + 24], 23
    mov dword [SCRATCH + 26], SCRATCH
    ; far pointer to pm32 at its linear address (this ROM's segment * 16)
    xor eax, eax
    mov ax, cs
    shl eax, 4
    add eax, pm32
    mov [SCRATCH + 32], eax
    mov word [SCRATCH + 36], 0x08
    lgdt [SCRATCH + 24]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword far [SCRATCH + 32]

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov eax, 0x2badb002
    jmp esi

    align 512, db 0
