/*
 * A periodic timer interrupting arithmetic at arbitrary instructions: the
 * handler scribbles on the x87 stack, MXCSR and XMM registers and on the
 * flags, and records what its ucontext says the interrupted code was doing.
 * The interrupted computation must end with the same result as an
 * uninterrupted one. (Under fx86 the records make the final state depend
 * on exactly where each interruption fell, which the tests compare between
 * the engine's backends and across budget splits.)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>
#include "check.h"

#define RECORDS 64
static volatile int ticks;
static uint32_t seen[RECORDS][4];

static void tick(int sig, siginfo_t *si, void *p) {
  (void)sig;
  (void)si;
  ucontext_t *uc = p;
  if (ticks < RECORDS) {
    seen[ticks][0] = uc->uc_mcontext.gregs[REG_EIP];
    seen[ticks][1] = uc->uc_mcontext.gregs[REG_EAX] ^ uc->uc_mcontext.gregs[REG_ECX];
    seen[ticks][2] = uc->uc_mcontext.gregs[REG_EFL];
    seen[ticks][3] = uc->uc_mcontext.fpregs ? uc->uc_mcontext.fpregs->cw ^ (uc->uc_mcontext.fpregs->sw << 16) : 0;
  }
  ticks++;
  /* Disturb everything sigreturn must put back. */
  volatile double d = 3.0;
  for (int i = 0; i < 5; i++) d = d * 1.7 + 0.25;
  unsigned csr = 0x7f80;          /* SSE: round toward zero, all masked */
  unsigned short cw = 0x0c7f;     /* x87: single precision, round toward zero */
  __asm__ volatile("ldmxcsr %0; pcmpeqd %%xmm0, %%xmm0; pcmpeqd %%xmm2, %%xmm2; std; cld\n\t"
                   "fninit; fldpi; fstp %%st(0); fldcw %1" ::"m"(csr), "m"(cw));
}

/* Integer, x87 and SSE work whose result depends on every step. */
static double work(int rounds, uint32_t *hash) {
  double acc = 1.0;
  uint32_t h = 2166136261u;
  float v[4] __attribute__((aligned(16))) = {1.5f, 2.25f, -3.0f, 0.125f};
  for (int i = 0; i < rounds; i++) {
    acc = acc * 1.0000001 + (double)(i % 7) / 3.0;
    h = (h ^ (uint32_t)i) * 16777619u;
    __asm__ volatile(
        "movaps %0, %%xmm2\n\t"
        "addps %%xmm2, %%xmm2\n\t"
        "mulps %%xmm2, %%xmm2\n\t"
        "rsqrtps %%xmm2, %%xmm2\n\t"
        "movaps %%xmm2, %0"
        : "+m"(v));
  }
  *hash = h ^ (uint32_t)(v[0] * 1000) ^ (uint32_t)(v[2] * 1000);
  return acc;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  uint32_t h0, h1;
  double quiet = work(20000, &h0);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = tick;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 50}, {0, 50}};
  setitimer(ITIMER_REAL, &it, NULL);
  double loud = work(20000, &h1);
  it.it_value.tv_usec = 0;
  setitimer(ITIMER_REAL, &it, NULL);

  YES("the timer interrupted the work", ticks > 0);
  YES("same double with interruptions", memcmp(&quiet, &loud, sizeof quiet) == 0);
  YES("same integer and SSE result", h0 == h1);
  YES("every ucontext had an FPU state", ticks == 0 || seen[0][3] != 0);
  return 0;
}
