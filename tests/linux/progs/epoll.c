/* epoll: creating instances, epoll_ctl's errors, level-triggered,
 * edge-triggered and one-shot items, hang-ups and errors of pipes and
 * fifos, the order events come in (the ready list, round robin when
 * maxevents is smaller), nested instances, poll of an epoll fd, data
 * returned verbatim, EINTR and epoll_pwait's mask, an instance shared
 * across fork, and a parent waiting on several children's pipes. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static int handled;
static void on_signal(int sig) { (void)sig; handled++; }

/* Waits once and prints each event as "events/data". */
static int show_wait(const char *label, int ep, int max, int timeout) {
  struct epoll_event ev[16];
  int n = epoll_wait(ep, ev, max, timeout);
  printf("%s = %d%s", label, n, n < 0 ? " " : "");
  if (n < 0) printf("%s", strerrorname(errno));
  for (int i = 0; i < n; i++) printf(" %x/%llx", ev[i].events, (unsigned long long)ev[i].data.u64);
  printf("\n");
  return n;
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event e = {.events = events, .data.u64 = data};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event e = {.events = events, .data.u64 = data};
  return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

int main(void) {
  char buf[64];
  struct epoll_event e = {.events = EPOLLIN};
  SHOW("epoll_create(0)", epoll_create(0));
  int ep = epoll_create(1);
  YES("epoll_create(1)", ep >= 0);
  int epc = epoll_create1(EPOLL_CLOEXEC);
  SHOW("EPOLL_CLOEXEC sets FD_CLOEXEC", fcntl(epc, F_GETFD));
  SHOW("epoll_create1 with a bad flag", epoll_create1(1));
  SHOW("F_GETFL of an epoll fd", fcntl(ep, F_GETFL) & O_ACCMODE);

  int p[2];
  pipe(p);
  int file = open("file", O_RDWR | O_CREAT, 0644);
  SHOW("ADD a closed fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &e));
  SHOW("ADD to a closed epoll fd", epoll_ctl(98, EPOLL_CTL_ADD, p[0], &e));
  SHOW("ADD a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &e));
  SHOW("ADD an instance to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
  SHOW("ctl on a pipe as the instance", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &e));
  SHOW("MOD a missing item", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
  SHOW("DEL a missing item", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], 0));
  SHOW("ADD", add(ep, p[0], EPOLLIN, 0x123456789abcdef0ULL));
  SHOW("ADD again", add(ep, p[0], EPOLLIN, 1));
  SHOW("an unknown op", epoll_ctl(ep, 7, p[0], &e));
  SHOW("EPOLLEXCLUSIVE with MOD", mod(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
  struct epoll_event out[4];
  SHOW("epoll_wait maxevents 0", epoll_wait(ep, out, 0, 0));
  SHOW("epoll_wait on a pipe", epoll_wait(p[0], out, 4, 0));
  SHOW("epoll_wait on a closed fd", epoll_wait(97, out, 4, 0));

  /* Level-triggered: reported while bytes are there. */
  show_wait("empty pipe", ep, 8, 0);
  show_wait("empty pipe, 10 ms", ep, 8, 10);
  write(p[1], "ab", 2);
  show_wait("bytes (LT)", ep, 8, 0);
  show_wait("still there (LT)", ep, 8, 0);
  read(p[0], buf, 2);
  show_wait("read (LT)", ep, 8, 0);

  /* Edge-triggered: once per arrival. */
  SHOW("MOD to EPOLLET", mod(ep, p[0], EPOLLIN | EPOLLET, 0xe7));
  show_wait("after MOD, nothing there (ET)", ep, 8, 0);
  write(p[1], "a", 1);
  show_wait("an arrival (ET)", ep, 8, 0);
  show_wait("no new arrival (ET)", ep, 8, 0);
  write(p[1], "b", 1);
  show_wait("another arrival (ET)", ep, 8, 0);
  read(p[0], buf, 2);

  /* One-shot: once, until MOD re-arms it. */
  SHOW("MOD to EPOLLONESHOT", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 0x15));
  write(p[1], "c", 1);
  show_wait("one shot", ep, 8, 0);
  write(p[1], "d", 1);
  show_wait("spent", ep, 8, 0);
  SHOW("MOD re-arms", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 0x16));
  show_wait("re-armed", ep, 8, 0);
  SHOW("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], 0));
  show_wait("deleted", ep, 8, 0);

  /* Hang-up and error. */
  add(ep, p[0], EPOLLIN, 0xa);
  add(ep, p[1], EPOLLOUT, 0xb);
  show_wait("both ends", ep, 8, 0);
  close(p[1]);
  show_wait("writer closed, bytes left", ep, 8, 0);
  read(p[0], buf, sizeof buf);
  show_wait("writer closed, drained", ep, 8, 0);
  close(p[0]);
  show_wait("both closed: items gone", ep, 8, 0);
  pipe(p);
  add(ep, p[1], EPOLLOUT, 0xc);
  close(p[0]);
  show_wait("reader closed", ep, 8, 0);
  close(p[1]);

  /* The ready list's order, and round robin when maxevents is smaller. */
  int q[3][2];
  for (int i = 0; i < 3; i++) {
    pipe(q[i]);
    add(ep, q[i][0], EPOLLIN, 100 + i);
  }
  write(q[2][1], "x", 1);
  write(q[0][1], "x", 1);
  write(q[1][1], "x", 1);
  show_wait("three, in order of arrival", ep, 8, 0);
  show_wait("two of three", ep, 2, 0);
  show_wait("two of three again", ep, 2, 0);
  show_wait("two of three once more", ep, 2, 0);

  /* A duplicate keeps the item after its fd closes; DEL by that fd fails. */
  int dup_fd = dup(q[0][0]);
  close(q[0][0]);
  show_wait("closed fd, open duplicate", ep, 8, 0);
  SHOW("DEL by the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, q[0][0], 0));
  close(dup_fd);
  show_wait("duplicate closed too", ep, 8, 0);
  for (int i = 1; i < 3; i++) read(q[i][0], buf, 1);

  /* Nested instances, and poll of an epoll fd. */
  int outer = epoll_create1(0);
  SHOW("ADD an instance", add(outer, ep, EPOLLIN, 0x0e));
  SHOW("ADD a loop", add(ep, outer, EPOLLIN, 0));
  show_wait("outer, inner idle", outer, 8, 0);
  struct pollfd pf = {ep, POLLIN, 0};
  SHOW("poll of the idle instance", poll(&pf, 1, 0));
  write(q[1][1], "y", 1);
  show_wait("outer, inner ready", outer, 8, 0);
  SHOW("poll of the ready instance", poll(&pf, 1, 0));
  SHOW("revents", pf.revents);
  read(q[1][0], buf, 1);

  /* A fifo: no hang-up before a writer came. */
  mkfifo("f", 0600);
  int fr = open("f", O_RDONLY | O_NONBLOCK);
  int fifo_ep = epoll_create1(0);
  add(fifo_ep, fr, EPOLLIN, 0xf1f0);
  show_wait("fifo without a writer", fifo_ep, 8, 0);
  int fw = open("f", O_WRONLY);
  write(fw, "z", 1);
  show_wait("fifo with a byte", fifo_ep, 8, 0);
  close(fw);
  read(fr, buf, 1);
  show_wait("fifo, writer gone", fifo_ep, 8, 0);

  /* Signals: EINTR, and epoll_pwait's mask. (Before the first fork: fx86
     lets a timer end a wait only while the guest has one process.) */
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGALRM, &sa, 0);
  sigaction(SIGUSR1, &sa, 0);
  int idle = epoll_create1(0);
  struct itimerval it = {{0, 0}, {0, 10000}};
  setitimer(ITIMER_REAL, &it, 0);
  show_wait("epoll_wait(-1) and SIGALRM", idle, 8, -1);
  printf("handled %d\n", handled);
  sigset_t usr1, empty, now;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &usr1, 0);
  raise(SIGUSR1);
  SHOW("epoll_pwait unblocking a pending signal", epoll_pwait(idle, out, 4, -1, &empty));
  printf("handled %d\n", handled);
  sigprocmask(SIG_BLOCK, 0, &now);
  YES("the mask is back", sigismember(&now, SIGUSR1));
  raise(SIGUSR1);
  write(q[2][1], "w", 1);
  SHOW("epoll_pwait with an event and a pending signal", epoll_pwait(ep, out, 4, -1, &empty));
  printf("handled %d\n", handled);
  sigpending(&now);
  YES("the signal is still pending", sigismember(&now, SIGUSR1));
  read(q[2][0], buf, 1);
  signal(SIGUSR1, SIG_IGN);
  sigprocmask(SIG_UNBLOCK, &usr1, 0);

  /* An inherited instance is the same instance. */
  int s[2];
  pipe(s);
  pid_t pid = fork();
  if (pid == 0) {
    add(ep, s[0], EPOLLIN, 0xc41d);
    write(s[1], "k", 1);
    _exit(0);
  }
  waitpid(pid, 0, 0);
  show_wait("the child's item, in the parent", ep, 8, -1);

  /* Several children, each writing to its own pipe; the parent waits. */
  int w = epoll_create1(0), kids[4][2], got[4] = {0};
  char msg[4][32];
  for (int i = 0; i < 4; i++) {
    pipe(kids[i]);
    add(w, kids[i][0], EPOLLIN, i);
  }
  for (int i = 0; i < 4; i++) {
    if (fork() == 0) {
      for (int j = 0; j < 4; j++) if (j != i) close(kids[j][1]);
      char line[32];
      for (int k = 0; k <= i; k++) {
        int n = snprintf(line, sizeof line, "child %d line %d\n", i, k);
        write(kids[i][1], line, n);
      }
      _exit(i);
    }
  }
  for (int i = 0; i < 4; i++) close(kids[i][1]);
  int open_pipes = 4, bytes[4] = {0};
  while (open_pipes > 0) {
    struct epoll_event ev[4];
    int n = epoll_wait(w, ev, 4, -1);
    for (int j = 0; j < n; j++) {
      int i = (int)ev[j].data.u64;
      if (ev[j].events & EPOLLIN) {
        int r = read(kids[i][0], buf, sizeof buf);
        if (r > 0) {
          if (!got[i]) snprintf(msg[i], sizeof msg[i], "%.*s", r < 14 ? r : 14, buf);
          got[i] = 1;
          bytes[i] += r;
          continue;
        }
      }
      if (ev[j].events & EPOLLHUP) {
        epoll_ctl(w, EPOLL_CTL_DEL, kids[i][0], 0);
        close(kids[i][0]);
        open_pipes--;
      }
    }
  }
  for (int i = 0; i < 4; i++) printf("pipe %d: %d bytes, starting \"%s\"\n", i, bytes[i], msg[i]);
  int status, sum = 0;
  while (wait(&status) > 0) sum += WEXITSTATUS(status);
  SHOW("children's statuses add up to", sum);
  return 0;
}
