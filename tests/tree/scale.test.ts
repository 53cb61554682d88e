import { assert, test } from "../harness.ts";
import {
  blob,
  diff,
  dirFromEntries,
  type DirNode,
  get,
  hashStats,
  intern,
  set,
  type TreeNode,
} from "../../core/tree/mod.ts";

const PAGE = 4096;
const names = Array.from(
  { length: 1024 },
  (_, i) => i.toString(16).padStart(3, "0"),
);

/**
 * A 1 GiB guest memory as a two-level radix: 1024 directories of 1024 pages.
 * Every page is one shared zero page except page 0 of each directory, which
 * holds the directory's number, so that the 1024 directories differ.
 */
function radix(): DirNode {
  const zero = blob(new Uint8Array(PAGE));
  return dirFromEntries(names.map((hi, i) => {
    const first = new Uint8Array(PAGE);
    first[0] = i & 0xff;
    first[1] = i >> 8;
    const pages: [string, TreeNode][] = names.map((lo) => [lo, zero]);
    pages[0] = [names[0], blob(first)];
    return [hi, dirFromEntries(pages)];
  }));
}

function counting<T>(fn: () => T): [T, { blobs: number; dirs: number }] {
  const b = hashStats.blobs;
  const d = hashStats.dirs;
  const result = fn();
  return [result, { blobs: hashStats.blobs - b, dirs: hashStats.dirs - d }];
}

test("scale: 1 GiB radix, one page changed re-hashes two directories and one blob", () => {
  const root = radix();
  const [, first] = counting(() => root.hash);
  assert.deepEqual(first, { blobs: 1025, dirs: 1025 });

  const page = new Uint8Array(PAGE);
  page[100] = 1;
  const changed = set(root, ["0a3", "1ff"], blob(page));
  const [, again] = counting(() => changed.hash);
  assert.deepEqual(again, { blobs: 1, dirs: 2 });
  assert.notEqual(changed.hash, root.hash);

  // Structural sharing: all other directories and pages are the same objects.
  let shared = 0;
  for (let i = 0; i < 1024; i++) {
    if (changed.children[i] === root.children[i]) shared++;
  }
  assert.equal(shared, 1023);
  const a = get(root, "0a3") as DirNode;
  const b = get(changed, "0a3") as DirNode;
  assert.equal(b.names, a.names);
  shared = 0;
  for (let i = 0; i < 1024; i++) if (a.children[i] === b.children[i]) shared++;
  assert.equal(shared, 1023);

  // Diff and interning touch only the path to the change.
  const [changes, diffHashes] = counting(() => [...diff(root, changed)]);
  assert.deepEqual(changes.map((c) => c.path), ["0a3/1ff"]);
  assert.deepEqual(diffHashes, { blobs: 0, dirs: 0 });
  intern(root);
  const [, internHashes] = counting(() =>
    intern(set(changed, "0a3/1ff", blob(new Uint8Array(PAGE))))
  );
  assert.deepEqual(internHashes, { blobs: 1, dirs: 2 });

  // Asking for one page's hash hashes that page only.
  const fresh = radix();
  const [, one] = counting(() => get(fresh, "3ff/3ff").hash);
  assert.deepEqual(one, { blobs: 1, dirs: 0 });
});
