#!/usr/bin/env -S deno run -A
/**
 * The fx86 command line. Runs under Deno (`deno task fx86`), Bun
 * (`bun cli/main.ts`) and as the compiled binary `dist/fx86`.
 */
import { Command, CommanderError, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { execCommand } from "./commands/exec.ts";
import { runCommand } from "./commands/run.ts";
import { resumeCommand } from "./commands/resume.ts";
import { snapshotCommand } from "./commands/snapshot.ts";
import { treeCommand } from "./commands/tree.ts";
import { gcCommand } from "./commands/gc.ts";
import { fsckCommand } from "./commands/fsck.ts";
import { verifyCommand } from "./commands/verify.ts";
import { exportCommand, importCommand } from "./commands/bundle.ts";
import { backCommand, gotoCommand } from "./commands/travel.ts";
import { replCommand } from "./commands/repl.ts";
import { shellCommand } from "./commands/shell.ts";
import { gdbserverCommand } from "./commands/gdbserver.ts";
import { setGlobalStore, storeOption } from "./commands/store-options.ts";
import { StoreError } from "../core/store/mod.ts";
import { UserError } from "./host.ts";
import { VERSION } from "../mod.ts";

/** The exit statuses fx86 uses, for `fx86 --help`. */
const EXIT_STATUSES = `
Exit statuses:
  exec, resume  the guest's exit status; 124 when --budget ran out; for a
                guest fault 128 + the signal Linux would send (139 page or
                protection fault, 132 undefined or privileged instruction,
                136 divide or floating-point error, 133 breakpoint, 137
                deadlock); 130/143 after SIGINT/SIGTERM with --save
  run           0 expectations met, 1 not met, 2 bad manifest
  verify, fsck  0 verified / no problems, 1 mismatch / problems
  repl          0, or 1 when a script's command fails
  any           2 bad usage or input (one line on stderr), 141 when the
                reader of the output went away
`;

/**
 * The command tree of fx86.
 *
 * @example
 * await program().parseAsync(["exec", "examples/hello/hello"], { from: "user" });
 */
export function program(): Command {
  const root = new Command("fx86")
    .description("deterministic, recursive, user-mode x86 virtual machines")
    .version(VERSION)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addOption(storeOption())
    .hook("preAction", (cmd) => setGlobalStore(cmd.opts().store))
    .addHelpText("after", EXIT_STATUSES);
  // Subcommands built elsewhere do not inherit settings by themselves.
  for (const sub of [
    execCommand(),
    runCommand(),
    resumeCommand(),
    snapshotCommand(),
    treeCommand(),
    gcCommand(),
    fsckCommand(),
    verifyCommand(),
    exportCommand(),
    importCommand(),
    gotoCommand(),
    backCommand(),
    replCommand(),
    shellCommand(),
    gdbserverCommand(),
  ]) root.addCommand(inherit(sub, root));
  return root;
}

/** Copies root settings (exit override, output) down a command and all its subcommands. */
function inherit<C extends CommandUnknownOpts>(cmd: C, parent: CommandUnknownOpts): C {
  cmd.copyInheritedSettings(parent);
  for (const sub of cmd.commands) inherit(sub, cmd);
  return cmd;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed the message (or the help/version text).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UserError || e instanceof StoreError) {
      process.stderr.write(`fx86: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) {
  process.exit(await main(process.argv.slice(2)));
}
