; A JIT-style guest for tests/cpu/high_addresses.test.ts: for each address
; in the table, mmap one RWX page there (MAP_FIXED), copy `mov eax, 42; ret`
; into it and call it. Exits with the number of calls that returned 42.
bits 32
global _start
section .text
_start:
  xor edi, edi          ; successes
  mov esi, addresses
next:
  mov ebx, [esi]
  test ebx, ebx
  jz finish
  push esi
  push edi
  mov eax, 192          ; mmap2(ebx, 4096, RWX, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  mov ecx, 4096
  mov edx, 7
  mov esi, 0x32
  mov edi, -1
  xor ebp, ebp
  int 0x80
  pop edi
  pop esi
  cmp eax, ebx
  jne skip
  mov dword [ebx], 0x00002ab8   ; b8 2a 00 00 | 00 c3: mov eax, 42; ret
  mov word [ebx + 4], 0xc300
  call ebx
  cmp eax, 42
  jne skip
  inc edi
skip:
  add esi, 4
  jmp next
finish:
  mov ebx, edi
  mov eax, 1
  int 0x80
section .data
addresses:
  dd 0x10000000, 0x40000000, 0x7ffff000, 0x80000000, 0x9abcd000, 0xb7e80000, 0xbf000000, 0
