/**
 * Snapshots read lazily: reading one file of a snapshot, diffing two
 * snapshots and restoring a big guest read only the objects they reach,
 * each still verified; an object nobody touches may even be missing.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { assert, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { get, type DirNode } from "../../core/tree/mod.ts";
import { diffGuestStates } from "../../core/vm/state-diff.ts";
import { nasmProgram } from "../support/build.ts";
import { REPO } from "../support/guests.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";
import type { Runtime } from "../support/cli.ts";
import { join } from "node:path";

const bigmem = () => new Uint8Array(readFileSync(nasmProgram(join(REPO, "tests/vm/guests/bigmem.asm"), "vm-bigmem")));

/** A store holding two snapshots of the 1 GiB guest, 1000 instructions apart, with a read counter. */
function bigStore() {
  const dir = tempStore();
  const store = Store.open(dir, { write: true });
  const g = Guest.fromElf({ program: bigmem(), argv: ["bigmem"] });
  const save = (name: string) => {
    const tree = g.toTree();
    store.putTree(tree);
    store.putSnapshot(name, {
      root: tree.hash, origin: null, start: null, budget_used: g.instructions, instructions: g.instructions,
      status: "budget", time_ms: 0, runtime: "deno", created: new Date().toISOString(),
    });
  };
  g.run(100);
  save("a");
  g.run(1000);
  save("b");
  const reader = Store.open(dir);
  let reads = 0;
  const read = reader.readObject.bind(reader);
  reader.readObject = (h: string) => (reads++, read(h));
  return { dir, store: reader, reads: () => reads };
}

test("lazy store: one file of a 1 GiB guest's snapshot reads the path to it", () => {
  const { store, reads } = bigStore();
  const tree = store.openSnapshot("b").tree;
  assert.equal(get(tree, "cpu/eip").size, 4);
  assert.equal(reads(), 3, "root, cpu, cpu/eip");
  // The whole memory radix has 256 page directories; a page read reads one.
  get(tree, "mem/pages/1f0/123");
  assert.equal(reads(), 7, "mem, mem/pages, mem/pages/123, the page");
});

test("lazy store: restoring the 1 GiB guest reads only what it touches", () => {
  const { store, reads } = bigStore();
  const g = Guest.fromTree(store.openSnapshot("b").tree as DirNode);
  // Pages are read when the guest touches them, not at restore.
  assert.ok(reads() < 40, `${reads()} objects read`);
  const straight = Guest.fromElf({ program: bigmem(), argv: ["bigmem"] });
  straight.run(1100 + 50);
  g.run(50);
  assert.equal(g.toTree().hash, straight.toTree().hash);
});

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`lazy store (${rt}): tree cat, snapshot diff and resume work with an untouched object missing; touching it is one line`, () => {
    const { dir } = bigStore();
    const raw = Store.open(dir);
    const b = raw.getTree(raw.getSnapshot("b").root);
    const page = get(b, "mem/pages/1f0/000").hash; // the zero page: in both snapshots, never touched by diff
    const path = raw.objectPath(page);
    const bytes = readFileSync(path);
    rmSync(path);
    const cat = fx86Env(rt, ["tree", "cat", "b:cpu/eip", "--store", dir]);
    assert.equal(cat.status, 0, cat.stderr);
    assert.equal(cat.stdoutBytes.length, 4);
    const d = fx86Env(rt, ["snapshot", "diff", "a", "b", "--json", "--store", dir]);
    assert.equal(d.status, 0, d.stderr);
    const pages = JSON.parse(d.stdout).pages;
    assert.equal(pages.length, 1, JSON.stringify(pages));
    assert.equal(pages[0].pages, 1, "the page the loop increments");
    const miss = fx86Env(rt, ["tree", "cat", "b:mem/pages/1f0/000", "--store", dir]);
    assert.equal(miss.status, 2);
    assertOneLine(miss.stderr, new RegExp(`^fx86: snapshot b needs object ${page}, which is missing\\.$`));
    writeFileSync(path, bytes.subarray(1));
    // Restoring reads pages when the guest touches them: this one it never does.
    const resumed = fx86Env(rt, ["resume", "b", "--budget", "10", "--store", dir]);
    assert.equal(resumed.status, 124, resumed.stderr);
    const bad = fx86Env(rt, ["tree", "cat", "b:mem/pages/1f0/000", "--store", dir]);
    assert.equal(bad.status, 2);
    assertOneLine(bad.stderr, new RegExp(`^fx86: snapshot b needs object ${page}, which is corrupt\\.$`));
  });
}

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`lazy store (${rt}): a page the resumed guest touches is missing: one line naming it, nothing saved`, () => {
    const { dir, store } = bigStore();
    const a = store.openSnapshot("a").tree, b = store.openSnapshot("b").tree;
    const changed = diffGuestStates(a as DirNode, b as DirNode).pages;
    assert.equal(changed.length, 1);
    const pn = changed[0].start >>> 12;
    const hex3 = (n: number) => n.toString(16).padStart(3, "0");
    const page = get(b, `mem/pages/${hex3(pn >>> 10)}/${hex3(pn & 0x3ff)}`).hash;
    rmSync(Store.open(dir).objectPath(page));
    const r = fx86Env(rt, ["resume", "b", "--budget", "10", "--save", "c", "--store", dir]);
    assert.equal(r.status, 2);
    assertOneLine(r.stderr, new RegExp(`^fx86: snapshot b needs object ${page}, which is missing\\.$`));
    assert.equal(fx86Env(rt, ["snapshot", "show", "c", "--store", dir]).status, 2, "nothing was saved");
  });
}
