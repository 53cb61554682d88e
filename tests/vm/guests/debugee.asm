; The guest of tests/vm/debug.test.ts: a loop that calls a function,
; copies with REP MOVSB and makes system calls, so that address, system-call
; and REP breakpoints have something to hit. Deterministic natively too
; (no stack addresses reach the registers), so gdb is its oracle.
bits 32
global _start, work, copy, repcopy, tick, done
section .bss
src: resb 64
dst: resb 64
section .text
_start:
    mov ebp, 40                 ; iterations
    xor edi, edi                ; running checksum
.loop:
    mov eax, ebp
    call work
    test ebp, 7
    jnz .quiet
    call tick                   ; every 8th iteration: write one byte
.quiet:
    dec ebp
    jnz .loop
    mov eax, 20                 ; getpid: a call the test does not break on
    int 0x80
done:
    mov eax, 1
    mov ebx, edi
    and ebx, 0x7f
    int 0x80

; EAX = iteration: mixes it into EDI and copies a buffer.
work:
    imul eax, eax, 2654435761
    xor edi, eax
    rol edi, 5
    mov [src], eax
copy:
    mov esi, src
    mov ebx, edi                ; keep EDI (rep movsb moves it)
    mov edi, dst
    mov ecx, 16
repcopy:
    rep movsb
    mov edi, ebx
    add edi, [dst]
    ret

tick:
    push edi
    mov [src], ebp
    add byte [src], '0'
    mov eax, 4
    mov ebx, 1
    mov ecx, src
    mov edx, 1
    int 0x80
    pop edi
    ret
