/**
 * Time travel over stored runs: `fx86 goto NAME INSTRUCTION` and
 * `fx86 back NAME [N]` restore the nearest stored checkpoint at or before
 * the target and replay to it (docs/store.md §3, "Timelines"), and the
 * `--checkpoint-every N` option of exec and resume that stores checkpoints.
 */
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { SnapshotMeta, Store } from "../../core/store/mod.ts";
import { checkSaveName, checkSnapshotName, snapshotCheckpoints, snapshotTimeline } from "../../core/store/mod.ts";
import type { DirNode } from "../../core/tree/mod.ts";
import { isGuestTree, LayoutError, readStatus } from "../../core/vm/guest.ts";
import { type Checkpoint, checkpointsToTree, nearest, Timeline } from "../../core/vm/timeline.ts";
import { UserError, writeAll } from "../host.ts";
import { parseBudget } from "../options.ts";
import { openStore, saveSnapshot, storeOption } from "./store-options.ts";

/**
 * `--checkpoint-every N`: keep a checkpoint every N instructions in the
 * saved snapshot's timeline.
 *
 * @example
 * new Command("exec").addOption(checkpointEveryOption());
 */
export function checkpointEveryOption() {
  return new Option("--checkpoint-every <n>", "with --save: store a checkpoint every N instructions (for goto and back)")
    .argParser((text) => {
      const n = parseBudget(text);
      if (n < 1) throw new InvalidArgumentError("the interval must be at least 1");
      return n;
    });
}

/** Refuses `--checkpoint-every` without `--save`: the checkpoints would be lost. */
export function checkCheckpointOptions(opts: { save?: string; checkpointEvery?: number }): void {
  if (opts.checkpointEvery !== undefined && opts.save === undefined) {
    throw new UserError("--checkpoint-every needs --save NAME: the checkpoints are kept in that snapshot.");
  }
}

/**
 * Writes each checkpoint to the store as the run takes it and keeps only
 * its lazily loaded tree, so a long run's memory does not grow with the
 * pages every past checkpoint changed. Objects written for a run that then
 * fails are unreachable, and gc removes them.
 *
 * @example
 * new Timeline(guest, { every: 1_000_000, keep: storeCheckpoints(store) });
 */
export function storeCheckpoints(store: Store): (cp: Checkpoint) => Checkpoint {
  return (cp) => {
    store.putTree(cp.tree);
    return { at: cp.at, tree: store.lazyTree(cp.tree.hash) as DirNode };
  };
}

/**
 * The timeline a run continuing snapshot `name` saves: the snapshot's own
 * checkpoints (if it has a timeline), its state, and the run's new
 * checkpoints. Undefined when there is nothing to keep (no timeline, no
 * interval given).
 *
 * @example
 * continuedTimeline(store, "s1", meta, [{ at: meta.instructions, tree }], 1_000_000);
 */
export function continuedTimeline(
  store: Store,
  name: string,
  meta: SnapshotMeta,
  checkpoints: readonly Checkpoint[],
  every: number | undefined,
): { tree: DirNode; every: number | null } | undefined {
  const base = snapshotTimeline(store, name, meta);
  const interval = every ?? meta.checkpoint_every ?? undefined;
  if (!base && every === undefined) return undefined;
  return { tree: checkpointsToTree(checkpoints, base), every: interval ?? null };
}

const encoder = new TextEncoder();

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

/**
 * Lands on instruction `target` of snapshot `name`'s run, prints where it
 * is, and saves it as `save` if asked.
 */
function travel(
  store: Store,
  name: string,
  meta: SnapshotMeta,
  root: DirNode,
  target: number,
  opts: { save?: string; json?: boolean },
): void {
  const started = performance.now();
  const checkpoints = snapshotCheckpoints(store, name, meta, root);
  let t: Timeline;
  try {
    t = Timeline.at(target, checkpoints, { every: meta.checkpoint_every ?? Number.MAX_SAFE_INTEGER });
  } catch (e) {
    if (e instanceof RangeError) throw new UserError(`snapshot ${name}: ${e.message}.`);
    if (e instanceof LayoutError) throw new UserError(`snapshot ${name} has a damaged checkpoint: ${e.message}.`);
    throw e;
  }
  const tree = t.guest.toTree();
  const status = readStatus(tree).status;
  if (opts.save) {
    const from = nearest(checkpoints, target)!;
    // Its timeline keeps the origin's checkpoints and the origin itself, so
    // travelling from the new snapshot reaches everything the origin could.
    const own: Checkpoint[] = [{ at: meta.instructions, tree: root }];
    saveSnapshot(store, opts.save, tree, {
      origin: name,
      start: from.tree,
      budgetUsed: t.position - from.at,
      instructions: t.position,
      status,
      timeMs: performance.now() - started,
      timeline: continuedTimeline(store, name, meta, own, undefined) ??
        { tree: checkpointsToTree(own), every: null },
    });
  }
  const where = { instruction: t.position, target, eip: hex(t.guest.cpu.eip), status, root: tree.hash };
  const text = opts.json
    ? JSON.stringify(where) + "\n"
    : `instruction ${where.instruction}\neip ${where.eip}\nstatus ${status}\nroot ${where.root}\n`;
  writeAll(1, encoder.encode(text));
  // Past the end of the run: where it stopped instead (the JSON has both numbers).
  if (t.position < target && !opts.json) {
    writeAll(2, encoder.encode(`fx86: the run ends at instruction ${t.position} (${status}), before instruction ${target}\n`));
  }
}

/** Opens the store and snapshot for goto/back; the snapshot must be a guest. */
function openGuestSnapshot(storeOpt: string | undefined, name: string, save: string | undefined) {
  if (save !== undefined) checkSnapshotName(save);
  const store = openStore(storeOpt, { write: save !== undefined });
  if (save !== undefined) checkSaveName(store, save);
  const { meta, tree } = store.openSnapshot(name);
  if (!isGuestTree(tree)) throw new UserError(`snapshot ${name} is not a guest, so it has no instructions to go to.`);
  return { store, meta, tree };
}

function parseInstruction(text: string): number {
  try {
    return parseBudget(text);
  } catch {
    throw new InvalidArgumentError("expected an instruction count: a non-negative integer such as 1000 or 10M");
  }
}

/** `fx86 goto NAME INSTRUCTION`: the state of a snapshot's run after exactly INSTRUCTION instructions. */
export function gotoCommand() {
  return new Command("goto")
    .description("the state after exactly INSTRUCTION instructions of a snapshot's run (restores the nearest checkpoint, replays)")
    .argument("<name>", "the snapshot whose run to travel in")
    .argument("<instruction>", "instructions charged since the guest started (k/M/G suffixes allowed)", parseInstruction)
    .option("--save <name>", "store the state reached as a snapshot")
    .option("--json", "print one JSON object: instruction, target, eip, status, root")
    .addOption(storeOption())
    .action((name, instruction, opts) => {
      const { store, meta, tree } = openGuestSnapshot(opts.store, name, opts.save);
      travel(store, name, meta, tree, instruction, opts);
    });
}

/** `fx86 back NAME [N]`: the state N instructions (default 1) before a snapshot. */
export function backCommand() {
  return new Command("back")
    .description("the state N instructions (default 1) before a snapshot (restores the nearest checkpoint, replays)")
    .argument("<name>", "the snapshot to step back from")
    .argument("[n]", "how many instructions to go back (k/M/G suffixes allowed)", parseInstruction)
    .option("--save <name>", "store the state reached as a snapshot")
    .option("--json", "print one JSON object: instruction, target, eip, status, root")
    .addOption(storeOption())
    .action((name, n, opts) => {
      const { store, meta, tree } = openGuestSnapshot(opts.store, name, opts.save);
      const steps = n ?? 1;
      if (steps > meta.instructions) {
        throw new UserError(`cannot go back ${steps} instructions: snapshot ${name} is at instruction ${meta.instructions}.`);
      }
      travel(store, name, meta, tree, meta.instructions - steps, opts);
    });
}
