; Tiny guests that misbehave, one per entry point selected by argc:
; built with nasm -f elf32 and ld -m elf_i386 by tests/support/build.ts.
; Each is a separate program: FAULT selects the behaviour at assembly time.
bits 32
global _start
section .text
_start:
%ifidn FAULT, jump_unmapped
    mov eax, 0x12345678
    jmp eax
%elifidn FAULT, undefined
    ud2
%elifidn FAULT, privileged
    hlt
%elifidn FAULT, divide
    xor ecx, ecx
    div ecx
%elifidn FAULT, write_text
    mov dword [_start], 0
%elifidn FAULT, fx86_undefined
    db 0x0f, 0x0a, 0x7f     ; an Fx86 function that does not exist
%elifidn FAULT, spin
    jmp _start
%elifidn FAULT, stack_overflow
recurse:
    push eax
    jmp recurse
%endif
