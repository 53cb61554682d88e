import { getI64, readStruct } from "../abi.ts";
import { Blocked, EAGAIN, EINVAL, ESRCH, LinuxError } from "../errno.ts";
import { PID } from "../identity.ts";
import { inSet, NSIG, SIGKILL, SIGSTOP } from "../signals.ts";
import { records, takePending } from "../signals/deliver.ts";
import { siginfoBytes, siginfoWords } from "../signals/frame.ts";
import { nextWakeup } from "../signals/timers.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * Taking signals without a handler, and sending one with a siginfo:
 * rt_sigtimedwait (sigwait, sigwaitinfo, sigtimedwait) and
 * rt_sigqueueinfo / rt_tgsigqueueinfo (sigqueue) to the guest itself.
 *
 * Guest time only passes by running (signals/timers.ts), so a wait with a
 * timeout ends at once with EAGAIN, as nanosleep returns at once, unless a
 * timer is armed to fire within the timeout: then it waits for the timer.
 */

/** rt_sigtimedwait(set, info, timeout, sigsetsize): the signal taken. */
function sigtimedwait(s: Call, a: number[], wide: boolean): number {
  const [setAddr, infoAddr, timeout, size] = a;
  if (size !== 8) throw new LinuxError(EINVAL);
  const v = readStruct(s.m, setAddr, 8);
  const set: [number, number] = [v.getUint32(0, true), v.getUint32(4, true)];
  let waitFor = Infinity;
  if (timeout) {
    const t = readStruct(s.m, timeout, wide ? 16 : 8);
    const sec = wide ? getI64(t, 0) : t.getInt32(0, true);
    const nsec = wide ? getI64(t, 8) : t.getInt32(4, true);
    if (sec < 0 || nsec < 0 || nsec >= 1e9) throw new LinuxError(EINVAL);
    waitFor = sec * 1e9 + nsec;
  }
  const { thread, process } = records(s.k);
  const wanted = (sig: number) => sig !== SIGKILL && sig !== SIGSTOP && inSet(set, sig);
  const taken = takePending(thread, process, wanted);
  if (taken) {
    if (infoAddr) s.m.write(infoAddr, siginfoBytes(taken.sig, taken.info));
    return taken.sig;
  }
  if (nextWakeup(s.k) - s.k.now <= waitFor) throw new Blocked("waiting for a signal in a set");
  throw new LinuxError(EAGAIN);
}

/** rt_sigqueueinfo / rt_tgsigqueueinfo: a signal with the caller's siginfo, to itself only. */
function sigqueueinfo(s: Call, pid: number, sig: number, infoAddr: number): number {
  if (sig < 1 || sig > NSIG) throw new LinuxError(EINVAL);
  const info = siginfoWords(readStruct(s.m, infoAddr, 128));
  // Only the guest itself exists (to itself Linux lets any si_code through).
  if ((pid | 0) !== PID) throw new LinuxError(ESRCH);
  s.k.signal(sig, info);
  return 0;
}

/** System calls of this module by number. */
export const sigwaitCalls: SyscallTable = {
  177: { name: "rt_sigtimedwait", args: "x,x,x,u", fn: (s, a) => sigtimedwait(s, a, false) },
  421: { name: "rt_sigtimedwait_time64", args: "x,x,x,u", fn: (s, a) => sigtimedwait(s, a, true) },
  178: { name: "rt_sigqueueinfo", args: "d,d,x", fn: (s, a) => sigqueueinfo(s, a[0], a[1], a[2]) },
  335: {
    name: "rt_tgsigqueueinfo",
    args: "d,d,d,x",
    fn: (s, a) => {
      if ((a[0] | 0) !== (a[1] | 0)) throw new LinuxError(ESRCH);
      return sigqueueinfo(s, a[0], a[2], a[3]);
    },
  },
};
