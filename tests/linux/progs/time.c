/* Clocks: they advance, agree with each other, and sleeping returns 0.
 * No actual times are printed: they differ from run to run natively. */
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
  struct timespec m1, m2, r1, res;
  SHOW("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &m1));
  SHOW("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &r1));
  volatile unsigned x = 0;
  for (int i = 0; i < 3000000; i++) x += i;
  clock_gettime(CLOCK_MONOTONIC, &m2);
  YES("monotonic time advances", ns(m2) > ns(m1));
  YES("nanoseconds in range", m2.tv_nsec >= 0 && m2.tv_nsec < 1000000000);
  YES("realtime after 2000-01-01", r1.tv_sec >= 946684800);
  time_t t = time(NULL);
  YES("time() agrees with CLOCK_REALTIME", t >= r1.tv_sec && t - r1.tv_sec < 5);
  struct timeval tv;
  SHOW("gettimeofday", gettimeofday(&tv, NULL));
  YES("microseconds in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
  SHOW("clock_getres", clock_getres(CLOCK_MONOTONIC, &res));
  YES("resolution at most 1 ms", res.tv_sec == 0 && res.tv_nsec <= 1000000);
  SHOW("clock_gettime bad clock", clock_gettime(12345, &m1));
  struct timespec nap = {0, 1000};
  SHOW("nanosleep", nanosleep(&nap, NULL));
  struct timespec bad = {0, 2000000000};
  SHOW("nanosleep bad", nanosleep(&bad, NULL));
  struct tms tm;
  YES("times", times(&tm) != (clock_t)-1);
  SHOW("sysconf(_SC_CLK_TCK)", sysconf(_SC_CLK_TCK));
  struct tm *utc = gmtime(&t);
  YES("gmtime works", utc != NULL && utc->tm_year >= 100);
  return 0;
}
