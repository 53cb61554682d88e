import { getI64, readStruct, Struct } from "../abi.ts";
import { Blocked, EBADF, EINVAL, LinuxError } from "../errno.ts";
import { pollMask } from "../epoll.ts";
import type { Linux } from "../linux.ts";
import type { Call, SyscallTable } from "./types.ts";
import { timedWait } from "../process/scheduler.ts";

/**
 * poll and select. Files are always ready; pipes, fifos and epoll
 * instances are ready as Linux's poll of them says (epoll.ts, pollMask).
 * A timeout expires at once in a process alone (guest time only moves
 * with instructions); among several it lasts until the machine clock has
 * advanced that far, unless a descriptor becomes ready first
 * (process/scheduler.ts, timedWait). Waiting forever for nothing stops the
 * guest as blocked.
 */

const POLLIN = 0x1,
  POLLPRI = 0x2,
  POLLOUT = 0x4,
  POLLERR = 0x8,
  POLLHUP = 0x10,
  POLLNVAL = 0x20,
  POLLRDNORM = 0x40,
  POLLWRNORM = 0x100;

/** What files that cannot wait report: always readable and writable (Linux's DEFAULT_POLLMASK). */
const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/**
 * Ready events of `fd` among `events`. An empty pipe without writers is
 * POLLHUP only, as on Linux (select still sees it readable).
 */
function pollOne(k: Linux, fd: number, events: number): number {
  if (!k.fds.has(fd)) return POLLNVAL;
  const r = pollMask(k, k.file(fd)) ?? DEFAULT_POLLMASK;
  return r & (events | POLLERR | POLLHUP) & ~POLLPRI;
}

/** Nothing is ready: wait (for ever without a timeout, else `ns` among other processes), or return 0. */
function nothingReady(k: Linux, ns: number | undefined): number {
  if (ns === undefined) {
    throw new Blocked("polling descriptors none of which can become ready");
  }
  timedWait(k, ns, "polling");
  return 0;
}

/** poll / ppoll; `ns` is the timeout in nanoseconds (undefined: none). */
function poll(s: Call, fds: number, nfds: number, ns: number | undefined): number {
  if (nfds > s.k.limits[7][0]) throw new LinuxError(EINVAL);
  const v = readStruct(s.m, fds, nfds * 8);
  const out = new Struct(nfds * 8);
  out.bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  let ready = 0;
  for (let i = 0; i < nfds; i++) {
    const fd = v.getInt32(i * 8, true);
    const r = fd < 0 ? 0 : pollOne(s.k, fd, v.getUint16(i * 8 + 4, true));
    out.u16(i * 8 + 6, r);
    if (r) ready++;
  }
  if (ready === 0) nothingReady(s.k, ns);
  out.write(s.m, fds);
  return ready;
}

/** Reads a timeout in nanoseconds: undefined for none (wait forever). */
function timeout(
  s: Call,
  addr: number,
  kind: "tv" | "ts32" | "ts64",
): number | undefined {
  if (!addr) return undefined;
  const v = readStruct(s.m, addr, kind === "ts64" ? 16 : 8);
  const sec = kind === "ts64" ? getI64(v, 0) : v.getInt32(0, true);
  const frac = kind === "ts64" ? getI64(v, 8) : v.getInt32(4, true);
  if (sec < 0 || frac < 0 || frac >= (kind === "tv" ? 1e6 : 1e9)) {
    throw new LinuxError(EINVAL);
  }
  return sec * 1e9 + frac * (kind === "tv" ? 1e3 : 1);
}

/**
 * select over fd_set bitmaps; the sets are rewritten to the ready
 * descriptors, and the timeout to the time left of it.
 */
function select(
  s: Call,
  n: number,
  sets: number[],
  tAddr: number,
  kind: "tv" | "ts32" | "ts64",
): number {
  if ((n | 0) < 0 || n > s.k.limits[7][0]) throw new LinuxError(EINVAL);
  const t = timeout(s, tAddr, kind);
  const bytes = Math.ceil(n / 32) * 4;
  const masks = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI];
  const input = sets.map((
    a,
  ) => (a ? new Uint8Array(s.m.read(a, bytes)) : undefined));
  const output = sets.map(() => new Uint8Array(bytes));
  let ready = 0;
  for (let fd = 0; fd < n; fd++) {
    const bit = 1 << (fd & 7);
    const wanted = input.some((set) => set && set[fd >> 3] & bit);
    if (!wanted) continue;
    if (!s.k.fds.has(fd)) throw new LinuxError(EBADF);
    const r = pollOne(s.k, fd, POLLIN | POLLOUT);
    for (let i = 0; i < 3; i++) {
      if (input[i] && input[i]![fd >> 3] & bit && r & masks[i]) {
        output[i][fd >> 3] |= bit;
        ready++;
      }
    }
  }
  // Linux writes back what is left of a non-zero timeout: when the call
  // returns, and when a signal interrupts its wait (so whenever it blocks).
  const k = s.k;
  const left = () => (k.sleeping === "woken" ? 0 : k.sleeping === "polling" ? Math.max(0, k.sleepUntil - k.now) : t!);
  if (ready === 0) {
    try {
      nothingReady(k, t);
    } catch (e) {
      if (t) writeTimeout(s, tAddr, kind, left());
      throw e;
    }
  }
  sets.forEach((a, i) => a && s.m.write(a, output[i]));
  if (t) writeTimeout(s, tAddr, kind, ready === 0 ? 0 : left());
  return ready;
}

/** Writes `ns` nanoseconds as a timeval or timespec (select's time left). */
function writeTimeout(s: Call, addr: number, kind: "tv" | "ts32" | "ts64", ns: number): void {
  const sec = Math.floor(ns / 1e9), frac = ns % 1e9;
  const out = new Struct(kind === "ts64" ? 16 : 8);
  if (kind === "ts64") out.u32(0, sec % 2 ** 32).u32(4, Math.floor(sec / 2 ** 32)).u32(8, frac);
  else out.u32(0, sec).u32(4, kind === "tv" ? Math.floor(frac / 1e3) : frac);
  out.write(s.m, addr);
}

/** System calls of this module by number. */
export const pollCalls: SyscallTable = {
  168: {
    name: "poll",
    args: "x,u,d",
    fn: (s, a) => poll(s, a[0], a[1], (a[2] | 0) < 0 ? undefined : (a[2] | 0) * 1e6),
  },
  309: {
    name: "ppoll",
    args: "x,u,x,x,u",
    fn: (s, a) => poll(s, a[0], a[1], timeout(s, a[2], "ts32")),
  },
  414: {
    name: "ppoll_time64",
    args: "x,u,x,x,u",
    fn: (s, a) => poll(s, a[0], a[1], timeout(s, a[2], "ts64")),
  },
  142: {
    name: "_newselect",
    args: "d,x,x,x,x",
    fn: (s, a) => select(s, a[0], a.slice(1, 4), a[4], "tv"),
  },
  82: {
    name: "select",
    args: "x",
    fn: (s, a) => {
      const v = readStruct(s.m, a[0], 20);
      const w = (i: number) => v.getUint32(i * 4, true);
      return select(s, w(0), [w(1), w(2), w(3)], w(4), "tv");
    },
  },
  308: {
    name: "pselect6",
    args: "d,x,x,x,x,x",
    fn: (s, a) => select(s, a[0], a.slice(1, 4), a[4], "ts32"),
  },
  413: {
    name: "pselect6_time64",
    args: "d,x,x,x,x,x",
    fn: (s, a) => select(s, a[0], a.slice(1, 4), a[4], "ts64"),
  },
};
