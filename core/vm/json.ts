/**
 * Canonical JSON for state blobs: byte arrays become {"base64": "..."} and
 * come back as Uint8Arrays. Key order is the order the state objects are
 * built in, which is fixed by the code, so the bytes are deterministic.
 */
import { Buffer } from "node:buffer";
import { blob, type BlobNode } from "../tree/mod.ts";

export function jsonBlob(value: unknown): BlobNode {
  return blob(JSON.stringify(value, (_k, v) =>
    v instanceof Uint8Array ? { base64: Buffer.from(v).toString("base64") } : v));
}

export function parseJsonBlob<T>(node: BlobNode): T {
  return JSON.parse(new TextDecoder().decode(node.bytes), (_k, v) =>
    v && typeof v === "object" && typeof v.base64 === "string" && Object.keys(v).length === 1
      ? new Uint8Array(Buffer.from(v.base64, "base64"))
      : v);
}
