/**
 * Time travel over one guest's run. Because a guest is a pure function of
 * its tree and its budget, any past instruction can be reached by
 * restoring the nearest earlier checkpoint and replaying forward; the
 * timeline keeps a checkpoint (a guest subtree: only what changed since the
 * previous one is new) every `every` instructions.
 */
import type { DirNode } from "../tree/mod.ts";
import { Guest, type RestoreOptions, type Stop } from "./guest.ts";

/** A recorded state: the guest's subtree after `at` charged instructions. */
export interface Checkpoint {
  at: number;
  tree: DirNode;
}

/**
 * A guest with checkpoints, which can go to any instruction count it has
 * reached or can reach.
 *
 * @example
 * const t = new Timeline(Guest.fromElf(opts), { every: 10_000_000 });
 * t.run(Infinity);           // to the end, checkpointing on the way
 * t.back(1);                 // one instruction before the end
 * t.goto(123_456);           // exactly after instruction 123 456
 * t.guest.cpu.eip;           // where the guest is now
 */
export class Timeline {
  /** Checkpoints in increasing order of `at`; the first is the start. */
  readonly checkpoints: Checkpoint[];
  readonly every: number;

  constructor(
    /** The guest at the current position (replaced by goto/back). */
    public guest: Guest,
    opts: { every: number; restore?: RestoreOptions },
  ) {
    if (!(opts.every >= 1)) throw new RangeError("checkpoint interval must be at least 1");
    this.every = opts.every;
    this.restoreOptions = opts.restore ?? {};
    this.checkpoints = [{ at: guest.instructions, tree: guest.toTree() }];
  }

  private readonly restoreOptions: RestoreOptions;

  /** The current position: instructions charged so far. */
  get position(): number {
    return this.guest.instructions;
  }

  /**
   * Runs at most `budget` instructions from the current position, keeping a
   * checkpoint at every multiple of `every` it passes. Splitting the run
   * does not change the result, so the checkpoints cost nothing in
   * correctness.
   */
  run(budget: number): Stop {
    const start = this.position;
    let stop: Stop | undefined;
    while (this.position - start < budget) {
      const nextMark = (Math.floor(this.position / this.every) + 1) * this.every;
      const step = Math.min(nextMark - this.position, budget - (this.position - start));
      stop = this.guest.run(step);
      if (this.position === nextMark) this.record();
      // A budget stop short of its budget was stopped early (a breakpoint).
      if (stop.status !== "budget" || stop.retired < step) break;
    }
    stop ??= this.guest.run(0);
    return { ...stop, retired: this.position - start };
  }

  private record(): void {
    const at = this.position;
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (at > last.at) this.checkpoints.push({ at, tree: this.guest.toTree() });
  }

  /**
   * Moves to exactly `target` charged instructions: restores the nearest
   * checkpoint at or before it and replays. Going past the end of the run
   * stops where the guest stops. Returns the new position.
   */
  goto(target: number): number {
    if (!(target >= 0) || !Number.isSafeInteger(target)) {
      throw new RangeError(`cannot go to instruction ${target}`);
    }
    const cp = this.nearest(target);
    if (cp === undefined) throw new RangeError(`instruction ${target} is before the timeline's start`);
    if (!(target >= this.position && this.position >= cp.at)) {
      this.guest = Guest.fromTree(cp.tree, this.restoreOptions);
    }
    this.run(target - this.position);
    return this.position;
  }

  /** Steps back `n` instructions (1 by default). */
  back(n = 1): number {
    return this.goto(Math.max(this.checkpoints[0].at, this.position - n));
  }

  private nearest(target: number): Checkpoint | undefined {
    let lo = 0, hi = this.checkpoints.length - 1;
    if (target < this.checkpoints[0].at) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpoints[mid].at <= target) lo = mid;
      else hi = mid - 1;
    }
    return this.checkpoints[lo];
  }
}
