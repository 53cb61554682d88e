/*
 * The x86-64 half of the native x87 oracle (see runner.h): runs each case
 * in 64-bit mode, for kernels that no longer execute i386 programs. The x87
 * unit computes the same in 64-bit mode; what differs is the encoding
 * around it, handled here so that the CPU records what it would in 32-bit
 * mode:
 *
 * - A memory operand uses a 0x67 prefix (32-bit addressing, as in i386
 *   code) and keeps ModRM mod=00 rm=101, which 64-bit mode reads as
 *   [eip+disp32]: the displacement is chosen so the operand is at MEM_ADDR.
 *   Keeping the ModRM byte keeps FOP, which records it, equal to the i386
 *   encoding's. The prefixes come first, so FIP (which points at the first
 *   prefix) is still the slot's address.
 * - A 64-bit process runs with DS = 0, which FDS would record; the stub
 *   loads DS with SS's selector, Linux's user data segment (0x2b), the
 *   selector an i386 process runs with.
 * - EFLAGS goes through pushfq/popfq (only the low 32 bits are compared).
 *
 * Build: gcc -static -O2 runner64.c driver.c -o runner64
 */
#include <string.h>

#include "runner.h"

#define SLOT_LEN 12 /* 66 67 esc modrm disp32, NOP-padded */

size_t build_stub(uint8_t *code) {
  size_t p = 0;
  /* frstor [IN_STATE] (ModRM rm=100 with SIB 0x25: an absolute disp32) */
  emit_abs(code, &p, (const uint8_t[]){0xdd, 0x24, 0x25}, 3, IN_STATE);
  memcpy(code + p, (const uint8_t[]){0x8c, 0xd0, 0x8e, 0xd8}, 4); /* mov eax, ss; mov ds, eax */
  p += 4;
  emit_abs(code, &p, (const uint8_t[]){0x8b, 0x04, 0x25}, 3, IN_EFL); /* mov eax, [IN_EFL] */
  code[p++] = 0x50;                                                    /* push rax */
  code[p++] = 0x9d;                                                    /* popfq */
  emit_abs(code, &p, (const uint8_t[]){0x8b, 0x04, 0x25}, 3, IN_EAX); /* mov eax, [IN_EAX] */
  size_t slot = p;
  memset(code + p, 0x90, SLOT_LEN);
  p += SLOT_LEN;
  emit_abs(code, &p, (const uint8_t[]){0x89, 0x04, 0x25}, 3, OUT_EAX); /* mov [OUT_EAX], eax */
  code[p++] = 0x9c;                                                     /* pushfq */
  code[p++] = 0x58;                                                     /* pop rax */
  emit_abs(code, &p, (const uint8_t[]){0x89, 0x04, 0x25}, 3, OUT_EFL); /* mov [OUT_EFL], eax */
  emit_abs(code, &p, (const uint8_t[]){0xdd, 0x34, 0x25}, 3, OUT_STATE); /* fnsave [OUT_STATE] */
  code[p++] = 0xc3;
  return slot;
}

void place(uint8_t *s, int o16, int esc, int modrm) {
  memset(s, 0x90, SLOT_LEN);
  if (o16) *s++ = 0x66;
  if ((modrm & 0xc0) == 0xc0) {
    *s++ = (uint8_t)esc;
    *s = (uint8_t)modrm;
    return;
  }
  *s++ = 0x67;
  *s++ = (uint8_t)esc;
  *s++ = (uint8_t)((modrm & 0x38) | 5); /* [eip+disp32] */
  uint32_t next = (uint32_t)(uintptr_t)(s + 4), disp = MEM_ADDR - next;
  memcpy(s, &disp, 4);
}

void selectors(uint16_t sel[2]) {
  __asm__("mov %%cs, %0" : "=r"(sel[0]));
  __asm__("mov %%ss, %0" : "=r"(sel[1])); /* DS in the stub, see above */
}
