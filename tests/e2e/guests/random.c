/* Prints the randomness a guest sees: the 16 AT_RANDOM bytes the loader
   gives it and 16 bytes of getrandom, in hex (fx86 exec --seed decides both). */
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>

int main(void) {
  const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
  unsigned char more[16];
  if (getrandom(more, sizeof more, 0) != sizeof more) return 1;
  for (int i = 0; i < 16; i++) printf("%02x", at[i]);
  printf(" ");
  for (int i = 0; i < 16; i++) printf("%02x", more[i]);
  printf("\n");
  return 0;
}
