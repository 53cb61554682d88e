import { Command } from "@commander-js/extra-typings";
import { DEFAULT_QUOTA } from "../../core/linux/quota.ts";
import {
  buildManifest,
  DEFAULT_MAX_GUESTS,
  formatReport,
  fx86Vm,
  loadManifest,
  ManifestError,
  manifestRun,
  reportJson,
} from "../../core/manifest/mod.ts";
import { readHostFile, UserError, writeAll } from "../host.ts";
import { progressLine } from "../progress.ts";
import { parseBudget } from "../options.ts";
import { checkSaveName, checkSnapshotName } from "../../core/store/mod.ts";
import { openStore, saveSnapshot, storeOption } from "./store-options.ts";
import { signalExit, SLICE, stepInterruptibly } from "./interrupt.ts";

/** Exit statuses of `fx86 run` (docs/manifest.md). */
export const RUN_OK = 0, RUN_FAILED = 1, RUN_BAD_MANIFEST = 2;

const encoder = new TextEncoder();

/** True if `bytes` start as an ELF file does. */
function isElf(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** `fx86 run`: build, run and check the host tree a YAML manifest describes. */
export function runCommand() {
  return new Command("run")
    .description("build the host tree a YAML manifest describes, run its guests, check its expectations")
    .argument("<manifest>", "the YAML manifest (docs/manifest.md)")
    .option("--json", "print one JSON object instead of the readable report")
    .option("--save <name>", "store the final host tree as a snapshot")
    .option("--allow-host-paths", "let the manifest read host files outside its own directory (refused by default)")
    .option("--max-guests <n>", `refuse manifests with more guests than this (default ${DEFAULT_MAX_GUESTS})`, parseBudget)
    .option("--max-file-bytes <n>", `bytes each guest's files may hold together (default ${DEFAULT_QUOTA.fileBytes})`, parseBudget)
    .option("--max-memory <n>", `bytes of memory each guest may map (default ${DEFAULT_QUOTA.memory})`, parseBudget)
    .addOption(storeOption())
    .action(async (file, opts) => {
      // Store problems surface before the run, so no run's result is lost.
      if (opts.save !== undefined) checkSnapshotName(opts.save);
      const store = opts.save !== undefined ? openStore(opts.store, { write: true }) : undefined;
      if (store) checkSaveName(store, opts.save!);
      const bytes = readHostFile(file, "manifest");
      if (isElf(bytes)) throw new UserError(`${file} is a program, not a manifest: run it with fx86 exec ${file}`);
      const text = new TextDecoder().decode(bytes);
      let built;
      try {
        built = buildManifest(loadManifest(file, text), {
          vm: fx86Vm,
          hostPaths: opts.allowHostPaths ? "any" : "manifest-dir",
          maxGuests: opts.maxGuests,
          quota: { fileBytes: opts.maxFileBytes, memory: opts.maxMemory },
        });
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e;
        // One line, file:line:column: message, as compilers print them.
        writeAll(2, encoder.encode(e.message + "\n"));
        process.exitCode = RUN_BAD_MANIFEST;
        return;
      }
      const progress = progressLine();
      const started = performance.now();
      // With --save, SIGINT and SIGTERM stop the run between chunks and save where it stands.
      const run = manifestRun(built, { vm: fx86Vm, onProgress: progress.update, chunk: store ? SLICE : undefined });
      const end = await stepInterruptibly(run, store !== undefined);
      progress.clear();
      if ("signal" in end) {
        const { guest, instructions } = end.last.progress;
        saveSnapshot(store!, opts.save!, end.last.tree(), {
          origin: null,
          start: null,
          budgetUsed: instructions,
          instructions,
          status: "budget",
          timeMs: performance.now() - started,
        });
        const line = `fx86: interrupted by ${end.signal} in guest ${guest} after ${instructions} instructions; ` +
          `saved the host tree as ${opts.save} (fx86 resume ${opts.save}/${guest} continues it)\n`;
        writeAll(2, encoder.encode(line));
        process.exitCode = signalExit(end.signal);
        return;
      }
      const result = end.result;
      if (store) {
        const instructions = result.guests.reduce((n, g) => n + g.status.instructions, 0);
        saveSnapshot(store, opts.save!, result.tree, {
          origin: null,
          start: null,
          budgetUsed: instructions,
          instructions,
          status: result.ok ? "passed" : "failed",
          timeMs: performance.now() - started,
        });
      }
      const out = opts.json ? JSON.stringify(reportJson(result)) + "\n" : formatReport(result, file);
      writeAll(1, encoder.encode(out));
      process.exitCode = result.ok ? RUN_OK : RUN_FAILED;
    });
}
