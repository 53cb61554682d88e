/**
 * The CPU and memory parts of a guest subtree (docs/guest-state.md), both
 * directions. Page blobs hold copies of the memory's pages (Memory.pageData),
 * taken only for the pages changed since the last conversion; restoring
 * copies a blob into the memory when the guest first touches its page.
 */
import { eflags, setEflags } from "../cpu/flags.ts";
import { Cpu, MXCSR_MASK, RF } from "../cpu/state.ts";
import { X87 } from "../cpu/x87/x87.ts";
import { type Memory, PAGE_SIZE } from "../memory/memory.ts";
import { GuestFault } from "../fault.ts";
import { blob, type BlobNode, dirFromEntries, type DirNode, EMPTY_DIR, type TreeNode } from "../tree/mod.ts";

const REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEGS = ["es", "cs", "ss", "ds", "fs", "gs"];

/** Raised when a subtree does not have the guest layout. */
export class LayoutError extends Error {}

function u32(v: number): BlobNode {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return blob(b);
}

function u64(v: number): BlobNode {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return blob(b);
}

/** The blob at `name` in `dir`, or a LayoutError naming what is missing. */
export function blobAt(dir: DirNode, name: string, where: string): BlobNode {
  const n = dir.get(name);
  if (n?.kind !== "blob") throw new LayoutError(`${where}/${name} is missing or not a blob`);
  return n;
}

/** The directory at `name` in `dir`, or a LayoutError. */
export function dirAt(dir: DirNode, name: string, where: string): DirNode {
  const n = dir.get(name);
  if (n?.kind !== "dir") throw new LayoutError(`${where}/${name} is missing or not a directory`);
  return n;
}

function readU32(dir: DirNode, name: string): number {
  const b = blobAt(dir, name, "cpu");
  if (b.size !== 4) throw new LayoutError(`cpu/${name} must be 4 bytes, not ${b.size}`);
  return new DataView(b.bytes.buffer, b.bytes.byteOffset, 4).getUint32(0, true);
}

/**
 * `cpu/` for the CPU's current state. Registers whose value equals the one
 * in `previous` keep their blob (and its hash), so a snapshot after a few
 * instructions re-hashes only the registers that changed.
 */
export function cpuToTree(c: Cpu, previous?: DirNode): DirNode {
  const same = (name: string, made: BlobNode): BlobNode => {
    const old = previous?.get(name);
    return old?.kind === "blob" && equalBytes(old.bytes, made.bytes) ? old : made;
  };
  const entries: [string, TreeNode][] = REGS.map((n, k) => [n, same(n, u32(c.r[k]))]);
  entries.push(["eip", same("eip", u32(c.eip))], ["eflags", same("eflags", u32(eflags(c)))]);
  entries.push(["fs_base", same("fs_base", u32(c.segBase[4]))], ["gs_base", same("gs_base", u32(c.segBase[5]))]);
  SEGS.forEach((n, k) => entries.push([n, same(n, u32(c.sreg[k]))]));
  entries.push(["icount", same("icount", u64(c.icount))]);
  entries.push(["x87", same("x87", blob(c.fpu.save()))]);
  entries.push(["xmm", same("xmm", blob(c.xmm.slice()))], ["mxcsr", same("mxcsr", u32(c.mxcsr))]);
  return dirFromEntries(entries);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A CPU from `cpu/`; segment bases come from the blobs (the OS re-attaches its resolver). */
export function cpuFromTree(dir: DirNode): Cpu {
  const c = new Cpu(new X87());
  REGS.forEach((n, k) => c.r[k] = readU32(dir, n));
  c.eip = readU32(dir, "eip") | 0;
  const ef = readU32(dir, "eflags");
  setEflags(c, ef, 0xffffffff);
  // RF marks a REP string instruction its budget interrupted (Guest.runNested).
  c.ef |= ef & RF;
  c.segBase[4] = readU32(dir, "fs_base");
  c.segBase[5] = readU32(dir, "gs_base");
  SEGS.forEach((n, k) => c.sreg[k] = readU32(dir, n));
  const ic = blobAt(dir, "icount", "cpu");
  if (ic.size !== 8) throw new LayoutError(`cpu/icount must be 8 bytes, not ${ic.size}`);
  c.icount = Number(new DataView(ic.bytes.buffer, ic.bytes.byteOffset, 8).getBigUint64(0, true));
  const x87 = blobAt(dir, "x87", "cpu");
  try {
    c.fpu.restore(x87.bytes);
  } catch (e) {
    throw new LayoutError(`cpu/x87: ${(e as Error).message}`);
  }
  const xmm = blobAt(dir, "xmm", "cpu");
  if (xmm.size !== c.xmm.length) throw new LayoutError(`cpu/xmm must be ${c.xmm.length} bytes, not ${xmm.size}`);
  c.xmm.set(xmm.bytes);
  const mxcsr = readU32(dir, "mxcsr");
  if (mxcsr & ~MXCSR_MASK) throw new LayoutError(`cpu/mxcsr sets reserved bits (0x${mxcsr.toString(16)})`);
  c.mxcsr = mxcsr;
  return c;
}

/**
 * The blob of a zero page, made once: mapped pages that were never written
 * (often most of a guest's) then share it and its hash rather than each
 * keeping a zero-filled copy.
 */
const ZERO_PAGE_BLOB = blob(new Uint8Array(PAGE_SIZE));

function pageBlob(bytes: Uint8Array): BlobNode {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, PAGE_SIZE / 4);
  for (let k = 0; k < words.length; k++) if (words[k] !== 0) return blob(bytes);
  return ZERO_PAGE_BLOB;
}

/** Names of radix entries 000…3ff, made once (snapshots of big guests would make millions). */
const HEX3 = Array.from({ length: 1024 }, (_, i) => i.toString(16).padStart(3, "0"));
/** A radix entry's name to its number (and only the 1024 valid names). */
const RADIX = new Map(HEX3.map((name, i) => [name, i]));

/** `mem/` of a memory that has no pages. */
const EMPTY_MEM = dirFromEntries({ map: blob(new Uint8Array(0)), pages: EMPTY_DIR });

/**
 * The `mem/` each memory was last converted to or restored from: the base
 * its changes (Memory.takeChanges) apply to.
 */
const lastMem = new WeakMap<Memory, DirNode>();

/**
 * `mem/` for the memory's current state, made from the previous one by
 * applying only the pages changed since (Memory.takeChanges): a snapshot of
 * a 1 GiB guest with one changed page hashes that page and the two
 * directories above it, and visits nothing else. The result is the same
 * tree a conversion from scratch gives (tests check it).
 */
export function memoryToTree(m: Memory): DirNode {
  const base = lastMem.get(m) ?? EMPTY_MEM;
  const { pages: changed, layout } = m.takeChanges();
  const oldMap = blobAt(base, "map", "mem");
  const map = layout ? mapBlob(m, oldMap) : oldMap;
  const oldPages = dirAt(base, "pages", "mem");
  const high: [string, DirNode | undefined][] = [];
  for (let s = 0; s < changed.length;) {
    const hi = changed[s] >>> 10;
    let e = s + 1;
    while (e < changed.length && changed[e] >>> 10 === hi) e++;
    const old = oldPages.get(HEX3[hi]);
    const level = (old?.kind === "dir" ? old : EMPTY_DIR).patch(
      changed.slice(s, e).map((pn) => {
        // A page never written needs neither a copy nor a scan to be known as zeros.
        if (m.sharesZeroFrame(pn)) return [HEX3[pn & 0x3ff], ZERO_PAGE_BLOB] as const;
        const bytes = m.pageData(pn);
        return [HEX3[pn & 0x3ff], bytes && pageBlob(bytes)] as const;
      }),
    );
    high.push([HEX3[hi], level.size > 0 ? level : undefined]);
    s = e;
  }
  const tree = base.patch([["map", map], ["pages", oldPages.patch(high)]]);
  lastMem.set(m, tree);
  return tree;
}

/** `mem/map`: runs of mapped pages with the same protection, as (page, count, prot) triples. */
function mapBlob(m: Memory, old: BlobNode): BlobNode {
  const runs: number[] = [];
  for (const pn of m.mappedPages()) {
    const prot = m.protOf(pn);
    const last = runs.length - 3;
    if (last >= 0 && runs[last] + runs[last + 1] === pn && runs[last + 2] === prot) {
      runs[last + 1]++;
    } else runs.push(pn, 1, prot);
  }
  const map = new Uint8Array(runs.length * 4);
  const view = new DataView(map.buffer);
  runs.forEach((v, k) => view.setUint32(k * 4, v, true));
  return equalBytes(old.bytes, map) ? old : blob(map);
}

/**
 * Restores an empty Memory from `mem/`: protections from the map, at once;
 * page contents lazily, each from its blob the first time the guest touches
 * the page (a lazy tree from the store reads it only then). Mapped pages
 * without a blob are zero-filled, as a fresh mapping is. The map and the
 * radix directory names are checked here; a damaged page directory or page
 * is found when first touched and makes that access fault.
 */
export function memoryFromTree(dir: DirNode, m: Memory): void {
  const map = blobAt(dir, "map", "mem");
  if (map.size % 12 !== 0) throw new LayoutError("mem/map must hold (page, count, prot) triples");
  const pages = dirAt(dir, "pages", "mem");
  const view = new DataView(map.bytes.buffer, map.bytes.byteOffset, map.size);
  for (let k = 0; k < map.size; k += 12) {
    const first = view.getUint32(k, true), count = view.getUint32(k + 4, true);
    const prot = view.getUint32(k + 8, true);
    if (first + count > 1 << 20 || prot > 7) throw new LayoutError("mem/map has an entry out of range");
    m.mapLazy(first, count, prot);
  }
  for (let h = 0; h < pages.size; h++) {
    const high = RADIX.get(pages.names[h]);
    if (high === undefined || !anyMapped(m, high)) {
      throw new LayoutError(`mem/pages/${pages.names[h]} is not a page directory of mapped pages`);
    }
  }
  m.setPageSource((pn) => pageFromTree(pages, pn));
  lastMem.set(m, dir);
}

function anyMapped(m: Memory, high: number): boolean {
  for (let pn = high << 10; pn < (high + 1) << 10; pn++) if (m.isMapped(pn)) return true;
  return false;
}

/** The contents of page `pn` in `mem/pages` (undefined: zero-filled), or a fault naming what is damaged. */
function pageFromTree(pages: DirNode, pn: number): Uint8Array | undefined {
  const hi = HEX3[pn >>> 10], lo = HEX3[pn & 0x3ff];
  const level = pages.get(hi);
  if (level === undefined) return undefined;
  const page = level.kind === "dir" ? level.get(lo) : level;
  if (page === undefined) return undefined;
  if (level.kind !== "dir" || page.kind !== "blob" || page.size !== PAGE_SIZE) {
    throw new GuestFault(
      "page",
      pn * PAGE_SIZE,
      `the guest state is damaged: mem/pages/${hi}${level.kind === "dir" ? "/" + lo : ""} is not a ${PAGE_SIZE}-byte page`,
    );
  }
  return page.bytes;
}
