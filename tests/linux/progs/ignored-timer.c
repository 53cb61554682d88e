/*
 * Waits for a signal that can never come: the only timer's SIGALRM is
 * ignored. A kernel would let it sleep forever; fx86 must report a
 * deadlock rather than wait for the timer again and again.
 */
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

int main(void) {
  signal(SIGALRM, SIG_IGN);
  struct itimerval it = {{0, 1000}, {0, 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
  pause();
  return 0;
}
