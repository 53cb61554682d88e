; A guest with a large working set: maps 64 MiB and writes one word in
; every page, round after round, forever. Each million instructions
; rewrites all of it, the worst case for keeping history.
bits 32
global _start
section .text
_start:
    mov eax, 192            ; mmap2(0, 64 MiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
    xor ebx, ebx
    mov ecx, 0x4000000
    mov edx, 3
    mov esi, 0x22
    mov edi, -1
    xor ebp, ebp
    int 0x80
    mov esi, eax
    xor edx, edx
.round:
    inc edx
    mov ebx, esi
    lea ecx, [esi + 0x4000000]
.page:
    mov [ebx], edx
    add ebx, 4096
    cmp ebx, ecx
    jb .page
    jmp .round
