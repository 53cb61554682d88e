/*
 * cputime IN OUT NENV VAR=value... PROGRAM ARG...
 *
 * Runs PROGRAM with exactly the NENV environment variables given, stdin
 * from the file IN and stdout to the file OUT (stderr passes through), and
 * prints "USER_US SYS_US STATUS MAXRSS_KB" on its own stdout: the CPU time
 * the program used, from wait4's rusage, in microseconds, its wait status,
 * and its maximum resident set size in KiB.
 *
 * The benchmark's CPU time of a child process (tests/bench/measure.ts).
 * A 64-bit host program rather than a shell's `times`, which has
 * millisecond resolution (too coarse for `busybox true`), or `env -i`,
 * whose own start-up would be counted.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long long micros(struct timeval t) { return t.tv_sec * 1000000LL + t.tv_usec; }

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: cputime IN OUT NENV VAR=value... PROGRAM ARG...\n");
    return 2;
  }
  int nenv = atoi(argv[3]);
  if (nenv < 0 || 4 + nenv >= argc) {
    fprintf(stderr, "cputime: bad NENV %s\n", argv[3]);
    return 2;
  }
  char **env = calloc(nenv + 1, sizeof *env);
  for (int i = 0; i < nenv; i++) env[i] = argv[4 + i];
  char **program = argv + 4 + nenv;

  pid_t pid = fork();
  if (pid < 0) { perror("cputime: fork"); return 2; }
  if (pid == 0) {
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) { perror("cputime: open"); _exit(127); }
    dup2(in, 0);
    dup2(out, 1);
    close(in);
    close(out);
    execve(program[0], program, env);
    perror("cputime: execve");
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) { perror("cputime: wait4"); return 2; }
  printf("%lld %lld %d %ld\n", micros(ru.ru_utime), micros(ru.ru_stime), status, ru.ru_maxrss);
  return 0;
}
