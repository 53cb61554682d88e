/**
 * Output lines of the signal test programs (tests/linux/progs/) that
 * qemu-i386 7.2 gets wrong, by program: under qemu they are left out of
 * the comparison (a kernel and fx86 agree on them, so a native reference
 * keeps checking them). Shared by the static builds' tests
 * (tests/linux/signals.test.ts) and the dynamic ones (tests/e2e/debian.test.ts).
 */
export const QEMU_WRONG_SIGNALS: Record<string, string[]> = {
  // qemu-i386 7.2 raises no unmasked x87 exception (the division gives
  // inf and no SIGFPE), where Linux's math_error sends SIGFPE with
  // FPE_FLTDIV; and the handler's fresh FPU (Linux's handle_signal clears
  // it) is what leaves the flags clear after siglongjmp.
  // qemu-i386 7.2 refuses SS_AUTODISARM (Linux 4.7) with EINVAL.
  signals: [
    "x87 divide by zero, unmasked: ",
    "the handler's FPU was reset",
    "sigaltstack(SS_AUTODISARM)",
    "SS_AUTODISARM: ",
  ],
  // qemu-i386 7.2 does not give the interrupted code its x87 registers back
  // exactly after a handler that used the x87 (seen with a handler that
  // only computes a double).
  interrupts: ["same double with interruptions: "],
  // qemu-i386 7.2 installs its own host handler for SIGCHLD, so the host
  // kernel never sees SA_NOCLDWAIT and keeps the children for wait.
  children: ["SA_NOCLDWAIT: "],
  // Likewise it never sees SA_NOCLDSTOP: SIGCHLD comes for stops and continues too.
  stop: ["SA_NOCLDSTOP: no SIGCHLD for", "SA_NOCLDSTOP: the end's SIGCHLD"],
};
