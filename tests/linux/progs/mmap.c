/* mmap: anonymous and file-backed private mappings, MAP_FIXED, mprotect,
 * mremap, munmap. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"

int main(void) {
  char *a = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  YES("anonymous mmap", a != MAP_FAILED);
  YES("page aligned", ((uintptr_t)a & 4095) == 0);
  int zero = 1;
  for (int i = 0; i < 3 * 4096; i++) zero &= a[i] == 0;
  YES("zero filled", zero);
  strcpy(a + 5000, "hello mmap");
  printf("read back: %s\n", a + 5000);

  char *b = mremap(a, 3 * 4096, 64 * 4096, MREMAP_MAYMOVE);
  YES("mremap grow", b != MAP_FAILED);
  printf("contents kept: %s\n", b + 5000);
  b[64 * 4096 - 1] = 1;
  SHOW("mprotect read-only", mprotect(b, 4096, PROT_READ));
  SHOW("mprotect unaligned", mprotect(b + 1, 4096, PROT_READ));
  SHOW("munmap", munmap(b, 64 * 4096));
  SHOW("munmap unaligned", munmap(b + 1, 4096));

  int fd = open("t_mmap.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
  for (int i = 0; i < 5000; i++) { unsigned char c = i % 251; write(fd, &c, 1); }
  unsigned char *f = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
  YES("file mmap", f != MAP_FAILED);
  int same = 1;
  for (int i = 0; i < 5000; i++) same &= f[i] == i % 251;
  YES("file contents mapped", same);
  YES("zero after end of file", f[5000] == 0 && f[8191] == 0);
  unsigned char *g = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
  SHOW("offset mapping first byte", g[0]);
  g[0] = 0;
  unsigned char c;
  pread(fd, &c, 1, 4096);
  SHOW("private write leaves the file", c);
  SHOW("mmap unaligned offset", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100));
  SHOW("mmap zero length", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  SHOW("mmap bad fd", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0));
  close(fd);
  unlink("t_mmap.bin");

  char *fixed = mmap((void *)0x50000000, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  YES("MAP_FIXED at the address", fixed == (char *)0x50000000);
  fixed[0] = 7;
  char *again = mmap((void *)0x50000000, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  YES("MAP_FIXED_NOREPLACE refuses", again == MAP_FAILED && errno == EEXIST);
  munmap(fixed, 4096);
  return 0;
}
