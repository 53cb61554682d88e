/* Pipes within one process: queued bytes, partial reads, EOF, O_NONBLOCK,
 * EPIPE (with SIGPIPE ignored), FIONREAD, poll. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "check.h"

int main(void) {
  int p[2];
  char buf[128];
  SHOW("pipe", pipe(p));
  SHOW("write", write(p[1], "hello pipe", 10));
  int avail = -1;
  SHOW("FIONREAD", ioctl(p[0], FIONREAD, &avail));
  SHOW("bytes available", avail);
  SHOW("partial read", read(p[0], buf, 5));
  SHOW("rest", read(p[0], buf + 5, 100));
  printf("got: %.10s\n", buf);
  struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  SHOW("poll", poll(pf, 2, 0));
  SHOW("read end revents", pf[0].revents);
  SHOW("write end revents", pf[1].revents);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  SHOW("empty nonblocking read", read(p[0], buf, 1));
  SHOW("lseek", lseek(p[0], 0, SEEK_SET));
  close(p[1]);
  SHOW("read at EOF", read(p[0], buf, 1));
  pf[0].revents = 0;
  poll(pf, 1, 0);
  YES("POLLHUP after the writer closes", pf[0].revents & POLLHUP);
  close(p[0]);

  int q[2];
  pipe2(q, O_NONBLOCK | O_CLOEXEC);
  SHOW("pipe2 cloexec", fcntl(q[0], F_GETFD));
  static char big[100000];
  SHOW("fill a nonblocking pipe", write(q[1], big, sizeof big));
  SHOW("full pipe", write(q[1], big, 10));
  close(q[0]);
  signal(SIGPIPE, SIG_IGN);
  SHOW("write without a reader", write(q[1], "x", 1));
  fcntl(q[1], F_SETFL, 0);
  int r[2];
  pipe(r);
  SHOW("F_GETPIPE_SZ", fcntl(r[0], F_GETPIPE_SZ));
  int d = dup2(r[1], 10);
  SHOW("dup2", d);
  write(10, "via dup", 7);
  close(r[1]);
  close(10);
  SHOW("read via dup", read(r[0], buf, 100));
  SHOW("then EOF", read(r[0], buf, 100));
  return 0;
}
