/**
 * A top-level guest of a session with its timeline: the unit that runs.
 * Its sub-guests run inside it (RUN nests them), so one instruction of the
 * machine is one instruction of its innermost running guest.
 */
import type { DirNode } from "../tree/mod.ts";
import { Guest, type RestoreOptions } from "../vm/guest.ts";
import { type Checkpoint, type CheckpointLimit, nearest, Timeline } from "../vm/timeline.ts";

/**
 * One top-level guest, its budget and its history.
 *
 * @example
 * const m = new Machine("hello", tree, null, { every: 1_000_000, limit: { count: 256 }, restore: {} });
 * m.timeline.run(10); m.position; // 10
 */
export class Machine {
  timeline: Timeline;
  /** The furthest position reached since the history began. */
  end: number;

  constructor(
    readonly name: string,
    tree: DirNode,
    /** The manifest budget (charged instructions); null: none. */
    readonly budget: number | null,
    private readonly opts: { every: number; limit: CheckpointLimit; restore: RestoreOptions },
    /** Its stored history (a restored snapshot's), ending at `tree`; without it the history starts at `tree`. */
    checkpoints?: readonly Checkpoint[],
  ) {
    this.timeline = new Timeline(Guest.fromTree(tree, opts.restore), { ...opts, checkpoints });
    this.end = this.position;
  }

  /** Instructions charged to the machine so far. */
  get position(): number {
    return this.timeline.position;
  }

  get guest(): Guest {
    return this.timeline.guest;
  }

  /** Its state now, as a subtree (with its sub-guests inside). */
  tree(): DirNode {
    return this.timeline.guest.toTree();
  }

  /** Instructions its budget still allows (Infinity: no budget). */
  get budgetLeft(): number {
    return this.budget === null ? Infinity : Math.max(0, this.budget - this.position);
  }

  /**
   * Starts a new history at `tree`: after an edit, neither the recorded
   * future nor the past (which led to the unedited state) applies to it.
   */
  restart(tree: DirNode): void {
    this.timeline = new Timeline(Guest.fromTree(tree, this.opts.restore), this.opts);
    this.end = this.position;
  }

  /** The state at `n` charged instructions, computed aside (the position does not move). */
  stateAt(n: number): DirNode {
    if (n === this.position) return this.tree();
    const cp = nearest(this.timeline.checkpoints, n);
    if (cp === undefined) {
      throw new RangeError(`instruction ${n} is before the start of the history (${this.timeline.checkpoints[0].at})`);
    }
    if (n === cp.at) return cp.tree;
    const g = Guest.fromTree(cp.tree);
    g.run(n - cp.at);
    return g.toTree();
  }
}
