/*
 * Native oracle for the x87 differential test (tests/x87/x87.test.ts).
 *
 * Reads case records from the file named by argv[1], runs each one on the
 * real CPU and writes one result record per case to the file argv[2]. A case is one x87 instruction with
 * the complete FPU state it starts from (a 108-byte FNSAVE image, loaded
 * with FRSTOR), EFLAGS, EAX and the bytes of its memory operand. The result
 * is the FNSAVE image after the instruction, the memory operand, EFLAGS and
 * EAX. The instruction runs from a fixed address and its memory operand is
 * at a fixed address, so the emulator replay can pass the same FIP and FDP.
 *
 * Case record:   u8 o16, u8 esc, u8 modrm, u8 memLen, u32 eflags, u32 eax,
 *                u8 state[108], u8 mem[memLen]
 * Result record: u8 state[108], u8 mem[memLen], u32 eflags, u32 eax,
 *                u32 trap (0 = none, 1 = #MF (SIGFPE), 2 = #UD (SIGILL))
 * Output header: u32 instruction address, u32 memory operand address.
 *
 * Build: gcc -m32 -static -O2 runner.c -o runner
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CODE_ADDR 0x20000000u
#define DATA_ADDR 0x30000000u
#define MEM_ADDR (DATA_ADDR + 0x000)  /* the instruction's memory operand */
#define IN_STATE (DATA_ADDR + 0x100)  /* FRSTOR image */
#define OUT_STATE (DATA_ADDR + 0x200) /* FNSAVE image */
#define IN_EFL (DATA_ADDR + 0x300)
#define IN_EAX (DATA_ADDR + 0x304)
#define OUT_EFL (DATA_ADDR + 0x308)
#define OUT_EAX (DATA_ADDR + 0x30c)
#define MAX_MEM 112

static uint8_t *code;
static size_t slot; /* offset of the instruction under test in `code` */

static void emit_abs(size_t *p, const uint8_t *op, int n, uint32_t addr) {
  memcpy(code + *p, op, n);
  *p += n;
  memcpy(code + *p, &addr, 4);
  *p += 4;
}

/* frstor; load eax and eflags; <instruction>; save eflags, eax; fnsave; ret */
static void build_stub(void) {
  size_t p = 0;
  emit_abs(&p, (const uint8_t[]){0xdd, 0x25}, 2, IN_STATE);
  emit_abs(&p, (const uint8_t[]){0xa1}, 1, IN_EAX);
  emit_abs(&p, (const uint8_t[]){0xff, 0x35}, 2, IN_EFL);
  code[p++] = 0x9d; /* popfd */
  slot = p;
  memset(code + p, 0x90, 8);
  p += 8;
  code[p++] = 0x9c; /* pushfd */
  emit_abs(&p, (const uint8_t[]){0x8f, 0x05}, 2, OUT_EFL);
  emit_abs(&p, (const uint8_t[]){0xa3}, 1, OUT_EAX);
  emit_abs(&p, (const uint8_t[]){0xdd, 0x35}, 2, OUT_STATE);
  code[p++] = 0xc3;
}

/* Writes the instruction under test into its slot (NOP-padded to 8 bytes). */
static void place(int o16, int esc, int modrm) {
  uint8_t *s = code + slot;
  memset(s, 0x90, 8);
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

static sigjmp_buf trap_jmp;

/* A trap leaves the case: the result record then holds its number. */
static void on_trap(int sig) { siglongjmp(trap_jmp, sig == SIGFPE ? 1 : 2); }

static FILE *in, *out;

static int read_all(void *p, size_t n) { return fread(p, 1, n, in) == n; }

int main(int argc, char **argv) {
  if (argc != 3 || !(in = fopen(argv[1], "rb")) || !(out = fopen(argv[2], "wb"))) {
    fprintf(stderr, "usage: runner cases-file results-file\n");
    return 1;
  }
  code = mmap((void *)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *data = mmap((void *)DATA_ADDR, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code == MAP_FAILED || data == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  build_stub();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_trap;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGFPE, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  uint32_t hdr[2] = {CODE_ADDR + (uint32_t)slot, MEM_ADDR};
  fwrite(hdr, 4, 2, out);
  void (*run)(void) = (void (*)(void))code;
  uint8_t h[4], mem_in[MAX_MEM];
  while (read_all(h, 4)) {
    int mlen = h[3];
    if (mlen > MAX_MEM) return 2;
    if (!read_all(data + (IN_EFL - DATA_ADDR), 8) ||
        !read_all(data + (IN_STATE - DATA_ADDR), 108) ||
        !read_all(mem_in, mlen))
      return 3;
    place(h[0], h[1], h[2]);
    /*
     * AMD CPUs save FIP/FOP/FDP with FXSAVE/XSAVE only while an exception
     * is pending, so a context switch between the instruction and FNSAVE
     * can zero them. Run each case until two runs agree.
     */
    uint8_t prev[108 + MAX_MEM + 8 + 4];
    uint32_t trap = 0;
    size_t n = 108 + mlen + 8;
    for (volatile int attempt = 0; attempt < 10; attempt++) {
      memcpy(data + (MEM_ADDR - DATA_ADDR), mem_in, mlen);
      memset(data + (OUT_STATE - DATA_ADDR), 0, 108);
      memset(data + (OUT_EFL - DATA_ADDR), 0, 8);
      trap = (uint32_t)sigsetjmp(trap_jmp, 1);
      if (!trap) run();
      uint8_t cur[sizeof prev];
      memcpy(cur, data + (OUT_STATE - DATA_ADDR), 108);
      memcpy(cur + 108, data + (MEM_ADDR - DATA_ADDR), mlen);
      memcpy(cur + 108 + mlen, data + (OUT_EFL - DATA_ADDR), 8);
      memcpy(cur + n, &trap, 4);
      if (attempt > 0 && memcmp(cur, prev, n + 4) == 0) break;
      memcpy(prev, cur, n + 4);
    }
    fwrite(data + (OUT_STATE - DATA_ADDR), 1, 108, out);
    fwrite(data + (MEM_ADDR - DATA_ADDR), 1, mlen, out);
    fwrite(data + (OUT_EFL - DATA_ADDR), 1, 8, out);
    fwrite(&trap, 4, 1, out);
  }
  return fclose(out) == 0 ? 0 : 4;
}
