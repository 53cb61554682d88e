/*
 * Threads: a pool of workers that take jobs from a queue guarded by a
 * mutex and two condition variables, thread-local storage, pthread_join's
 * results, and a thread's exit leaving the process running. Prints only
 * results that do not depend on the interleaving.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

#define WORKERS 4
#define JOBS 200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t has_job = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int queue[JOBS], head, tail, finished, stop;
static long results[JOBS];
static __thread int jobs_here;

static long work(int n) {
  long s = 0;
  for (int i = 0; i <= n * 50; i++) s += i % 7;
  return s;
}

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (head == tail && !stop) pthread_cond_wait(&has_job, &lock);
    if (head == tail && stop) {
      pthread_mutex_unlock(&lock);
      break;
    }
    int job = queue[head++];
    pthread_mutex_unlock(&lock);
    long r = work(job);
    jobs_here++;
    pthread_mutex_lock(&lock);
    results[job] = r;
    if (++finished == JOBS) pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&lock);
  }
  return (void *)(long)jobs_here;
}

static void *tid_of(void *arg) {
  *(long *)arg = syscall(SYS_gettid);
  return (void *)(long)getpid();
}

int main(void) {
  pthread_t pool[WORKERS];
  for (int i = 0; i < WORKERS; i++) SHOW("pthread_create", pthread_create(&pool[i], NULL, worker, NULL));
  for (int j = 0; j < JOBS; j++) {
    pthread_mutex_lock(&lock);
    queue[tail++] = j;
    pthread_cond_signal(&has_job);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  while (finished < JOBS) pthread_cond_wait(&done_cond, &lock);
  stop = 1;
  pthread_cond_broadcast(&has_job);
  pthread_mutex_unlock(&lock);
  long total_jobs = 0;
  for (int i = 0; i < WORKERS; i++) {
    void *r;
    SHOW("pthread_join", pthread_join(pool[i], &r));
    total_jobs += (long)r;
  }
  SHOW("jobs done by the workers", total_jobs);
  long sum = 0;
  for (int j = 0; j < JOBS; j++) sum += results[j];
  SHOW("sum of the results", sum);
  SHOW("the main thread's own jobs (thread-local)", jobs_here);

  long tid = 0;
  pthread_t t;
  pthread_create(&t, NULL, tid_of, &tid);
  void *pid;
  pthread_join(t, &pid);
  YES("a thread shares the process id", (long)pid == getpid());
  YES("and has its own thread id", tid != getpid() && tid > 0);
  return 0;
}
