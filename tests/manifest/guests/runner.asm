; A guest that hosts a sub-guest: RUNs the guest subtree at /guests/child of
; its own file tree (Fx86 RUN, docs/abi.md) with a budget of BUDGET
; instructions, writes "ran child\n" and exits with the stop code
; (0 EXITED, 1 BUDGET, 2 FAULT, ...).
BITS 32

section .data
path:   db "/guests/child", 0
msg:    db "ran child", 10

section .text
global _start
_start:
    mov ebx, path
    mov ecx, BUDGET
    xor edx, edx
    db 0x0f, 0x0a, 0x00        ; FX86 RUN
    mov esi, eax               ; the stop code
    mov eax, 4                 ; write(1, msg, 10)
    mov ebx, 1
    mov ecx, msg
    mov edx, 10
    int 0x80
    mov ebx, esi               ; exit(stop code)
    mov eax, 1
    int 0x80
