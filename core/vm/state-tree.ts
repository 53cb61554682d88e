/**
 * A guest's whole state as a data tree (docs/guest-state.md):
 *
 *   cpu/<reg>          4-byte little-endian blobs: eax..edi, eip, eflags,
 *                      fs_base, gs_base, es..gs (selectors), icount (8 bytes)
 *   cpu/x87            the x87 unit's saved state
 *   mem/map            page protections: runs of (first page, count, prot)
 *   mem/pages/HHH/LLL  4 KiB page blobs, a two-level radix on the page number
 *   os                 the Linux personality's state (canonical JSON)
 *
 * Page blobs wrap the engine's page arrays without copying; converting
 * marks every page shared, so the engine copies a page before its next
 * write and the tree stays immutable.
 */
import { Buffer } from "node:buffer";
import { eflags } from "../cpu/flags.ts";
import type { Memory } from "../memory/memory.ts";
import { blob, type BlobNode, dirFromEntries, type DirNode, type TreeNode } from "../tree/mod.ts";
import type { Guest } from "./guest.ts";

const REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEGS = ["es", "cs", "ss", "ds", "fs", "gs"];

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

function cpuTree(g: Guest): DirNode {
  const c = g.cpu;
  const entries: [string, TreeNode][] = REGS.map((n, k) => [n, u32(c.r[k])]);
  entries.push(["eip", u32(c.eip)], ["eflags", u32(eflags(c))]);
  entries.push(["fs_base", u32(c.segBase[4])], ["gs_base", u32(c.segBase[5])]);
  SEGS.forEach((n, k) => entries.push([n, u32(c.sreg[k])]));
  entries.push(["icount", u64(c.icount)]);
  entries.push(["x87", blob(c.fpu.save())]);
  return dirFromEntries(entries);
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

function memoryTree(m: Memory): DirNode {
  m.shareAll();
  const runs: number[] = [];
  const high = new Map<number, [string, TreeNode][]>();
  for (const pn of m.mappedPages()) {
    const prot = m.protOf(pn);
    const last = runs.length - 3;
    if (last >= 0 && runs[last] + runs[last + 1] === pn && runs[last + 2] === prot) {
      runs[last + 1]++;
    } else runs.push(pn, 1, prot);
    const hi = pn >>> 10;
    let list = high.get(hi);
    if (!list) high.set(hi, list = []);
    list.push([hex3(pn & 0x3ff), pageBlob(m.pageData(pn)!)]);
  }
  const map = new Uint8Array(runs.length * 4);
  const view = new DataView(map.buffer);
  runs.forEach((v, k) => view.setUint32(k * 4, v, true));
  const pages = dirFromEntries([...high].map(([hi, list]) => [hex3(hi), dirFromEntries(list)]));
  return dirFromEntries({ map: blob(map), pages });
}

/** JSON replacer: byte arrays as base64 strings (JSON.stringify would spell out every index). */
function bytesAsBase64(_key: string, v: unknown): unknown {
  return v instanceof Uint8Array ? { base64: Buffer.from(v).toString("base64") } : v;
}

function hex3(n: number): string {
  return n.toString(16).padStart(3, "0");
}

/**
 * The guest's state as a tree; its `hash` is the guest's root hash.
 *
 * @example
 * guestTree(guest).hash; // "9f2c…" (64 hex digits)
 */
export function guestTree(g: Guest): DirNode {
  return dirFromEntries({
    cpu: cpuTree(g),
    mem: memoryTree(g.mem),
    os: blob(JSON.stringify(g.linux.dump(), bytesAsBase64)),
  });
}
