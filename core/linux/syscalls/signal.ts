import { readStruct, Struct } from "../abi.ts";
import { Blocked, EINVAL, ENOMEM, EPERM, ESRCH, LinuxError } from "../errno.ts";
import { UID } from "../identity.ts";
import { killTargets, sendSignal } from "../process/kill.ts";
import { NSIG, SA_NOCLDWAIT, SI_TKILL, SI_USER, type SigAction, SIGCHLD, SIGKILL, SIGSEGV, SIGSTOP } from "../signals.ts";
import { raiseSignal, records, UNBLOCKABLE } from "../signals/deliver.ts";
import { altstackFlags, onStack, popFrame, SS_AUTODISARM, SS_DISABLE } from "../signals/frame.ts";
import { GuestFault } from "../../fault.ts";
import { EAX, ESP } from "../../cpu/state.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * Signals: actions, masks, the alternate stack, sending signals to itself,
 * waiting for one, and returning from a handler (signals/ delivers them).
 */

const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
/** The smallest alternate stack sigaltstack accepts (MINSIGSTKSZ). */
const MINSIGSTKSZ = 2048;

function checkSignal(sig: number, allowZero = false): void {
  if (sig > NSIG || (sig === 0 && !allowZero)) throw new LinuxError(EINVAL);
}

/** Replaces an action; returns the old one. */
function swapAction(
  s: Call,
  sig: number,
  next: SigAction | undefined,
): SigAction {
  checkSignal(sig);
  const actions = records(s.k).process.actions;
  const old = actions[sig] ??
    { handler: 0, flags: 0, restorer: 0, mask: [0, 0] };
  if (next) {
    if (sig === SIGKILL || sig === SIGSTOP) throw new LinuxError(EINVAL);
    // The default action is no record, except SIGCHLD's with SA_NOCLDWAIT, which still reaps children.
    if (next.handler === 0 && !(sig === SIGCHLD && next.flags & SA_NOCLDWAIT)) delete actions[sig];
    else actions[sig] = next;
  }
  return old;
}

/** rt_sigaction: struct sigaction { handler, flags, restorer, mask[2] }. */
function rtSigaction(s: Call, a: number[]): number {
  const [sig, act, oact, size] = a;
  if (size !== 8) throw new LinuxError(EINVAL);
  let next: SigAction | undefined;
  if (act) {
    const v = readStruct(s.m, act, 20);
    const w = (i: number) => v.getUint32(i * 4, true);
    next = { handler: w(0), flags: w(1), restorer: w(2), mask: [w(3), w(4)] };
  }
  if (oact) readStruct(s.m, oact, 20); // a bad oact must fail before anything changes
  const old = swapAction(s, sig, next);
  if (oact) {
    new Struct(20).u32(0, old.handler).u32(4, old.flags).u32(8, old.restorer)
      .u32(12, old.mask[0]).u32(16, old.mask[1]).write(s.m, oact);
  }
  return 0;
}

/** sigaction (old): struct old_sigaction { handler, mask, flags, restorer }. */
function sigaction(s: Call, a: number[]): number {
  const [sig, act, oact] = a;
  let next: SigAction | undefined;
  if (act) {
    const v = readStruct(s.m, act, 16);
    const w = (i: number) => v.getUint32(i * 4, true);
    next = { handler: w(0), mask: [w(1), 0], flags: w(2), restorer: w(3) };
  }
  if (oact) readStruct(s.m, oact, 16);
  const old = swapAction(s, sig, next);
  if (oact) {
    new Struct(16).u32(0, old.handler).u32(4, old.mask[0]).u32(8, old.flags)
      .u32(12, old.restorer).write(s.m, oact);
  }
  return 0;
}

/** sigprocmask / rt_sigprocmask over a [1-32, 33-64] mask. */
function sigprocmask(
  s: Call,
  how: number,
  set: number,
  oset: number,
  words: 1 | 2,
): number {
  const blocked = records(s.k).thread.blocked;
  let change: [number, number] | undefined;
  if (set) {
    if (how > SIG_SETMASK) throw new LinuxError(EINVAL);
    const v = readStruct(s.m, set, 4 * words);
    change = [v.getUint32(0, true), words === 2 ? v.getUint32(4, true) : 0];
  }
  if (oset) {
    const st = new Struct(4 * words).u32(0, blocked[0]);
    if (words === 2) st.u32(4, blocked[1]);
    st.write(s.m, oset);
  }
  if (change) {
    for (const i of [0, 1]) {
      if (words === 1 && i === 1) continue;
      const cur = blocked[i], c = change[i];
      blocked[i] = how === SIG_BLOCK
        ? cur | c
        : how === SIG_UNBLOCK
        ? cur & ~c
        : c;
    }
    blocked[0] &= ~UNBLOCKABLE;
  }
  return 0;
}

/** sigaltstack: EPERM while running on the alternate stack, ENOMEM below MINSIGSTKSZ. */
function sigaltstack(s: Call, ss: number, oss: number): number {
  const thread = records(s.k).thread;
  const alt = thread.altstack;
  const sp = s.c.r[ESP];
  let next: typeof alt | undefined;
  if (ss) {
    const v = readStruct(s.m, ss, 12);
    next = {
      sp: v.getUint32(0, true),
      flags: v.getUint32(4, true),
      size: v.getUint32(8, true),
    };
    if (next.flags & ~(SS_DISABLE | SS_AUTODISARM)) throw new LinuxError(EINVAL);
    if (onStack(alt, sp)) throw new LinuxError(EPERM);
    if (next.flags & SS_DISABLE) next = { sp: 0, flags: SS_DISABLE, size: 0 };
    else if (next.size < MINSIGSTKSZ) throw new LinuxError(ENOMEM);
  }
  if (oss) {
    new Struct(12).u32(0, alt.sp).u32(4, altstackFlags(alt, sp)).u32(8, alt.size).write(
      s.m,
      oss,
    );
  }
  if (next) thread.altstack = next;
  return 0;
}

/**
 * kill / tkill / tgkill (which signal the thread): the processes a pid
 * names (process/kill.ts), with the sender's siginfo.
 */
function kill(s: Call, pid: number, sig: number, code = SI_USER): number {
  const targets = killTargets(s.k, pid | 0);
  checkSignal(sig, true);
  if (sig !== 0) sendSignal(targets, sig, [code, s.k.tgid, UID], code === SI_TKILL ? "thread" : "process");
  return 0;
}

/** sigpending / rt_sigpending: the pending signals that are blocked. */
function pending(s: Call, addr: number, words: 1 | 2): number {
  const { thread, process } = records(s.k);
  const set = [0, 1].map((w) => (thread.pending[w] | process.pending[w]) & thread.blocked[w]);
  const st = new Struct(4 * words).u32(0, set[0]);
  if (words === 2) st.u32(4, set[1]);
  st.write(s.m, addr);
  return 0;
}

const waitForever = () => {
  throw new Blocked("waiting for a signal, and none can come");
};

/**
 * rt_sigsuspend / sigsuspend: waits with `mask` blocked; the handler's
 * frame records the mask from before, which its return puts back.
 */
function sigsuspend(s: Call, mask: [number, number]): number {
  const thread = records(s.k).thread;
  // A retried wait (after a budget stop) must keep the mask saved the first time.
  thread.saved ??= [thread.blocked[0], thread.blocked[1]];
  thread.blocked = [mask[0] & ~UNBLOCKABLE, mask[1]];
  return waitForever();
}

/** sigreturn / rt_sigreturn: back from a handler, with the state its frame holds. */
function sigreturn(s: Call, rt: boolean): number {
  const thread = records(s.k).thread;
  try {
    const back = popFrame(s.c, s.m, rt);
    thread.blocked = [back.mask[0] & ~UNBLOCKABLE, back.mask[1]];
    if (back.altstack && !onStack(thread.altstack, s.c.r[ESP])) {
      const a = back.altstack;
      thread.altstack = a.flags & SS_DISABLE || a.size < MINSIGSTKSZ
        ? { sp: 0, flags: SS_DISABLE, size: 0 }
        : { sp: a.sp, flags: a.flags & SS_AUTODISARM, size: a.size };
    }
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    // A frame that cannot be read back: Linux kills the process with SIGSEGV.
    s.k.exit ??= { kind: "killed", signal: SIGSEGV };
  }
  return s.c.r[EAX];
}

/** System calls of this module by number. */
export const signalCalls: SyscallTable = {
  174: { name: "rt_sigaction", args: "d,x,x,u", fn: rtSigaction },
  67: { name: "sigaction", args: "d,x,x", fn: sigaction },
  48: {
    name: "signal",
    args: "d,x",
    fn: (s, a) =>
      swapAction(s, a[0], {
        handler: a[1],
        flags: 0,
        restorer: 0,
        mask: [0, 0],
      }).handler,
  },
  175: {
    name: "rt_sigprocmask",
    args: "d,x,x,u",
    fn: (s, a) => {
      if (a[3] !== 8) throw new LinuxError(EINVAL);
      return sigprocmask(s, a[0], a[1], a[2], 2);
    },
  },
  126: {
    name: "sigprocmask",
    args: "d,x,x",
    fn: (s, a) => sigprocmask(s, a[0], a[1], a[2], 1),
  },
  176: {
    name: "rt_sigpending",
    args: "x,u",
    fn: (s, a) => {
      if (a[1] !== 8) throw new LinuxError(EINVAL);
      return pending(s, a[0], 2);
    },
  },
  73: { name: "sigpending", args: "x", fn: (s, a) => pending(s, a[0], 1) },
  186: {
    name: "sigaltstack",
    args: "x,x",
    fn: (s, a) => sigaltstack(s, a[0], a[1]),
  },
  37: { name: "kill", args: "d,d", fn: (s, a) => kill(s, a[0], a[1]) },
  238: { name: "tkill", args: "d,d", fn: (s, a) => kill(s, a[0], a[1], SI_TKILL) },
  270: {
    name: "tgkill",
    args: "d,d,d",
    fn: (s, a) => {
      if ((a[0] | 0) <= 0 || (a[1] | 0) <= 0) throw new LinuxError(EINVAL);
      if (!killTargets(s.k, a[0] | 0).some((p) => p.pid === a[1])) throw new LinuxError(ESRCH);
      return kill(s, a[1], a[2], SI_TKILL);
    },
  },
  29: { name: "pause", args: "", fn: waitForever },
  179: {
    name: "rt_sigsuspend",
    args: "x,u",
    fn: (s, a) => {
      if (a[1] !== 8) throw new LinuxError(EINVAL);
      const v = readStruct(s.m, a[0], 8);
      return sigsuspend(s, [v.getUint32(0, true), v.getUint32(4, true)]);
    },
  },
  72: {
    name: "sigsuspend",
    args: "x,x,x",
    // The old call takes the mask itself, in its third argument.
    fn: (s, a) => sigsuspend(s, [a[2], records(s.k).thread.blocked[1]]),
  },
  119: { name: "sigreturn", args: "", fn: (s) => sigreturn(s, false) },
  173: { name: "rt_sigreturn", args: "", fn: (s) => sigreturn(s, true) },
};
