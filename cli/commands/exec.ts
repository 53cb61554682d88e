import { createHash } from "node:crypto";
import { basename } from "node:path";
import { DEFAULT_QUOTA } from "../../core/linux/quota.ts";
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { ElfError } from "../../core/elf/elf.ts";
import { contents } from "../../core/linux/fs/contents.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { DEFAULT_ENV, Guest, type Stop } from "../../core/vm/guest.ts";
import { guestPathOf, installProgram } from "../../core/linux/process/exe.ts";
import {
  fileSystemFromHost,
  readHostFile,
  readStdin,
  UserError,
  writeAll,
} from "../host.ts";
import { parseBudget } from "../options.ts";
import { guestProgress } from "../progress.ts";
import { outputFields } from "../json.ts";
import { checkSaveName, checkSnapshotName } from "../../core/store/mod.ts";
import { openStore, saveSnapshot, storeOption } from "./store-options.ts";
import { runInterruptibly, signalExit } from "./interrupt.ts";
import { checkCheckpointOptions, checkpointEveryOption, storeCheckpoints } from "./travel.ts";
import { checkpointsToTree, Timeline } from "../../core/vm/timeline.ts";

/** Exit statuses fx86 uses when the guest did not exit by itself (docs/cli.md). */
export const EXIT_BUDGET = 124;
const FAULT_EXIT: Record<string, number> = {
  "page": 139, // as if killed by SIGSEGV
  "general-protection": 139,
  "undefined-opcode": 132, // SIGILL
  "privileged": 132,
  "divide": 136, // SIGFPE
  "x87": 136,
  "simd": 136,
  "breakpoint": 133, // SIGTRAP
  "interrupt": 139,
  "bound": 139,
  "deadlock": 137, // as if killed by SIGKILL
};

/** Collects repeated `--env NAME=VALUE` options, refusing one without a name. */
function collectEnv(value: string, previous: string[]): string[] {
  if (!/^[^=]+=/.test(value)) throw new InvalidArgumentError("expected NAME=VALUE, e.g. --env LANG=C.UTF-8");
  return [...previous, value];
}

/**
 * An environment with `settings` (NAME=VALUE) added, each replacing a
 * variable of the same name (the last of a name given twice).
 *
 * @example
 * withEnv(["HOME=/", "LANG=C"], ["LANG=C.UTF-8", "X=1"]); // ["HOME=/", "LANG=C.UTF-8", "X=1"]
 */
export function withEnv(base: string[], settings: string[]): string[] {
  const name = (v: string) => v.slice(0, v.indexOf("="));
  // The last setting of a name wins.
  const last = new Map(settings.map((v) => [name(v), v]));
  return [...base.filter((v) => !last.has(name(v))), ...last.values()];
}

/** `fx86 exec`: run one i386 ELF as a guest. */
export function execCommand() {
  return new Command("exec")
    .description("run an i386 Linux ELF executable as a deterministic guest")
    .argument("<program>", "the i386 ELF executable: a host path, or with --root an absolute path in the root")
    .argument("[args...]", "arguments passed to the guest (argv[1..])")
    .option("--root <dir>", "copy this host directory as the guest's file system")
    .option("--budget <n>", "stop after exactly N instructions", parseBudget)
    .option("--trace", "log system calls to stderr")
    .option("--json", "print one JSON object describing the run instead of the guest's output")
    .option("--argv0 <name>", "argv[0] for the guest (default: the program's file name)")
    .option("--env <name=value>", "set a variable of the guest's environment (repeatable; added to PATH, HOME, TERM, LANG)", collectEnv, [] as string[])
    .option("--stdin <file>", "this host file is the guest's standard input (default: fx86's own stdin)")
    .option("--seed <text>", "seed of everything random the guest sees: AT_RANDOM, getrandom, /dev/urandom (default: fx86)")
    .option("--save <name>", "store the final state (finished or stopped by the budget) as a snapshot")
    .option(
      "--max-file-bytes <n>",
      `bytes the guest's files may hold together; past them writes fail with ENOSPC (default ${DEFAULT_QUOTA.fileBytes})`,
      parseBudget,
    )
    .option(
      "--max-memory <n>",
      `bytes of memory the guest may map; past them mmap fails with ENOMEM (default ${DEFAULT_QUOTA.memory})`,
      parseBudget,
    )
    .addOption(checkpointEveryOption())
    .addOption(storeOption())
    .passThroughOptions()
    .action(async (program, args, opts) => {
      // Store problems surface before the run, so no run's result is lost.
      checkCheckpointOptions(opts);
      if (opts.save !== undefined) checkSnapshotName(opts.save);
      const store = opts.save !== undefined ? openStore(opts.store, { write: true }) : undefined;
      if (store) checkSaveName(store, opts.save!);
      const fs = opts.root ? fileSystemFromHost(opts.root) : new FileSystem();
      const fromRoot = programInRoot(program, opts.root ? fs : undefined);
      const image = fromRoot ?? readHostFile(program, "program");
      const installed = opts.root ? undefined : installProgram(fs, basename(program), image);
      const stdin = opts.stdin !== undefined ? readHostFile(opts.stdin, "stdin file") : readStdin();
      const argv0 = opts.argv0 ?? program.split("/").pop()!;
      const budget = opts.budget ?? Infinity;
      const progress = guestProgress(argv0, budget, opts.json === true);
      let guest: Guest;
      try {
        guest = Guest.fromElf({
          program: image,
          // `fx86 exec PROG -- ARGS`: the separator is fx86's, not the guest's.
          argv: [argv0, ...(args[0] === "--" ? args.slice(1) : args)],
          env: withEnv(DEFAULT_ENV, opts.env),
          execfn: fromRoot ? program : undefined,
          fs,
          stdin,
          seed: opts.seed,
          // The guest path of the program, when the guest's tree holds it: what /proc/self/exe runs.
          exe: fromRoot ? program : opts.root ? guestPathOf(program, opts.root) : installed,
          trace: opts.trace ? (line) => writeAll(2, encoder.encode(`[fx86] ${line}\n`)) : undefined,
          onOutput: progress.onOutput,
          quota: { fileBytes: opts.maxFileBytes, memory: opts.maxMemory },
        });
      } catch (e) {
        if (e instanceof ElfError) {
          const hint = !opts.root && e.message.endsWith("not in the guest's file system")
            ? " (give the root holding it with --root DIR)"
            : "";
          throw new UserError(`${program}: ${e.message}${hint}`);
        }
        throw e;
      }
      const start = store ? guest.toTree() : null;
      const started = performance.now();
      const timeline = opts.checkpointEvery && store
        ? new Timeline(guest, { every: opts.checkpointEvery, keep: storeCheckpoints(store) })
        : undefined;
      const { stop, signal } = await runInterruptibly(timeline ?? guest, budget, store !== undefined, progress.onSlice);
      progress.clear();
      if (store) {
        saveSnapshot(store, opts.save!, guest.toTree(), {
          timeline: timeline ? { tree: checkpointsToTree(timeline.checkpoints), every: timeline.every } : null,
          origin: null,
          start,
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

/**
 * With --root, an absolute path that names a regular file in the guest's
 * tree is the program to run (`--root DIR /usr/bin/ls` runs DIR/usr/bin/ls,
 * as the guest sees it, and that is its AT_EXECFN and /proc/self/exe);
 * otherwise (undefined) the program is a host file.
 */
function programInRoot(program: string, fs: FileSystem | undefined): Uint8Array | undefined {
  const node = program.startsWith("/") ? fs?.find(program) : undefined;
  return node?.kind === "file" ? contents(node) : undefined;
}

/** How a run stopped by SIGINT or SIGTERM and saved ends: one line saying where and how to go on. */
export function interrupted(guest: Guest, signal: "SIGINT" | "SIGTERM", saved: string): void {
  const line = `fx86: interrupted by ${signal} after ${guest.instructions} instructions at eip ${hex(guest.cpu.eip)}; ` +
    `saved as ${saved} (fx86 resume ${saved} continues it)\n`;
  writeAll(2, encoder.encode(line));
  process.exitCode = signalExit(signal);
}

/**
 * How `fx86 exec` and `fx86 resume` end: the `--json` report, or a line on
 * stderr when the guest did not exit by itself; the exit status.
 */
export function finish(guest: Guest, stop: Stop, json: boolean): void {
  if (json) {
    writeAll(1, encoder.encode(JSON.stringify(report(guest, stop)) + "\n"));
  } else if (stop.status !== "exited") {
    writeAll(2, encoder.encode(`fx86: ${describeStop(guest, stop)}\n`));
  }
  process.exitCode = exitStatus(stop);
}

const encoder = new TextEncoder();

/** The exit status of `fx86 exec` (and `resume`) for a guest's stop. */
function exitStatus(stop: Stop): number {
  if (stop.status === "exited") return stop.exitCode! & 0xff;
  if (stop.status === "budget") return EXIT_BUDGET;
  return FAULT_EXIT[stop.fault!.kind] ?? 139;
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

/** One line saying why a guest stopped without exiting. */
function describeStop(guest: Guest, stop: Stop): string {
  if (stop.status === "budget") {
    return `budget exhausted after ${guest.instructions} instructions at eip ${hex(guest.cpu.eip)}`;
  }
  const f = stop.fault!;
  return `guest fault (${f.kind}) at eip ${hex(f.eip)} after ${guest.instructions} instructions: ${f.detail}`;
}

/** The `--json` report of `fx86 exec` (and `resume`); docs/json.md. */
function report(guest: Guest, stop: Stop) {
  const stdout = guest.linux.stdout;
  return {
    status: stop.status,
    exit_code: stop.exitCode,
    instructions: guest.instructions,
    ...outputFields("stdout", stdout),
    ...outputFields("stderr", guest.linux.stderr),
    stdout_sha256: createHash("sha256").update(stdout).digest("hex"),
    ...(stop.fault
      ? {
        fault: {
          kind: stop.fault.kind,
          eip: hex(stop.fault.eip),
          address: hex(stop.fault.address),
          detail: stop.fault.detail,
        },
      }
      : {}),
    root: guest.toTree().hash,
  };
}

