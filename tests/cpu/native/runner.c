/*
 * The real CPU as an oracle for tests/cpu/differential.test.ts.
 *
 * Usage: runner CODE.bin < cases > records
 *
 * Maps CODE.bin (flat, assembled at CODE_BASE) and the data/control pages
 * at the fixed addresses the generated programs use (two read-write data
 * pages and a read-only one), creates LDT entry 0
 * (selector 7: a flat 32-bit data segment based at DATA_BASE, for FS/GS
 * overrides and 16-bit addressing), then runs each case:
 *
 *   case   = u32 entry (offset in CODE), u32 seed, u32 state[10]
 *            (EDI ESI EBP - EBX EDX ECX EAX EFLAGS ESP), u32 npatch,
 *            npatch x { u32 offset in DATA, u32 length, bytes padded to 4 }
 *
 * DATA is filled from `seed` (xorshift32), patched, the state is stored at
 * CTRL_BASE, and the case's code is called. It loads the state, runs the
 * instruction under test, dumps registers/EFLAGS/segments into CTRL and
 * executes `int 0x80` (getpid) before returning; a fault is caught by a
 * signal handler that records the state from the ucontext and resumes the
 * runner as if the case had returned.
 *
 *   header = u32 magic 0xf86c0de0, u32 ldt_ok, u32 cs, ds, es, fs, gs, ss
 *   record = u32 status (0 or the signal), trapno, fault address, eip, path,
 *            EAX..EDI, EFLAGS, ES CS SS DS FS GS, u32 ndiff,
 *            ndiff x { u16 offset in DATA, u8 new byte, u8 0 }
 *
 * Built with -fno-stack-protector: the handler may run while GS holds the
 * test's selector, so it must not touch TLS.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_BASE 0x10000000u
#define DATA_BASE 0x20000000u
#define DATA_SIZE 0x3000u
#define DATA_WRITABLE 0x2000u /* the last data page is read-only */
#define CTRL_BASE 0x30000000u
#define SAVE (CTRL_BASE + 0x40)
#define DUMP (CTRL_BASE + 0x1d0) /* path, pushad image, EFLAGS, -, ESP */
#define DUMP_SEGS (CTRL_BASE + 0x200)

enum { REC_WORDS = 21 };

static uint32_t rec[REC_WORDS];
static uint16_t seg_cs, seg_ds, seg_es, seg_fs, seg_gs, seg_ss;

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  ucontext_t *uc = ctx;
  greg_t *g = uc->uc_mcontext.gregs;
  rec[0] = (uint32_t)sig;
  rec[1] = (uint32_t)g[REG_TRAPNO];
  rec[2] = (uint32_t)(uintptr_t)info->si_addr;
  rec[3] = (uint32_t)g[REG_EIP];
  rec[4] = 0;
  rec[5] = g[REG_EAX]; rec[6] = g[REG_ECX]; rec[7] = g[REG_EDX]; rec[8] = g[REG_EBX];
  rec[9] = g[REG_ESP]; rec[10] = g[REG_EBP]; rec[11] = g[REG_ESI]; rec[12] = g[REG_EDI];
  rec[13] = g[REG_EFL];
  rec[14] = g[REG_ES] & 0xffff; rec[15] = g[REG_CS] & 0xffff; rec[16] = g[REG_SS] & 0xffff;
  rec[17] = g[REG_DS] & 0xffff; rec[18] = g[REG_FS] & 0xffff; rec[19] = g[REG_GS] & 0xffff;
  /* Resume at the case's return address with the runner's segments. */
  uint32_t sp = *(volatile uint32_t *)SAVE;
  g[REG_EIP] = *(uint32_t *)sp;
  g[REG_ESP] = sp + 4;
  g[REG_EFL] = 0x202;
  g[REG_CS] = seg_cs; g[REG_SS] = seg_ss; g[REG_DS] = seg_ds;
  g[REG_ES] = seg_es; g[REG_FS] = seg_fs; g[REG_GS] = seg_gs;
}

static void run_case(uint32_t entry) {
  __asm__ volatile(
      "pushal\n\t"
      "push %%ds\n\tpush %%es\n\tpush %%fs\n\tpush %%gs\n\t"
      "call *%%eax\n\t"
      "pop %%gs\n\tpop %%fs\n\tpop %%es\n\tpop %%ds\n\t"
      "popal\n\t"
      "push $0x202\n\tpopfl\n\t"
      :
      : "a"(entry)
      : "memory", "cc");
}

static uint32_t xorshift(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static void *map_at(uint32_t addr, uint32_t len, int prot) {
  void *p = mmap((void *)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (void *)addr) {
    fprintf(stderr, "runner: cannot map 0x%x\n", addr);
    exit(2);
  }
  return p;
}

static uint8_t *slurp(FILE *f, size_t *len) {
  size_t cap = 1 << 20, n = 0, k;
  uint8_t *buf = malloc(cap);
  while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: runner CODE.bin < cases > records\n");
    return 2;
  }
  FILE *cf = fopen(argv[1], "rb");
  if (!cf) {
    perror(argv[1]);
    return 2;
  }
  size_t code_len;
  uint8_t *code = slurp(cf, &code_len);
  fclose(cf);
  uint32_t text_len = (code_len + 0xfff) & ~0xfffu;
  uint8_t *text = map_at(CODE_BASE, text_len, PROT_READ | PROT_WRITE);
  memcpy(text, code, code_len);
  mprotect(text, text_len, PROT_READ | PROT_EXEC);
  uint8_t *data = map_at(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE);
  uint8_t *ctrl = map_at(CTRL_BASE, 0x1000, PROT_READ | PROT_WRITE);
  static uint8_t initial[DATA_SIZE];

  struct user_desc d;
  memset(&d, 0, sizeof d);
  d.entry_number = 0;
  d.base_addr = DATA_BASE;
  d.limit = 0xfffff;
  d.seg_32bit = 1;
  d.limit_in_pages = 1;
  d.useable = 1;
  uint32_t ldt_ok = syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;

  __asm__ volatile("mov %%cs, %0\n\tmov %%ds, %1\n\tmov %%es, %2\n\t"
                   "mov %%fs, %3\n\tmov %%gs, %4\n\tmov %%ss, %5"
                   : "=m"(seg_cs), "=m"(seg_ds), "=m"(seg_es), "=m"(seg_fs), "=m"(seg_gs), "=m"(seg_ss));

  static uint8_t altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
  for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++) sigaction(sigs[k], &sa, 0);

  size_t in_len;
  uint8_t *in = slurp(stdin, &in_len);
  uint32_t header[8] = {0xf86c0de0, ldt_ok, seg_cs, seg_ds, seg_es, seg_fs, seg_gs, seg_ss};
  fwrite(header, 4, 8, stdout);

  size_t p = 0;
  static uint8_t diffbuf[DATA_SIZE * 4];
  while (p + 52 <= in_len) {
    const uint32_t *w = (const uint32_t *)(in + p);
    uint32_t entry = w[0], seed = w[1] | 1, npatch = w[12];
    p += 52;
    uint32_t s = seed;
    mprotect(data + DATA_WRITABLE, DATA_SIZE - DATA_WRITABLE, PROT_READ | PROT_WRITE);
    for (uint32_t k = 0; k < DATA_SIZE / 4; k++) ((uint32_t *)data)[k] = xorshift(&s);
    for (uint32_t k = 0; k < npatch; k++) {
      const uint32_t *pw = (const uint32_t *)(in + p);
      memcpy(data + pw[0], in + p + 8, pw[1]);
      p += 8 + ((pw[1] + 3) & ~3u);
    }
    mprotect(data + DATA_WRITABLE, DATA_SIZE - DATA_WRITABLE, PROT_READ);
    memset(ctrl, 0, 0x1000);
    memcpy(ctrl, w + 2, 40);
    memcpy(initial, data, DATA_SIZE);
    memset(rec, 0, sizeof rec);
    run_case(CODE_BASE + entry);
    if (rec[0] == 0) {
      const uint32_t *dump = (const uint32_t *)DUMP;
      const uint16_t *segs = (const uint16_t *)DUMP_SEGS;
      rec[4] = dump[0];
      /* pushad image: EDI ESI EBP ESP EBX EDX ECX EAX */
      rec[5] = dump[8]; rec[6] = dump[7]; rec[7] = dump[6]; rec[8] = dump[5];
      rec[9] = dump[11]; rec[10] = dump[3]; rec[11] = dump[2]; rec[12] = dump[1];
      rec[13] = dump[9];
      for (int k = 0; k < 6; k++) rec[14 + k] = segs[k];
    }
    uint32_t n = 0;
    for (uint32_t k = 0; k < DATA_SIZE; k++) {
      if (data[k] != initial[k]) {
        diffbuf[4 * n] = k & 0xff;
        diffbuf[4 * n + 1] = k >> 8;
        diffbuf[4 * n + 2] = data[k];
        diffbuf[4 * n + 3] = 0;
        n++;
      }
    }
    rec[20] = n;
    fwrite(rec, 4, REC_WORDS, stdout);
    fwrite(diffbuf, 4, n, stdout);
  }
  return 0;
}
