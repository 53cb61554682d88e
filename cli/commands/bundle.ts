import { Command } from "@commander-js/extra-typings";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { exportBundle, importBundle } from "../../core/store/mod.ts";
import { readHostFile, reason, UserError, writeAll } from "../host.ts";
import { openStore, storeOption } from "./store-options.ts";

/** `fx86 export NAME... --output FILE`: snapshots and all they reach, as one file. */
export function exportCommand() {
  return new Command("export")
    .description("write snapshots and every object they reach to one bundle file")
    .argument("<names...>", "the snapshots to export")
    .requiredOption("-o, --output <file>", "the bundle file to write")
    .addOption(storeOption())
    .action((names, opts) => {
      const bundle = exportBundle(openStore(opts.store), names);
      // Temporary name + rename: an interrupted export leaves no partial bundle.
      const tmp = `${opts.output}.tmp-${process.pid}`;
      try {
        writeFileSync(tmp, bundle);
        renameSync(tmp, opts.output);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new UserError(`cannot write ${opts.output}: ${reason(e)}`);
      }
    });
}

/** `fx86 import FILE`: add a bundle's snapshots and objects to the store. */
export function importCommand() {
  return new Command("import")
    .description("add the snapshots and objects of a bundle to the store")
    .argument("<file>", "a bundle written by fx86 export")
    .addOption(storeOption())
    .action((file, opts) => {
      const bundle = readHostFile(file, "bundle");
      const r = importBundle(openStore(opts.store, { write: true }), bundle);
      const line = `imported ${r.snapshots.join(", ")}: ${r.objects} objects, ${r.written} new\n`;
      writeAll(1, new TextEncoder().encode(line));
    });
}
