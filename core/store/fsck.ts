/** Checking a whole store (docs/store.md §6). */
import { snapshotRoots } from "./snapshot.ts";
import { childHashes } from "./children.ts";
import { checkEncoding, TreeError } from "../tree/mod.ts";
import { notCanonical, StoreError } from "./errors.ts";
import type { Store } from "./store.ts";

/** One thing wrong with a store, as a one-sentence message. */
export interface FsckProblem {
  /** The object concerned, if any. */
  hash?: string;
  /** Snapshots that need this object. */
  snapshots: string[];
  message: string;
}

/** What fsck found. */
export interface FsckResult {
  objects: number;
  snapshots: number;
  /** Temporary files: leftovers of interrupted writes (harmless; gc removes them). */
  temporary: number;
  problems: FsckProblem[];
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * Reads and checks every object (name well-formed, hash matches, canonical
 * encoding, children of directories present) and every snapshot (valid metadata, root
 * present); names, for each bad object, the snapshots that reach it.
 * Because each directory's children are checked, a store with no problems
 * has every snapshot's whole tree present and intact.
 *
 * @example
 * const r = fsck(store);
 * for (const p of r.problems) console.log(p.message);
 */
export function fsck(store: Store): FsckResult {
  const problems: FsckProblem[] = [];
  const bad = new Set<string>();
  // Presence is judged from this listing, not from the store's cache of
  // what it has seen, which another process's gc can make stale.
  const all = new Set(store.objectHashes());
  const objects = all.size;
  for (const h of all) {
    if (!HASH.test(h)) {
      problems.push({ snapshots: [], message: `unexpected file ${store.objectPath(h)} in the objects directory.` });
      continue;
    }
    let encoding: Uint8Array;
    try {
      encoding = store.readObject(h);
    } catch (e) {
      if (!(e instanceof StoreError) || !e.hash) throw e;
      problems.push({ hash: h, snapshots: [], message: e.message });
      bad.add(h);
      continue;
    }
    try {
      checkEncoding(encoding);
    } catch (e) {
      if (!(e instanceof TreeError)) throw e;
      // The hash matches, but readers (decode) refuse the bytes all the same.
      problems.push({ hash: h, snapshots: [], message: `object ${h} is corrupt: it is not a canonical node encoding (${notCanonical(e)}).` });
      bad.add(h);
      continue;
    }
    for (const c of childHashes(encoding, h)) {
      if (!all.has(c) && !bad.has(c)) {
        problems.push({ hash: c, snapshots: [], message: `object ${c} is missing (directory ${h} needs it).` });
        bad.add(c);
      }
    }
  }
  const roots: [string, string][] = [];
  const names = store.snapshotNames();
  for (const name of names) {
    try {
      for (const [hash, what] of snapshotRoots(store.getSnapshot(name))) {
        roots.push([name, hash]);
        if (!all.has(hash) && !bad.has(hash)) {
          problems.push({ hash, snapshots: [], message: `object ${hash} is missing (the ${what} of snapshot ${name}).` });
          bad.add(hash);
        }
      }
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      problems.push({ snapshots: [name], message: e.message });
    }
  }
  if (bad.size > 0) nameSnapshots(store, roots, problems, bad);
  return { objects, snapshots: names.length, temporary: store.tempFiles().length, problems };
}

/** Fills in which snapshots reach each bad object (only run when there are some). */
function nameSnapshots(store: Store, roots: [string, string][], problems: FsckProblem[], bad: Set<string>): void {
  const needers = new Map<string, Set<string>>();
  for (const [name, root] of roots) {
    const seen = new Set<string>();
    const stack = [root];
    while (stack.length > 0) {
      const h = stack.pop()!;
      if (seen.has(h)) continue;
      seen.add(h);
      if (bad.has(h)) {
        needers.set(h, (needers.get(h) ?? new Set()).add(name));
        continue;
      }
      try {
        stack.push(...childHashes(store.readObject(h), h));
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
      }
    }
  }
  for (const p of problems) {
    if (!p.hash) continue;
    p.snapshots = [...needers.get(p.hash) ?? []];
    if (p.snapshots.length > 0) {
      p.message = p.message.replace(/\.$/, `; needed by snapshot ${p.snapshots.join(", ")}.`);
    }
  }
}
