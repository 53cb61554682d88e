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
    hashStats.blobs++;
    return new BlobNode(bytes.subarray(BLOB_HEADER_BYTES), sha256(bytes));
  }
  if (bytes[0] !== DIR_TAG) throw bad(`unknown tag ${bytes[0]}`);
  if (bytes.length < DIR_HEADER_BYTES) {
    throw bad("directory header is cut short");
  }
  const count = view.getUint32(1);
  const names: string[] = [];
  const children: TreeNode[] = [];
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
    const digest = bytes.subarray(end - DIGEST_BYTES, end);
    const hash = toHex(digest);
    const child = lookup(hash);
    if (!child) {
      throw new TreeError(
        "not-found",
        `No node with hash ${hash} for entry ${JSON.stringify(name)}.`,
      );
    }
    if (!sameDigest(child.digest, digest)) {
      throw bad(`lookup of ${hash} returned a node with hash ${child.hash}`);
    }
    names.push(name);
    children.push(child);
    pos = end;
  }
  if (pos !== bytes.length) {
    throw bad(`${bytes.length - pos} bytes follow the last entry`);
  }
  hashStats.dirs++;
  return new DirNode(names, children, sha256(bytes));
}
