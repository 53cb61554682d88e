/*
 * Every process waits for what can never come: a child in pause() whose
 * only timer's SIGALRM is ignored, its parent in wait4 for that child with
 * a periodic timer whose SIGALRM is ignored too. A kernel would let them
 * wait forever; fx86 must report a deadlock rather than jump from timer to
 * timer for ever.
 */
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  signal(SIGALRM, SIG_IGN);
  struct itimerval it = {{0, 1000}, {0, 1000}};
  if (fork() == 0) {
    setitimer(ITIMER_REAL, &it, NULL);
    pause();
    return 0;
  }
  setitimer(ITIMER_REAL, &it, NULL);
  wait(NULL);
  return 0;
}
