import { getU32, readStruct } from "../abi.ts";
import {
  Blocked,
  EAGAIN,
  EINVAL,
  ENOSYS,
  ETIMEDOUT,
  LinuxError,
} from "../errno.ts";
import { futexRequeue, futexWake } from "../process/futexes.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * futex between the threads of a process (../process/futexes.ts): a wait
 * fails at once if the word changed, or if it has a timeout (which expires
 * at once, as all guest timeouts do); else the thread blocks until another
 * wakes it. With no other thread to wake it, it blocks forever.
 */

const FUTEX_WAIT = 0,
  FUTEX_WAKE = 1,
  FUTEX_REQUEUE = 3,
  FUTEX_CMP_REQUEUE = 4,
  FUTEX_WAIT_BITSET = 9,
  FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

function futex(s: Call, a: number[]): number {
  const [uaddr, op, val, timeout, uaddr2, val3] = a;
  const k = s.k;
  if (uaddr & 3) throw new LinuxError(EINVAL);
  switch (op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
      // The scheduler retries a blocked wait: a wake has come meanwhile.
      if (k.futexWoken) {
        k.futexWoken = false;
        return 0;
      }
      if (getU32(s.m, uaddr) !== val) throw new LinuxError(EAGAIN);
      if (timeout) throw new LinuxError(ETIMEDOUT);
      k.futexAddr = uaddr;
      throw new Blocked("waiting on a futex");
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      readStruct(s.m, uaddr, 4);
      return futexWake(k, uaddr, val | 0);
    case FUTEX_CMP_REQUEUE:
      if (getU32(s.m, uaddr) !== val3) throw new LinuxError(EAGAIN);
    // falls through
    case FUTEX_REQUEUE:
      return futexWake(k, uaddr, val | 0) + futexRequeue(k, uaddr, uaddr2, timeout | 0);
    default:
      throw new LinuxError(ENOSYS);
  }
}

/** System calls of this module by number. */
export const futexCalls: SyscallTable = {
  240: { name: "futex", args: "x,d,d,x,x,d", fn: futex },
  422: { name: "futex_time64", args: "x,d,d,x,x,d", fn: futex },
};
