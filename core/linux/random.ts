import { createHash } from "node:crypto";

/**
 * The guest's only source of randomness (getrandom, /dev/urandom,
 * AT_RANDOM): SHA-256 in counter mode over a seed, so the same seed gives
 * the same bytes on every runtime. Output block i is SHA-256(seed ||
 * i as 8 little-endian bytes); `position` counts bytes handed out, which is
 * all the state there is besides the seed.
 *
 * @example
 * const r = new Random(new TextEncoder().encode("seed"));
 * r.bytes(16); // the same 16 bytes every time for this seed
 */
export class Random {
  constructor(readonly seed: Uint8Array, public position = 0) {}

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const block = this.block(Math.floor(this.position / 32));
      const from = this.position % 32;
      const take = Math.min(32 - from, n - done);
      out.set(block.subarray(from, from + take), done);
      done += take;
      this.position += take;
    }
    return out;
  }

  private block(index: number): Uint8Array {
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigUint64(0, BigInt(index), true);
    return new Uint8Array(
      createHash("sha256").update(this.seed).update(counter).digest(),
    );
  }
}
