/*
 * The mode-independent half of the native x87 oracle (see runner.h): reads
 * case records from the file named by argv[1], runs each one through the
 * stub and writes one result record per case to the file argv[2].
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runner.h"

void emit_abs(uint8_t *code, size_t *p, const uint8_t *op, int n, uint32_t addr) {
  memcpy(code + *p, op, n);
  *p += n;
  memcpy(code + *p, &addr, 4);
  *p += 4;
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
  uint8_t *code = mmap((void *)(uintptr_t)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *data = mmap((void *)(uintptr_t)DATA_ADDR, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code == MAP_FAILED || data == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  size_t slot = build_stub(code);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_trap;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGFPE, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  uint32_t hdr[2] = {CODE_ADDR + (uint32_t)slot, MEM_ADDR};
  uint16_t sel[2];
  selectors(sel);
  fwrite(hdr, 4, 2, out);
  fwrite(sel, 2, 2, out);
  void (*run)(void) = (void (*)(void))code;
  uint8_t h[4], mem_in[MAX_MEM];
  while (read_all(h, 4)) {
    int mlen = h[3];
    if (mlen > MAX_MEM) return 2;
    if (!read_all(data + (IN_EFL - DATA_ADDR), 8) ||
        !read_all(data + (IN_STATE - DATA_ADDR), 108) ||
        !read_all(mem_in, mlen))
      return 3;
    place(code + slot, h[0], h[1], h[2]);
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
