/**
 * The subcommands of fx86 and the modules that define them, loaded on
 * demand: `fx86 exec` should not pay, at every start, for the manifest
 * parser and its schema validator, the store's bundles, the REPL's line
 * editor or the TUI (tens of milliseconds of module loading under Bun).
 */
import type { CommandUnknownOpts } from "@commander-js/extra-typings";

/** Loads one module's commands; `root` is the whole command tree, for those that describe it. */
type Load = (root: () => CommandUnknownOpts) => Promise<CommandUnknownOpts[]>;

/** One module: the names of the commands it defines, in help order, and how to load them. */
export interface CommandModule {
  names: readonly string[];
  load: Load;
}

/**
 * Every subcommand, in the order `fx86 --help` lists them.
 *
 * @example
 * const exec = COMMAND_MODULES.find((m) => m.names.includes("exec"));
 * const [cmd] = await exec!.load(() => root); // cmd.name() === "exec"
 */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ["exec"], load: async () => [(await import("./exec.ts")).execCommand()] },
  { names: ["run"], load: async () => [(await import("./run.ts")).runCommand()] },
  { names: ["resume"], load: async () => [(await import("./resume.ts")).resumeCommand()] },
  { names: ["snapshot"], load: async () => [(await import("./snapshot.ts")).snapshotCommand()] },
  { names: ["tree"], load: async () => [(await import("./tree.ts")).treeCommand()] },
  { names: ["gc"], load: async () => [(await import("./gc.ts")).gcCommand()] },
  { names: ["fsck"], load: async () => [(await import("./fsck.ts")).fsckCommand()] },
  { names: ["verify"], load: async () => [(await import("./verify.ts")).verifyCommand()] },
  {
    names: ["export", "import"],
    load: async () => {
      const m = await import("./bundle.ts");
      return [m.exportCommand(), m.importCommand()];
    },
  },
  {
    names: ["goto", "back"],
    load: async () => {
      const m = await import("./travel.ts");
      return [m.gotoCommand(), m.backCommand()];
    },
  },
  { names: ["repl"], load: async () => [(await import("./repl.ts")).replCommand()] },
  { names: ["shell"], load: async () => [(await import("./shell.ts")).shellCommand()] },
  { names: ["gdbserver"], load: async () => [(await import("./gdbserver.ts")).gdbserverCommand()] },
  { names: ["completions"], load: async (root) => [(await import("./completions.ts")).completionsCommand(root)] },
  { names: ["root"], load: async () => [(await import("./root.ts")).rootCommand()] },
];

/**
 * The modules a command line needs: only the named subcommand's when argv
 * names one that needs nothing else, else all (help, version, an unknown
 * command's suggestions, and completions, which describe the whole tree).
 * `--store DIR` is the one global option that takes a value.
 *
 * @example
 * modulesFor(["--store", "s", "exec", "prog"]).map((m) => m.names); // [["exec"]]
 * modulesFor(["--help"]).length === COMMAND_MODULES.length; // true
 */
export function modulesFor(argv: readonly string[]): readonly CommandModule[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--store") i++;
    else if (arg.startsWith("--store=")) continue;
    else if (arg.startsWith("-")) break;
    else {
      const named = COMMAND_MODULES.find((m) => m.names.includes(arg));
      return named && arg !== "completions" ? [named] : COMMAND_MODULES;
    }
  }
  return COMMAND_MODULES;
}
