/**
 * Commands about the session itself: load, trace, quit.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { report } from "./run.ts";

export const load: Command = {
  name: "load",
  args: "MANIFEST | PROGRAM [ARGS…]",
  summary: "load a YAML manifest's guests, or an i386 ELF program with arguments",
  details: "A file ending in .yaml or .yml is a manifest (docs/manifest.md): each of its top-level guests is loaded, " +
    "with its budget. Anything else is a program, loaded as one guest named after the file, with an empty file system. " +
    "A -- right after PROGRAM separates it from the arguments (load prog -- -x). " +
    "Replaces what was loaded; breakpoints are cleared.",
  moves: true,
  run(s, args) {
    if (args.length === 0) throw new CommandError("usage: load MANIFEST | load PROGRAM [ARGS…]");
    // A "--" right after PROGRAM only separates, as on the command line: `load prog -- -x`.
    s.load(args[0], args[1] === "--" ? args.slice(2) : args.slice(1));
    const names = s.machines.map((m) => m.name);
    return `loaded ${args[0]}: ${names.length} top-level guest${names.length === 1 ? "" : "s"} (${names.join(", ")})\n` +
      report(s, null);
  },
};

export const trace: Command = {
  name: "trace",
  args: "on|off",
  summary: "print system calls as they happen (strace-like, with the guest's id) and the instructions step executes",
  details: "",
  complete: (_s, i) => (i === 0 ? ["on", "off"] : []),
  run(s, args) {
    if (args.length !== 1 || (args[0] !== "on" && args[0] !== "off")) throw new CommandError("usage: trace on|off");
    s.tracing = args[0] === "on";
    return `trace ${args[0]}`;
  },
};

export const quit: Command = {
  name: "quit",
  args: "",
  summary: "end the session",
  details: "",
  aliases: ["q", "exit"],
  run(_s, args) {
    if (args.length > 0) throw new CommandError("quit takes no arguments");
    return "";
  },
};
