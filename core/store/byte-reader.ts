/** Reading a byte stream piece by piece, with a cap on its total length. */

/**
 * Pulls bytes from an async source (a decompressing stream) only as they
 * are asked for, so a reader that rejects early never makes the source
 * produce the rest, and `maxBytes` bounds what it ever produces.
 *
 * @example
 * const r = new ByteReader(gunzipped[Symbol.asyncIterator](), 1 << 30, () => new Error("too big"));
 * const magic = await r.exactly(14);   // undefined if the stream ends first
 */
export class ByteReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Bytes received from the source so far. */
  total = 0;

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly maxBytes: number,
    private readonly tooBig: () => Error,
  ) {}

  /** True once the source has nothing more. */
  async atEnd(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      const r = await this.source.next();
      if (r.done) return true;
      this.total += r.value.length;
      if (this.total > this.maxBytes) throw this.tooBig();
      this.chunk = r.value;
      this.pos = 0;
    }
    return false;
  }

  /** The next 1..`max` bytes, or undefined at the end. */
  async next(max: number): Promise<Uint8Array | undefined> {
    if (await this.atEnd()) return undefined;
    const n = Math.min(max, this.chunk.length - this.pos);
    const out = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Exactly `n` bytes, or undefined if the stream ends first. */
  async exactly(n: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const piece = await this.next(n - got);
      if (!piece) return undefined;
      out.set(piece, got);
      got += piece.length;
    }
    return out;
  }

  /** The bytes up to the next newline (not included), or undefined if none comes within `max` bytes. */
  async line(max: number): Promise<Uint8Array | undefined> {
    const parts: Uint8Array[] = [];
    let length = 0;
    while (!(await this.atEnd())) {
      const eol = this.chunk.indexOf(0x0a, this.pos);
      const end = eol < 0 ? this.chunk.length : eol;
      parts.push(this.chunk.subarray(this.pos, end));
      length += end - this.pos;
      if (length > max) return undefined;
      this.pos = eol < 0 ? end : end + 1;
      if (eol >= 0) {
        const out = new Uint8Array(length);
        let at = 0;
        for (const p of parts) out.set(p, at), at += p.length;
        return out;
      }
    }
    return undefined;
  }
}
