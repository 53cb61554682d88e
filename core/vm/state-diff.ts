/**
 * What changed between two guest states, grouped the way a person reads a
 * machine: registers, memory pages (as address ranges), files, and the rest
 * of the guest's state (status, output, OS state), with every sub-guest's
 * changes grouped the same way under its path. Works on any two trees: a
 * directory that is not a guest (a manifest's host tree) has only files and
 * sub-guests. Equal subtrees are skipped by identity or hash, so comparing
 * two states of a 1 GiB guest that differ in one page costs the path to it.
 */
import { diff, type DirNode, type TreeNode } from "../tree/mod.ts";
import { isGuestTree } from "./guest.ts";

/** How one path differs. */
export type ChangeType = "added" | "removed" | "modified";

/** A register whose value differs; values are hex (`0x0000002a`), icount decimal, x87 its hash prefix. */
export interface RegisterChange {
  name: string;
  before: string | null;
  after: string | null;
}

/** A run of consecutive pages that changed the same way: [start, end) guest addresses. */
export interface PageRange {
  start: number;
  end: number;
  pages: number;
  type: ChangeType;
}

/** A file or directory of the guest's own file system (or of a host tree) that differs. */
export interface FileChange {
  path: string;
  type: ChangeType;
  /** "dir" or "blob" (the new node, or the removed one). */
  kind: "dir" | "blob";
}

/** Any other guest state that differs (status, stdout, stderr, stdin, os, fsmeta, mem/map …). */
export interface OtherChange {
  name: string;
  type: ChangeType;
  /** Short readable forms: a status's JSON, an output's size. */
  before: string | null;
  after: string | null;
}

/**
 * The grouped differences between two states of one guest (or two host
 * trees). `guests` holds the sub-guests present on both sides that differ,
 * each grouped the same way; a sub-guest added or removed as a whole is a
 * file change of kind "dir".
 */
export interface GuestStateDiff {
  /** Where this guest is, from the compared roots ("" for the roots themselves). */
  path: string;
  /** True if both sides are guests (so registers, pages and other state apply). */
  guest: boolean;
  registers: RegisterChange[];
  pages: PageRange[];
  files: FileChange[];
  other: OtherChange[];
  guests: GuestStateDiff[];
}

/**
 * Groups the differences between `a` and `b`.
 *
 * @example
 * const d = diffGuestStates(store.loadSnapshot("s1").tree as DirNode, guest.toTree());
 * d.registers; // [{ name: "eax", before: "0x00000000", after: "0x00000001" }, …]
 * d.pages;     // [{ start: 0x0804a000, end: 0x0804b000, pages: 1, type: "modified" }]
 * console.log(formatGuestStateDiff(d));
 */
export function diffGuestStates(a: DirNode, b: DirNode, path = ""): GuestStateDiff {
  const out: GuestStateDiff = { path, guest: false, registers: [], pages: [], files: [], other: [], guests: [] };
  if (!(isGuestTree(a) && isGuestTree(b))) {
    diffFiles(a, b, path, "", out);
    return out;
  }
  out.guest = true;
  const pages: [number, ChangeType][] = [];
  for (const name of union(a, b)) {
    const x = a.get(name), y = b.get(name);
    if (x && y && same(x, y)) continue;
    if (name === "cpu" && x?.kind === "dir" && y?.kind === "dir") diffRegisters(x, y, out.registers);
    else if (name === "mem" && x?.kind === "dir" && y?.kind === "dir") diffMemory(x, y, pages, out.other);
    else if (name === "fs" && x?.kind === "dir" && y?.kind === "dir") diffFiles(x, y, join(path, "fs"), "", out);
    else out.other.push(otherChange(name, x, y));
  }
  out.pages = pageRanges(pages);
  return out;
}

/** True if nothing differs at any depth. */
export function isEmptyDiff(d: GuestStateDiff): boolean {
  return d.registers.length + d.pages.length + d.files.length + d.other.length + d.guests.length === 0;
}

function join(a: string, b: string): string {
  return a === "" ? b : `${a}/${b}`;
}

function same(x: TreeNode, y: TreeNode): boolean {
  return x === y || x.hash === y.hash;
}

function union(a: DirNode, b: DirNode): string[] {
  return [...new Set([...a.names, ...b.names])].sort();
}

function diffRegisters(a: DirNode, b: DirNode, out: RegisterChange[]): void {
  for (const name of union(a, b)) {
    const x = a.get(name), y = b.get(name);
    if (x && y && same(x, y)) continue;
    out.push({ name, before: registerValue(name, x), after: registerValue(name, y) });
  }
}

function registerValue(name: string, node: TreeNode | undefined): string | null {
  if (!node) return null;
  if (node.kind === "dir") return "(directory)";
  const v = new DataView(node.bytes.buffer, node.bytes.byteOffset, node.bytes.length);
  if (node.size === 4) return "0x" + v.getUint32(0, true).toString(16).padStart(8, "0");
  if (name === "icount" && node.size === 8) return v.getBigUint64(0, true).toString();
  return node.hash.slice(0, 12);
}

const PAGE = /^mem\/pages\/([0-9a-f]{3})(?:\/([0-9a-f]{3}))?$/;

function diffMemory(a: DirNode, b: DirNode, pages: [number, ChangeType][], other: OtherChange[]): void {
  for (const c of diff(a, b)) {
    const m = PAGE.exec("mem/" + c.path);
    if (!m) {
      other.push(otherChange("mem/" + c.path, c.before, c.after));
      continue;
    }
    const hi = parseInt(m[1], 16) << 10;
    if (m[2] !== undefined) {
      pages.push([hi | parseInt(m[2], 16), c.type]);
      continue;
    }
    // A whole page directory came or went: each of its pages did.
    const dir = (c.after ?? c.before)!;
    if (dir.kind !== "dir") {
      other.push(otherChange("mem/" + c.path, c.before, c.after));
      continue;
    }
    for (const lo of dir.names) if (/^[0-9a-f]{3}$/.test(lo)) pages.push([hi | parseInt(lo, 16), c.type]);
  }
}

const PAGE_SIZE = 4096;

/** Consecutive page numbers with the same change type, merged into address ranges. */
function pageRanges(pages: [number, ChangeType][]): PageRange[] {
  pages.sort((p, q) => p[0] - q[0]);
  const out: PageRange[] = [];
  for (const [pn, type] of pages) {
    const last = out[out.length - 1];
    if (last && last.type === type && last.end === pn * PAGE_SIZE) {
      last.end += PAGE_SIZE;
      last.pages++;
    } else out.push({ start: pn * PAGE_SIZE, end: (pn + 1) * PAGE_SIZE, pages: 1, type });
  }
  return out;
}

/**
 * Files under two directories; a directory that is a guest on both sides
 * is a sub-guest, diffed on its own. Walks with an explicit stack (file
 * trees can be deeper than the call stack).
 */
function diffFiles(a: DirNode, b: DirNode, base: string, prefix: string, out: GuestStateDiff): void {
  const stack: [DirNode, DirNode, string][] = [[a, b, prefix]];
  while (stack.length > 0) {
    const [x, y, at] = stack.pop()!;
    const names = union(x, y);
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i];
      const p = x.get(name), q = y.get(name);
      const path = at === "" ? name : `${at}/${name}`;
      if (p && q && same(p, q)) continue;
      if (p?.kind === "dir" && q?.kind === "dir") {
        if (isGuestTree(p) && isGuestTree(q)) out.guests.push(diffGuestStates(p, q, join(base, path)));
        else stack.push([p, q, path]);
        continue;
      }
      if (p && q && p.kind !== q.kind) {
        out.files.push({ path, type: "removed", kind: p.kind }, { path, type: "added", kind: q.kind });
        continue;
      }
      const type: ChangeType = !p ? "added" : !q ? "removed" : "modified";
      out.files.push({ path, type, kind: (q ?? p)!.kind });
    }
  }
  out.files.sort((f, g) => f.path < g.path ? -1 : f.path > g.path ? 1 : 0);
  out.guests.sort((f, g) => f.path < g.path ? -1 : f.path > g.path ? 1 : 0);
}

function otherChange(name: string, x: TreeNode | undefined, y: TreeNode | undefined): OtherChange {
  const type: ChangeType = !x ? "added" : !y ? "removed" : "modified";
  return { name, type, before: otherValue(name, x), after: otherValue(name, y) };
}

function otherValue(name: string, node: TreeNode | undefined): string | null {
  if (!node) return null;
  if (node.kind === "dir") return `directory of ${node.size} entries`;
  if (name === "status" && node.size < 512) {
    try {
      return JSON.stringify(JSON.parse(new TextDecoder().decode(node.bytes)));
    } catch {
      // Not JSON: shown by size like any other blob.
    }
  }
  return `${node.size} bytes`;
}

const LETTER: Record<ChangeType, string> = { added: "A", removed: "D", modified: "M" };

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

/**
 * The readable form of a diff: one section per non-empty group, sub-guests
 * indented under `guest PATH:`. Empty string if nothing differs.
 *
 * @example
 * formatGuestStateDiff(diffGuestStates(a, b));
 * // registers:
 * //   eax: 0x00000000 → 0x00000001
 * // pages:
 * //   0x0804a000-0x0804afff modified (1 page)
 */
export function formatGuestStateDiff(d: GuestStateDiff, indent = ""): string {
  let s = "";
  const section = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    s += `${indent}${title}:\n` + lines.map((l) => `${indent}  ${l}\n`).join("");
  };
  section("registers", d.registers.map((r) => `${r.name}: ${r.before ?? "-"} → ${r.after ?? "-"}`));
  section(
    "pages",
    d.pages.map((p) => `${hex(p.start)}-${hex(p.end - 1)} ${p.type} (${p.pages} page${p.pages === 1 ? "" : "s"})`),
  );
  section("files", d.files.map((f) => `${LETTER[f.type]} ${f.path}${f.kind === "dir" ? "/" : ""}`));
  section("other", d.other.map((o) => `${o.name}: ${o.before ?? "-"} → ${o.after ?? "-"}`));
  for (const g of d.guests) s += `${indent}guest ${g.path}:\n` + formatGuestStateDiff(g, indent + "  ");
  return s;
}
