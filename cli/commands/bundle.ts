import { Command } from "@commander-js/extra-typings";
import { closeSync, createReadStream, openSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { DEFAULT_STORE_LIMITS, exportBundle, importBundle } from "../../core/store/mod.ts";
import { reason, UserError, writeAll } from "../host.ts";
import { parseBudget } from "../options.ts";
import { openStore, storeOption } from "./store-options.ts";
import { printJson } from "../json.ts";

/** `fx86 export NAME... --output FILE`: snapshots and all they reach, as one file. */
export function exportCommand() {
  return new Command("export")
    .description("write snapshots and every object they reach to one bundle file")
    .argument("<names...>", "the snapshots to export")
    .requiredOption("-o, --output <file>", "the bundle file to write")
    .option("--json", "print one JSON object: output, snapshots, bytes")
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
      if (opts.json) printJson({ output: opts.output, snapshots: names, bytes: bundle.length });
    });
}

/** `fx86 import FILE`: add a bundle's snapshots and objects to the store. */
export function importCommand() {
  return new Command("import")
    .description("add the snapshots and objects of a bundle to the store")
    .argument("<file>", "a bundle written by fx86 export")
    .option(
      "--max-object-bytes <n>",
      `refuse objects larger than this (default ${DEFAULT_STORE_LIMITS.maxObjectBytes}: a 1 GiB guest file)`,
      parseBudget,
    )
    .option(
      "--max-bundle-bytes <n>",
      `refuse bundles larger than this, uncompressed (default ${DEFAULT_STORE_LIMITS.maxBundleBytes}: 16 GiB)`,
      parseBudget,
    )
    .option("--json", "print one JSON object: snapshots, objects, written")
    .addOption(storeOption())
    .action(async (file, opts) => {
      checkReadable(file);
      const limits = {
        maxObjectBytes: opts.maxObjectBytes ?? DEFAULT_STORE_LIMITS.maxObjectBytes,
        maxBundleBytes: opts.maxBundleBytes ?? DEFAULT_STORE_LIMITS.maxBundleBytes,
      };
      // Streamed: memory stays small whatever the bundle's size.
      const r = await importBundle(openStore(opts.store, { write: true }), createReadStream(file), limits);
      if (opts.json) return printJson({ snapshots: r.snapshots, objects: r.objects, written: r.written });
      const line = `imported ${r.snapshots.join(", ")}: ${r.objects} objects, ${r.written} new\n`;
      writeAll(1, new TextEncoder().encode(line));
    });
}

/** Fails with one line unless `file` is a regular file this process can read. */
function checkReadable(file: string): void {
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error(), { code: "EISDIR" });
    closeSync(openSync(file, "r"));
  } catch (e) {
    throw new UserError(`cannot read bundle ${file}: ${reason(e)}`);
  }
}
