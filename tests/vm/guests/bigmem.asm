; A 1 GiB guest with a small working set: maps 1 GiB, then keeps
; incrementing one word in one page (tests/vm/state.test.ts).
bits 32
global _start
section .text
_start:
    mov eax, 192            ; mmap2(NULL, 1 GiB, RW, PRIVATE|ANONYMOUS, -1, 0)
    xor ebx, ebx
    mov ecx, 0x40000000
    mov edx, 3
    mov esi, 0x22
    mov edi, -1
    xor ebp, ebp
    int 0x80
    mov ebx, eax
.loop:
    inc dword [ebx + 0x12345678]
    jmp .loop
