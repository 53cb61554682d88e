/*
 * Prints the start-up stack the kernel (or fx86) built for this program, in
 * a form that does not depend on where things are: string positions relative
 * to argv[0], host-specific values replaced by whether they are what they
 * should be. A native run and an fx86 run must print the same; the loader
 * tests compare this output with the same description computed from fx86's
 * memory.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char _start[];
extern const Elf32_Ehdr __ehdr_start;

/* Entries only a real kernel adds: vDSO, signal stack size, rseq. */
static int kernel_only(uint32_t type) {
  return type == AT_SYSINFO || type == AT_SYSINFO_EHDR || type == 51 ||
         type == 27 || type == 28;
}

static const char *yes(int b) { return b ? "yes" : "no"; }

int main(int argc, char **argv, char **envp) {
  uint32_t *sp = (uint32_t *)argv - 1;
  char *base = argv[0], *next = base;
  int contiguous = 1;
  printf("esp %% 16 = %u\n", (unsigned)((uintptr_t)sp % 16));
  printf("argc = %u\n", sp[0]);
  for (int i = 0; i < argc; i++) {
    printf("argv[%d] = +%d \"%s\"\n", i, (int)(argv[i] - base), argv[i]);
    contiguous &= argv[i] == next;
    next = argv[i] + strlen(argv[i]) + 1;
  }
  printf("argv[argc] is NULL: %s\n", yes(argv[argc] == NULL));
  char **e = argv + argc + 1;
  for (int i = 0; *e; e++, i++) {
    printf("envp[%d] = +%d \"%s\"\n", i, (int)(*e - base), *e);
    contiguous &= *e == next;
    next = *e + strlen(*e) + 1;
  }
  printf("envp follows argv: %s\n", yes(envp == argv + argc + 1));
  printf("strings are contiguous: %s\n", yes(contiguous));

  uint32_t *auxv = (uint32_t *)(e + 1), *a;
  char *execfn = NULL, *platform = NULL, *random = NULL;
  printf("auxv types:");
  for (a = auxv; a[0] != AT_NULL; a += 2)
    if (!kernel_only(a[0])) printf(" %u", a[0]);
  printf("\n");
  for (a = auxv; a[0] != AT_NULL; a += 2) {
    uint32_t v = a[1];
    switch (a[0]) {
    case AT_PHDR:
      printf("AT_PHDR is the program headers: %s\n",
             yes(v == (uint32_t)&__ehdr_start + __ehdr_start.e_phoff));
      break;
    case AT_PHENT: printf("AT_PHENT = %u\n", v); break;
    case AT_PHNUM: printf("AT_PHNUM is e_phnum: %s\n", yes(v == __ehdr_start.e_phnum)); break;
    case AT_PAGESZ: printf("AT_PAGESZ = %u\n", v); break;
    case AT_BASE: printf("AT_BASE = %u\n", v); break;
    case AT_FLAGS: printf("AT_FLAGS = %u\n", v); break;
    case AT_ENTRY: printf("AT_ENTRY is _start: %s\n", yes(v == (uint32_t)_start)); break;
    case AT_UID: printf("AT_UID is getuid(): %s\n", yes(v == getuid())); break;
    case AT_EUID: printf("AT_EUID is geteuid(): %s\n", yes(v == geteuid())); break;
    case AT_GID: printf("AT_GID is getgid(): %s\n", yes(v == getgid())); break;
    case AT_EGID: printf("AT_EGID is getegid(): %s\n", yes(v == getegid())); break;
    case AT_SECURE: printf("AT_SECURE = %u\n", v); break;
    case AT_HWCAP: printf("AT_HWCAP has FPU, TSC, CX8, CMOV: %s\n", yes((v & 0x8111) == 0x8111)); break;
    case AT_CLKTCK: printf("AT_CLKTCK = %u\n", v); break;
    case AT_RANDOM: random = (char *)v; break;
    case AT_EXECFN: execfn = (char *)v; break;
    case AT_PLATFORM: platform = (char *)v; break;
    }
  }
  uint32_t *end = a + 2;
  printf("AT_EXECFN = +%d \"%s\"\n", (int)(execfn - base), execfn);
  printf("AT_EXECFN follows the strings: %s\n", yes(execfn == next));
  /* The kernel leaves one zero pointer at the top: 4 bytes on an i386
   * kernel (as fx86 does), 8 on an x86-64 one. */
  char *after = execfn + strlen(execfn) + 1;
  unsigned gap = 4096 - (uintptr_t)after % 4096;
  int zeros = gap == 4 || gap == 8;
  for (unsigned i = 0; zeros && i < gap; i++) zeros = after[i] == 0;
  printf("a zero pointer, then the page-aligned stack top: %s\n", yes(zeros));
  printf("AT_PLATFORM = \"%s\"\n", platform);
  printf("AT_PLATFORM ends 16-aligned below the strings: %s\n",
         yes((uintptr_t)(platform + strlen(platform) + 1) % 16 == 0 &&
             platform + strlen(platform) + 1 <= base));
  printf("AT_RANDOM is the 16 bytes below AT_PLATFORM: %s\n", yes(random + 16 == platform));
  printf("ESP is 16-aligned just below the tables: %s\n",
         yes((uintptr_t)sp == (((uintptr_t)random - ((char *)end - (char *)sp)) & ~15u)));
  return 0;
}
