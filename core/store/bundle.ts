/**
 * Export/import bundles (docs/store.md §7): snapshots and every object they
 * reach, in one file, to move a computation to another store or machine.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip, gzipSync } from "node:zlib";
import { BLOB_HEADER_BYTES, BLOB_TAG } from "../tree/encoding.ts";
import { checkEncoding, TreeError } from "../tree/mod.ts";
import { ByteReader } from "./byte-reader.ts";
import { childHashes } from "./children.ts";
import { notCanonical, StoreError, storeIoError } from "./errors.ts";
import { DEFAULT_STORE_LIMITS, type StoreLimits } from "./limits.ts";
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
          for (const c of childHashes(top.encoding, top.hash)) if (!emitted.has(c)) stack.push({ hash: c });
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

/** Objects up to this size are read into memory; larger ones (blobs only) stream to a temporary file. */
const IN_MEMORY_BYTES = 16 << 20;
/** The header line (snapshot metadata) may not be longer. */
const MAX_HEADER_BYTES = 16 << 20;

/**
 * Imports a bundle (gzip-compressed bytes, or a stream of them): checks
 * every object's hash, canonical encoding and the children-first order as
 * it stores them, and writes the snapshots last, so a damaged or hostile
 * bundle leaves the store as it was apart from unreferenced complete
 * objects (gc removes them). Decompression is driven by the parser, so
 * nothing past what it accepted is ever inflated, and `limits` cap each
 * object (refused on its declared length, before its bytes are read) and
 * the whole bundle. A snapshot name that exists with another root is
 * refused before anything is written (`exists`).
 *
 * @example
 * await importBundle(store, readFileSync("run.fx86")); // { snapshots: ["s1"], objects: 812, written: 3 }
 * await importBundle(store, createReadStream("big.fx86"), { ...DEFAULT_STORE_LIMITS, maxBundleBytes: 1 << 30 });
 */
export async function importBundle(
  store: Store,
  bundle: Uint8Array | AsyncIterable<Uint8Array>,
  limits: StoreLimits = DEFAULT_STORE_LIMITS,
): Promise<ImportResult> {
  const gunzip = createGunzip();
  (bundle instanceof Uint8Array ? Readable.from([bundle]) : Readable.from(bundle)).pipe(gunzip);
  const source = gunzip[Symbol.asyncIterator]();
  const tooBig = () =>
    new StoreError("too-big", `the bundle is larger than ${limits.maxBundleBytes} bytes uncompressed (see --max-bundle-bytes).`);
  const reader = new ByteReader(source, limits.maxBundleBytes, tooBig);
  try {
    return await readBundle(store, reader, limits);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    // zlib's errors: a damaged or truncated gzip stream.
    throw bad("it is not a complete gzip stream");
  } finally {
    gunzip.destroy();
  }
}

async function readBundle(store: Store, reader: ByteReader, limits: StoreLimits): Promise<ImportResult> {
  const magic = new TextEncoder().encode(BUNDLE_MAGIC);
  const head = await reader.exactly(magic.length);
  if (!head || !magic.every((b, i) => head[i] === b)) {
    throw new StoreError("bad-bundle", "this file is not an fx86 bundle.");
  }
  const line = await reader.line(MAX_HEADER_BYTES);
  if (!line) throw bad("its header line is cut short or too long");
  const snapshots = parseHeader(line);
  for (const [name, meta] of snapshots) {
    if (store.snapshotNames().includes(name) && store.getSnapshot(name).root !== meta.root) {
      throw new StoreError("exists", `snapshot ${name} already exists with another root; remove it or import elsewhere.`);
    }
  }
  let objects = 0, written = 0;
  while (!(await reader.atEnd())) {
    const top = await reader.exactly(DIGEST_BYTES + 4);
    if (!top) throw bad("an object header is cut short");
    const hash = Buffer.from(top.subarray(0, DIGEST_BYTES)).toString("hex");
    const length = new DataView(top.buffer, top.byteOffset).getUint32(DIGEST_BYTES);
    if (length > limits.maxObjectBytes) {
      throw new StoreError(
        "too-big",
        `the bundle's object ${hash} is ${length} bytes, over the limit of ${limits.maxObjectBytes} (see --max-object-bytes).`,
      );
    }
    const isNew = length > IN_MEMORY_BYTES
      ? await streamBlob(store, reader, hash, length)
      : putChecked(store, hash, await reader.exactly(length));
    if (isNew) written++;
    objects++;
  }
  for (const [name, meta] of snapshots) {
    for (const [root] of snapshotRoots(meta)) {
      if (!store.has(root)) throw bad(`it lacks object ${root}, which snapshot ${name} needs`);
    }
  }
  for (const [name, meta] of snapshots) store.putSnapshot(name, meta);
  return { snapshots: snapshots.map(([n]) => n), objects, written };
}

/** The header's snapshots, each name and metadata checked. */
function parseHeader(line: Uint8Array): (readonly [string, SnapshotMeta])[] {
  let header: { snapshots?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(line));
  } catch {
    throw bad("its header is not JSON");
  }
  if (!header || typeof header.snapshots !== "object" || header.snapshots === null || Array.isArray(header.snapshots)) {
    throw bad("its header lists no snapshots");
  }
  return Object.entries(header.snapshots).map(([name, meta]) => {
    checkSnapshotName(name);
    return [name, parseSnapshot(name, JSON.stringify(meta))] as const;
  });
}

/** Stores one object read whole: hash, canonical encoding, children present. Returns whether it was new. */
function putChecked(store: Store, hash: string, encoding: Uint8Array | undefined): boolean {
  if (!encoding) throw bad(`object ${hash} is cut short`);
  if (createHash("sha256").update(encoding).digest("hex") !== hash) throw bad(`object ${hash} does not hash to its name`);
  try {
    checkEncoding(encoding);
  } catch (e) {
    if (e instanceof TreeError) throw bad(`object ${hash} is not a canonical node encoding (${notCanonical(e)})`);
    throw e;
  }
  try {
    return store.putEncoding(hash, encoding).written;
  } catch (e) {
    if (e instanceof StoreError && e.code === "missing") throw bad(`directory ${hash} comes before its child ${e.hash}`);
    throw e;
  }
}

/**
 * Stores a large object without holding it in memory: it must be a blob
 * (no directory is that large), written to a temporary file while it is
 * hashed, then moved into place. Returns whether it was new.
 */
async function streamBlob(store: Store, reader: ByteReader, hash: string, length: number): Promise<boolean> {
  const tmp = store.tempPath();
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    const sha = createHash("sha256");
    let got = 0;
    while (got < length) {
      const piece = await reader.next(Math.min(length - got, 1 << 20));
      if (!piece) throw bad(`object ${hash} is cut short`);
      if (got === 0 && piece[0] !== BLOB_TAG) throw bad(`object ${hash} is ${length} bytes but not a blob (no directory is that large)`);
      sha.update(piece);
      writeAllSync(fd, piece);
      got += piece.length;
    }
    closeSync(fd);
    fd = undefined;
    if (sha.digest("hex") !== hash) throw bad(`object ${hash} does not hash to its name`);
    if (!blobHeaderFits(tmp, length)) throw bad(`object ${hash} is not a canonical node encoding (its length field is wrong)`);
    if (store.has(hash)) return false;
    store.adoptBlobFile(hash, tmp);
    return true;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof StoreError) throw e;
    throw storeIoError(store.dir, e, `write object ${hash}`);
  }
}

function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Whether a blob encoding's 64-bit length field (bytes 1..8 of the file) says `length - 9`. */
function blobHeaderFits(path: string, length: number): boolean {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(BLOB_HEADER_BYTES);
    readSync(fd, head, 0, BLOB_HEADER_BYTES, 0);
    const v = new DataView(head.buffer);
    return v.getUint32(1) * 0x1_0000_0000 + v.getUint32(5) === length - BLOB_HEADER_BYTES;
  } finally {
    closeSync(fd);
  }
}
