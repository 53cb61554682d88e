#!/usr/bin/env -S deno run -A
/**
 * The fx86 command line. Runs under Deno (`deno task fx86`), Bun
 * (`bun cli/main.ts`) and as the compiled binary `dist/fx86`.
 */
import { Command, CommanderError, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { EXIT_STATUSES } from "./exit-statuses.ts";
import { setGlobalStore, storeOption } from "./commands/store-options.ts";
import { COMMAND_MODULES, type CommandModule, modulesFor } from "./commands/registry.ts";
import { StoreError } from "../core/store/mod.ts";
import { UserError } from "./host.ts";
import { VERSION } from "../version.ts";
import { applyJitHints } from "./jit-hints.ts";


/**
 * The command tree of fx86: every command, or only those of `modules`
 * (see {@link modulesFor}: a command line loads only what it runs).
 *
 * @example
 * await (await program()).parseAsync(["exec", "examples/hello/hello"], { from: "user" });
 */
export async function program(modules: readonly CommandModule[] = COMMAND_MODULES): Promise<Command> {
  const root = new Command("fx86")
    .description("deterministic, recursive, user-mode x86 virtual machines")
    .version(VERSION)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addOption(storeOption())
    .hook("preAction", (cmd) => setGlobalStore(cmd.opts().store))
    .addHelpText("after", `\nExit statuses:\n${EXIT_STATUSES}`);
  // Subcommands built elsewhere do not inherit settings by themselves.
  for (const m of modules) {
    for (const sub of await m.load(() => root)) root.addCommand(inherit(sub, root));
  }
  return root;
}

/** Copies root settings (exit override, output) down a command and all its subcommands. */
function inherit<C extends CommandUnknownOpts>(cmd: C, parent: CommandUnknownOpts): C {
  cmd.copyInheritedSettings(parent);
  for (const sub of cmd.commands) inherit(sub, cmd);
  return cmd;
}

export async function main(argv: string[]): Promise<number> {
  await applyJitHints();
  try {
    await (await program(modulesFor(argv))).parseAsync(argv, { from: "user" });
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
