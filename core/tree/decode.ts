import { BlobNode } from "./blob.ts";
import { DirNode } from "./dir.ts";
import {
  BLOB_HEADER_BYTES,
  BLOB_TAG,
  DIR_HEADER_BYTES,
  DIR_TAG,
} from "./encoding.ts";
import { TreeError } from "./errors.ts";
import { DIGEST_BYTES, hashStats, sameDigest, sha256, toHex } from "./hash.ts";
import { compareNames, isValidName } from "./names.ts";
import type { TreeNode } from "./node.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function bad(why: string): TreeError {
  return new TreeError(
    "bad-encoding",
    `Not a canonical node encoding: ${why}.`,
  );
}

/**
 * Rebuilds a node from its canonical encoding (see {@link encode}), asking
 * `lookup` for each child of a directory by hash. Only the canonical
 * encoding is accepted (exact lengths, valid names in strictly ascending
 * order, children whose hashes match), so the bytes are exactly what the node
 * hashes to: the node's hash is taken from them directly, and a store checks
 * an object by comparing `node.hash` with the name it was stored under.
 * A decoded blob wraps a view of `bytes` without copying, so the caller hands
 * `bytes` over and must not mutate them.
 *
 * Throws "bad-encoding" for malformed bytes and "not-found" when `lookup`
 * knows no node for a child hash.
 *
 * @example
 * const objects = new Map<string, Uint8Array>(); // hash -> encoding
 * const load = (hash: string): TreeNode =>
 *   decode(objects.get(hash)!, load);
 */
export function decode(
  bytes: Uint8Array,
  lookup: (hash: string) => TreeNode | undefined,
): TreeNode {
  const parsed = parse(bytes);
  if (parsed === BLOB) return blobOf(bytes);
  const { names, digests } = parsed;
  const children = digests.map((digest, i) => {
    const hash = toHex(digest);
    const child = lookup(hash);
    if (!child) {
      throw new TreeError(
        "not-found",
        `No node with hash ${hash} for entry ${JSON.stringify(names[i])}.`,
      );
    }
    if (!sameDigest(child.digest, digest)) {
      throw bad(`lookup of ${hash} returned a node with hash ${child.hash}`);
    }
    return child;
  });
  hashStats.dirs++;
  return new DirNode(names, children, sha256(bytes));
}

/**
 * {@link decode} that loads nothing yet: a directory's entries are loaded
 * one at a time on first access, by `load(hash)`, which must return the
 * node with that hash (a store reads the object and checks its hash; its
 * errors surface where the entry is first touched). Checks the encoding
 * exactly as `decode` does.
 *
 * @example
 * const load = (hash: string): TreeNode => decodeLazy(store.readObject(hash), load);
 * const root = load(rootHash); // one object read; the rest on demand
 */
export function decodeLazy(
  bytes: Uint8Array,
  load: (hash: string) => TreeNode,
): TreeNode {
  const parsed = parse(bytes);
  if (parsed === BLOB) return blobOf(bytes);
  hashStats.dirs++;
  return DirNode.lazy(parsed.names, parsed.digests, sha256(bytes), (digest) => {
    const child = load(toHex(digest));
    if (!sameDigest(child.digest, digest)) {
      throw bad(`loading ${toHex(digest)} returned a node with hash ${child.hash}`);
    }
    return child;
  });
}

function blobOf(bytes: Uint8Array): BlobNode {
  hashStats.blobs++;
  return new BlobNode(bytes.subarray(BLOB_HEADER_BYTES), sha256(bytes));
}

/**
 * Throws "bad-encoding" unless `bytes` are a canonical encoding: exact
 * lengths, valid names in strictly ascending order. Checks the bytes only,
 * not that children exist; fsck and bundle imports use it on objects from
 * outside before anything relies on their shape.
 *
 * @example
 * checkEncoding(encode(blob("x")));                 // fine
 * checkEncoding(new Uint8Array([0x44, 0, 0, 0, 1])); // throws: entry 0 is missing
 */
export function checkEncoding(bytes: Uint8Array): void {
  parse(bytes);
}

/** What `parse` returns for a blob: the contents follow the header. */
const BLOB = "blob";

/** Blob or a directory's names and child digests, from a canonical encoding. */
function parse(bytes: Uint8Array): typeof BLOB | { names: string[]; digests: Uint8Array[] } {
  if (bytes.length === 0) throw bad("no bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === BLOB_TAG) {
    if (bytes.length < BLOB_HEADER_BYTES) throw bad("blob header is cut short");
    const size = view.getUint32(1) * 0x1_0000_0000 + view.getUint32(5);
    if (size !== bytes.length - BLOB_HEADER_BYTES) {
      throw bad(
        `blob says ${size} bytes but holds ${bytes.length - BLOB_HEADER_BYTES}`,
      );
    }
    return BLOB;
  }
  if (bytes[0] !== DIR_TAG) throw bad(`unknown tag ${bytes[0]}`);
  if (bytes.length < DIR_HEADER_BYTES) {
    throw bad("directory header is cut short");
  }
  const count = view.getUint32(1);
  const names: string[] = [];
  const digests: Uint8Array[] = [];
  let pos = DIR_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (pos >= bytes.length) throw bad(`entry ${i} is missing`);
    const nameBytes = bytes[pos];
    const end = pos + 1 + nameBytes + DIGEST_BYTES;
    if (end > bytes.length) throw bad(`entry ${i} is cut short`);
    let name: string;
    try {
      name = utf8.decode(bytes.subarray(pos + 1, pos + 1 + nameBytes));
    } catch {
      throw bad(`entry ${i} has a name that is not UTF-8`);
    }
    if (!isValidName(name)) {
      throw bad(`entry ${i} has the invalid name ${JSON.stringify(name)}`);
    }
    if (i > 0 && compareNames(names[i - 1], name) >= 0) {
      throw bad(`entry ${JSON.stringify(name)} is out of order or repeated`);
    }
    names.push(name);
    digests.push(bytes.subarray(end - DIGEST_BYTES, end));
    pos = end;
  }
  if (pos !== bytes.length) {
    throw bad(`${bytes.length - pos} bytes follow the last entry`);
  }
  return { names, digests };
}
