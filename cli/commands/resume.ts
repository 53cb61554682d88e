import { Command } from "@commander-js/extra-typings";
import { checkSnapshotName } from "../../core/store/mod.ts";
import { Guest, isGuestTree, LayoutError } from "../../core/vm/guest.ts";
import { UserError, writeAll } from "../host.ts";
import { parseBudget } from "../options.ts";
import { describeStop, exitStatus, report } from "./exec.ts";
import { openStore, saveSnapshot, storeOption } from "./store-options.ts";
import { checkCheckpointOptions, checkpointEveryOption, continuedTimeline } from "./travel.ts";
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
    .argument("<name>", "the snapshot to continue")
    .option("--budget <n>", "stop after exactly N more instructions", parseBudget)
    .option("--save <name>", "store the final state as a snapshot")
    .option("--trace", "log system calls to stderr")
    .option("--json", "print one JSON object describing the run instead of the guest's output")
    .addOption(checkpointEveryOption())
    .addOption(storeOption())
    .action((name, opts) => {
      checkCheckpointOptions(opts);
      if (opts.save) checkSnapshotName(opts.save);
      const store = openStore(opts.store, { write: opts.save !== undefined });
      const { meta, tree } = store.openSnapshot(name);
      if (!isGuestTree(tree)) throw new UserError(`snapshot ${name} is not a guest, so it cannot be resumed.`);
      let guest: Guest;
      try {
        guest = Guest.fromTree(tree, {
          trace: opts.trace ? (line) => writeAll(2, encoder.encode(`[fx86] ${line}\n`)) : undefined,
          onOutput: opts.json ? undefined : (fd, bytes) => writeAll(fd, bytes),
        });
      } catch (e) {
        if (e instanceof LayoutError) throw new UserError(`snapshot ${name} is not a usable guest: ${e.message}`);
        throw e;
      }
      const started = performance.now();
      const timeline = opts.checkpointEvery ? new Timeline(guest, { every: opts.checkpointEvery }) : undefined;
      const stop = (timeline ?? guest).run(opts.budget ?? Infinity);
      if (opts.save) {
        const checkpoints = timeline?.checkpoints ?? [{ at: meta.instructions, tree }];
        saveSnapshot(store, opts.save, guest.toTree(), {
          timeline: continuedTimeline(store, name, meta, checkpoints, opts.checkpointEvery),
          origin: name,
          start: tree,
          budgetUsed: stop.retired,
          instructions: guest.instructions,
          status: stop.status,
          timeMs: performance.now() - started,
        });
      }
      if (opts.json) {
        writeAll(1, encoder.encode(JSON.stringify(report(guest, stop)) + "\n"));
      } else if (stop.status !== "exited") {
        writeAll(2, encoder.encode(`fx86: ${describeStop(guest, stop)}\n`));
      }
      process.exitCode = exitStatus(stop);
    });
}
