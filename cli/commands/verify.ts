import { Command } from "@commander-js/extra-typings";
import { Guest, isGuestTree } from "../../core/vm/guest.ts";
import { UserError, writeAll } from "../host.ts";
import { openStore, storeOption } from "./store-options.ts";
import { printJson } from "../json.ts";

/** Exit status of `fx86 verify` when the replay ends elsewhere. */
export const VERIFY_MISMATCH = 1;

/**
 * `fx86 verify NAME`: replay the run that produced a snapshot from its
 * stored start with the same budget, and check that it ends in the same root.
 */
export function verifyCommand() {
  return new Command("verify")
    .description("replay the run that made a snapshot and check that it ends in the same root")
    .argument("<name>", "the snapshot to verify")
    .option("--json", "print one JSON object: name, ok, instructions, start, root, expected")
    .addOption(storeOption())
    .action((name, opts) => {
      const store = openStore(opts.store);
      const meta = store.getSnapshot(name);
      if (!meta.start) throw new UserError(`snapshot ${name} records no start state, so its run cannot be replayed.`);
      const start = store.getTreeFor(name, meta.start);
      if (!isGuestTree(start)) throw new UserError(`snapshot ${name} did not start from a guest, so it cannot be replayed.`);
      const guest = Guest.fromTree(start);
      guest.run(meta.budget_used);
      const root = guest.toTree().hash;
      const ok = root === meta.root;
      if (!ok) process.exitCode = VERIFY_MISMATCH;
      if (opts.json) {
        return printJson({ name, ok, instructions: meta.budget_used, start: meta.start, root, expected: meta.root });
      }
      const line = ok
        ? `verified ${name}: ${meta.budget_used} instructions from ${meta.start.slice(0, 12)} end in ${root}\n`
        : `snapshot ${name} does not verify: replaying ${meta.budget_used} instructions from ${meta.start.slice(0, 12)} ends in ${root}, not ${meta.root}\n`;
      writeAll(ok ? 1 : 2, new TextEncoder().encode(line));
    });
}
