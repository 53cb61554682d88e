/* Randomness: getrandom and /dev/urandom give what is asked; values differ. */
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>
#include "check.h"

int main(void) {
  unsigned char a[64], b[64];
  SHOW("getrandom 64", getrandom(a, sizeof a, 0));
  SHOW("getrandom nonblock", getrandom(b, sizeof b, GRND_NONBLOCK));
  YES("two draws differ", memcmp(a, b, sizeof a) != 0);
  SHOW("getrandom bad flags", getrandom(a, 4, 0x100));
  SHOW("getrandom bad buffer", getrandom(bad_pointer, 4, 0));
  int fd = open("/dev/urandom", O_RDONLY);
  YES("open /dev/urandom", fd >= 0);
  SHOW("read /dev/urandom", read(fd, a, sizeof a));
  YES("urandom differs from getrandom", memcmp(a, b, sizeof a) != 0);
  close(fd);
  int z = open("/dev/zero", O_RDONLY);
  SHOW("read /dev/zero", read(z, a, 16));
  YES("zeros", a[0] == 0 && a[15] == 0);
  int n = open("/dev/null", O_RDWR);
  SHOW("write /dev/null", write(n, "x", 1));
  SHOW("read /dev/null", read(n, a, 1));
  return 0;
}
