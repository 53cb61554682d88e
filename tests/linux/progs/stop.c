/*
 * Stop and continue: SIGSTOP and SIGCONT between a parent and its
 * children, what waitpid (WUNTRACED, WCONTINUED) and waitid (WSTOPPED,
 * WCONTINUED, WNOWAIT) report, SIGCHLD's CLD_STOPPED and CLD_CONTINUED in
 * an SA_SIGINFO handler (and none with SA_NOCLDSTOP), SIGCONT caught or
 * blocked, SIGTSTP caught, stopping, or discarded in an orphaned process
 * group, a child that stops itself, SIGKILL and SIGTERM of a stopped child,
 * SIGHUP and SIGCONT for a stopped process whose group its parent's end
 * orphans, and /proc's state letter T.
 * SIGCHLD stays blocked except in sigsuspend, so that its handler runs at
 * known points (Linux sends CLD_CONTINUED when the child next runs).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static volatile sig_atomic_t chld_count, chld_code, chld_status, chld_pid;
static sigset_t open_mask;

static void on_child(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  chld_count++;
  chld_code = si->si_code;
  chld_status = si->si_status;
  chld_pid = si->si_pid;
}

static const char *code_name(int code) {
  switch (code) {
  case CLD_EXITED: return "CLD_EXITED";
  case CLD_KILLED: return "CLD_KILLED";
  case CLD_STOPPED: return "CLD_STOPPED";
  case CLD_CONTINUED: return "CLD_CONTINUED";
  default: return "other";
  }
}

static void install(int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_child;
  sa.sa_flags = SA_SIGINFO | flags;
  sigaction(SIGCHLD, &sa, 0);
}

/* Lets SIGCHLD in until its handler has run `n` times since the count was reset, then prints what it saw. */
static void sigchld(const char *what, int n, pid_t child) {
  while (chld_count < n) sigsuspend(&open_mask);
  printf("%s: SIGCHLD %d, %s, status %d, pid is the child's: %s\n", what, chld_count, code_name(chld_code),
         chld_status, chld_pid == child ? "yes" : "no");
}

/* `status` is read here, after the waitpid in the arguments has filled it. */
static void show_status(const char *what, pid_t r, pid_t child, const int *status) {
  int st = *status;
  printf("%s: pid %s", what, r == child ? "child's" : r == 0 ? "0" : "other");
  if (r != child) printf("\n");
  else if (WIFSTOPPED(st)) printf(", stopped by %d\n", WSTOPSIG(st));
  else if (WIFCONTINUED(st)) printf(", continued\n");
  else if (WIFSIGNALED(st)) printf(", killed by %d\n", WTERMSIG(st));
  else printf(", exited with %d\n", WEXITSTATUS(st));
}

static void close_pipe(int p[2]) {
  close(p[0]);
  close(p[1]);
}

/* Where handlers installed with note_signal write the letter of their signal. */
static int notes[2];

static void note(int sig) {
  char c = sig == SIGCONT ? 'c' : sig == SIGTSTP ? 't' : sig == SIGHUP ? 'h' : '?';
  write(notes[1], &c, 1);
}

static void note_signal(int sig) {
  signal(sig, note);
}

static pid_t idle_child(void) {
  pid_t c = fork();
  if (c == 0) {
    for (;;) pause();
  }
  return c;
}

/* The state letter in /proc/PID/stat. */
static char proc_state(pid_t pid) {
  char path[64], buf[256];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return '?';
  int n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return '?';
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  return p && p[1] == ' ' ? p[2] : '?';
}

/* Sends `sig` to child `c`, shows what waitpid with `options` reports then, and the `n`th SIGCHLD counted. */
static void send_and_wait(pid_t c, int sig, int options, const char *what, int n) {
  int st = 0;
  kill(c, sig);
  show_status(what, waitpid(c, &st, options), c, &st);
  sigchld(what, n, c);
}

/* A child idle in pause(), stopped by SIGSTOP, its stop reported by waitpid and by the first SIGCHLD counted. */
static pid_t stopped_child(const char *what) {
  char label[96];
  int st = 0;
  chld_count = 0;
  pid_t c = idle_child();
  kill(c, SIGSTOP);
  snprintf(label, sizeof label, "%s: waitpid WUNTRACED after SIGSTOP", what);
  show_status(label, waitpid(c, &st, WUNTRACED), c, &st);
  snprintf(label, sizeof label, "%s: the stop", what);
  sigchld(label, 1, c);
  return c;
}

static void stop_and_continue(void) {
  install(0);
  int st = 0;
  pid_t c = stopped_child("SIGSTOP");
  printf("stopped child's /proc state: %c\n", proc_state(c));
  show_status("waitpid WUNTRACED again", waitpid(c, &st, WUNTRACED | WNOHANG), c, &st);
  show_status("plain waitpid WNOHANG while stopped", waitpid(c, &st, WNOHANG), c, &st);
  send_and_wait(c, SIGCONT, WCONTINUED, "waitpid WCONTINUED after SIGCONT", 2);
  show_status("waitpid WCONTINUED again", waitpid(c, &st, WCONTINUED | WNOHANG), c, &st);
  show_status("waitpid WUNTRACED while running", waitpid(c, &st, WUNTRACED | WNOHANG), c, &st);
  // Stopped again, then killed while stopped.
  send_and_wait(c, SIGSTOP, WUNTRACED, "waitpid WUNTRACED after a second SIGSTOP", 3);
  send_and_wait(c, SIGKILL, 0, "waitpid after SIGKILL of the stopped child", 4);
}

/* A fatal signal other than SIGKILL waits while its target is stopped, and ends it once continued. */
static void term_while_stopped(void) {
  int st = 0;
  pid_t c = stopped_child("SIGTERM while stopped");
  kill(c, SIGTERM);
  show_status("SIGTERM while stopped: waitpid WNOHANG", waitpid(c, &st, WNOHANG | WUNTRACED), c, &st);
  printf("SIGTERM while stopped: /proc state: %c\n", proc_state(c));
  kill(c, SIGCONT);
  show_status("SIGTERM while stopped: after SIGCONT", waitpid(c, &st, 0), c, &st);
  // The continue's SIGCHLD comes first; the end's merges with it.
  sigchld("SIGTERM while stopped: the continue", 2, c);
}


/* SIGCONT continues a stopped child whether the child catches it (the handler then runs) or blocks it. */
static void cont_caught_or_blocked(void) {
  for (int blocked = 0; blocked < 2; blocked++) {
    chld_count = 0;
    pid_t c = fork();
    if (c == 0) {
      sigset_t cont;
      sigemptyset(&cont);
      sigaddset(&cont, SIGCONT);
      note_signal(SIGCONT);
      sigprocmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &cont, 0);
      write(notes[1], "r", 1);
      for (;;) pause();
    }
    char b = 0;
    read(notes[0], &b, 1);
    const char *how = blocked ? "SIGCONT blocked" : "SIGCONT caught";
    send_and_wait(c, SIGSTOP, WUNTRACED, how, 1);
    send_and_wait(c, SIGCONT, WCONTINUED, how, 2);
    if (!blocked) {
      read(notes[0], &b, 1);
      printf("%s: the handler ran: %s\n", how, b == 'c' ? "yes" : "no");
    }
    send_and_wait(c, SIGKILL, 0, how, 3);
  }
}

static void no_cldstop(void) {
  install(SA_NOCLDSTOP);
  chld_count = chld_code = 0;
  pid_t c = idle_child();
  int st = 0;
  sigset_t pending;
  kill(c, SIGSTOP);
  show_status("SA_NOCLDSTOP: waitpid WUNTRACED", waitpid(c, &st, WUNTRACED), c, &st);
  kill(c, SIGCONT);
  show_status("SA_NOCLDSTOP: waitpid WCONTINUED", waitpid(c, &st, WCONTINUED), c, &st);
  sigpending(&pending);
  YES("SA_NOCLDSTOP: no SIGCHLD for the stop and the continue", !sigismember(&pending, SIGCHLD) && chld_count == 0);
  kill(c, SIGTERM);
  show_status("SA_NOCLDSTOP: waitpid after SIGTERM", waitpid(c, &st, 0), c, &st);
  sigpending(&pending);
  YES("SA_NOCLDSTOP: SIGCHLD pending for the end", sigismember(&pending, SIGCHLD));
  // (Under qemu-i386, which sends SIGCHLD for the stop and continue too, more than one may have merged.)
  while (sigpending(&pending) == 0 && sigismember(&pending, SIGCHLD)) sigsuspend(&open_mask);
  printf("SA_NOCLDSTOP: the end's SIGCHLD: %s, status %d\n", code_name(chld_code), chld_status);
  install(0);
}


static void tstp(void) {
  chld_count = 0;
  // Caught: the handler runs and nothing stops.
  pid_t c = fork();
  if (c == 0) {
    note_signal(SIGTSTP);
    write(notes[1], "r", 1);
    for (;;) pause();
  }
  char b = 0;
  int st = 0;
  read(notes[0], &b, 1);
  kill(c, SIGTSTP);
  read(notes[0], &b, 1);
  printf("SIGTSTP caught: the handler ran: %s\n", b == 't' ? "yes" : "no");
  show_status("SIGTSTP caught: waitpid WUNTRACED", waitpid(c, &st, WUNTRACED | WNOHANG), c, &st);
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
  sigchld("SIGTSTP caught, then killed", 1, c);

  // Default action, in a process group of its own whose parent is in another group: it stops.
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  setpgid(c, c);
  send_and_wait(c, SIGTSTP, WUNTRACED, "SIGTSTP: waitpid WUNTRACED", 2);
  send_and_wait(c, SIGCONT, WCONTINUED, "SIGTSTP: waitpid WCONTINUED", 3);
  send_and_wait(c, SIGTTOU, WUNTRACED, "SIGTTOU: waitpid WUNTRACED", 4);
  send_and_wait(c, SIGKILL, 0, "SIGTTOU: killed", 5);

  // SIGCONT discards a pending (blocked) SIGTSTP: unblocked later, it stops nothing.
  int go[2];
  pipe(go);
  c = fork();
  if (c == 0) {
    sigset_t tstp_set, pend;
    sigemptyset(&tstp_set);
    sigaddset(&tstp_set, SIGTSTP);
    setpgid(0, 0);
    sigprocmask(SIG_BLOCK, &tstp_set, 0);
    write(notes[1], "r", 1);
    read(go[0], &b, 1);
    sigpending(&pend);
    int was = sigismember(&pend, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &tstp_set, 0);
    _exit(was ? 1 : 2);
  }
  setpgid(c, c);
  read(notes[0], &b, 1);
  kill(c, SIGTSTP);
  kill(c, SIGCONT);
  write(go[1], "g", 1);
  show_status("SIGCONT discarded the pending SIGTSTP", waitpid(c, &st, WUNTRACED), c, &st);
  sigchld("SIGCONT discarded", 6, c);

  // In an orphaned process group (a session of its own), SIGTSTP's default action is discarded.
  c = fork();
  if (c == 0) {
    setsid();
    raise(SIGTSTP);
    _exit(4);
  }
  show_status("SIGTSTP in an orphaned group", waitpid(c, &st, WUNTRACED), c, &st);
  sigchld("orphaned", 7, c);
  close_pipe(go);
}

static void self_stop(void) {
  int p[2], go[2];
  pipe(p);
  pipe(go);
  chld_count = 0;
  pid_t c = fork();
  if (c == 0) {
    write(p[1], "a", 1);
    raise(SIGSTOP);
    write(p[1], "b", 1);
    // Not before the parent has taken CLD_CONTINUED: a second SIGCHLD pending would merge with it.
    read(go[0], &c, 1);
    _exit(5);
  }
  char b = 0;
  int st = 0;
  read(p[0], &b, 1);
  show_status("raise(SIGSTOP) in the child", waitpid(c, &st, WUNTRACED), c, &st);
  sigchld("raise(SIGSTOP)", 1, c);
  kill(c, SIGCONT);
  read(p[0], &b, 1);
  printf("continued child wrote: %c\n", b);
  sigchld("raise(SIGSTOP) continued", 2, c);
  write(go[1], "g", 1);
  show_status("then it exits", waitpid(c, &st, 0), c, &st);
  sigchld("raise(SIGSTOP) exited", 3, c);
  close_pipe(p);
  close_pipe(go);
}

static void waitid_stops(void) {
  chld_count = 0;
  pid_t c = idle_child();
  siginfo_t si;
  kill(c, SIGSTOP);
  for (int i = 0; i < 3; i++) {
    static const int opts[3] = {WSTOPPED | WNOWAIT, WSTOPPED, WSTOPPED | WNOHANG};
    static const char *names[3] = {"WSTOPPED|WNOWAIT", "WSTOPPED", "WSTOPPED|WNOHANG"};
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, c, &si, opts[i]);
    printf("waitid %s: %d, signo %d, %s, status %d, pid %s\n", names[i], r, si.si_signo,
           si.si_pid ? code_name(si.si_code) : "nothing", si.si_status,
           si.si_pid == c ? "child's" : si.si_pid == 0 ? "0" : "other");
  }
  sigchld("waitid stop", 1, c);
  kill(c, SIGCONT);
  memset(&si, 0, sizeof si);
  int r = waitid(P_ALL, 0, &si, WCONTINUED);
  printf("waitid WCONTINUED: %d, %s, status %d\n", r, code_name(si.si_code), si.si_status);
  sigchld("waitid continue", 2, c);
  memset(&si, 0, sizeof si);
  r = waitid(P_ALL, 0, &si, WCONTINUED | WNOHANG);
  printf("waitid WCONTINUED again: %d, pid %s\n", r, si.si_pid ? "set" : "0");
  SHOW("waitid without WEXITED, WSTOPPED or WCONTINUED", waitid(P_ALL, 0, &si, WNOHANG));
  kill(c, SIGKILL);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, c, &si, WEXITED);
  printf("waitid WEXITED: %d, %s, status %d\n", r, code_name(si.si_code), si.si_status);
  sigchld("waitid killed", 3, c);
}

/* A stopped process whose group the end of its parent orphans gets SIGHUP, then SIGCONT (Linux's kill_orphaned_pgrp). */
static void orphaned_when_parent_ends(void) {
  pid_t a = fork();
  if (a == 0) {
    // A session of its own, so that no process outside can keep the grandchild's group from being orphaned.
    setsid();
    pid_t b = fork();
    if (b == 0) {
      setpgid(0, 0);
      note_signal(SIGHUP);
      raise(SIGSTOP);
      write(notes[1], "C", 1);
      _exit(0);
    }
    setpgid(b, b);
    int st = 0;
    waitpid(b, &st, WUNTRACED);
    _exit(WIFSTOPPED(st) ? 0 : 1);
  }
  int st = 0;
  show_status("the stopped grandchild's parent ends", waitpid(a, &st, 0), a, &st);
  char got[3] = {0};
  read(notes[0], got, 1);
  read(notes[0], got + 1, 1);
  printf("the grandchild, orphaned, wrote: %s (h: its SIGHUP handler, C: after raise(SIGSTOP))\n", got);
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &open_mask);
  pipe(notes);
  stop_and_continue();
  term_while_stopped();
  cont_caught_or_blocked();
  no_cldstop();
  tstp();
  self_stop();
  waitid_stops();
  orphaned_when_parent_ends();
  return 0;
}
