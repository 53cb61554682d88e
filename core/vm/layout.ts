/**
 * The CPU and memory parts of a guest subtree (docs/guest-state.md), both
 * directions. Page blobs wrap the engine's page arrays: converting to a
 * tree marks every page shared (the engine copies before its next write),
 * and restoring installs blob bytes as copy-on-write pages.
 */
import { eflags, setEflags } from "../cpu/flags.ts";
import { Cpu } from "../cpu/state.ts";
import { X87 } from "../cpu/x87/x87.ts";
import { type Memory, PAGE_SIZE } from "../memory/memory.ts";
import { blob, type BlobNode, dirFromEntries, type DirNode, type TreeNode } from "../tree/mod.ts";

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
  setEflags(c, readU32(dir, "eflags"), 0xffffffff);
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
  return c;
}

/** Page blobs are cached by page array, so unchanged pages keep their blob and hash. */
const pageBlobs = new WeakMap<Uint8Array, BlobNode>();

function pageBlob(bytes: Uint8Array): BlobNode {
  let b = pageBlobs.get(bytes);
  if (!b) {
    b = blob(bytes);
    pageBlobs.set(bytes, b);
  }
  return b;
}

function hex3(n: number): string {
  return n.toString(16).padStart(3, "0");
}

/** Names of radix entries 000…3ff, made once (snapshots of big guests would make millions). */
const HEX3 = Array.from({ length: 1024 }, (_, i) => hex3(i));
/** A radix entry's name to its number (and only the 1024 valid names). */
const RADIX = new Map(HEX3.map((name, i) => [name, i]));

/**
 * `mem/` for the memory's current state. Directories whose pages are all
 * unchanged since `previous` are reused, so a snapshot of a 1 GiB guest
 * with one changed page hashes that page and two directories. Checking a
 * page costs a few comparisons (no allocation), but every mapped page is
 * still visited: Memory offers no list of the pages written since the last
 * snapshot (docs/store.md, "Cost per guest size").
 */
export function memoryToTree(m: Memory, previous?: DirNode): DirNode {
  m.shareAll();
  const pns = m.mappedPages();
  const runs: number[] = [];
  for (const pn of pns) {
    const prot = m.protOf(pn);
    const last = runs.length - 3;
    if (last >= 0 && runs[last] + runs[last + 1] === pn && runs[last + 2] === prot) {
      runs[last + 1]++;
    } else runs.push(pn, 1, prot);
  }
  const map = new Uint8Array(runs.length * 4);
  const view = new DataView(map.buffer);
  runs.forEach((v, k) => view.setUint32(k * 4, v, true));
  const oldPages = previous?.get("pages");
  const high: [string, TreeNode][] = [];
  for (let s = 0; s < pns.length;) {
    const hi = pns[s] >>> 10;
    let e = s + 1;
    while (e < pns.length && pns[e] >>> 10 === hi) e++;
    const old = oldPages?.kind === "dir" ? oldPages.get(HEX3[hi]) : undefined;
    high.push([HEX3[hi], unchangedLevel(m, pns, s, e, old) ?? pageLevel(m, pns, s, e)]);
    s = e;
  }
  const pages = reuseDir(oldPages, high);
  const oldMap = previous?.get("map");
  const mapBlob = oldMap?.kind === "blob" && equalBytes(oldMap.bytes, map) ? oldMap : blob(map);
  return reuseDir(previous, [["map", mapBlob], ["pages", pages]]);
}

/**
 * `old` if it holds exactly the pages `pns[s..e)` with their current
 * arrays (the blobs wrap them: unchanged since `old` was made), else
 * undefined. Entries `old` has not loaded are different arrays by
 * definition, so they are never loaded here.
 */
function unchangedLevel(m: Memory, pns: number[], s: number, e: number, old: TreeNode | undefined): DirNode | undefined {
  if (old?.kind !== "dir" || old.size !== e - s) return undefined;
  for (let k = 0; k < e - s; k++) {
    const pn = pns[s + k];
    if (old.names[k] !== HEX3[pn & 0x3ff] || !old.isLoaded(k)) return undefined;
    const page = old.childAt(k);
    if (page.kind !== "blob" || page.bytes !== m.pageData(pn)) return undefined;
  }
  return old;
}

/** A radix level of page blobs for pages `pns[s..e)` (same high bits). */
function pageLevel(m: Memory, pns: number[], s: number, e: number): DirNode {
  const entries: [string, TreeNode][] = [];
  for (let k = s; k < e; k++) entries.push([HEX3[pns[k] & 0x3ff], pageBlob(m.pageData(pns[k])!)]);
  return dirFromEntries(entries);
}

/** `old` if it has exactly these (sorted) entries with identical children; else a new directory. */
function reuseDir(old: TreeNode | undefined, entries: [string, TreeNode][]): DirNode {
  if (old?.kind === "dir" && old.size === entries.length &&
    entries.every(([name, node], k) => old.names[k] === name && old.children[k] === node)) {
    return old;
  }
  return dirFromEntries(entries);
}

/** Fills an empty Memory from `mem/`: protections from the map, contents from page blobs. */
export function memoryFromTree(dir: DirNode, m: Memory): void {
  const map = blobAt(dir, "map", "mem");
  if (map.size % 12 !== 0) throw new LayoutError("mem/map must hold (page, count, prot) triples");
  const pages = dirAt(dir, "pages", "mem");
  const view = new DataView(map.bytes.buffer, map.bytes.byteOffset, map.size);
  // Protections by page (-1: unmapped), so that pages are installed
  // straight away instead of being mapped as zero pages first: restoring
  // touches each page once.
  const protOf = new Int8Array(1 << 20).fill(-1);
  for (let k = 0; k < map.size; k += 12) {
    const first = view.getUint32(k, true), count = view.getUint32(k + 4, true);
    const prot = view.getUint32(k + 8, true);
    if (first + count > 1 << 20 || prot > 7) throw new LayoutError("mem/map has an entry out of range");
    protOf.fill(prot, first, first + count);
  }
  for (let h = 0; h < pages.size; h++) {
    const hi = pages.names[h], node = pages.childAt(h);
    const high = RADIX.get(hi);
    if (node.kind !== "dir" || high === undefined) throw new LayoutError(`mem/pages/${hi} is not a page directory`);
    for (let k = 0; k < node.size; k++) {
      const lo = node.names[k], page = node.childAt(k);
      const low = RADIX.get(lo);
      if (page.kind !== "blob" || page.size !== PAGE_SIZE || low === undefined) {
        throw new LayoutError(`mem/pages/${hi}/${lo} is not a ${PAGE_SIZE}-byte page`);
      }
      const pn = high << 10 | low;
      const prot = protOf[pn];
      if (prot < 0) throw new LayoutError(`mem/pages/${hi}/${lo} is not in mem/map`);
      m.installPage(pn, page.bytes, prot);
      pageBlobs.set(page.bytes, page);
    }
  }
  // Mapped pages without a blob are zero-filled, as a fresh mapping is.
  for (let k = 0; k < map.size; k += 12) {
    const first = view.getUint32(k, true), count = view.getUint32(k + 4, true);
    const prot = view.getUint32(k + 8, true);
    for (let pn = first; pn < first + count;) {
      if (m.isMapped(pn)) {
        pn++;
        continue;
      }
      let end = pn + 1;
      while (end < first + count && !m.isMapped(end)) end++;
      m.map(pn * PAGE_SIZE, (end - pn) * PAGE_SIZE, prot);
      pn = end;
    }
  }
}
