; A host for tests/vm/debug.test.ts whose sub-guest is named by a relative
; path: it makes /sub, moves there, LOADs /bin/child as "../sub/./kid" and
; RUNs it as "kid" (both are /sub/kid: the guest id is "fs/sub/kid").
bits 32
global _start
section .data
sub:    db "/sub", 0
elf:    db "/bin/child", 0
target: db "../sub/./kid", 0
name:   db "kid", 0
arg0:   db "kid", 0
argv:   dd arg0, 0
section .text
_start:
    mov eax, 39                 ; mkdir("/sub", 0755)
    mov ebx, sub
    mov ecx, 0o755
    int 0x80
    mov eax, 12                 ; chdir("/sub")
    mov ebx, sub
    int 0x80
    mov ebx, elf                ; LOAD /bin/child as ../sub/./kid
    mov ecx, target
    mov edx, argv
    xor esi, esi
    db 0x0f, 0x0a, 0x09
    mov ebx, name               ; RUN kid with a budget of 1000
    mov ecx, 1000
    xor edx, edx
    db 0x0f, 0x0a, 0x00
    mov ebx, eax                ; exit with RUN's stop code
    mov eax, 1
    int 0x80
