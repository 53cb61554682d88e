; Position-independent code for tests/cpu/high_addresses.test.ts, loaded at
; many addresses: relative calls and a backward loop, a call/pop to read its
; own address, an indirect jump through it, and memory read relative to it.
; Ends with int 0x80: EAX = 35, EBX = address of `here`, ESI = 0x1234abcd.
bits 32
start:
  mov ecx, 5
  xor eax, eax
again:
  call add7
  dec ecx
  jnz again
  call here
here:
  pop ebx
  mov esi, [ebx + constant - here]
  lea edx, [ebx + done - here]
  jmp edx
  ud2
add7:
  add eax, 7
  ret
constant:
  dd 0x1234abcd
done:
  int 0x80
