import type { Memory } from "../memory/memory.ts";
import { errnoName } from "./errno.ts";
import {
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_LARGEFILE,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_TMPFILE,
  O_TRUNC,
} from "./files.ts";
import { syscallName } from "./syscalls/names.ts";
import type { SyscallDef } from "./syscalls/types.ts";

/**
 * strace-like lines for traced system calls, e.g.
 * `open("/etc/passwd", O_RDONLY) = 3` or `read(3, 0x1000, 16) = -1 EBADF`.
 */

/** Bytes of a buffer or string shown before "...". */
const SHOW = 32;

const OPEN_FLAGS: [number, string][] = [
  [O_CREAT, "O_CREAT"],
  [O_EXCL, "O_EXCL"],
  [O_TRUNC, "O_TRUNC"],
  [O_APPEND, "O_APPEND"],
  [O_NONBLOCK, "O_NONBLOCK"],
  [O_LARGEFILE, "O_LARGEFILE"],
  [O_DIRECTORY, "O_DIRECTORY"],
  [O_NOFOLLOW, "O_NOFOLLOW"],
  [O_CLOEXEC, "O_CLOEXEC"],
  [O_PATH, "O_PATH"],
];

/** Calls whose result is an address. */
const ADDRESS_RESULT = new Set(["brk", "mmap", "mmap2", "mremap"]);

function quote(bytes: Uint8Array, more: boolean): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) s += "\\" + String.fromCharCode(b);
    else if (b === 10) s += "\\n";
    else if (b === 9) s += "\\t";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += "\\x" + b.toString(16).padStart(2, "0");
  }
  return s + '"' + (more ? "..." : "");
}

function hex(x: number): string {
  return x === 0 ? "NULL" : "0x" + (x >>> 0).toString(16);
}

/** A guest buffer as a quoted string, or its address if unreadable. */
function buffer(m: Memory, addr: number, len: number): string {
  try {
    return quote(m.read(addr, Math.min(len, SHOW)), len > SHOW);
  } catch {
    return hex(addr);
  }
}

function cString(m: Memory, addr: number): string {
  try {
    const bytes: number[] = [];
    for (let i = 0; i <= SHOW * 2; i++) {
      const b = m.r8((addr + i) | 0);
      if (b === 0) return quote(Uint8Array.from(bytes), false);
      bytes.push(b);
    }
    return quote(Uint8Array.from(bytes), true);
  } catch {
    return hex(addr);
  }
}

function openFlags(f: number): string {
  const names = [
    ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][f & O_ACCMODE],
  ];
  let rest = f & ~O_ACCMODE;
  for (const [bit, name] of OPEN_FLAGS) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest) names.push("0x" + rest.toString(16));
  return names.join("|");
}

/** One argument; undefined to leave it out. `prev` and `next` are its neighbours. */
function arg(
  m: Memory,
  kind: string,
  x: number,
  prev: number,
  next: number,
  result?: number,
): string | undefined {
  switch (kind) {
    case "d":
      return String(x | 0);
    case "u":
      return String(x >>> 0);
    case "o":
      return "0" + x.toString(8);
    case "cmode": // open's mode: only meaningful when creating
      return prev & (O_CREAT | O_TMPFILE) ? "0" + x.toString(8) : undefined;
    case "fd":
      return (x | 0) === -100 ? "AT_FDCWD" : String(x | 0);
    case "s":
      return cString(m, x);
    case "oflags":
      return openFlags(x);
    case "wbuf":
      return buffer(m, x, next);
    case "rbuf":
      return result !== undefined && result > 0 ? buffer(m, x, result) : hex(x);
    default:
      return hex(x);
  }
}

/**
 * One trace line: the call with its arguments, and " = result" when
 * `result` is given (negative: "-1 ERRNO").
 *
 * @example
 * formatCall(m, 6, SYSCALLS[6], [9], -9); // "close(9) = -1 EBADF"
 */
export function formatCall(
  m: Memory,
  nr: number,
  def: SyscallDef | undefined,
  a: number[],
  result?: number,
): string {
  const name = def?.name ?? syscallName(nr);
  const kinds = def ? (def.args ? def.args.split(",") : []) : a.map(() => "x");
  const args = kinds.map((k, i) => arg(m, k, a[i], a[i - 1], a[i + 1], result))
    .filter((s) => s !== undefined);
  const call = `${name}(${args.join(", ")})`;
  if (result === undefined) return call;
  if (result < 0 && result > -4096) return `${call} = -1 ${errnoName(-result)}`;
  return `${call} = ${ADDRESS_RESULT.has(name) ? hex(result) : result}`;
}
