import { Command } from "@commander-js/extra-typings";
import { fsck } from "../../core/store/mod.ts";
import { writeAll } from "../host.ts";
import { openStore, storeOption } from "./store-options.ts";
import { printJson } from "../json.ts";

/** Exit status of `fx86 fsck` when the store has problems. */
export const FSCK_PROBLEMS = 1;

/** `fx86 fsck`: check every object and snapshot of the store. */
export function fsckCommand() {
  return new Command("fsck")
    .description("check every object (hash, children present) and every snapshot of the store")
    .option("--json", "print one JSON object: objects, snapshots, temporary, problems (on stdout; exit 1 if any)")
    .addOption(storeOption())
    .action((opts) => {
      const r = fsck(openStore(opts.store));
      if (r.problems.length > 0) process.exitCode = FSCK_PROBLEMS;
      if (opts.json) return printJson(r);
      const lines = r.problems.map((p) => `${p.message}\n`);
      const tmp = r.temporary > 0 ? ` (${r.temporary} temporary files of interrupted writes; gc removes them)` : "";
      lines.push(`${r.objects} objects, ${r.snapshots} snapshots, ${r.problems.length} problems${tmp}\n`);
      writeAll(r.problems.length > 0 ? 2 : 1, new TextEncoder().encode(lines.join("")));
    });
}
