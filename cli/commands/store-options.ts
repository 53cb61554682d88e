/**
 * What the store commands share: the `--store DIR` option, opening the
 * store, and saving a run as a snapshot.
 */
import { Option } from "@commander-js/extra-typings";
import { type SnapshotMeta, Store, storeDir } from "../../core/store/mod.ts";
import type { DirNode, TreeNode } from "../../core/tree/mod.ts";

/**
 * The `--store DIR` option every store command takes.
 *
 * @example
 * new Command("gc").addOption(storeOption());
 */
export function storeOption() {
  return new Option("--store <dir>", "the store directory (default: $FX86_HOME, else .fx86 in the working directory)");
}

/** `fx86 --store DIR COMMAND`: the global option, set by main before each command runs. */
let globalStore: string | undefined;

/**
 * Records the global `--store` (undefined when not given).
 *
 * @example
 * root.hook("preAction", (cmd) => setGlobalStore(cmd.opts().store));
 */
export function setGlobalStore(dir: string | undefined): void {
  globalStore = dir;
}

/**
 * Opens the store the user chose (the command's `--store`, else the global
 * one, else $FX86_HOME, else .fx86); StoreErrors reach main as one line.
 *
 * @example
 * const store = openStore(opts.store, { write: true });
 */
export function openStore(option: string | undefined, opts: { write?: boolean } = {}): Store {
  return Store.open(storeDir(option ?? globalStore, process.env, process.cwd()), opts);
}

/** The runtime running this CLI, recorded in snapshots. */
export const RUNTIME: "deno" | "bun" = "Bun" in globalThis ? "bun" : "deno";

/** What a finished run records besides its tree. */
export interface RunRecord {
  origin: string | null;
  /** The tree the run started from: stored too (it shares most objects), so the run can be verified. */
  start: TreeNode | null;
  budgetUsed: number;
  instructions: number;
  status: string;
  timeMs: number;
  /** The run's checkpoints as a stored timeline (checkpointsToTree), and their interval. */
  timeline?: { tree: DirNode; every: number | null } | null;
}

/**
 * Stores `tree` (only the objects not already present) and names it.
 *
 * @example
 * saveSnapshot(store, "s1", guest.toTree(), { origin: null, start, budgetUsed: 10, instructions: 10, status: "budget", timeMs: 3 });
 */
export function saveSnapshot(store: Store, name: string, tree: TreeNode, run: RunRecord): SnapshotMeta {
  if (run.start) store.putTree(run.start);
  if (run.timeline) store.putTree(run.timeline.tree);
  store.putTree(tree);
  const meta: SnapshotMeta = {
    root: tree.hash,
    origin: run.origin,
    start: run.start?.hash ?? null,
    budget_used: run.budgetUsed,
    instructions: run.instructions,
    status: run.status,
    time_ms: Math.round(run.timeMs * 1000) / 1000,
    runtime: RUNTIME,
    created: new Date().toISOString(),
    timeline: run.timeline?.tree.hash ?? null,
    checkpoint_every: run.timeline?.every ?? null,
  };
  store.putSnapshot(name, meta);
  return meta;
}
