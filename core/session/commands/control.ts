/**
 * Commands about the session itself: load, trace, quit.
 */
import type { Command, LoadOptions } from "../command.ts";
import type { SessionState } from "../state.ts";
import { CommandError } from "../errors.ts";
import { report } from "./run.ts";

export const load: Command = {
  name: "load",
  args: "[--root DIR] [--stdin FILE] MANIFEST | PROGRAM [ARGS…]",
  summary: "load a YAML manifest's guests, or an i386 ELF program with arguments",
  details: "A file ending in .yaml or .yml is a manifest (docs/manifest.md): each of its top-level guests is loaded, " +
    "with its budget, files and input. Anything else is a program, loaded as one guest named after the file, " +
    "with the standard layout (/dev, /tmp) and the program as /bin/NAME for a file system (as fx86 exec gives) " +
    "and no input unless --root DIR (a copy of a host directory, as fx86 exec --root makes) " +
    "and --stdin FILE (a host file) give them; as with fx86 exec, an absolute PROGRAM that names a file in the root " +
    "is taken from the root (so dynamically linked programs load with their libraries). " +
    "A -- right after PROGRAM separates it from the arguments (load prog -- -x). " +
    "Replaces what was loaded; breakpoints are cleared.",
  moves: true,
  complete: (s, i, before, partial) => {
    if (before[i - 1] === "--root") return hostPaths(s, partial, true);
    if (before[i - 1] === "--stdin") return hostPaths(s, partial, false);
    let target = 0;
    while (before[target] === "--root" || before[target] === "--stdin") target += 2;
    return i === target ? ["--root", "--stdin", ...hostPaths(s, partial, false)] : [];
  },
  run(s, args) {
    const opts: LoadOptions = {};
    let i = 0;
    for (; i < args.length && (args[i] === "--root" || args[i] === "--stdin"); i += 2) {
      if (i + 1 >= args.length) throw new CommandError(`${args[i]} needs a host path`);
      opts[args[i] === "--root" ? "root" : "stdin"] = args[i + 1];
    }
    if (i >= args.length) throw new CommandError("usage: load [--root DIR] [--stdin FILE] MANIFEST | PROGRAM [ARGS…]");
    if (args[i].startsWith("-")) throw new CommandError(`unknown option ${args[i]}: load takes --root DIR and --stdin FILE`);
    // A "--" right after PROGRAM only separates, as on the command line: `load prog -- -x`.
    const target = args[i], rest = args.slice(i + 1);
    s.load(target, rest[0] === "--" ? rest.slice(1) : rest, opts);
    const names = s.machines.map((m) => m.name);
    return `loaded ${target}: ${names.length} top-level guest${names.length === 1 ? "" : "s"} (${names.join(", ")})\n` +
      report(s, null);
  },
};

/**
 * Host paths that complete `partial`, as a shell completes file names:
 * entries of its directory that start with its last part (hidden ones only
 * when that part starts with "."), directories ending in "/".
 */
function hostPaths(s: SessionState, partial: string, dirsOnly: boolean): string[] {
  const dir = partial.slice(0, partial.lastIndexOf("/") + 1);
  const start = partial.slice(dir.length);
  let names: string[];
  try {
    names = s.host.readDir(dir === "" ? "." : dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(start) && (start.startsWith(".") || !n.startsWith(".")))
    .sort()
    .flatMap((n) => {
      const kind = s.host.kind(dir + n);
      return kind === "dir" ? [dir + n + "/"] : dirsOnly ? [] : [dir + n];
    });
}

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
