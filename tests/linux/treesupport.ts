/** Helpers for the data-tree tests: a seeded random generator and Fx86 calls. */
import { EAX, EBX, ECX, EDX, ESI } from "../../core/cpu/state.ts";
import { treeOp } from "../../core/linux/treeops.ts";
import type { Sys } from "./sys.ts";

/** A small deterministic generator (xorshift32). */
export class Rng {
  private x: number;
  constructor(seed: number) {
    this.x = (seed * 0x9e3779b9) | 1;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.x = x) >>> 0;
  }
  /** 0 ≤ n < max. */
  int(max: number): number {
    return this.next() % max;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
}

/** Performs Fx86 data-tree function `fn` with EBX, ECX, EDX, ESI = args; returns EAX (signed). */
export function treeOpCall(s: Sys, fn: number, args: number[]): number {
  [EBX, ECX, EDX, ESI].forEach((r, i) => (s.c.r[r] = args[i] ?? 0));
  treeOp(s.k, s.m, s.c, fn);
  return s.c.r[EAX];
}
