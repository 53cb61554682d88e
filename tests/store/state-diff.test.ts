/**
 * Grouped state diffs: every changed path of the raw tree diff lands in
 * exactly one group, register values match the live CPUs, changed pages
 * match a byte comparison of the two memories, and sub-guests are grouped
 * under their paths.
 */
import { assert, test } from "../harness.ts";
import { Guest } from "../../core/vm/guest.ts";
import { diffGuestStates, formatGuestStateDiff, isEmptyDiff } from "../../core/vm/state-diff.ts";
import { blob, diff, dirFromEntries, type DirNode, set } from "../../core/tree/mod.ts";
import { busybox, pseudoText } from "../support/guests.ts";

const options = () => ({ program: busybox(), argv: ["busybox", "md5sum"], stdin: pseudoText(20_000, 3) });

function guestAt(n: number): Guest {
  const g = Guest.fromElf(options());
  g.run(n);
  return g;
}

/** Page numbers whose bytes differ (or exist on one side only), by reading both memories. */
function changedPages(a: Guest, b: Guest): number[] {
  const pns = new Set([...a.mem.mappedPages(), ...b.mem.mappedPages()]);
  const out: number[] = [];
  for (const pn of pns) {
    const x = a.mem.pageData(pn), y = b.mem.pageData(pn);
    if (!x || !y || x.length !== y.length || x.some((v, i) => v !== y[i])) out.push(pn);
  }
  return out.sort((p, q) => p - q);
}

const REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];

test("state diff: registers, pages and other state of one guest at two instructions", () => {
  const a = guestAt(50_000), b = guestAt(120_000);
  const ta = a.toTree(), tb = b.toTree();
  const d = diffGuestStates(ta, tb);
  assert.ok(d.guest);
  const hex = (v: number) => "0x" + (v >>> 0).toString(16).padStart(8, "0");
  for (const [k, name] of REGS.entries()) {
    const r = d.registers.find((x) => x.name === name);
    if (a.cpu.r[k] === b.cpu.r[k]) assert.equal(r, undefined, name);
    else assert.deepEqual(r, { name, before: hex(a.cpu.r[k]), after: hex(b.cpu.r[k]) });
  }
  assert.deepEqual(d.registers.find((x) => x.name === "eip"), { name: "eip", before: hex(a.cpu.eip), after: hex(b.cpu.eip) });
  const pages: number[] = [];
  for (const p of d.pages) {
    assert.equal(p.end - p.start, p.pages * 4096);
    for (let at = p.start; at < p.end; at += 4096) pages.push(at / 4096);
  }
  assert.deepEqual(pages, changedPages(a, b));
  assert.ok(pages.length > 0);
  // Every raw change is accounted for in one group.
  for (const c of diff(ta, tb)) {
    if (c.path.startsWith("cpu/")) assert.ok(d.registers.some((r) => r.name === c.path.slice(4)), c.path);
    else if (c.path.startsWith("mem/pages/")) continue; // checked against memory above
    else if (c.path.startsWith("fs/")) assert.ok(d.files.some((f) => f.path === c.path.slice(3)), c.path);
    else assert.ok(d.other.some((o) => o.name === c.path), c.path);
  }
  const status = d.other.find((o) => o.name === "status");
  assert.match(status?.after ?? "", /"instructions":120000/);
  const text = formatGuestStateDiff(d);
  assert.match(text, /^registers:\n  eax: /);
  assert.match(text, /\npages:\n  0x[0-9a-f]{8}-0x[0-9a-f]{8} (modified|added|removed) \(\d+ pages?\)\n/);
  assert.ok(isEmptyDiff(diffGuestStates(ta, ta)));
  assert.equal(formatGuestStateDiff(diffGuestStates(ta, ta)), "");
});

test("state diff: files and sub-guests, nested, grouped under their paths", () => {
  const a = guestAt(30_000).toTree(), b = guestAt(31_000).toTree();
  const leafA = a, leafB = b;
  // A parent guest whose file system holds the leaf as a sub-guest, and a host tree holding the parent.
  const parentA = set(set(a, "fs/vm/leaf", leafA, { parents: true }), "fs/notes.txt", blob("one"), { parents: true }) as DirNode;
  const parentB = set(set(a, "fs/vm/leaf", leafB, { parents: true }), "fs/new/x", blob("two"), { parents: true }) as DirNode;
  const hostA = dirFromEntries({ p: parentA, same: a }), hostB = dirFromEntries({ p: parentB, same: a });
  const d = diffGuestStates(hostA, hostB);
  assert.equal(d.guest, false);
  assert.deepEqual(d.files, []);
  assert.equal(d.guests.length, 1);
  const p = d.guests[0];
  assert.equal(p.path, "p");
  assert.deepEqual(p.registers, []);
  assert.deepEqual(p.pages, []);
  assert.deepEqual(p.files, [
    { path: "new", type: "added", kind: "dir" },
    { path: "notes.txt", type: "removed", kind: "blob" },
  ]);
  assert.equal(p.guests.length, 1);
  const leaf = p.guests[0];
  assert.equal(leaf.path, "p/fs/vm/leaf");
  assert.deepEqual(leaf, { ...diffGuestStates(leafA, leafB), path: "p/fs/vm/leaf" });
  assert.ok(leaf.registers.length > 0);
  const text = formatGuestStateDiff(d);
  assert.match(text, /^guest p:\n  files:\n    A new\/\n    D notes.txt\n  guest p\/fs\/vm\/leaf:\n    registers:\n/);
});
