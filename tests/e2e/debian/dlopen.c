/*
 * What glibc loads at run time rather than at start-up: a gconv module for
 * iconv (KOI8-R.so and IBM037.so from libc6's gconv directory, found through
 * gconv-modules) and a library through dlopen/dlsym (libpcre2-8). Built with
 * the host's gcc -m32, run in tests/.build/debian-i386/root under fx86 and
 * qemu-i386 (tests/e2e/debian.test.ts).
 */
#include <dlfcn.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int convert(const char *to, const char *text) {
  iconv_t cd = iconv_open(to, "UTF-8");
  if (cd == (iconv_t)-1) {
    perror(to);
    return 1;
  }
  char out[64], *in = (char *)text, *o = out;
  size_t inleft = strlen(text), outleft = sizeof out;
  if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) perror("iconv");
  printf("%s:", to);
  for (char *p = out; p < o; p++) printf(" %02x", (unsigned char)*p);
  printf("\n");
  return iconv_close(cd);
}

int main(void) {
  int bad = convert("KOI8-R", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
  bad |= convert("IBM037", "Hello, world");
  void *pcre = dlopen("libpcre2-8.so.0", RTLD_NOW);
  if (!pcre) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  int (*config)(uint32_t, void *) = (int (*)(uint32_t, void *))dlsym(pcre, "pcre2_config_8");
  char version[64] = "";
  /* PCRE2_CONFIG_VERSION */
  config(11, version);
  printf("pcre2 %s\n", version);
  printf("missing: %s\n", dlopen("libnothere.so.1", RTLD_NOW) ? "found" : dlerror());
  dlclose(pcre);
  return bad;
}
