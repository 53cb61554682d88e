/*
 * Signals delivered to handlers: raise, kill, masks and pending sets,
 * SA_SIGINFO, SA_RESETHAND/SA_NODEFER, nesting, faults recovered with
 * siglongjmp (SIGSEGV with si_addr and si_code, SIGFPE, SIGILL, SIGTRAP),
 * a stack overflow caught on an alternate stack, and the x87/SSE state a
 * handler must not disturb. Timers and waits are in timers.c.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "check.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* Linux 4.7, not in every libc header */
#endif

static volatile int hits[65];
static volatile int last_code, last_signo, last_pid_ok;
static void *volatile last_addr;
static sigjmp_buf jump;
static char order[64];
static volatile int order_len;

static void note(char c) {
  if (order_len < 63) order[order_len++] = c;
}

static void count(int sig) {
  hits[sig]++;
}

static void with_info(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  hits[sig]++;
  last_signo = si->si_signo;
  last_code = si->si_code;
  last_pid_ok = si->si_pid == getpid();
}

static void recover(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  hits[sig]++;
  last_code = si->si_code;
  last_addr = si->si_addr;
  siglongjmp(jump, sig);
}

/* Skips the faulting instruction by editing the saved EIP: sigreturn must read the frame back. */
extern char skip_from[], skip_to[];
static void skip(int sig, siginfo_t *si, void *p) {
  (void)si;
  ucontext_t *uc = p;
  hits[sig]++;
  if (uc->uc_mcontext.gregs[REG_EIP] == (greg_t)skip_from) uc->uc_mcontext.gregs[REG_EIP] = (greg_t)skip_to;
  uc->uc_mcontext.gregs[REG_EAX] = 1234;
}

static int rt_values[8];
static volatile int rt_count;
static void rt_handler(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  if (rt_count < 8) rt_values[rt_count] = si->si_value.sival_int;
  rt_count++;
}

static void inner(int sig) {
  note('2');
  hits[sig]++;
}

static void outer(int sig) {
  note('1');
  raise(SIGUSR2);
  note('3');
  hits[sig]++;
}

static void masked_check(int sig) {
  sigset_t now;
  sigprocmask(SIG_SETMASK, NULL, &now);
  hits[sig]++;
  last_code = sigismember(&now, sig) * 10 + sigismember(&now, SIGQUIT);
}

static void install(int sig, void (*fn)(int), int flags, int also_block) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (also_block) sigaddset(&sa.sa_mask, also_block);
  sigaction(sig, &sa, NULL);
}

static void install_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static volatile int forever = 1;

static int depth(int n) {
  volatile char pad[256];
  pad[0] = (char)n;
  return forever ? depth(n + 1) + pad[0] : 0;
}

static char *alt_base;
static volatile int on_alt;

static void overflow(int sig, siginfo_t *si, void *uc) {
  (void)si;
  (void)uc;
  char local;
  hits[sig]++;
  on_alt = &local > alt_base && &local < alt_base + SIGSTKSZ * 4;
  stack_t now;
  sigaltstack(NULL, &now);
  last_code = now.ss_flags;
  siglongjmp(jump, 1);
}

/* x87 and SSE work in a handler must not leak into the code it interrupted. */
static void fpu_noise(int sig) {
  volatile double d = 1.0;
  for (int i = 0; i < 10; i++) d = d * 3.0 + 0.5;
  /* (Without -msse the compiler uses no XMM register, so none is declared clobbered.) */
  __asm__ volatile("pxor %xmm0, %xmm0; pxor %xmm1, %xmm1; fninit");
  hits[sig]++;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);

  install(SIGUSR1, count, 0, 0);
  SHOW("raise(SIGUSR1)", raise(SIGUSR1));
  SHOW("handler ran", hits[SIGUSR1]);

  install_info(SIGUSR1, with_info, 0);
  raise(SIGUSR1);
  SHOW("SA_SIGINFO raise: si_signo", last_signo);
  VALUE("SA_SIGINFO raise: si_code (SI_TKILL)", last_code);
  YES("SA_SIGINFO raise: si_pid is getpid()", last_pid_ok);
  kill(getpid(), SIGUSR1);
  VALUE("kill(getpid()): si_code (SI_USER)", last_code);
  SHOW("SA_SIGINFO handler runs", hits[SIGUSR1]);

  /* Blocked signals wait, merged into one, and arrive when unblocked. */
  sigset_t block, pend, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  install(SIGUSR2, count, 0, 0);
  sigprocmask(SIG_BLOCK, &block, &old);
  raise(SIGUSR2);
  raise(SIGUSR2);
  sigpending(&pend);
  YES("blocked SIGUSR2 is pending", sigismember(&pend, SIGUSR2));
  SHOW("blocked SIGUSR2 handler runs", hits[SIGUSR2]);
  sigprocmask(SIG_SETMASK, &old, NULL);
  SHOW("after unblocking, handler runs (once)", hits[SIGUSR2]);
  sigpending(&pend);
  YES("nothing pending", !sigismember(&pend, SIGUSR2));

  /* Real-time signals queue: each instance arrives, in order, with its value. */
  int rt = SIGRTMIN + 2;
  install_info(rt, rt_handler, 0);
  sigset_t rtset;
  sigemptyset(&rtset);
  sigaddset(&rtset, rt);
  sigprocmask(SIG_BLOCK, &rtset, NULL);
  for (int i = 1; i <= 3; i++) sigqueue(getpid(), rt, (union sigval){.sival_int = i * 11});
  SHOW("queued real-time signals delivered while blocked", rt_count);
  sigprocmask(SIG_UNBLOCK, &rtset, NULL);
  printf("real-time signals delivered: %d, values %d %d %d\n", rt_count, rt_values[0], rt_values[1], rt_values[2]);

  /* SIGPIPE: the handler runs and write fails with EPIPE. */
  install(SIGPIPE, count, 0, 0);
  int pp[2];
  pipe(pp);
  close(pp[0]);
  SHOW("write to a pipe nobody reads", write(pp[1], "x", 1));
  SHOW("SIGPIPE handler ran", hits[SIGPIPE]);
  close(pp[1]);

  /* Ignored signals and default-ignored ones do nothing. */
  signal(SIGUSR2, SIG_IGN);
  SHOW("raise(ignored SIGUSR2)", raise(SIGUSR2));
  SHOW("raise(SIGCHLD, default)", raise(SIGCHLD));
  SHOW("raise(SIGWINCH, default)", raise(SIGWINCH));

  /* A handler runs with its signal and sa_mask blocked, unless SA_NODEFER. */
  install(SIGUSR1, masked_check, 0, SIGQUIT);
  raise(SIGUSR1);
  SHOW("in handler: own signal blocked*10 + sa_mask blocked", last_code);
  install(SIGUSR1, masked_check, SA_NODEFER, 0);
  raise(SIGUSR1);
  SHOW("SA_NODEFER: own signal blocked*10 + SIGQUIT blocked", last_code);
  sigprocmask(SIG_SETMASK, NULL, &old);
  YES("mask restored after the handler", !sigismember(&old, SIGUSR1) && !sigismember(&old, SIGQUIT));

  /* SA_RESETHAND: one shot. */
  install(SIGUSR1, count, SA_RESETHAND, 0);
  hits[SIGUSR1] = 0;
  raise(SIGUSR1);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  YES("SA_RESETHAND: ran, then default", hits[SIGUSR1] == 1 && now.sa_handler == SIG_DFL);

  /* Nested: a handler raising another signal runs that handler first. */
  install(SIGUSR1, outer, 0, 0);
  install(SIGUSR2, inner, 0, 0);
  raise(SIGUSR1);
  order[order_len] = 0;
  printf("nested handlers ran in order: %s\n", order);

  /* Faults: SIGSEGV (unmapped, then read-only), SIGFPE, SIGILL, recovered with siglongjmp. */
  install_info(SIGSEGV, recover, 0);
  if (sigsetjmp(jump, 1) == 0) {
    *(volatile int *)bad_pointer = 1;
    puts("no fault?");
  }
  VALUE("write to unmapped: si_code (SEGV_MAPERR)", last_code);
  YES("si_addr is the address written", last_addr == bad_pointer);
  char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (sigsetjmp(jump, 1) == 0) {
    ro[100] = 1;
    puts("no fault?");
  }
  VALUE("write to read-only: si_code (SEGV_ACCERR)", last_code);
  YES("si_addr is the address written", last_addr == ro + 100);
  sigprocmask(SIG_SETMASK, NULL, &old);
  YES("siglongjmp restored the mask (SIGSEGV unblocked)", !sigismember(&old, SIGSEGV));

  install_info(SIGFPE, recover, 0);
  volatile int zero = 0, ten = 10;
  if (sigsetjmp(jump, 1) == 0) {
    printf("%d\n", ten / zero);
  }
  VALUE("divide by zero: SIGFPE si_code (FPE_INTDIV)", last_code);

  /* A handler that changes the registers it returns to. */
  install_info(SIGSEGV, skip, 0);
  int eax_after;
  __asm__ volatile("movl $0, %%eax\n"
                   "skip_from: movl %%eax, 16\n"
                   "skip_to: movl %%eax, %0"
                   : "=r"(eax_after)::"eax", "memory");
  SHOW("handler moved EIP past the fault and set EAX", eax_after);

  /* An unmasked x87 exception: SIGFPE with the code of the exception. */
  unsigned short unmask_zero = 0x037b, sw = 0xffff;
  __asm__ volatile("fldcw %0" ::"m"(unmask_zero));
  volatile double dzero = 0.0;
  if (sigsetjmp(jump, 1) == 0) {
    volatile double q = 1.0 / dzero;
    (void)q;
  }
  VALUE("x87 divide by zero, unmasked: SIGFPE si_code (FPE_FLTDIV)", last_code);
  __asm__ volatile("fnstsw %0" : "=m"(sw));
  YES("the handler's FPU was reset, so main's is clean after siglongjmp", (sw & 0x3f) == 0);

  install_info(SIGILL, recover, 0);
  extern char ud2_here[];
  if (sigsetjmp(jump, 1) == 0) {
    __asm__ volatile("ud2_here: ud2");
  }
  VALUE("ud2: SIGILL si_code (ILL_ILLOPN)", last_code);
  YES("si_addr is the ud2", last_addr == (void *)ud2_here);

  install(SIGTRAP, count, 0, 0);
  __asm__ volatile("int3");
  SHOW("int3: SIGTRAP handler ran, execution continued", hits[SIGTRAP]);

  /* A stack overflow, caught on the alternate stack. */
  stack_t ss;
  alt_base = malloc(SIGSTKSZ * 4);
  ss.ss_sp = alt_base;
  ss.ss_size = SIGSTKSZ * 4;
  ss.ss_flags = 0;
  SHOW("sigaltstack", sigaltstack(&ss, NULL));
  install_info(SIGSEGV, overflow, SA_ONSTACK);
  if (sigsetjmp(jump, 1) == 0) {
    printf("%d\n", depth(0));
  }
  SHOW("stack overflow: SIGSEGV handlers run", hits[SIGSEGV]);
  YES("the handler ran on the alternate stack", on_alt);
  SHOW("sigaltstack in the handler: ss_flags (SS_ONSTACK)", last_code);
  stack_t after;
  sigaltstack(NULL, &after);
  SHOW("after: ss_flags", after.ss_flags);
  SHOW("sigaltstack(too small)", (ss.ss_size = 100, sigaltstack(&ss, NULL)));

  /* SS_AUTODISARM: the handler runs on the alternate stack, which is disabled meanwhile. */
  ss.ss_size = SIGSTKSZ * 4;
  ss.ss_flags = SS_AUTODISARM;
  SHOW("sigaltstack(SS_AUTODISARM)", sigaltstack(&ss, NULL));
  if (sigsetjmp(jump, 1) == 0) {
    printf("%d\n", depth(0));
  }
  YES("SS_AUTODISARM: the handler ran on the alternate stack", on_alt);
  SHOW("SS_AUTODISARM: sigaltstack in the handler: ss_flags (SS_DISABLE)", last_code);

  /* The FPU state survives a handler that changes it. */
  install(SIGUSR1, fpu_noise, 0, 0);
  volatile double x = 2.0;
  double y = x * 1.5;
  float v[4] __attribute__((aligned(16))) = {1, 2, 3, 4};
  __asm__ volatile("movaps %0, %%xmm1" ::"m"(v));
  raise(SIGUSR1);
  float w[4] __attribute__((aligned(16)));
  __asm__ volatile("movaps %%xmm1, %0" : "=m"(w));
  YES("xmm1 kept across the handler", w[0] == 1 && w[3] == 4);
  YES("x87 value kept", y * 2 == 6.0);

  /* A signal nobody handles whose default is fatal ends the program. */
  signal(SIGUSR2, SIG_DFL);
  puts("raising SIGTERM");
  raise(SIGTERM);
  puts("still here?");
  return 0;
}
