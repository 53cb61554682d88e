/* glibc's string functions (SSE2 versions when CPUID reports SSE2) on many lengths and alignments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only the sign of a comparison is specified: glibc's versions for different CPUs return different magnitudes. */
static unsigned sign(int v) { return (unsigned)((v > 0) - (v < 0) + 1); }

int main(void) {
  static char buf[5000], other[5000];
  unsigned long h = 5381;
  for (int i = 0; i < 4999; i++) buf[i] = other[i] = 'a' + (i * 7) % 26;
  for (int off = 0; off < 40; off++) {
    for (int len = 0; len < 300; len += 1 + len / 8) {
      char save = buf[off + len];
      buf[off + len] = 0;
      h = h * 33 + strlen(buf + off);
      const char *p = strchr(buf + off, 'q'), *r = strrchr(buf + off, 'c');
      h = h * 33 + (p ? p - buf : 0) + (r ? r - buf : 0);
      h = h * 33 + (unsigned long)(memchr(buf + off, 'z', len) ? 1 : 0);
      other[off + len / 2] ^= 1;
      h = h * 33 + sign(memcmp(buf + off, other + off, len)) * 3 + sign(strcmp(buf + off, other + off));
      other[off + len / 2] ^= 1;
      memset(other + off + 1, 'k', len / 3);
      memcpy(other + 2000 + off, buf + off, len);
      memmove(other + 2003 + off, other + 2000 + off, len);
      h = h * 33 + sign(strncmp(other + 2000, buf, 50)) + strcspn(buf + off, "xyz") + strspn(buf + off, "abcdefghij");
      buf[off + len] = save;
    }
  }
  char *dup = strdup(buf + 17);
  printf("%lu %zu %s\n", h, strlen(dup), strstr(dup, "hov") ? "found" : "none");
  free(dup);
  return 0;
}
