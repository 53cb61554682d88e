/*
 * The i386 half of the native x87 oracle (see runner.h): runs each case in
 * 32-bit protected mode, on machines whose kernel still executes i386
 * programs.
 *
 * Build: gcc -m32 -static -O2 runner.c driver.c -o runner
 */
#include <string.h>

#include "runner.h"

#define SLOT_LEN 8 /* 66 esc modrm disp32, NOP-padded */

/* frstor; load eax and eflags; <instruction>; save eflags, eax; fnsave; ret */
size_t build_stub(uint8_t *code) {
  size_t p = 0;
  emit_abs(code, &p, (const uint8_t[]){0xdd, 0x25}, 2, IN_STATE);
  emit_abs(code, &p, (const uint8_t[]){0xa1}, 1, IN_EAX);
  emit_abs(code, &p, (const uint8_t[]){0xff, 0x35}, 2, IN_EFL);
  code[p++] = 0x9d; /* popfd */
  size_t slot = p;
  memset(code + p, 0x90, SLOT_LEN);
  p += SLOT_LEN;
  code[p++] = 0x9c; /* pushfd */
  emit_abs(code, &p, (const uint8_t[]){0x8f, 0x05}, 2, OUT_EFL);
  emit_abs(code, &p, (const uint8_t[]){0xa3}, 1, OUT_EAX);
  emit_abs(code, &p, (const uint8_t[]){0xdd, 0x35}, 2, OUT_STATE);
  code[p++] = 0xc3;
  return slot;
}

void place(uint8_t *s, int o16, int esc, int modrm) {
  memset(s, 0x90, SLOT_LEN);
  if (o16) *s++ = 0x66;
  *s++ = (uint8_t)esc;
  if ((modrm & 0xc0) == 0xc0) {
    *s = (uint8_t)modrm;
  } else {
    uint32_t a = MEM_ADDR;
    *s++ = (uint8_t)((modrm & 0x38) | 5); /* [disp32] */
    memcpy(s, &a, 4);
  }
}

void selectors(uint16_t sel[2]) {
  __asm__("mov %%cs, %0" : "=r"(sel[0]));
  __asm__("mov %%ds, %0" : "=r"(sel[1]));
}
