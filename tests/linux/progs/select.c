/*
 * What select leaves in its timeout, as Linux writes it back: the time
 * left when a descriptor is ready, when a signal interrupts the wait, and
 * zero when the time is up. Properties only (bounds, never the exact
 * microseconds, which on a kernel depend on the host's speed).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static void on_alarm(int sig) { (void)sig; }

/* Whether `tv` holds between `lo` and `hi` microseconds. */
static int within(const struct timeval *tv, long lo, long hi) {
  long us = tv->tv_sec * 1000000L + tv->tv_usec;
  return tv->tv_usec >= 0 && tv->tv_usec < 1000000 && us >= lo && us <= hi;
}

static int select_read(int fd, struct timeval *tv) {
  fd_set r;
  FD_ZERO(&r);
  FD_SET(fd, &r);
  return select(fd + 1, &r, 0, 0, tv);
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  int p[2];
  pipe(p);
  struct timeval tv = {5, 0};
  write(p[1], "x", 1);
  SHOW("select of a ready pipe", select_read(p[0], &tv));
  YES("  time left: nearly all of 5 s", within(&tv, 4500000, 5000000));
  char b;
  read(p[0], &b, 1);

  tv.tv_sec = 0;
  tv.tv_usec = 0;
  SHOW("select with a zero timeout", select_read(p[0], &tv));
  YES("  the timeout stays zero", tv.tv_sec == 0 && tv.tv_usec == 0);

  // Among processes: a child writes after 0.2 s (or is killed once the parent is done).
  pid_t c = fork();
  if (c == 0) {
    struct timespec t = {0, 200000000};
    nanosleep(&t, 0);
    write(p[1], "y", 1);
    pause();
    _exit(0);
  }
  tv.tv_sec = 2;
  tv.tv_usec = 0;
  SHOW("select until the child writes", select_read(p[0], &tv));
  YES("  time left: about 1.8 s", within(&tv, 1500000, 1950000));
  read(p[0], &b, 1);

  tv.tv_sec = 0;
  tv.tv_usec = 300000;
  SHOW("select that times out", select_read(p[0], &tv));
  YES("  the timeout is zeroed", tv.tv_sec == 0 && tv.tv_usec == 0);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, 0);
  struct itimerval it = {{0, 0}, {0, 300000}};
  setitimer(ITIMER_REAL, &it, 0);
  tv.tv_sec = 3;
  tv.tv_usec = 0;
  SHOW("select interrupted by a signal", select_read(p[0], &tv));
  YES("  time left: about 2.7 s", within(&tv, 2400000, 2950000));

  kill(c, SIGKILL);
  waitpid(c, 0, 0);
  return 0;
}
