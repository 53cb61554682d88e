import { GuestFault } from "../../fault.ts";
import { FS, GS } from "../../cpu/state.ts";
import { readStruct, Struct } from "../abi.ts";
import { EINVAL, ESRCH, LinuxError } from "../errno.ts";
import type { Linux } from "../linux.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * Thread-local storage segments. As on an i386 kernel, GDT entries 6, 7 and
 * 8 are the thread's TLS slots: set_thread_area fills one, and code then
 * loads selector (entry << 3) | 3 into GS (or FS), which the CPU resolves to
 * the slot's base through {@link segmentBase}.
 */

/** One TLS slot: base, limit and the user_desc flag bits (seg_32bit .. useable). */
export interface TlsEntry {
  base: number;
  limit: number;
  flags: number;
}

/** First TLS entry in the GDT, and how many there are. */
const TLS_FIRST = 6, TLS_COUNT = 3;
/** The flat user code and data selectors of an i386 kernel (__USER_CS, __USER_DS). */
export const USER_CS = 0x73, USER_DS = 0x7b;

const SEG_32BIT = 1, READ_EXEC_ONLY = 8, SEG_NOT_PRESENT = 32;
const CONTENTS = 6;
const FLAG_BITS = 0x7f;

/**
 * The base of the segment a selector names: 0 for the null and flat
 * selectors, the slot's base for a present TLS entry; anything else is a
 * general-protection fault.
 *
 * @example
 * cpu.resolveSegment = (selector) => segmentBase(linux, selector);
 */
export function segmentBase(k: Linux, selector: number): number {
  if ((selector & ~3) === 0 || selector === USER_CS || selector === USER_DS) {
    return 0;
  }
  const slot = (selector >> 3) - TLS_FIRST;
  const e = (selector & 7) === 3 && slot >= 0 && slot < TLS_COUNT
    ? k.tls[slot]
    : null;
  if (!e || e.flags & SEG_NOT_PRESENT) {
    throw new GuestFault(
      "general-protection",
      0,
      `no segment descriptor for selector 0x${selector.toString(16)}`,
    );
  }
  return e.base;
}

/** Whether a user_desc describes "no segment" (Linux's LDT_empty or LDT_zero). */
function isEmpty(base: number, limit: number, flags: number): boolean {
  if (base !== 0 || limit !== 0) return false;
  return flags === 0 || flags === (READ_EXEC_ONLY | SEG_NOT_PRESENT);
}

/**
 * set_thread_area (also what clone's CLONE_SETTLS does for the new thread):
 * installs the user_desc at `addr` in one of the TLS slots.
 *
 * @example
 * setThreadArea({ k: thread, c: thread.cpu!, m: thread.mem! }, userDescAddr);
 */
export function setThreadArea(s: Call, addr: number): number {
  const { k, c, m } = s;
  const v = readStruct(m, addr, 16);
  let entry = v.getUint32(0, true);
  const base = v.getUint32(4, true), limit = v.getUint32(8, true);
  const flags = v.getUint32(12, true) & FLAG_BITS;
  const empty = isEmpty(base, limit, flags);
  if (!empty && (!(flags & SEG_32BIT) || (flags & CONTENTS) >> 1 > 1)) {
    throw new LinuxError(EINVAL);
  }
  if (entry === 0xffffffff) {
    const free = k.tls.indexOf(null);
    if (free < 0) throw new LinuxError(ESRCH);
    entry = TLS_FIRST + free;
    new Struct(4).u32(0, entry).write(m, addr);
  }
  const slot = entry - TLS_FIRST;
  if (slot < 0 || slot >= TLS_COUNT) throw new LinuxError(EINVAL);
  k.tls[slot] = empty ? null : { base, limit, flags };
  // Like Linux, reload FS/GS if they hold the selector just changed.
  const selector = (entry << 3) | 3;
  for (const seg of [FS, GS]) {
    if (c.sreg[seg] === selector) c.segBase[seg] = empty ? 0 : base | 0;
  }
  return 0;
}

function getThreadArea(s: Call, addr: number): number {
  const entry = readStruct(s.m, addr, 4).getUint32(0, true);
  const slot = entry - TLS_FIRST;
  if (slot < 0 || slot >= TLS_COUNT) throw new LinuxError(EINVAL);
  const e = s.k.tls[slot] ??
    { base: 0, limit: 0, flags: READ_EXEC_ONLY | SEG_NOT_PRESENT };
  new Struct(16).u32(0, entry).u32(4, e.base).u32(8, e.limit).u32(12, e.flags)
    .write(s.m, addr);
  return 0;
}

/** System calls of this module by number. */
export const tlsCalls: SyscallTable = {
  243: {
    name: "set_thread_area",
    args: "x",
    fn: (s, a) => setThreadArea(s, a[0]),
  },
  244: {
    name: "get_thread_area",
    args: "x",
    fn: (s, a) => getThreadArea(s, a[0]),
  },
};
