/**
 * A snapshot costs what changed: after a small step of a guest, storing it
 * again writes exactly the nodes that are new — the changed pages, their
 * page directories, changed registers and blobs, and the directories up to
 * the root — and nothing else.
 */
import { assert, test } from "../harness.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Store } from "../../core/store/mod.ts";
import { diff, type TreeNode } from "../../core/tree/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { busybox, pseudoText } from "../support/guests.ts";
import { tempStore } from "./support.ts";

/** Every hash in a tree. */
function hashes(root: TreeNode): Set<string> {
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n.hash)) continue;
    seen.add(n.hash);
    if (n.kind === "dir") stack.push(...n.children);
  }
  return seen;
}

test("dedup: a second snapshot after a small step writes only the new nodes", () => {
  const fs = new FileSystem();
  fs.writeFile("/in.txt", pseudoText(300_000, 5));
  const guest = Guest.fromElf({ program: busybox(), argv: ["busybox", "gzip", "-c", "/in.txt"], fs });
  assert.equal(guest.run(3_000_000).status, "budget");
  const store = Store.open(tempStore(), { write: true });
  const before = guest.toTree();
  const first = store.putTree(before);
  const all = hashes(before);
  assert.equal(first.objects, all.size);

  for (const step of [1, 1_000, 20_000]) {
    const old = guest.toTree();
    guest.run(step);
    const after = guest.toTree();
    const pages = [...diff(old, after)].filter((c) => /^mem\/pages\/[0-9a-f]{3}\/[0-9a-f]{3}$/.test(c.path)).length;
    const fresh = [...hashes(after)].filter((h) => !all.has(h));
    const written = store.putTree(after);
    assert.equal(written.objects, fresh.length, `step ${step}`);
    // Beyond the pages: their directories (one per 1024 pages touched, at
    // most a few), registers, status/os/output blobs and the path to the root.
    assert.ok(
      written.objects <= pages + 40,
      `step ${step}: ${written.objects} objects for ${pages} changed pages`,
    );
    assert.ok(written.bytes <= (pages + 40) * 4200, `step ${step}: ${written.bytes} bytes`);
    assert.ok(written.bytes < first.bytes / 10, `step ${step}: ${written.bytes} of ${first.bytes} bytes`);
    for (const h of fresh) all.add(h);
    assert.equal(store.getTree(after.hash).hash, after.hash);
  }
  assert.deepEqual(store.putTree(guest.toTree()), { objects: 0, bytes: 0 });
});
