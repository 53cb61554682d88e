/**
 * Crafting bundles for the bundle fuzzer (tests/store/bundle-fuzz.test.ts):
 * the raw stream inside the gzip (docs/store.md §7) built piece by piece,
 * so each piece can be forged — object headers, encodings, metadata.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { BUNDLE_MAGIC } from "../../core/store/mod.ts";

const te = new TextEncoder();

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

/** SHA-256 of bytes as hex. */
export function sha(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The magic line and the header line of a bundle naming `snapshots`. */
export function header(snapshots: unknown): Uint8Array {
  return te.encode(BUNDLE_MAGIC + JSON.stringify({ snapshots }) + "\n");
}

/** One object record: digest (of `encoding`, unless `hash` is forged), u32 length (unless forged), bytes. */
export function record(encoding: Uint8Array, opts: { hash?: string; length?: number } = {}): Uint8Array {
  const head = new Uint8Array(36);
  head.set(Uint8Array.from((opts.hash ?? sha(encoding)).match(/../g)!.map((h) => parseInt(h, 16))));
  new DataView(head.buffer).setUint32(32, opts.length ?? encoding.length);
  return concat(head, encoding);
}

/** A blob encoding; `size` forges its length field. */
export function blobEncoding(content: Uint8Array, size = content.length): Uint8Array {
  const head = new Uint8Array(9);
  head[0] = 0x42;
  new DataView(head.buffer).setUint32(5, size);
  return concat(head, content);
}

/** A directory encoding from raw entries (name bytes, child hash); `count` forges the entry count. */
export function dirEncoding(entries: [Uint8Array, string][], count = entries.length): Uint8Array {
  const head = new Uint8Array(5);
  head[0] = 0x44;
  new DataView(head.buffer).setUint32(1, count);
  return concat(
    head,
    ...entries.map(([name, hash]) =>
      concat(Uint8Array.of(name.length), name, Uint8Array.from(hash.match(/../g)!.map((h) => parseInt(h, 16))))
    ),
  );
}

/** Metadata of a valid snapshot of `root`, with fields overridden. */
export function metaOf(root: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    root,
    origin: null,
    start: null,
    budget_used: 1,
    instructions: 1,
    status: "budget",
    time_ms: 1,
    runtime: "deno",
    created: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}

/** gzip of the raw stream. */
export function gz(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(gzipSync(concat(...parts)));
}

export { te as utf8 };
