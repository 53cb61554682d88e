import { Command } from "@commander-js/extra-typings";
import { diffGuestStates, formatGuestStateDiff } from "../../core/vm/state-diff.ts";
import { UserError, writeAll } from "../host.ts";
import { openStore, storeOption } from "./store-options.ts";
import { printJson } from "../json.ts";

const encoder = new TextEncoder();
const print = (text: string) => writeAll(1, encoder.encode(text));

/** `fx86 snapshot list|show|rm|diff`: inspect and remove snapshots. */
export function snapshotCommand() {
  const cmd = new Command("snapshot").description("list, show, remove and compare snapshots");
  cmd.command("list")
    .description("one line per snapshot: name, root, instructions, status, created")
    .option("--json", "print an array of the snapshots' metadata (as show --json prints it)")
    .addOption(storeOption())
    .action((opts) => {
      const store = openStore(opts.store);
      if (opts.json) return printJson(store.snapshotNames().map((name) => ({ name, ...store.getSnapshot(name) })));
      for (const name of store.snapshotNames()) {
        const m = store.getSnapshot(name);
        print(`${name}\t${m.root.slice(0, 12)}\t${m.instructions}\t${m.status}\t${m.created}\n`);
      }
    });
  cmd.command("show")
    .description("a snapshot's metadata")
    .argument("<name>")
    .option("--json", "print the metadata as JSON")
    .addOption(storeOption())
    .action((name, opts) => {
      const meta = openStore(opts.store).getSnapshot(name);
      if (opts.json) return printJson({ name, ...meta });
      const rows: [string, unknown][] = [["name", name], ...Object.entries(meta)];
      print(rows.map(([k, v]) => `${k}: ${v ?? "-"}\n`).join(""));
    });
  cmd.command("rm")
    .description("remove snapshots (their objects stay until gc)")
    .argument("<names...>")
    .addOption(storeOption())
    .action((names, opts) => {
      const store = openStore(opts.store, { write: true });
      // Check all names first, so a typo removes nothing.
      for (const name of names) store.getSnapshot(name);
      for (const name of names) store.removeSnapshot(name);
    });
  cmd.command("diff")
    .description("what differs between two snapshots: registers, pages, files, other state, and sub-guests")
    .argument("<a>")
    .argument("<b>")
    .option("--json", "print the grouped differences as JSON")
    .addOption(storeOption())
    .action((a, b, opts) => {
      const store = openStore(opts.store);
      const before = store.openSnapshot(a).tree;
      const after = store.openSnapshot(b).tree;
      if (before.kind !== "dir" || after.kind !== "dir") {
        throw new UserError(`snapshot ${before.kind === "dir" ? b : a} is not a directory, so it has no state to compare.`);
      }
      const d = diffGuestStates(before, after);
      if (opts.json) printJson(d);
      else print(formatGuestStateDiff(d));
    });
  return cmd;
}
