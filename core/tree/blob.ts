import { blobHeader } from "./encoding.ts";
import { TreeError } from "./errors.ts";
import { hashStats, sha256, toHex } from "./hash.ts";

/**
 * An immutable byte string. It wraps the caller's Uint8Array without copying
 * and exposes it as `bytes` without copying, so a 4 KiB memory page can become
 * a blob for free; the price is a promise: nobody mutates those bytes again.
 * The hash is computed on first request and cached.
 *
 * Create blobs with {@link blob}.
 *
 * @example
 * const b = blob("hello");
 * b.size; // 5
 * b.write(5, new TextEncoder().encode("!")).size; // 6, b is unchanged
 */
export class BlobNode {
  #digest: Uint8Array | undefined;
  #hash: string | undefined;

  /**
   * Wraps `bytes`, which must never be mutated afterwards. Internal: trusts
   * `digest` (if given) to be the right hash, which is why mod.ts exports this
   * class as a type only; public code uses {@link blob}.
   */
  constructor(readonly bytes: Uint8Array, digest?: Uint8Array) {
    this.#digest = digest;
  }

  /** Always "blob"; tells blobs from directories. */
  get kind(): "blob" {
    return "blob";
  }

  /** Length in bytes. */
  get size(): number {
    return this.bytes.length;
  }

  /** SHA-256 of the canonical encoding (see docs/tree.md), computed once. */
  get digest(): Uint8Array {
    if (!this.#digest) {
      this.#digest = sha256(blobHeader(this.bytes.length), this.bytes);
      hashStats.blobs++;
    }
    return this.#digest;
  }

  /** {@link digest} as 64 lower-case hexadecimal digits. */
  get hash(): string {
    return this.#hash ??= toHex(this.digest);
  }

  /** True once the hash has been computed, so asking for it costs nothing. */
  get isHashed(): boolean {
    return this.#digest !== undefined;
  }

  /**
   * Up to `length` bytes from `offset`, fewer at the end of the blob (none
   * past it), as a read-only view that shares the blob's memory.
   *
   * @example
   * blob("hello").read(1, 3); // bytes of "ell"
   * blob("hello").read(4, 10); // bytes of "o"
   */
  read(offset = 0, length = Infinity): Uint8Array {
    checkRange("offset", offset);
    if (length !== Infinity) checkRange("length", length);
    const start = Math.min(offset, this.bytes.length);
    return this.bytes.subarray(
      start,
      Math.min(this.bytes.length, start + length),
    );
  }

  /**
   * A new blob with `data` written at `offset`; writing past the end extends
   * the blob, filling any gap with zeros. Writing nothing returns this blob.
   *
   * @example
   * blob("hello").write(1, new TextEncoder().encode("EL")); // "hELlo"
   * blob("").write(2, new Uint8Array([7])); // bytes 00 00 07
   */
  write(offset: number, data: Uint8Array): BlobNode {
    checkRange("offset", offset);
    if (data.length === 0) return this;
    const out = new Uint8Array(
      Math.max(this.bytes.length, offset + data.length),
    );
    out.set(this.bytes);
    out.set(data, offset);
    return new BlobNode(out);
  }

  /**
   * A new blob of `size` bytes: this one cut short or extended with zeros
   * (like ftruncate). The same size returns this blob.
   *
   * @example
   * blob("hello").resize(2); // "he"
   */
  resize(size: number): BlobNode {
    checkRange("size", size);
    if (size === this.bytes.length) return this;
    const out = new Uint8Array(size);
    out.set(
      size < this.bytes.length ? this.bytes.subarray(0, size) : this.bytes,
    );
    return new BlobNode(out);
  }
}

/** Throws "bad-range" unless `value` is a non-negative safe integer. */
function checkRange(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TreeError(
      "bad-range",
      `Blob ${what} ${value} is not a non-negative integer.`,
    );
  }
}

/**
 * Makes a blob. A Uint8Array is wrapped without copying (the caller promises
 * never to mutate it again); a string is stored as its UTF-8 bytes.
 *
 * @example
 * const page = new Uint8Array(4096);
 * blob(page).bytes === page; // true: no copy
 * blob("hello").size; // 5
 */
export function blob(data: Uint8Array | string): BlobNode {
  return new BlobNode(
    typeof data === "string" ? new TextEncoder().encode(data) : data,
  );
}
