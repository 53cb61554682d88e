; Sub-guests for tests/vm/nested.test.ts, selected with -DMODE=...
bits 32
global _start
section .data
value: db 7
section .text
_start:
%ifidn MODE, exit_eax          ; exit status = EAX at entry (0 unless a parent set it)
    mov ebx, eax
%elifidn MODE, exit_value      ; exit status = the byte at `value`
    movzx ebx, byte [value]
%elifidn MODE, undefined       ; faults
    ud2
%elifidn MODE, spin            ; counts down from 3,000,000 then exits 5
    mov ecx, 3000000
.loop:
    dec ecx
    jnz .loop
    mov ebx, 5
%endif
    mov eax, 1
    int 0x80
