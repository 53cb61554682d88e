/*
 * Fills the guest's file capacity and memory limit (core/linux/quota.ts):
 * writes 1 MiB chunks into files until a write is short or fails, removes
 * a file and writes again, then maps 1 MiB blocks until mmap fails, and
 * grows the break until brk stops moving. Prints what it saw, one line each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1 << 20)
static char buf[MIB];

int main(void) {
  memset(buf, 'x', sizeof buf);
  long long total = 0;
  const char *end = "nothing";
  for (int f = 0; f < 10000; f++) {
    char name[32];
    snprintf(name, sizeof name, "f%d", f);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t n = MIB;
    for (int i = 0; i < 8 && n == MIB; i++) {
      n = write(fd, buf, MIB);
      if (n > 0) total += n;
    }
    if (n != MIB) {
      /* The short write, then the next one's error. */
      n = write(fd, buf, MIB);
      end = n < 0 ? strerror(errno) : "another write";
      close(fd);
      break;
    }
    close(fd);
  }
  printf("files: %lld bytes, then %s\n", total, end);
  printf("ftruncate past it: %s\n", ftruncate(open("f0", O_WRONLY), 1LL << 30) ? strerror(errno) : "ok");
  unlink("f1");
  int fd = open("again", O_WRONLY | O_CREAT, 0644);
  printf("after removing 8 MiB: write %zd\n", write(fd, buf, MIB));
  long mapped = 0;
  while (mmap(0, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) mapped++;
  printf("mmap: %ld MiB more, then %s\n", mapped, strerror(errno));
  munmap(mmap(0, 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 1); /* fails: nothing left */
  char *brk0 = sbrk(0);
  printf("sbrk(1 MiB) after that: %s\n", sbrk(MIB) == (void *)-1 ? strerror(errno) : "moved");
  printf("break unchanged: %s\n", sbrk(0) == brk0 ? "yes" : "no");
  return 0;
}
