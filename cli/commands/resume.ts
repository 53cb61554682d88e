import { Command } from "@commander-js/extra-typings";
import { checkSaveName, checkSnapshotName } from "../../core/store/mod.ts";
import { Guest, isGuestTree, LayoutError, readStatus } from "../../core/vm/guest.ts";
import { type DirNode, get, TreeError, type TreeNode } from "../../core/tree/mod.ts";
import { UserError, writeAll } from "../host.ts";
import { parseBudget } from "../options.ts";
import { finish, interrupted } from "./exec.ts";
import { runInterruptibly } from "./interrupt.ts";
import { guestProgress } from "../progress.ts";
import { openStore, saveSnapshot, storeOption } from "./store-options.ts";
import { checkCheckpointOptions, checkpointEveryOption, continuedTimeline, storeCheckpoints } from "./travel.ts";
import { Timeline } from "../../core/vm/timeline.ts";

const encoder = new TextEncoder();

/**
 * `fx86 resume NAME`: restore a snapshot's guest and continue it. Output,
 * `--json` report and exit status are those of `fx86 exec`; the guest's
 * earlier output is not printed again.
 */
export function resumeCommand() {
  return new Command("resume")
    .description("continue a guest from a snapshot")
    .argument("<name>", "the snapshot to continue; NAME/PATH continues the guest at PATH of its tree (a guest of `run --save`)")
    .option("--budget <n>", "stop after exactly N more instructions", parseBudget)
    .option("--save <name>", "store the final state as a snapshot")
    .option("--trace", "log system calls to stderr")
    .option("--json", "print one JSON object describing the run instead of the guest's output")
    .addOption(checkpointEveryOption())
    .addOption(storeOption())
    .action(async (name, opts) => {
      checkCheckpointOptions(opts);
      if (opts.save !== undefined) checkSnapshotName(opts.save);
      const store = openStore(opts.store, { write: opts.save !== undefined });
      if (opts.save !== undefined) checkSaveName(store, opts.save);
      const { snapshot, path } = splitRef(name);
      const opened = store.openSnapshot(snapshot);
      const tree = guestAt(name, opened.tree, path);
      // A guest inside a host tree has its own count; the host tree has no timeline.
      const meta = path === "" ? opened.meta : { ...opened.meta, timeline: null, instructions: readStatus(tree).instructions };
      const budget = opts.budget ?? Infinity;
      const progress = guestProgress(name, budget, opts.json === true);
      let guest: Guest;
      try {
        guest = Guest.fromTree(tree, {
          trace: opts.trace ? (line) => writeAll(2, encoder.encode(`[fx86] ${line}\n`)) : undefined,
          onOutput: progress.onOutput,
        });
      } catch (e) {
        if (e instanceof LayoutError) throw new UserError(`snapshot ${name} is not a usable guest: ${e.message}`);
        throw e;
      }
      const started = performance.now();
      const timeline = opts.checkpointEvery
        ? new Timeline(guest, { every: opts.checkpointEvery, keep: storeCheckpoints(store) })
        : undefined;
      const { stop, signal } = await runInterruptibly(timeline ?? guest, budget, opts.save !== undefined, progress.onSlice);
      progress.clear();
      if (opts.save) {
        const checkpoints = timeline?.checkpoints ?? [{ at: meta.instructions, tree }];
        saveSnapshot(store, opts.save, guest.toTree(), {
          timeline: continuedTimeline(store, snapshot, meta, checkpoints, opts.checkpointEvery),
          origin: name,
          start: tree,
          budgetUsed: stop.retired,
          instructions: guest.instructions,
          status: stop.status,
          timeMs: performance.now() - started,
        });
      }
      if (signal) return interrupted(guest, signal, opts.save!);
      finish(guest, stop, opts.json === true);
    });
}

/** `NAME/PATH` into the snapshot name and the path in its tree ("" for the root). */
function splitRef(ref: string): { snapshot: string; path: string } {
  const i = ref.indexOf("/");
  return i < 0 ? { snapshot: ref, path: "" } : { snapshot: ref.slice(0, i), path: ref.slice(i + 1) };
}

/**
 * The guest at `path` of a snapshot's tree. A manifest's host tree
 * (`run --save`) is not one guest: the error names the guests to pick from.
 */
function guestAt(ref: string, root: TreeNode, path: string): DirNode {
  let node: TreeNode;
  try {
    node = get(root, path);
  } catch (e) {
    if (e instanceof TreeError) throw new UserError(`${ref}: ${e.message}`);
    throw e;
  }
  if (isGuestTree(node)) return node;
  // (A plain boolean: the type guard would narrow a directory that is not a guest to never.)
  const isGuest = (n: TreeNode): boolean => isGuestTree(n);
  const dir = node as TreeNode;
  const guests = dir.kind === "dir" ? dir.names.filter((n) => isGuest(dir.get(n)!)) : [];
  if (guests.length > 0) {
    throw new UserError(
      `${ref} holds ${guests.length === 1 ? "a guest" : "guests"}, not one guest; resume one of ${guests.map((g) => `${ref}/${g}`).join(", ")}.`,
    );
  }
  throw new UserError(`${path === "" ? "snapshot " + ref : ref} is not a guest, so it cannot be resumed.`);
}
