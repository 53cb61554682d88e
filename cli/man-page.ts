/**
 * fx86's man page (roff, man(7) macros), generated from the command
 * definitions that `fx86 --help` prints, so the two never disagree.
 * `deno task docs` writes it to docs/fx86.1 (read it with
 * `man -l docs/fx86.1`); tests/e2e/man.test.ts fails while that file is stale.
 */
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { EXIT_STATUSES } from "./exit-statuses.ts";

/** Text made safe for roff: backslashes, hyphens, and a leading dot or quote. */
function roff(text: string): string {
  return text.replace(/\\/g, "\\e").replace(/-/g, "\\-").replace(/^([.'])/gm, "\\&$1");
}

/** A command's usage line from its name path, options and arguments. */
function usage(cmd: CommandUnknownOpts, path: string[]): string {
  const args = cmd.registeredArguments.map((a) => {
    const name = a.name() + (a.variadic ? "..." : "");
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [...path, ...(cmd.options.length > 0 ? ["[options]"] : []), ...args].join(" ");
}

/** The section of one command and of its subcommands. */
function commandSection(cmd: CommandUnknownOpts, path: string[]): string[] {
  if (cmd.commands.length > 0) return cmd.commands.flatMap((c) => commandSection(c, [...path, c.name()]));
  const out = [".TP", `.B ${roff(usage(cmd, path))}`, roff(cmd.description())];
  if (cmd.options.length === 0) return out;
  return [...out, ".RS", ...cmd.options.flatMap((o) => [".TP", `.B ${roff(o.flags)}`, roff(o.description)]), ".RE"];
}

/**
 * The man page of the command tree under `root` (`fx86`).
 *
 * @example
 * writeFileSync("docs/fx86.1", manPage(await program()));
 */
export function manPage(root: CommandUnknownOpts, version: string): string {
  const lines = [
    `.TH FX86 1 "" "fx86 ${roff(version)}" "User Commands"`,
    ".SH NAME",
    `fx86 \\- ${roff(root.description())}`,
    ".SH SYNOPSIS",
    ".B fx86",
    "[\\-\\-store \\fIdir\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]",
    ".SH DESCRIPTION",
    "fx86 runs 32\\-bit x86 Linux programs as deterministic guests: the same input gives the same output, bit for bit, " +
    "on every machine. A guest can host guests of its own. Runs can be snapshotted, replayed, verified and debugged " +
    "backwards, in a REPL, a terminal UI or gdb.",
    ".SH OPTIONS",
    ...root.options.flatMap((o) => [".TP", `.B ${roff(o.flags)}`, roff(o.description)]),
    ".SH COMMANDS",
    ...root.commands.flatMap((c) => commandSection(c, ["fx86", c.name()])),
    ".SH EXIT STATUS",
    ...EXIT_STATUSES.trimEnd().split(/\n(?=  \S)/).flatMap((entry) => {
      const [, names, text] = /^ {2}(\S+(?:, \S+)*) +([^]*)$/.exec(entry)!;
      return [".TP", `.B ${roff(names)}`, roff(text.replace(/\s+/g, " "))];
    }),
    ".SH ENVIRONMENT",
    ".TP",
    ".B FX86_HOME",
    "The store directory when \\-\\-store is not given (else .fx86 in the working directory).",
    ".TP",
    ".B NO_COLOR",
    "When set and not empty, fx86 shell draws without colours or other styling.",
    ".SH SEE ALSO",
    ".BR gdb (1),",
    ".BR qemu\\-i386 (1)",
  ];
  return lines.join("\n") + "\n";
}
