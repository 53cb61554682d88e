import { readStruct, Struct } from "../abi.ts";
import { Blocked, EINVAL, ESRCH, LinuxError } from "../errno.ts";
import { killTargets, sendSignal } from "../process/kill.ts";
import { NSIG, type SigAction, SIGKILL, SIGSTOP } from "../signals.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * Signals. Handlers and masks are recorded but no signal is ever delivered
 * to a handler; a signal the process sends itself whose default action is
 * fatal ends it ("killed by signal N").
 */

const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
/** SIGKILL and SIGSTOP can be neither caught nor blocked. */
const UNBLOCKABLE = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

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
  const actions = s.k.signals.actions;
  const old = actions[sig] ??
    { handler: 0, flags: 0, restorer: 0, mask: [0, 0] };
  if (next) {
    if (sig === SIGKILL || sig === SIGSTOP) throw new LinuxError(EINVAL);
    if (next.handler === 0) delete actions[sig];
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
  const blocked = s.k.signals.blocked;
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

function sigaltstack(s: Call, ss: number, oss: number): number {
  const alt = s.k.signals.altstack;
  let next: typeof alt | undefined;
  if (ss) {
    const v = readStruct(s.m, ss, 12);
    next = {
      sp: v.getUint32(0, true),
      flags: v.getInt32(4, true),
      size: v.getUint32(8, true),
    };
    if (next.flags & ~(2 /* SS_DISABLE */ | 0x80000000 /* SS_AUTODISARM */)) {
      throw new LinuxError(EINVAL);
    }
  }
  if (oss) {
    new Struct(12).u32(0, alt.sp).u32(4, alt.flags).u32(8, alt.size).write(
      s.m,
      oss,
    );
  }
  if (next) s.k.signals.altstack = next;
  return 0;
}

/** kill / tkill / tgkill (the processes a pid names: process/kill.ts). */
function kill(s: Call, pid: number, sig: number): number {
  const targets = killTargets(s.k, pid | 0);
  checkSignal(sig, true);
  if (sig !== 0) sendSignal(targets, sig);
  return 0;
}

function pending(s: Call, addr: number, words: 1 | 2): number {
  const p = s.k.signals.pending;
  const st = new Struct(4 * words).u32(0, p[0]);
  if (words === 2) st.u32(4, p[1]);
  st.write(s.m, addr);
  return 0;
}

const waitForever = () => {
  throw new Blocked("waiting for a signal, and none can come");
};

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
  238: { name: "tkill", args: "d,d", fn: (s, a) => kill(s, a[0], a[1]) },
  270: {
    name: "tgkill",
    args: "d,d,d",
    fn: (s, a) => {
      if ((a[0] | 0) <= 0 || (a[1] | 0) <= 0) throw new LinuxError(EINVAL);
      if (!killTargets(s.k, a[0] | 0).some((p) => p.pid === a[1])) throw new LinuxError(ESRCH);
      return kill(s, a[1], a[2]);
    },
  },
  29: { name: "pause", args: "", fn: waitForever },
  179: { name: "rt_sigsuspend", args: "x,u", fn: waitForever },
};
