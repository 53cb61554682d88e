/*
 * Children and time among processes: SIGCHLD's siginfo in an SA_SIGINFO
 * handler and waitid's, SA_NOCLDWAIT and SIG_IGN reaping children, and
 * timers that wake processes blocked while others run or wait.
 */
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int got_signo, got_code, got_pid, got_status, got_uid_ok;

static void on_child(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got_signo = sig;
  got_code = si->si_code;
  got_pid = si->si_pid;
  got_status = si->si_status;
  got_uid_ok = si->si_uid == getuid();
}

static void on_alarm(int sig) {
  (void)sig;
  write(1, "alarm handler\n", 14);
}

static void catch(int sig, void (*h)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigaction(sig, &sa, 0);
}

static void sigchld_info(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_child;
  sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, 0);
  for (int kill_it = 0; kill_it < 2; kill_it++) {
    got_signo = 0;
    pid_t c = fork();
    if (c == 0) {
      if (kill_it) pause();
      _exit(7);
    }
    if (kill_it) kill(c, SIGTERM);
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    printf("SIGCHLD %s: signo %d, code %s, pid is the child's: %s, status %d, uid: %s\n",
           kill_it ? "killed" : "exited", got_signo,
           got_code == CLD_EXITED ? "CLD_EXITED" : got_code == CLD_KILLED ? "CLD_KILLED" : "other",
           got_pid == c ? "yes" : "no", got_status, got_uid_ok ? "yes" : "no");
  }
}

static void waitid_info(void) {
  pid_t c = fork();
  if (c == 0) _exit(42);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r = waitid(P_PID, c, &si, WEXITED);
  printf("waitid %d: signo %d, code %s, pid is the child's: %s, status %d\n", r, si.si_signo,
         si.si_code == CLD_EXITED ? "CLD_EXITED" : "other", si.si_pid == c ? "yes" : "no", si.si_status);
  c = fork();
  if (c == 0) {
    pause();
    _exit(0);
  }
  kill(c, SIGKILL);
  memset(&si, 0, sizeof si);
  r = waitid(P_ALL, 0, &si, WEXITED);
  printf("waitid %d: code %s, status %d\n", r, si.si_code == CLD_KILLED ? "CLD_KILLED" : "other", si.si_status);
}

static void reaped(const char *how) {
  for (int i = 0; i < 2; i++)
    if (fork() == 0) _exit(i);
  int collected = 0;
  while (wait(0) > 0) collected++;
  printf("%s: wait collected %d children, then %s\n", how, collected, errno == ECHILD ? "ECHILD" : "?");
}

static void autoreap(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sa.sa_flags = SA_NOCLDWAIT;
  sigaction(SIGCHLD, &sa, 0);
  reaped("SA_NOCLDWAIT");
  signal(SIGCHLD, SIG_IGN);
  reaped("SIGCHLD ignored");
  signal(SIGCHLD, SIG_DFL);
  reaped("SIGCHLD default");
}

static void timers_wake_blocked(void) {
  int p[2];
  pipe(p);
  catch(SIGALRM, on_alarm, 0);
  pid_t c = fork();
  if (c == 0) {
    // Blocked in pause(), then in read() of a pipe nobody writes, while the parent waits.
    alarm(1);
    pause();
    alarm(1);
    char b;
    int r = read(p[0], &b, 1);
    printf("child: read %d (%s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");
    _exit(3);
  }
  int st;
  pid_t r = waitpid(c, &st, 0);
  printf("parent: child %s exited with %d\n", r == c ? "itself" : "?", WEXITSTATUS(st));
  // The parent's alarm while every process is blocked.
  c = fork();
  if (c == 0) {
    char b;
    read(p[0], &b, 1);
    _exit(0);
  }
  alarm(2);
  r = waitpid(c, &st, 0);
  printf("parent: wait %d (%s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
  printf("parent: child killed by %d\n", WTERMSIG(st));
  close(p[0]);
  close(p[1]);
}

static void sleepers(void) {
  // Three processes sleep at once; they wake in order of their ends.
  int p[2];
  pipe(p);
  for (int i = 0; i < 3; i++) {
    if (fork() == 0) {
      struct timespec t = {0, (3 - i) * 100000000};
      nanosleep(&t, 0);
      char c = '0' + i;
      write(p[1], &c, 1);
      _exit(0);
    }
  }
  close(p[1]);
  char order[4] = {0};
  read(p[0], order, 1);
  read(p[0], order + 1, 1);
  read(p[0], order + 2, 1);
  while (wait(0) > 0) {}
  printf("sleepers woke in order %s\n", order);
  close(p[0]);
}

static void timeouts(void) {
  // poll and select wait for their timeouts while another process runs or sleeps.
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    struct timespec t = {0, 300000000};
    nanosleep(&t, 0);
    write(p[1], "x", 1);
    _exit(0);
  }
  struct pollfd pf = {p[0], POLLIN, 0};
  int r = poll(&pf, 1, 100);
  printf("poll with 100 ms before the child writes = %d\n", r);
  r = poll(&pf, 1, 1000);
  printf("poll with 1000 ms = %d, revents POLLIN: %s\n", r, pf.revents & POLLIN ? "yes" : "no");
  char b;
  read(p[0], &b, 1);
  fd_set set;
  FD_ZERO(&set);
  FD_SET(p[0], &set);
  struct timeval tv = {0, 200000};
  r = select(p[0] + 1, &set, 0, 0, &tv);
  printf("select of an empty pipe with 200 ms = %d\n", r);
  waitpid(c, 0, 0);
  close(p[0]);
  close(p[1]);
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  sigchld_info();
  signal(SIGCHLD, SIG_DFL);
  waitid_info();
  autoreap();
  timers_wake_blocked();
  sleepers();
  timeouts();
  return 0;
}
