import { getU32, readStruct } from "../abi.ts";
import {
  Blocked,
  EAGAIN,
  EINVAL,
  ENOSYS,
  ETIMEDOUT,
  LinuxError,
} from "../errno.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * futex for a process with one thread: nobody else can wake a waiter, so a
 * wait either fails at once (the word changed, or its timeout expires at
 * once, as all guest timeouts do) or blocks forever; a wake finds nobody.
 */

const FUTEX_WAIT = 0,
  FUTEX_WAKE = 1,
  FUTEX_WAIT_BITSET = 9,
  FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

function futex(s: Call, a: number[]): number {
  const [uaddr, op, val, timeout] = a;
  if (uaddr & 3) throw new LinuxError(EINVAL);
  switch (op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
      if (getU32(s.m, uaddr) !== val) throw new LinuxError(EAGAIN);
      if (timeout) throw new LinuxError(ETIMEDOUT);
      throw new Blocked("waiting on a futex no other thread can wake");
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      readStruct(s.m, uaddr, 4);
      return 0;
    default:
      throw new LinuxError(ENOSYS);
  }
}

/** System calls of this module by number. */
export const futexCalls: SyscallTable = {
  240: { name: "futex", args: "x,d,d,x,x,d", fn: futex },
  422: { name: "futex_time64", args: "x,d,d,x,x,d", fn: futex },
};
