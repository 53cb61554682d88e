import {
  type Memory,
  PAGE_MASK,
  PAGE_SHIFT,
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
} from "../../memory/memory.ts";
import { readStruct } from "../abi.ts";
import {
  EACCES,
  EEXIST,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOMEM,
  EPERM,
  LinuxError,
} from "../errno.ts";
import { canRead, canWrite } from "../files.ts";
import { readAt } from "../fs/contents.ts";
import { DEV_ZERO } from "../io.ts";
import { MMAP_MIN, MMAP_TOP, TASK_SIZE } from "../layout.ts";
import type { Call, SyscallTable } from "./types.ts";

/** The address space: brk, mmap and friends, over the pages Memory keeps. */

const MAP_SHARED = 0x01,
  MAP_PRIVATE = 0x02,
  MAP_SHARED_VALIDATE = 0x03,
  MAP_TYPE = 0x0f,
  MAP_FIXED = 0x10,
  MAP_ANONYMOUS = 0x20,
  MAP_FIXED_NOREPLACE = 0x100000;
const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
const MADV_DONTNEED = 4;
/** PROT_GROWSDOWN / PROT_GROWSUP: accepted by mprotect and ignored. */
const PROT_GROWS = 0x03000000;

function pageUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** Whether no page of `[addr, addr+len)` is mapped. */
function isFree(m: Memory, addr: number, len: number): boolean {
  for (let pn = addr >>> PAGE_SHIFT; pn < (addr + len) / PAGE_SIZE; pn++) {
    if (m.isMapped(pn)) return false;
  }
  return true;
}

/** Whether every page of `[addr, addr+len)` is mapped. */
function isMappedRange(m: Memory, addr: number, len: number): boolean {
  for (let pn = addr >>> PAGE_SHIFT; pn < (addr + len) / PAGE_SIZE; pn++) {
    if (!m.isMapped(pn)) return false;
  }
  return true;
}

/**
 * Where a new mapping of `len` bytes goes: the highest free range below
 * MMAP_TOP (top-down, first fit), as Linux places mappings.
 */
function findFree(m: Memory, len: number): number {
  const pages = len / PAGE_SIZE;
  let run = 0;
  for (let pn = MMAP_TOP / PAGE_SIZE - 1; pn >= MMAP_MIN / PAGE_SIZE; pn--) {
    run = m.isMapped(pn) ? 0 : run + 1;
    if (run === pages) return pn * PAGE_SIZE;
  }
  throw new LinuxError(ENOMEM);
}

/**
 * Throws ENOMEM if mapping `[addr, addr+len)` would take the guest's mapped
 * memory past its limit (core/linux/quota.ts); pages mapped already in
 * the range do not count again.
 */
function reserveMemory(s: Call, addr: number, len: number): void {
  let fresh = 0;
  for (let pn = addr >>> PAGE_SHIFT; pn < (addr + len) / PAGE_SIZE; pn++) if (!s.m.isMapped(pn)) fresh++;
  if ((s.m.mappedCount + fresh) * PAGE_SIZE > s.k.quota.memory) throw new LinuxError(ENOMEM);
}

/** Checks a fixed placement: page-aligned and within user space. */
function checkFixed(addr: number, len: number): void {
  if (addr & PAGE_MASK) throw new LinuxError(EINVAL);
  if (addr + len > TASK_SIZE) throw new LinuxError(ENOMEM);
  if (addr < MMAP_MIN) throw new LinuxError(EPERM);
}

/** mmap with a byte offset (mmap2 passes pages, old mmap bytes). */
function mmap(
  s: Call,
  addr: number,
  length: number,
  prot: number,
  flags: number,
  fd: number,
  offset: number,
): number {
  const { k, m } = s;
  const type = flags & MAP_TYPE;
  if (
    length === 0 || offset % PAGE_SIZE || prot & ~7 ||
    (type !== MAP_SHARED && type !== MAP_PRIVATE &&
      type !== MAP_SHARED_VALIDATE)
  ) throw new LinuxError(EINVAL);
  const len = pageUp(length);
  if (len > TASK_SIZE) throw new LinuxError(ENOMEM);
  let source: Uint8Array | undefined;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = k.file(fd);
    const node = f.kind === "node" ? k.fs.get(f.target) : undefined;
    if (node?.kind === "device" && node.rdev === DEV_ZERO) {
      // A private mapping of /dev/zero is anonymous memory.
    } else if (node?.kind !== "file") throw new LinuxError(ENODEV);
    else {
      if (!canRead(f)) throw new LinuxError(EACCES);
      if (type !== MAP_PRIVATE && prot & PROT_WRITE) {
        // Shared writable file mappings would have to write back: not supported.
        if (!canWrite(f)) throw new LinuxError(EACCES);
        throw new LinuxError(ENODEV);
      }
      source = readAt(node, offset, len);
    }
  }
  let at: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    checkFixed(addr, len);
    if (!(flags & MAP_FIXED) && !isFree(m, addr, len)) {
      throw new LinuxError(EEXIST);
    }
    at = addr;
  } else {
    const hint = pageUp(addr);
    at = hint >= MMAP_MIN && hint + len <= TASK_SIZE && isFree(m, hint, len)
      ? hint
      : findFree(m, len);
  }
  reserveMemory(s, at, len);
  m.map(at, len, prot);
  if (source?.length) m.poke(at, source);
  return at;
}

function brk(s: Call, addr: number): number {
  // The break belongs to the process, not to the thread that moves it.
  const { m } = s, k = s.k.group;
  if (addr < k.brkStart || addr > TASK_SIZE) return k.brk;
  const oldEnd = pageUp(k.brk), newEnd = pageUp(addr);
  if (newEnd > oldEnd) {
    if (!isFree(m, oldEnd, newEnd - oldEnd)) return k.brk;
    // Over the memory limit, brk fails as Linux's does: the break stays.
    if ((m.mappedCount * PAGE_SIZE) + (newEnd - oldEnd) > k.quota.memory) return k.brk;
    m.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE);
  } else if (newEnd < oldEnd) m.unmap(newEnd, oldEnd - newEnd);
  k.brk = addr;
  return addr;
}

/** Moves pages (contents and protection) from `from` to `to`. */
function movePages(m: Memory, from: number, to: number, len: number): void {
  for (let off = 0; off < len; off += PAGE_SIZE) {
    const src = (from + off) >>> PAGE_SHIFT;
    m.installPage((to + off) >>> PAGE_SHIFT, m.pageData(src)!, m.protOf(src));
  }
  m.unmap(from, len);
}

function mremap(s: Call, a: number[]): number {
  const m = s.m;
  const [old, oldSize, newSize, flags, newAddr] = a;
  if (
    old & PAGE_MASK || flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED) ||
    (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) || newSize === 0 ||
    oldSize === 0
  ) throw new LinuxError(EINVAL);
  const oldLen = pageUp(oldSize), newLen = pageUp(newSize);
  if (old + oldLen > TASK_SIZE || !isMappedRange(m, old, oldLen)) {
    throw new LinuxError(EFAULT);
  }
  const prot = m.protOf((old + oldLen - 1) >>> PAGE_SHIFT);
  // Growing maps newLen - oldLen more pages wherever they go (a fixed target's own mapped pages, unmapped first, are not subtracted).
  if (newLen > oldLen && (m.mappedCount + (newLen - oldLen) / PAGE_SIZE) * PAGE_SIZE > s.k.quota.memory) {
    throw new LinuxError(ENOMEM);
  }
  if (flags & MREMAP_FIXED) {
    checkFixed(newAddr, newLen);
    if (newAddr < old + oldLen && old < newAddr + newLen) {
      throw new LinuxError(EINVAL);
    }
    m.unmap(newAddr, newLen);
    const keep = Math.min(oldLen, newLen);
    movePages(m, old, newAddr, keep);
    m.unmap(old, oldLen);
    if (newLen > keep) m.map(newAddr + keep, newLen - keep, prot);
    return newAddr;
  }
  if (newLen <= oldLen) {
    m.unmap(old + newLen, oldLen - newLen);
    return old;
  }
  if (old + newLen <= TASK_SIZE && isFree(m, old + oldLen, newLen - oldLen)) {
    m.map(old + oldLen, newLen - oldLen, prot);
    return old;
  }
  if (!(flags & MREMAP_MAYMOVE)) throw new LinuxError(ENOMEM);
  const to = findFree(m, newLen);
  movePages(m, old, to, oldLen);
  m.map(to + oldLen, newLen - oldLen, prot);
  return to;
}

function mprotect(s: Call, addr: number, len: number, prot: number): number {
  if (addr & PAGE_MASK || prot & ~(7 | PROT_GROWS)) {
    throw new LinuxError(EINVAL);
  }
  if (len === 0) return 0;
  if (addr + pageUp(len) > TASK_SIZE) throw new LinuxError(ENOMEM);
  if (!s.m.protect(addr, pageUp(len), prot & 7)) throw new LinuxError(ENOMEM);
  return 0;
}

function munmap(s: Call, addr: number, len: number): number {
  if (addr & PAGE_MASK || len === 0 || addr + pageUp(len) > TASK_SIZE) {
    throw new LinuxError(EINVAL);
  }
  s.m.unmap(addr, pageUp(len));
  return 0;
}

/**
 * madvise: only MADV_DONTNEED changes anything: the pages read as zeros
 * afterwards, as private anonymous memory does on Linux.
 */
function madvise(s: Call, addr: number, len: number, advice: number): number {
  if (addr & PAGE_MASK) throw new LinuxError(EINVAL);
  const n = pageUp(len);
  if (advice !== MADV_DONTNEED || n === 0) return 0;
  if (!isMappedRange(s.m, addr, n)) throw new LinuxError(ENOMEM);
  for (let off = 0; off < n; off += PAGE_SIZE) {
    s.m.map(addr + off, PAGE_SIZE, s.m.protOf((addr + off) >>> PAGE_SHIFT));
  }
  return 0;
}

function mincore(s: Call, addr: number, len: number, vec: number): number {
  if (addr & PAGE_MASK) throw new LinuxError(EINVAL);
  const n = pageUp(len);
  if (!isMappedRange(s.m, addr, n)) throw new LinuxError(ENOMEM);
  s.m.write(vec, new Uint8Array(n / PAGE_SIZE).fill(1));
  return 0;
}

/** System calls of this module by number. */
export const memoryCalls: SyscallTable = {
  45: { name: "brk", args: "x", fn: (s, a) => brk(s, a[0]) },
  192: {
    name: "mmap2",
    args: "x,u,x,x,fd,x",
    fn: (s, a) => mmap(s, a[0], a[1], a[2], a[3], a[4], a[5] * PAGE_SIZE),
  },
  90: {
    name: "mmap",
    args: "x",
    fn: (s, a) => {
      const v = readStruct(s.m, a[0], 24);
      const w = (i: number) => v.getUint32(i * 4, true);
      return mmap(s, w(0), w(1), w(2), w(3), w(4), w(5));
    },
  },
  91: { name: "munmap", args: "x,u", fn: (s, a) => munmap(s, a[0], a[1]) },
  125: {
    name: "mprotect",
    args: "x,u,x",
    fn: (s, a) => mprotect(s, a[0], a[1], a[2]),
  },
  163: { name: "mremap", args: "x,u,u,x,x", fn: mremap },
  219: {
    name: "madvise",
    args: "x,u,d",
    fn: (s, a) => madvise(s, a[0], a[1], a[2]),
  },
  218: {
    name: "mincore",
    args: "x,u,x",
    fn: (s, a) => mincore(s, a[0], a[1], a[2]),
  },
  144: {
    name: "msync",
    args: "x,u,x",
    fn: (_s, a) => {
      if (a[0] & PAGE_MASK) throw new LinuxError(EINVAL);
      return 0;
    },
  },
  150: { name: "mlock", args: "x,u", fn: () => 0 },
  151: { name: "munlock", args: "x,u", fn: () => 0 },
  152: { name: "mlockall", args: "x", fn: () => 0 },
  153: { name: "munlockall", args: "", fn: () => 0 },
};
