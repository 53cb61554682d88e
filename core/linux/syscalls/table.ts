import { dirCalls } from "./dirs.ts";
import { epollCalls } from "./epoll.ts";
import { futexCalls } from "./futex.ts";
import { ioCalls } from "./io.ts";
import { limitCalls } from "./limits.ts";
import { memoryCalls } from "./memory.ts";
import { mknodCalls } from "./mknod.ts";
import { netCalls } from "./net.ts";
import { openCalls } from "./open.ts";
import { pollCalls } from "./poll.ts";
import { processCalls } from "./process.ts";
import { signalCalls } from "./signal.ts";
import { sigwaitCalls } from "./sigwait.ts";
import { statCalls } from "./stat.ts";
import { timeCalls } from "./time.ts";
import { timerCalls } from "./timer.ts";
import { tlsCalls } from "./tls.ts";
import { xattrCalls } from "./xattr.ts";
import type { SyscallDef, SyscallTable } from "./types.ts";

const GROUPS: SyscallTable[] = [
  ioCalls,
  openCalls,
  dirCalls,
  mknodCalls,
  statCalls,
  memoryCalls,
  processCalls,
  limitCalls,
  signalCalls,
  sigwaitCalls,
  timeCalls,
  timerCalls,
  tlsCalls,
  pollCalls,
  epollCalls,
  futexCalls,
  netCalls,
  xattrCalls,
];

/**
 * Every implemented system call, indexed by number (undefined: ENOSYS).
 *
 * @example
 * SYSCALLS[4]?.name; // "write"
 */
export const SYSCALLS: (SyscallDef | undefined)[] = (() => {
  const table: (SyscallDef | undefined)[] = [];
  for (const group of GROUPS) {
    for (const [nr, def] of Object.entries(group)) {
      if (table[+nr]) throw new Error(`system call ${nr} is defined twice`);
      table[+nr] = def;
    }
  }
  return table;
})();
