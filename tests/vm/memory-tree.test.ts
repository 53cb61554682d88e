/**
 * `mem/` is made incrementally (only pages changed since the last
 * conversion) and restored lazily (pages fetched on first touch). Both must
 * give exactly the tree a conversion from scratch gives, whatever the
 * history: random maps, unmaps, protections and writes, with conversions and
 * restores in between.
 */
import { assert, test } from "../harness.ts";
import { Memory, PAGE_SIZE, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { memoryFromTree, memoryToTree } from "../../core/vm/layout.ts";
import { GuestFault } from "../../core/fault.ts";
import { blob, type DirNode, set } from "../../core/tree/mod.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The tree of a memory built from nothing with the same pages and protections. */
function fromScratch(m: Memory): DirNode {
  const copy = new Memory();
  for (const pn of m.mappedPages()) copy.installPage(pn, m.pageData(pn)!.slice(), m.protOf(pn));
  return memoryToTree(copy);
}

test("memory tree: incremental conversion and lazy restore equal a conversion from scratch", () => {
  const rand = rng(7);
  let m = new Memory();
  // Pages in three 4 MiB radix groups, so groups appear, change and vanish.
  const page = () => [0x100, 0x4ff, 0x800][Math.floor(rand() * 3)] + Math.floor(rand() * 1300);
  let checked = 0;
  for (let step = 0; step < 400; step++) {
    const pn = page(), n = 1 + Math.floor(rand() * 40), r = rand();
    if (r < 0.25) m.map(pn * PAGE_SIZE, n * PAGE_SIZE, PROT_READ | PROT_WRITE);
    else if (r < 0.35) m.unmap(pn * PAGE_SIZE, n * PAGE_SIZE);
    else if (r < 0.42) m.protect(pn * PAGE_SIZE, PAGE_SIZE, rand() < 0.5 ? PROT_READ : PROT_READ | PROT_WRITE);
    else if (m.protOf(pn) === (PROT_READ | PROT_WRITE)) m.w32(pn * PAGE_SIZE + Math.floor(rand() * 4092), step);
    else if (m.isMapped(pn)) m.r8(pn * PAGE_SIZE);
    if (step % 10 === 9) {
      const tree = memoryToTree(m);
      assert.equal(tree.hash, fromScratch(m).hash, `step ${step}`);
      checked++;
      if (step % 30 === 29) {
        // Continue from a lazily restored copy: untouched pages stay unfetched.
        m = new Memory();
        memoryFromTree(tree, m);
        assert.equal(memoryToTree(m), tree, "a restored memory converts to the tree it came from");
      }
    }
  }
  assert.ok(checked === 40);
});

test("memory tree: a restored 1 GiB memory fetches only the pages it touches", () => {
  const m = new Memory();
  m.map(0x10000000, 1 << 30, PROT_READ | PROT_WRITE);
  for (let a = 0x10000000; a < 0x50000000; a += 1 << 20) m.w32(a, a);
  const tree = memoryToTree(m);
  const fetched: number[] = [];
  const r = new Memory();
  memoryFromTree(tree, r);
  const pages = tree.get("pages") as DirNode;
  // Count fetches by wrapping the source the restore installed.
  const source = (r as unknown as { source: (pn: number) => Uint8Array | undefined }).source;
  (r as unknown as { source: (pn: number) => Uint8Array | undefined }).source = (pn) => (fetched.push(pn), source(pn));
  assert.equal(r.r32(0x10000000 + (5 << 20)), 0x10000000 + (5 << 20));
  r.w8(0x10000000 + (7 << 20) + 1, 0xaa);
  assert.deepEqual(fetched, [0x10000 + 5 * 256, 0x10000 + 7 * 256]);
  const after = memoryToTree(r);
  assert.equal(after.hash, fromScratch(r).hash);
  assert.equal(pages.size, 256);
});

test("memory tree: a damaged page faults the access that touches it", () => {
  const m = new Memory();
  m.map(0x1000, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
  m.w8(0x1000, 1);
  m.w8(0x2000, 2);
  const damaged = set(memoryToTree(m), "pages/000/001", blob(new Uint8Array(10))) as DirNode;
  const r = new Memory();
  memoryFromTree(damaged, r);
  assert.equal(r.r8(0x2000), 2, "an intact page reads");
  assert.throws(() => r.r8(0x1000), (e: unknown) => e instanceof GuestFault && /mem\/pages\/000\/001/.test(e.message));
});
