/**
 * A guest's state as a tree: converting is deterministic, restoring and
 * continuing equals running straight through, unchanged pages are shared.
 */
import { assert, test } from "../harness.ts";
import { diff, type DirNode, hashStats } from "../../core/tree/mod.ts";
import { image, nasmProgram } from "../support/build.ts";
import { Guest, isGuestTree, LayoutError, readStatus } from "../../core/vm/guest.ts";
import { busybox, pseudoText } from "../support/guests.ts";

const text = pseudoText(40_000, 5);
const options = () => ({ program: busybox(), argv: ["busybox", "sha256sum"], stdin: text });

test("state: toTree is deterministic and restoring continues exactly", () => {
  const straight = Guest.fromElf(options());
  assert.equal(straight.run(Infinity).status, "exited");
  const final = straight.toTree();
  assert.equal(straight.toTree().hash, final.hash, "converting twice gives the same root");
  assert.ok(isGuestTree(final));
  assert.equal(readStatus(final).status, "exited");
  assert.equal(readStatus(final).instructions, straight.instructions);

  for (const n of [1, 5000, 123_456, straight.instructions - 1]) {
    const a = Guest.fromElf(options());
    a.run(n);
    const saved = a.toTree();
    const b = Guest.fromTree(saved);
    assert.equal(b.toTree().hash, saved.hash, `restore at ${n} reproduces the tree`);
    assert.equal(b.run(Infinity).status, "exited");
    assert.equal(b.toTree().hash, final.hash, `restored at ${n} and continued`);
  }
});

test("state: a snapshot after a small step re-hashes only what changed", () => {
  const g = Guest.fromElf(options());
  g.run(200_000);
  g.toTree().hash;
  const before = { ...hashStats };
  g.run(10);
  g.toTree().hash;
  const pages = hashStats.blobs - before.blobs;
  assert.ok(pages < 20, `10 instructions re-hashed ${pages} blobs`);
});

test("state: trees that are not guests are rejected with a LayoutError", () => {
  const good = Guest.fromElf(options()).toTree();
  const broken = [
    good.without("cpu"),
    good.with("mem", good.get("cpu")!),
  ];
  for (const t of broken) assert.throws(() => Guest.fromTree(t), LayoutError);
});

test("state: a 1 GiB guest with one changed page re-hashes one page and its two directories", () => {
  const prog = image(nasmProgram("tests/vm/guests/bigmem.asm", "vm-bigmem"));
  const g = Guest.fromElf({ program: prog, argv: ["bigmem"] });
  g.run(20);
  const mapped = g.mem.mappedPages().length;
  assert.ok(mapped > 262_144, `${mapped} pages mapped`);
  const first = g.toTree();
  first.hash;
  const before = { ...hashStats };
  g.run(2); // one more increment of the same word, one jump
  const second = g.toTree();
  second.hash;
  const pages = (second.get("mem") as DirNode).get("pages") as DirNode;
  const changed = [...diff(first, second)].map((c) => c.path);
  assert.ok(changed.filter((p) => p.startsWith("mem/")).length === 1, changed.join(", "));
  const blobs = hashStats.blobs - before.blobs, dirs = hashStats.dirs - before.dirs;
  // The page; then eip, icount and the status blob. Directories: the page's
  // directory, mem/pages, mem, cpu and the root.
  assert.ok(blobs <= 4, `${blobs} blobs hashed`);
  assert.equal(dirs, 5, `${dirs} directories hashed`);
  assert.ok(pages.size >= 256);
});
