import { readStruct, Struct } from "../abi.ts";
import { EINVAL, EPERM, ESRCH, LinuxError } from "../errno.ts";
import { STACK_SIZE } from "../layout.ts";
import type { Call, SyscallTable } from "./types.ts";

/** Resource limits: recorded and reported; RLIMIT_NOFILE also bounds descriptors. */

/** A limit as [soft, hard]; -1 is RLIM_INFINITY. */
export type Rlimit = [number, number];

const INF = -1;
const RLIM_NLIMITS = 16;

/**
 * Typical Linux defaults, by resource number (RLIMIT_CPU .. RLIMIT_RTTIME).
 *
 * @example
 * defaultLimits()[7]; // RLIMIT_NOFILE: [1024, 4096]
 */
export function defaultLimits(): Rlimit[] {
  return [
    [INF, INF], // CPU
    [INF, INF], // FSIZE
    [INF, INF], // DATA
    [STACK_SIZE, INF], // STACK
    [0, INF], // CORE
    [INF, INF], // RSS
    [1024, 1024], // NPROC
    [1024, 4096], // NOFILE
    [8 << 20, 8 << 20], // MEMLOCK
    [INF, INF], // AS
    [INF, INF], // LOCKS
    [1024, 1024], // SIGPENDING
    [819200, 819200], // MSGQUEUE
    [0, 0], // NICE
    [0, 0], // RTPRIO
    [INF, INF], // RTTIME
  ];
}

function resource(r: number): number {
  if (r >= RLIM_NLIMITS) throw new LinuxError(EINVAL);
  return r;
}

/** Whether limit `a` is above `b` (with -1 as infinity). */
function above(a: number, b: number): boolean {
  return b !== INF && (a === INF || a > b);
}

/** Installs a new limit: soft ≤ hard, and the hard limit may only go down. */
function setLimit(limits: Rlimit[], r: number, next: Rlimit): void {
  if (above(next[0], next[1])) throw new LinuxError(EINVAL);
  if (above(next[1], limits[r][1])) throw new LinuxError(EPERM);
  limits[r] = next;
}

/** A 32-bit struct rlimit value; `cap` is what infinity and large values read as. */
function to32(x: number, cap: number): number {
  return x === INF || x > cap ? cap : x;
}

function from32(x: number): number {
  return x === 0xffffffff ? INF : x;
}

function from64(v: DataView, off: number): number {
  const x = v.getBigUint64(off, true);
  return x >= 0xffffffffffffffffn ? INF : Number(x);
}

function getrlimit(s: Call, r: number, addr: number, cap: number): number {
  const [cur, max] = s.k.limits[resource(r)];
  new Struct(8).u32(0, to32(cur, cap)).u32(4, to32(max, cap)).write(s.m, addr);
  return 0;
}

function prlimit64(s: Call, a: number[]): number {
  const [pid, r, newAddr, oldAddr] = a;
  if (pid !== 0 && pid !== s.k.pid) throw new LinuxError(ESRCH);
  const limits = s.k.limits;
  resource(r);
  let next: Rlimit | undefined;
  if (newAddr) {
    const v = readStruct(s.m, newAddr, 16);
    next = [from64(v, 0), from64(v, 8)];
  }
  if (oldAddr) {
    const [cur, max] = limits[r];
    new Struct(16).u64(0, cur).u64(8, max).write(s.m, oldAddr);
  }
  if (next) setLimit(limits, r, next);
  return 0;
}

/** System calls of this module by number. */
export const limitCalls: SyscallTable = {
  76: {
    name: "getrlimit",
    args: "d,x",
    fn: (s, a) => getrlimit(s, a[0], a[1], 0x7fffffff),
  },
  191: {
    name: "ugetrlimit",
    args: "d,x",
    fn: (s, a) => getrlimit(s, a[0], a[1], 0xffffffff),
  },
  75: {
    name: "setrlimit",
    args: "d,x",
    fn: (s, a) => {
      const v = readStruct(s.m, a[1], 8);
      const next: Rlimit = [
        from32(v.getUint32(0, true)),
        from32(v.getUint32(4, true)),
      ];
      setLimit(s.k.limits, resource(a[0]), next);
      return 0;
    },
  },
  340: { name: "prlimit64", args: "d,d,x,x", fn: prlimit64 },
};
