/*
 * Timers and waits: alarm and pause, setitimer/getitimer (REAL, VIRTUAL,
 * PROF), POSIX timers with SIGEV_SIGNAL, sigsuspend, sigwait and friends,
 * sigqueue, sleeps cut short, and a blocking read
 * interrupted by a handler (EINTR) or restarted (SA_RESTART). Under fx86
 * the clocks count instructions, so the program prints only what both a
 * kernel and fx86 must agree on: which handlers ran, what calls returned.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static volatile int hits[65];
static volatile int last_code, last_value, last_timerid;
static int fds[2];

static void count(int sig) {
  hits[sig]++;
}

static void timer_info(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  hits[sig]++;
  last_code = si->si_code;
  last_value = si->si_value.sival_int;
  last_timerid = si->si_timerid;
}

/* Feeds the pipe the main program is blocked reading. */
static void feed(int sig) {
  hits[sig]++;
  write(fds[1], "x", 1);
}

static void install(int sig, void (*fn)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void arm_us(int which, long usec, long interval) {
  struct itimerval it = {{0, interval}, {0, usec}};
  setitimer(which, &it, NULL);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);

  /* alarm: pause returns once the handler ran. */
  install(SIGALRM, count, 0);
  SHOW("alarm(1)", alarm(1));
  SHOW("alarm(1) again: seconds left", alarm(1));
  /* (A loop: on a loaded machine the alarm may come before pause starts.) */
  long paused = 0;
  while (!hits[SIGALRM]) paused = pause();
  SHOW("pause()", paused);
  SHOW("SIGALRM handler ran", hits[SIGALRM]);
  SHOW("alarm(0) after it fired", alarm(0));

  /* setitimer / getitimer. */
  struct itimerval it = {{0, 0}, {5, 0}}, got;
  SHOW("setitimer(ITIMER_REAL, 5 s)", setitimer(ITIMER_REAL, &it, NULL));
  getitimer(ITIMER_REAL, &got);
  YES("getitimer: between 4 and 5 s left", got.it_value.tv_sec == 4 || (got.it_value.tv_sec == 5 && got.it_value.tv_usec == 0));
  it.it_value.tv_sec = 0;
  setitimer(ITIMER_REAL, &it, &got);
  YES("disarmed; old value returned", got.it_value.tv_sec == 4 || got.it_value.tv_sec == 5);
  getitimer(ITIMER_REAL, &got);
  YES("getitimer: disarmed", got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0);
  it.it_value.tv_usec = 1000000;
  SHOW("setitimer(usec = 1000000)", setitimer(ITIMER_REAL, &it, NULL));
  SHOW("setitimer(which = 3)", setitimer(3, &it, NULL));

  /* ITIMER_VIRTUAL and ITIMER_PROF count the time the program runs. */
  install(SIGVTALRM, count, 0);
  install(SIGPROF, count, 0);
  arm_us(ITIMER_VIRTUAL, 2000, 0);
  while (!hits[SIGVTALRM]) {
  }
  SHOW("SIGVTALRM handler ran", hits[SIGVTALRM]);
  arm_us(ITIMER_PROF, 2000, 2000);
  while (hits[SIGPROF] < 3) {
  }
  arm_us(ITIMER_PROF, 0, 0);
  SHOW("periodic SIGPROF ran 3 times", hits[SIGPROF]);

  /* A blocking read: EINTR without SA_RESTART, restarted with it. */
  pipe(fds);
  char c;
  install(SIGALRM, feed, 0);
  arm_us(ITIMER_REAL, 50000, 0);
  SHOW("read, interrupted", read(fds[0], &c, 1));
  SHOW("the handler's byte is there", read(fds[0], &c, 1));
  install(SIGALRM, feed, SA_RESTART);
  arm_us(ITIMER_REAL, 50000, 0);
  c = 0;
  SHOW("read with SA_RESTART", read(fds[0], &c, 1));
  printf("read got '%c'\n", c);

  /* sigsuspend: waits with a temporary mask, which the handler's return undoes. */
  sigset_t block, empty, now;
  sigemptyset(&block);
  sigemptyset(&empty);
  sigaddset(&block, SIGALRM);
  install(SIGALRM, count, 0);
  hits[SIGALRM] = 0;
  sigprocmask(SIG_BLOCK, &block, NULL);
  arm_us(ITIMER_REAL, 3000, 0);
  SHOW("sigsuspend", sigsuspend(&empty));
  sigprocmask(SIG_SETMASK, NULL, &now);
  YES("handler ran, SIGALRM blocked again", hits[SIGALRM] == 1 && sigismember(&now, SIGALRM));
  sigprocmask(SIG_UNBLOCK, &block, NULL);

  /* POSIX timers. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = timer_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR1;
  ev.sigev_value.sival_int = 4242;
  timer_t t;
  SHOW("timer_create", timer_create(CLOCK_MONOTONIC, &ev, &t));
  struct itimerspec spec = {{0, 0}, {0, 50000000}}, left;
  SHOW("timer_settime(50 ms)", timer_settime(t, 0, &spec, NULL));
  timer_gettime(t, &left);
  YES("timer_gettime: armed, at most 50 ms", left.it_value.tv_sec == 0 && left.it_value.tv_nsec > 0 && left.it_value.tv_nsec <= 50000000);
  while (!hits[SIGUSR1]) pause();
  VALUE("SIGUSR1 from the timer: si_code (SI_TIMER)", last_code);
  SHOW("si_value", last_value);
  YES("si_timerid is set", last_timerid >= 0);
  timer_gettime(t, &left);
  YES("one-shot timer disarmed", left.it_value.tv_sec == 0 && left.it_value.tv_nsec == 0);
  struct timespec mono;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  spec.it_value = mono;
  spec.it_value.tv_nsec = 0;
  SHOW("timer_settime(TIMER_ABSTIME, in the past)", timer_settime(t, TIMER_ABSTIME, &spec, NULL));
  SHOW("fired at once", hits[SIGUSR1]);
  SHOW("timer_delete", timer_delete(t));
  SHOW("timer_delete again", timer_delete(t));

  /* A sleep ends early when a caught signal comes, saying how much was left. */
  install(SIGALRM, count, 0);
  hits[SIGALRM] = 0;
  alarm(1);
  unsigned left_s = sleep(3);
  /* (2 on an idle machine; a loaded one may deliver the alarm late.) */
  YES("sleep(3) with alarm(1) ends early", left_s == 2 || left_s == 1);
  SHOW("SIGALRM handler ran", hits[SIGALRM]);
  struct timespec req = {0, 300000000}, rem = {0, 0};
  arm_us(ITIMER_REAL, 100000, 0);
  SHOW("nanosleep(300 ms) with a 100 ms timer", nanosleep(&req, &rem));
  /* (200 ms and a little more in guest time; less where the timer comes late.) */
  YES("some time left, about 200 ms at most", rem.tv_sec == 0 && rem.tv_nsec > 0 && rem.tv_nsec < 210000000);
  req.tv_nsec = 1000000;
  SHOW("nanosleep(1 ms), no timer", nanosleep(&req, NULL));

  /* Taking signals without a handler: sigwait, sigtimedwait, sigwaitinfo; sigqueue. */
  sigset_t usr;
  sigemptyset(&usr);
  sigaddset(&usr, SIGUSR2);
  sigaddset(&usr, SIGALRM);
  sigprocmask(SIG_BLOCK, &usr, NULL);
  raise(SIGUSR2);
  int got_sig = 0;
  SHOW("sigwait", sigwait(&usr, &got_sig));
  SHOW("sigwait took", got_sig);
  struct timespec zero = {0, 0};
  siginfo_t si;
  SHOW("sigtimedwait(0) with nothing pending", sigtimedwait(&usr, &si, &zero));
  arm_us(ITIMER_REAL, 2000, 0);
  SHOW("sigwaitinfo for the timer", sigwaitinfo(&usr, &si));
  VALUE("si_code (SI_KERNEL)", si.si_code);
  union sigval val = {.sival_int = 77};
  SHOW("sigqueue(SIGUSR2)", sigqueue(getpid(), SIGUSR2, val));
  SHOW("sigtimedwait took", sigtimedwait(&usr, &si, &zero));
  VALUE("si_code (SI_QUEUE)", si.si_code);
  SHOW("si_value", si.si_value.sival_int);
  sigprocmask(SIG_UNBLOCK, &usr, NULL);

  /* An alarm nobody handles ends the program. */
  signal(SIGALRM, SIG_DFL);
  puts("alarm(1), then pause");
  alarm(1);
  pause();
  puts("still here?");
  return 0;
}
