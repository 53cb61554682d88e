/*
 * The real CPU in 64-bit mode as an oracle for tests/cpu/differential.test.ts,
 * for kernels that no longer run i386 programs (layer 2 in docs/testing.md).
 *
 * Usage: runner64 CODE.bin < cases > records
 *
 * The protocol of runner.c (the case and record formats, the fixed
 * addresses, LDT entry 0 as selector 7 for FS/GS overrides), for a batch
 * that program64.ts translated into `bits 64` code. What differs:
 *
 *   header = u32 magic 0xf86c0d64, u32 ldt_ok, u32 cs, ds, es, fs, gs, ss,
 *            u32 lahf64 (CPUID.80000001H:ECX bit 0: LAHF and SAHF exist in
 *            64-bit mode), with the selectors a case starts with.
 *
 * - A case starts with DS and ES holding SS's selector (Linux's user data
 *   segment, what an i386 process runs with; a 64-bit one has 0 there).
 * - The case code loads registers with 32-bit moves (upper halves zero),
 *   dumps them with moves and returns with RET: `int 0x80` needs the i386
 *   system-call ABI, which such kernels lack.
 * - `eip` in a record is the RIP of the fault in the 64-bit batch; the test
 *   maps it back to the i386 batch.
 * - For a fault, ES, DS, FS and GS are read in the handler: the 64-bit
 *   signal frame has no copy of them and delivery does not change them.
 * - 64-bit mode ignores a CS override, and writing through CS is what
 *   32-bit mode refuses (#GP: code segments are not writable). So the data
 *   pages are also mapped read-only at DATA_ALIAS, LDT entry 1 (selector
 *   0xf) is a data segment whose base moves DATA_BASE there, and the
 *   translation addresses through GS with that selector where the i386
 *   code has a CS override: reads see the data, and an access with write
 *   intent (page-fault error code W, which the processor sets for stores
 *   and read-modify-writes alike) is reported as the #GP(0) of 32-bit
 *   mode (the handler knows the alias by GS's selector and the address).
 *   Other faults in the alias are reported at the data address.
 * - After each case the runner's DS, ES, FS, GS and FS's base (glibc's
 *   thread pointer, which loading FS with a selector replaces) are restored
 *   before any C code runs. GS's base is left as it is: nothing here uses
 *   it, and a case addressing through GS loads GS first.
 *
 * Built with -fno-stack-protector: the handler may run while FS holds the
 * test's selector, so it must not touch TLS.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/prctl.h>

#define CODE_BASE 0x10000000u
#define DATA_BASE 0x20000000u
#define DATA_SIZE 0x3000u
#define DATA_WRITABLE 0x2000u /* the last data page is read-only */
#define DATA_ALIAS 0xe0000000u /* the data pages again, read-only */
#define ALIAS_BASE (DATA_ALIAS - DATA_BASE) /* LDT entry 1's base: GS-relative accesses land at or above it */
#define ALIAS_SELECTOR 0xf
#define CTRL_BASE 0x30000000u
#define SAVE (CTRL_BASE + 0x40) /* RSP at the case's entry, 8 bytes */
#define DUMP (CTRL_BASE + 0x1d0) /* path, pushad-like image, EFLAGS, -, ESP */
#define DUMP_SEGS (CTRL_BASE + 0x200)

enum { REC_WORDS = 21 };

static uint32_t rec[REC_WORDS];
/* The runner's DS, ES, FS, GS (restored by call_case) and its FS base. */
uint16_t runner_sregs[4];
uint64_t runner_fs_base;

/* Calls the case at `entry` (in %rdi) with DS = ES = SS, then restores the runner's segments. */
void call_case(uint64_t entry);
__asm__(".text\n"
        ".globl call_case\n"
        "call_case:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
        "  mov %ss, %eax\n  mov %eax, %ds\n  mov %eax, %es\n"
        "  call *%rdi\n"
        "  movzwl runner_sregs(%rip), %eax\n  mov %eax, %ds\n"
        "  movzwl runner_sregs+2(%rip), %eax\n  mov %eax, %es\n"
        "  movzwl runner_sregs+4(%rip), %eax\n  mov %eax, %fs\n"
        "  movzwl runner_sregs+6(%rip), %eax\n  mov %eax, %gs\n"
        "  mov $158, %eax\n"    /* SYS_arch_prctl */
        "  mov $0x1002, %edi\n" /* ARCH_SET_FS */
        "  mov runner_fs_base(%rip), %rsi\n"
        "  syscall\n"
        "  push $0x202\n  popfq\n" /* the case may leave DF (or AC) set */
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
        "  ret\n");

/* DS, ES, FS, GS as they are now. */
static void data_selectors(uint16_t s[4]) {
  __asm__ volatile("mov %%ds, %0\n\tmov %%es, %1\n\tmov %%fs, %2\n\tmov %%gs, %3"
                   : "=m"(s[0]), "=m"(s[1]), "=m"(s[2]), "=m"(s[3]));
}

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  ucontext_t *uc = ctx;
  greg_t *g = uc->uc_mcontext.gregs;
  uint64_t csgsfs = (uint64_t)g[REG_CSGSFS]; /* cs, gs, fs, ss: 16 bits each */
  uintptr_t addr = (uintptr_t)info->si_addr;
  rec[0] = (uint32_t)sig;
  rec[1] = (uint32_t)g[REG_TRAPNO];
  rec[2] = (uint32_t)addr;
  uint16_t s[4];
  data_selectors(s);
  /* Through the alias, a 32-bit offset lands in [ALIAS_BASE, ALIAS_BASE + 4 GiB); nothing else goes there. */
  if (rec[1] == 14 && s[3] == ALIAS_SELECTOR && addr >= ALIAS_BASE && addr - ALIAS_BASE <= 0xffffffffu) {
    if (g[REG_ERR] & 2) {
      rec[1] = 13; /* a write through CS */
      rec[2] = 0;
    } else {
      rec[2] = (uint32_t)(addr - ALIAS_BASE);
    }
  }
  rec[3] = (uint32_t)g[REG_RIP];
  rec[4] = 0;
  rec[5] = g[REG_RAX]; rec[6] = g[REG_RCX]; rec[7] = g[REG_RDX]; rec[8] = g[REG_RBX];
  rec[9] = g[REG_RSP]; rec[10] = g[REG_RBP]; rec[11] = g[REG_RSI]; rec[12] = g[REG_RDI];
  rec[13] = g[REG_EFL];
  rec[14] = s[1]; rec[15] = csgsfs & 0xffff; rec[16] = (csgsfs >> 48) & 0xffff;
  rec[17] = s[0]; rec[18] = s[2]; rec[19] = s[3];
  /* Resume at the case's return address (in call_case). */
  uint64_t sp = *(volatile uint64_t *)(uintptr_t)SAVE;
  g[REG_RIP] = *(uint64_t *)sp;
  g[REG_RSP] = sp + 8;
  g[REG_EFL] = 0x202;
}

static uint32_t xorshift(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static void *map_at(uint32_t addr, uint32_t len, int prot, int flags, int fd) {
  void *p = mmap((void *)(uintptr_t)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
  if (p != (void *)(uintptr_t)addr) {
    fprintf(stderr, "runner64: cannot map 0x%x\n", addr);
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
    fprintf(stderr, "usage: runner64 CODE.bin < cases > records\n");
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
  uint8_t *text = map_at(CODE_BASE, text_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  memcpy(text, code, code_len);
  mprotect(text, text_len, PROT_READ | PROT_EXEC);
  int fd = memfd_create("data", 0);
  if (fd < 0 || ftruncate(fd, DATA_SIZE) != 0) {
    perror("runner64: memfd");
    return 2;
  }
  uint8_t *data = map_at(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
  map_at(DATA_ALIAS, DATA_SIZE, PROT_READ, MAP_SHARED, fd);
  uint8_t *ctrl = map_at(CTRL_BASE, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  static uint8_t initial[DATA_SIZE];

  /* Entry 0 (selector 7): the i386 runner's FS/GS segment. Entry 1 (ALIAS_SELECTOR): for CS overrides. */
  uint32_t ldt_ok = 1;
  for (unsigned k = 0; k < 2; k++) {
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = k;
    d.base_addr = k == 0 ? DATA_BASE : ALIAS_BASE;
    d.limit = 0xfffff;
    d.seg_32bit = 1;
    d.limit_in_pages = 1;
    d.useable = 1;
    ldt_ok &= syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
  }

  data_selectors(runner_sregs);
  if (syscall(SYS_arch_prctl, ARCH_GET_FS, &runner_fs_base) != 0) {
    perror("runner64: arch_prctl");
    return 2;
  }
  uint16_t seg_cs, seg_ss;
  __asm__ volatile("mov %%cs, %0\n\tmov %%ss, %1" : "=r"(seg_cs), "=r"(seg_ss));
  unsigned a, b, c, e;
  uint32_t lahf64 = __get_cpuid(0x80000001, &a, &b, &c, &e) && (c & 1);

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
  /* The selectors a case starts with: DS = ES = SS (call_case), FS and GS the runner's. */
  uint32_t header[9] = {0xf86c0d64, ldt_ok, seg_cs, seg_ss, seg_ss, runner_sregs[2], runner_sregs[3], seg_ss, lahf64};
  fwrite(header, 4, 9, stdout);

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
    call_case(CODE_BASE + entry);
    if (rec[0] == 0) {
      const uint32_t *dump = (const uint32_t *)(uintptr_t)DUMP;
      const uint16_t *segs = (const uint16_t *)(uintptr_t)DUMP_SEGS;
      rec[4] = dump[0];
      /* pushad-like image: EDI ESI EBP ESP EBX EDX ECX EAX */
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
