/**
 * A small seeded PRNG (xorshift128) so every generated test is the same on
 * every run and in both runtimes.
 *
 * @example
 * const rng = new Rng(1);
 * rng.below(6); // 0..5
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads the seed over the four state words
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }

  /** A uniformly random int32. */
  u32(): number {
    let t = this.d;
    const s = this.a;
    this.d = this.c;
    this.c = this.b;
    this.b = s;
    t ^= t << 11;
    t ^= t >>> 8;
    this.a = (t ^ s ^ (s >>> 19)) | 0;
    return this.a;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return ((this.u32() >>> 0) * n / 0x100000000) >>> 0;
  }

  byte(): number {
    return this.u32() & 0xff;
  }

  chance(p: number): boolean {
    return (this.u32() >>> 0) < p * 0x100000000;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }

  bytes(n: number): number[] {
    return Array.from({ length: n }, () => this.byte());
  }
}
