/**
 * Time travel over one guest's run. Because a guest is a pure function of
 * its tree and its budget, any past instruction can be reached by
 * restoring the nearest earlier checkpoint and replaying forward; the
 * timeline keeps a checkpoint (a guest subtree: only what changed since the
 * previous one is new) every `every` instructions.
 */
import { addedBytes, dirFromEntries, type DirNode, EMPTY_DIR } from "../tree/mod.ts";
import { Guest, LayoutError, type RestoreOptions, type Stop } from "./guest.ts";

/**
 * How much history a timeline keeps in memory. Past either bound the
 * older half of the checkpoints is thinned, one in two, so recent history
 * stays dense (back 1 replays at most `every`) and older history grows
 * sparser with age (a goto there replays further). Results never change:
 * any instruction is still reached by replaying from an earlier checkpoint.
 */
export interface CheckpointLimit {
  /** At most this many checkpoints (at least 4). */
  count?: number;
  /**
   * At most about this many bytes of guest content held by checkpoints
   * beyond the first: each is weighed by the blobs it does not share with
   * the one before it (an estimate: content shared further apart counts
   * twice). A single checkpoint heavier than this is still kept.
   */
  bytes?: number;
}

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
    opts: {
      every: number;
      restore?: RestoreOptions;
      /**
       * Checkpoints recorded earlier (stored ones, whose trees may load
       * lazily), in increasing order of `at`, the first at or before the
       * guest's position; without them the guest's state is the first.
       */
      checkpoints?: readonly Checkpoint[];
      /**
       * Called with each new checkpoint; what it returns is kept instead.
       * A store writes the checkpoint and returns its lazily loaded tree,
       * so the pages of past checkpoints do not stay in memory.
       */
      keep?: (cp: Checkpoint) => Checkpoint;
      /** Bounds on the checkpoints kept (none: every one is kept). */
      limit?: CheckpointLimit;
    },
  ) {
    if (!(opts.every >= 1)) throw new RangeError("checkpoint interval must be at least 1");
    this.every = opts.every;
    this.restoreOptions = opts.restore ?? {};
    const given = opts.checkpoints;
    if (given && !(given.length > 0 && given[0].at <= guest.instructions)) {
      throw new RangeError(`the first checkpoint must be at or before instruction ${guest.instructions}`);
    }
    this.maxCount = opts.limit?.count ?? Infinity;
    this.maxBytes = opts.limit?.bytes ?? Infinity;
    if (!(this.maxCount >= 4)) throw new RangeError("a timeline must be allowed at least 4 checkpoints");
    if (!(this.maxBytes >= 0)) throw new RangeError("a timeline's checkpoint bytes cannot be negative");
    this.keep = opts.keep ?? ((cp) => cp);
    this.checkpoints = given ? [...given] : [this.keep({ at: guest.instructions, tree: guest.toTree() })];
    this.weights = this.checkpoints.map(() => 0);
  }

  private readonly keep: (cp: Checkpoint) => Checkpoint;
  private readonly maxCount: number;
  private readonly maxBytes: number;
  /**
   * Parallel to `checkpoints` when bytes are limited: what each holds
   * beside the one before it (0 for given ones, which are not measured).
   */
  private readonly weights: number[];

  /** Bytes the checkpoints hold beyond the first, as far as they are measured (see {@link CheckpointLimit}). */
  get heldBytes(): number {
    return this.weights.reduce((a, b) => a + b, 0);
  }

  /**
   * A timeline over stored checkpoints, at exactly `target` (or where the
   * guest stops, if sooner): restores only the nearest checkpoint at or
   * before it and replays. RangeError if `target` is not a count or is
   * before the first checkpoint.
   *
   * @example
   * const cps = [...checkpointsFromTree(timelineDir), { at: meta.instructions, tree: root }];
   * const t = Timeline.at(123_456, mergeCheckpoints(cps), { every: 1_000_000 });
   * t.position; // 123456
   */
  static at(
    target: number,
    checkpoints: readonly Checkpoint[],
    opts: { every: number; restore?: RestoreOptions },
  ): Timeline {
    checkTarget(target);
    const cp = nearest(checkpoints, target);
    if (cp === undefined) {
      throw new RangeError(
        checkpoints.length === 0
          ? "there are no checkpoints"
          : `instruction ${target} is before the first checkpoint (instruction ${checkpoints[0].at})`,
      );
    }
    const t = new Timeline(Guest.fromTree(cp.tree, opts.restore), { ...opts, checkpoints });
    t.run(target - t.position);
    return t;
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
      if (stop.status !== "budget" || stop.break !== undefined) break;
    }
    stop ??= this.guest.run(0);
    return { ...stop, retired: this.position - start };
  }

  private record(): void {
    const at = this.position;
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (!(at > last.at)) return;
    const cp = this.keep({ at, tree: this.guest.toTree() });
    this.checkpoints.push(cp);
    this.weights.push(this.weigh(last, cp));
    const heavy = this.maxBytes !== Infinity && this.heldBytes > this.maxBytes;
    if (this.checkpoints.length > this.maxCount || heavy) this.thin();
  }

  private weigh(before: Checkpoint, after: Checkpoint): number {
    return this.maxBytes === Infinity ? 0 : addedBytes(before.tree, after.tree);
  }

  /**
   * Drops every other checkpoint of the older half, keeping the first (the
   * start) and the newest half. Repeated, this spaces old checkpoints
   * roughly in proportion to their age, in bounded memory.
   */
  private thin(): void {
    const cps = this.checkpoints, weights = this.weights;
    const old = cps.length - Math.floor(Math.min(cps.length, this.maxCount) / 2);
    const dropped = (i: number) => i < old && i % 2 === 1;
    let kept = 1;
    for (let i = 1; i < cps.length; i++) {
      if (dropped(i)) continue;
      // What a checkpoint holds beside the one before it changes when that one goes.
      weights[kept] = dropped(i - 1) ? this.weigh(cps[kept - 1], cps[i]) : weights[i];
      cps[kept++] = cps[i];
    }
    cps.length = weights.length = kept;
  }

  /**
   * Moves to exactly `target` charged instructions: restores the nearest
   * checkpoint at or before it and replays. Going past the end of the run
   * stops where the guest stops. Returns the new position.
   */
  goto(target: number): number {
    this.seek(target);
    this.run(target - this.position);
    return this.position;
  }

  /**
   * The first half of a goto: when `target` is behind the position,
   * restores the nearest checkpoint at or before it, leaving the replay
   * (`run(target - position)`) to the caller, who may run it in chunks.
   * Returns the position.
   *
   * @example
   * t.seek(123_456); t.run(123_456 - t.position); // the same as t.goto(123_456)
   */
  seek(target: number): number {
    checkTarget(target);
    const cp = nearest(this.checkpoints, target);
    if (cp === undefined) throw new RangeError(`instruction ${target} is before the timeline's start`);
    if (!(target >= this.position && this.position >= cp.at)) {
      this.guest = Guest.fromTree(cp.tree, this.restoreOptions);
    }
    return this.position;
  }

  /** Steps back `n` instructions (1 by default). */
  back(n = 1): number {
    return this.goto(Math.max(this.checkpoints[0].at, this.position - n));
  }
}

function checkTarget(target: number): void {
  if (!(target >= 0) || !Number.isSafeInteger(target)) {
    throw new RangeError(`cannot go to instruction ${target}`);
  }
}

/**
 * The last checkpoint at or before `target` (binary search), or undefined.
 *
 * @example
 * nearest([{ at: 0, tree }, { at: 1000, tree: t2 }], 999)!.at; // 0
 */
export function nearest(checkpoints: readonly Checkpoint[], target: number): Checkpoint | undefined {
  if (checkpoints.length === 0 || target < checkpoints[0].at) return undefined;
  let lo = 0, hi = checkpoints.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (checkpoints[mid].at <= target) lo = mid;
    else hi = mid - 1;
  }
  return checkpoints[lo];
}

/** Digits of a checkpoint's name: enough for any safe integer, so name order is numeric order. */
const DIGITS = 16;

/**
 * Checkpoints as one directory of the data tree (a stored timeline): each
 * entry is named by its instruction count in 16 decimal digits and is the
 * guest's subtree there. Added to `base` (an earlier run's timeline) if
 * given. Checkpoints share everything that did not change, so storing the
 * directory costs what changed between them.
 *
 * @example
 * store.putTree(checkpointsToTree(timeline.checkpoints)); // entries "0000000000000000", "0000000010000000", …
 */
export function checkpointsToTree(checkpoints: readonly Checkpoint[], base: DirNode = EMPTY_DIR): DirNode {
  if (base.size === 0) return dirFromEntries(checkpoints.map((c) => [checkpointName(c.at), c.tree]));
  let dir = base;
  for (const c of checkpoints) dir = dir.with(checkpointName(c.at), c.tree);
  return dir;
}

function checkpointName(at: number): string {
  return String(at).padStart(DIGITS, "0");
}

/**
 * The checkpoints of a stored timeline, in order. Each `tree` is read from
 * the directory on first use, so with a lazily loaded directory only the
 * checkpoint a `goto` restores is read. LayoutError for an entry that is not
 * a checkpoint.
 *
 * @example
 * const cps = checkpointsFromTree(store.lazyTree(meta.timeline!) as DirNode);
 */
export function checkpointsFromTree(dir: DirNode): Checkpoint[] {
  return dir.names.map((name, i) => {
    if (!/^[0-9]{16}$/.test(name) || !Number.isSafeInteger(Number(name))) {
      throw new LayoutError(`timeline entry ${name} is not an instruction count`);
    }
    return {
      at: Number(name),
      get tree(): DirNode {
        const node = dir.childAt(i);
        if (node.kind !== "dir") throw new LayoutError(`timeline entry ${name} is not a guest`);
        return node;
      },
    };
  });
}

/**
 * Checkpoint lists merged into one, in increasing order of `at`, one per
 * count (the first list's wins: every state at one count of one run is the
 * same).
 *
 * @example
 * mergeCheckpoints(checkpointsFromTree(dir), [{ at: meta.instructions, tree: root }]);
 */
export function mergeCheckpoints(...lists: (readonly Checkpoint[])[]): Checkpoint[] {
  const byAt = new Map<number, Checkpoint>();
  for (const list of lists) for (const c of list) if (!byAt.has(c.at)) byAt.set(c.at, c);
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}
