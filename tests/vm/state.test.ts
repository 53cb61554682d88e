/**
 * A guest's state as a tree: converting is deterministic, restoring and
 * continuing equals running straight through, unchanged pages are shared.
 */
import { assert, test } from "../harness.ts";
import { hashStats } from "../../core/tree/mod.ts";
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
