/* CPU time of processes: a busy child has more than an idle one, a parent
 * that waited for them counts them as its children's time, and its own time
 * is its own. No times are printed, only how they compare. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static volatile unsigned sink;

static void spin(unsigned n) {
  for (unsigned i = 0; i < n; i++) sink += i;
}

static double seconds(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

static double clock_seconds(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* utime (field 14) and cutime (field 16) of /proc/self/stat, in ticks. */
static void proc_times(long *utime, long *cutime) {
  char buf[1024];
  FILE *f = fopen("/proc/self/stat", "r");
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')') + 2; /* field 3 */
  for (int field = 3; field < 14; field++) p = strchr(p, ' ') + 1;
  *utime = strtol(p, &p, 10);
  strtol(p, &p, 10); /* stime */
  *cutime = strtol(p, &p, 10);
}

static void *worker(void *arg) {
  spin((unsigned)(long)arg);
  return NULL;
}

int main(void) {
  int status;
  pid_t busy = fork();
  if (busy == 0) {
    /* A CPU time, not a count of iterations: times() counts whole clock
     * ticks (10 ms), and a fast machine spins through a fixed count in less. */
    while (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) < 0.06) spin(100000);
    _exit(0);
  }
  struct rusage busy_usage, idle_usage;
  SHOW("wait4 for the busy child", wait4(busy, &status, 0, &busy_usage) == busy);
  pid_t idle = fork();
  if (idle == 0) _exit(0);
  SHOW("wait4 for the idle child", wait4(idle, &status, 0, &idle_usage) == idle);
  double b = seconds(busy_usage.ru_utime), i = seconds(idle_usage.ru_utime);
  YES("the busy child has user time", b > 0.005);
  YES("the busy child has more than the idle one", b > i);

  struct rusage self, children;
  SHOW("getrusage SELF", getrusage(RUSAGE_SELF, &self));
  SHOW("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &children));
  YES("the children's time holds the busy child's", seconds(children.ru_utime) + 0.0011 >= b);
  YES("the parent's own time is less than the busy child's", seconds(self.ru_utime) < b);
  YES("the process CPU-time clock agrees with getrusage", clock_seconds(CLOCK_PROCESS_CPUTIME_ID) < b);

  struct tms t;
  times(&t);
  YES("times() counts the children", t.tms_cutime > 0 && t.tms_cutime >= t.tms_utime);
  long utime, cutime;
  proc_times(&utime, &cutime);
  YES("/proc/self/stat: children's time above the parent's", cutime > 0 && cutime >= utime);

  /* A thread's time is its process's too, and not the other threads'. */
  double before = clock_seconds(CLOCK_PROCESS_CPUTIME_ID), mine = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
  pthread_t th;
  pthread_create(&th, NULL, worker, (void *)40000000L);
  pthread_join(th, NULL);
  double after = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
  YES("a thread's work counts in its process's time", after - before > 0.005);
  YES("but not in the main thread's", clock_seconds(CLOCK_THREAD_CPUTIME_ID) - mine < after - before);
  return 0;
}
