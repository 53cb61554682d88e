; The store benchmark's guest (tests/bench/store.ts): maps SIZE bytes;
; with TOUCH=1 writes its page number into every page (distinct contents),
; then loops forever incrementing a word in one page after another, so
; every 6 instructions of the loop change exactly one page.
bits 32
global _start
section .text
_start:
    mov eax, 192            ; mmap2(NULL, SIZE, RW, PRIVATE|ANONYMOUS, -1, 0)
    xor ebx, ebx
    mov ecx, SIZE
    mov edx, 3
    mov esi, 0x22
    mov edi, -1
    xor ebp, ebp
    int 0x80
    mov ebx, eax
    xor ecx, ecx
%if TOUCH
.touch:
    mov eax, ecx
    shl eax, 12
    mov [ebx + eax], ecx
    inc ecx
    cmp ecx, SIZE >> 12
    jb .touch
    xor ecx, ecx
%endif
.loop:
    mov eax, ecx
    shl eax, 12
    inc dword [ebx + eax + 4]
    inc ecx
    and ecx, (SIZE >> 12) - 1
    jmp .loop
