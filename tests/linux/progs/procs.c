/*
 * Processes: fork and wait, a child that execs this program again with its
 * stdout on a pipe, vfork, several children reaped in order, kill, process
 * groups, and the end of file a pipe gives once its last writer is gone.
 * Prints properties (never pids), so reference and fx86 runs compare equal.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static int child_mode(int argc, char **argv) {
  printf("exec'd child: argc %d, arg %s, ppid is a process: %s\n", argc, argv[2], getppid() > 1 ? "yes" : "no");
  printf("close-on-exec descriptor after exec: %d\n", fcntl(20, F_GETFD));
  printf("inherited descriptor after exec: %d\n", fcntl(21, F_GETFD));
  return 5;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return child_mode(argc, argv);
  setvbuf(stdout, NULL, _IONBF, 0);
  pid_t self = getpid();

  /* fork + wait */
  pid_t pid = fork();
  if (pid == 0) {
    YES("child sees its parent", getppid() == self);
    YES("child has a pid of its own", getpid() != self);
    _exit(3);
  }
  int status = 0;
  YES("waitpid returns the child", waitpid(pid, &status, 0) == pid);
  YES("exited", WIFEXITED(status));
  SHOW("exit status", WEXITSTATUS(status));
  SHOW("no more children", waitpid(-1, &status, WNOHANG));

  /* fork + exec + pipe */
  int fds[2];
  SHOW("pipe", pipe(fds));
  pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    dup3(1, 20, O_CLOEXEC);
    dup2(1, 21);
    execl("/proc/self/exe", "procs", "child", "from-the-parent", (char *)0);
    _exit(127);
  }
  close(fds[1]);
  char buf[256];
  int n, total = 0;
  while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  buf[total] = 0;
  printf("read through the pipe: %s", buf);
  SHOW("read at end of file", n);
  waitpid(pid, &status, 0);
  SHOW("exec'd child's status", WEXITSTATUS(status));
  close(fds[0]);

  /* poll across processes; an emptied pipe without writers is POLLHUP only */
  SHOW("pipe", pipe(fds));
  pid = fork();
  if (pid == 0) {
    close(fds[0]);
    write(fds[1], "x", 1);
    _exit(0);
  }
  close(fds[1]);
  struct pollfd pfd = {fds[0], POLLIN, 0};
  SHOW("poll waits for the child's byte", poll(&pfd, 1, -1));
  YES("readable", pfd.revents & POLLIN);
  SHOW("read", read(fds[0], buf, 1));
  waitpid(pid, &status, 0);
  SHOW("poll of the emptied pipe", poll(&pfd, 1, -1));
  SHOW("revents (POLLHUP only)", pfd.revents);
  close(fds[0]);

  /* memory is copied, not shared */
  static int counter = 10;
  pid = fork();
  if (pid == 0) {
    counter = 99;
    _exit(counter == 99 ? 0 : 1);
  }
  waitpid(pid, &status, 0);
  SHOW("parent's counter after the child changed its own", counter);

  /* waitid: the child's end as a siginfo */
  pid = fork();
  if (pid == 0) _exit(9);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  SHOW("waitid", waitid(P_PID, pid, &info, WEXITED));
  YES("si_pid is the child", info.si_pid == pid);
  SHOW("si_signo", info.si_signo);
  SHOW("si_code (CLD_EXITED)", info.si_code);
  SHOW("si_status", info.si_status);
  SHOW("waitid without children", waitid(P_ALL, 0, &info, WEXITED | WNOHANG));

  /* vfork: the parent waits until the child exits */
  pid = vfork();
  if (pid == 0) _exit(7);
  waitpid(pid, &status, 0);
  SHOW("vfork child's status", WEXITSTATUS(status));

  /* several children, collected in turn */
  pid_t kids[3];
  for (int i = 0; i < 3; i++) {
    kids[i] = fork();
    if (kids[i] == 0) _exit(10 + i);
  }
  int sum = 0;
  for (int i = 0; i < 3; i++) {
    pid_t got = wait(&status);
    int which = -1;
    for (int j = 0; j < 3; j++) if (kids[j] == got) which = j;
    YES("wait returns one of the children", which >= 0);
    sum += WEXITSTATUS(status);
  }
  SHOW("sum of their statuses", sum);
  SHOW("wait without children", wait(&status));

  /* kill: the child waits in pause() until the parent's SIGTERM ends it */
  pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  SHOW("kill", kill(pid, SIGTERM));
  waitpid(pid, &status, 0);
  YES("killed by a signal", WIFSIGNALED(status));
  SHOW("the signal", WTERMSIG(status));
  SHOW("kill of a reaped child", kill(pid, SIGTERM));

  /* process groups */
  pid = fork();
  if (pid == 0) {
    YES("child starts in its parent's group", getpgid(0) == getpgid(getppid()));
    SHOW("child makes a group of its own", setpgid(0, 0));
    YES("it leads it", getpgid(0) == getpid());
    SHOW("a group leader cannot make a session", setsid());
    _exit(0);
  }
  waitpid(pid, &status, 0);
  pid = fork();
  if (pid == 0) {
    YES("setsid makes a session", setsid() == getpid());
    YES("and a group", getpgid(0) == getpid());
    _exit(0);
  }
  waitpid(pid, &status, 0);
  SHOW("setpgid of a child in another session", setpgid(pid, 0));
  return 0;
}
