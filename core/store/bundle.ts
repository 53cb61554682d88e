/**
 * Export/import bundles (docs/store.md §7): snapshots and every object they
 * reach, in one file, to move a computation to another store or machine.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { childHashes } from "./children.ts";
import { StoreError } from "./errors.ts";
import { checkSnapshotName, parseSnapshot, type SnapshotMeta, snapshotRoots } from "./snapshot.ts";
import type { Store } from "./store.ts";

/** First line of a bundle (inside the gzip stream). */
export const BUNDLE_MAGIC = "fx86-bundle 1\n";

const DIGEST_BYTES = 32;

/**
 * A bundle of the named snapshots: gzip of the magic line, one JSON line
 * `{"snapshots": {NAME: metadata}}`, then each object they reach (roots and
 * starts) once, children before directories, as 32-byte digest, u32
 * big-endian length and canonical encoding. Objects are read verified.
 *
 * @example
 * writeFileSync("run.fx86", exportBundle(store, ["s1", "s2"]));
 */
export function exportBundle(store: Store, names: string[]): Uint8Array {
  const snapshots: Record<string, SnapshotMeta> = {};
  for (const name of names) snapshots[name] = store.getSnapshot(name);
  const parts: Uint8Array[] = [new TextEncoder().encode(BUNDLE_MAGIC + JSON.stringify({ snapshots }) + "\n")];
  const emitted = new Set<string>();
  for (const [name, meta] of Object.entries(snapshots)) {
    for (const [root] of snapshotRoots(meta)) {
      // Post-order with an explicit stack: children before their directory.
      const stack: { hash: string; encoding?: Uint8Array }[] = [{ hash: root }];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (emitted.has(top.hash)) {
          stack.pop();
          continue;
        }
        if (!top.encoding) {
          top.encoding = readFor(store, name, top.hash);
          for (const c of childHashes(top.encoding)) if (!emitted.has(c)) stack.push({ hash: c });
          continue;
        }
        stack.pop();
        emitted.add(top.hash);
        const head = new Uint8Array(DIGEST_BYTES + 4);
        head.set(Buffer.from(top.hash, "hex"));
        new DataView(head.buffer).setUint32(DIGEST_BYTES, top.encoding.length);
        parts.push(head, top.encoding);
      }
    }
  }
  return new Uint8Array(gzipSync(Buffer.concat(parts)));
}

function readFor(store: Store, name: string, hash: string): Uint8Array {
  try {
    return store.readObject(hash);
  } catch (e) {
    if (!(e instanceof StoreError) || !e.hash) throw e;
    const what = e.code === "missing" ? "which is missing" : "which is corrupt";
    throw new StoreError(e.code, `snapshot ${name} needs object ${e.hash}, ${what}.`, e.hash);
  }
}

/** What an import did. */
export interface ImportResult {
  snapshots: string[];
  /** Objects in the bundle. */
  objects: number;
  /** Of those, objects the store did not have. */
  written: number;
}

function bad(why: string): StoreError {
  return new StoreError("bad-bundle", `the bundle is damaged: ${why}.`);
}

/**
 * Imports a bundle: checks every object's hash and the children-first order
 * as it stores them, and writes the snapshots last, so a damaged bundle
 * leaves the store as it was apart from unreferenced objects (gc removes
 * them). A snapshot name that exists with another root is refused before
 * anything is written (`exists`).
 *
 * @example
 * importBundle(store, readFileSync("run.fx86")); // { snapshots: ["s1"], objects: 812, written: 3 }
 */
export function importBundle(store: Store, bundle: Uint8Array): ImportResult {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(gunzipSync(bundle));
  } catch {
    throw bad("it is not a complete gzip stream");
  }
  const magic = new TextEncoder().encode(BUNDLE_MAGIC);
  if (bytes.length < magic.length || !magic.every((b, i) => bytes[i] === b)) {
    throw new StoreError("bad-bundle", "this file is not an fx86 bundle.");
  }
  const eol = bytes.indexOf(0x0a, magic.length);
  if (eol < 0) throw bad("its header line is cut short");
  let header: { snapshots?: Record<string, unknown> };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length, eol)));
  } catch {
    throw bad("its header is not JSON");
  }
  if (!header || typeof header.snapshots !== "object" || header.snapshots === null) throw bad("its header lists no snapshots");
  const snapshots = Object.entries(header.snapshots).map(([name, meta]) => {
    checkSnapshotName(name);
    return [name, parseSnapshot(name, JSON.stringify(meta))] as const;
  });
  for (const [name, meta] of snapshots) {
    if (store.snapshotNames().includes(name) && store.getSnapshot(name).root !== meta.root) {
      throw new StoreError("exists", `snapshot ${name} already exists with another root; remove it or import elsewhere.`);
    }
  }
  let pos = eol + 1, objects = 0, written = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (pos < bytes.length) {
    if (pos + DIGEST_BYTES + 4 > bytes.length) throw bad("an object header is cut short");
    const hash = Buffer.from(bytes.subarray(pos, pos + DIGEST_BYTES)).toString("hex");
    const length = view.getUint32(pos + DIGEST_BYTES);
    const start = pos + DIGEST_BYTES + 4;
    if (start + length > bytes.length) throw bad(`object ${hash} is cut short`);
    const encoding = bytes.subarray(start, start + length);
    if (createHash("sha256").update(encoding).digest("hex") !== hash) throw bad(`object ${hash} does not hash to its name`);
    try {
      if (store.putEncoding(hash, encoding).written) written++;
    } catch (e) {
      if (e instanceof StoreError && e.code === "missing") throw bad(`directory ${hash} comes before its child ${e.hash}`);
      throw e;
    }
    objects++;
    pos = start + length;
  }
  for (const [name, meta] of snapshots) {
    for (const [root] of snapshotRoots(meta)) {
      if (!store.has(root)) throw bad(`it lacks object ${root}, which snapshot ${name} needs`);
    }
  }
  for (const [name, meta] of snapshots) store.putSnapshot(name, meta);
  return { snapshots: snapshots.map(([n]) => n), objects, written };
}
