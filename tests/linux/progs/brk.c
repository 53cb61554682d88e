/* The program break: brk/sbrk grow and shrink the heap; malloc works on top. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"

extern char end[];

int main(void) {
  char *start = sbrk(0);
  YES("break at or above the end of bss", start >= end);
  char *p = sbrk(100000);
  YES("sbrk grows", p == start);
  memset(p, 0x5a, 100000);
  YES("new heap is writable", p[99999] == 0x5a);
  char *now = sbrk(0);
  SHOW("break moved by", now - start);
  SHOW("brk shrink", brk(start + 10));
  SHOW("break after shrink", (char *)sbrk(0) - start);
  SHOW("brk regrow", brk(start + 50000));
  YES("kept bytes survive a shrink within the page", p[5] == 0x5a);
  YES("regrown pages are zero", p[40000] == 0);
  void *blocks[100];
  for (int i = 0; i < 100; i++) blocks[i] = malloc(1000 * (i + 1));
  int ok = 1;
  for (int i = 0; i < 100; i++) ok &= blocks[i] != NULL;
  YES("malloc 100 blocks", ok);
  for (int i = 0; i < 100; i++) free(blocks[i]);
  void *big = malloc(10 << 20);
  YES("malloc 10 MiB (mmap)", big != NULL);
  memset(big, 1, 10 << 20);
  free(big);
  return 0;
}
