/**
 * The command table: every command of the language, in the order `help`
 * lists them. The parser, `help`, completion and docs/shell.md all come
 * from it.
 */
import { processCmd, ps } from "./commands/processes.ts";
import type { Command } from "./command.ts";
import { CommandError } from "./errors.ts";
import { load, quit, trace } from "./commands/control.ts";
import { disasm, guests, mem, output, regs, select, status, tree } from "./commands/inspect.ts";
import { back, cont, goto, next, run, step } from "./commands/run.ts";
import { poke, set } from "./commands/edit.ts";
import { awatch, breakCmd, condition, deleteCmd, rwatch, tbreak, watch } from "./commands/breaks.ts";
import { bt, finish, until } from "./commands/frames.ts";
import { reverseContinueCmd, reverseFinish, reverseNexti, reverseStepi } from "./commands/reverse.ts";
import { info, print, x } from "./commands/examine.ts";
import { when, why } from "./commands/history.ts";
import { diff, restore, snapshot } from "./commands/store.ts";

const help: Command = {
  name: "help",
  args: "[CMD]",
  summary: "list the commands, or describe one",
  details: "",
  aliases: ["h", "?"],
  complete: (_s, i) => (i === 0 ? COMMANDS.map((c) => c.name) : []),
  run(_s, args) {
    if (args.length > 1) throw new CommandError("usage: help [CMD]");
    return args.length === 0 ? overview() : describe(lookup(args[0]));
  },
};

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  load, guests, select, ps, processCmd,
  step, next, run, cont, finish, until, back, goto,
  reverseContinueCmd, reverseStepi, reverseNexti, reverseFinish, when, why,
  breakCmd, tbreak, condition, watch, rwatch, awatch, deleteCmd,
  regs, mem, x, print, info, bt, disasm, tree, output, status,
  set, poke,
  snapshot, restore, diff,
  trace, help, quit,
];

/**
 * The command named `name` (or one of its aliases).
 *
 * @example
 * lookup("s").name; // "step"
 */
export function lookup(name: string): Command {
  const c = COMMANDS.find((x) => x.name === name || x.aliases?.includes(name));
  if (c) return c;
  const near = closest(name);
  throw new CommandError(`unknown command "${name}"; ${near ? `did you mean "${near}"? ` : ""}type help for the list`);
}

/** The command name within two typing mistakes of `typed`, if exactly one is closest. */
function closest(typed: string): string | undefined {
  if (typed.length < 3) return undefined;
  const scored = COMMANDS.map((c) => ({ name: c.name, d: distance(typed, c.name) }))
    .filter((x) => x.d <= 2).sort((a, b) => a.d - b.d);
  return scored.length > 0 && scored[0].d !== scored[1]?.d ? scored[0].name : undefined;
}

/** Edit distance counting a swap of two neighbours as one mistake ("stpe" → "step"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** `name args`, e.g. "mem ADDR [LEN]". */
export function usage(c: Command): string {
  return c.args ? `${c.name} ${c.args}` : c.name;
}

/** What `help` prints: one line per command. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => usage(c).length));
  return COMMANDS.map((c) => `${usage(c).padEnd(width)}  ${c.summary}`).join("\n") +
    "\nNumbers: decimal, 0x hex, _ separators; counts also take k/M/G (1000s). help CMD says more.";
}

/** What `help CMD` prints. */
export function describe(c: Command): string {
  const lines = [usage(c), `  ${c.summary}`];
  if (c.details) lines.push(`  ${c.details}`);
  if (c.aliases?.length) lines.push(`  aliases: ${c.aliases.join(", ")}`);
  return lines.join("\n");
}

/**
 * The command reference of docs/shell.md, generated from the table (a test
 * keeps the two equal).
 */
export function reference(): string {
  return COMMANDS.map((c) => {
    const alias = c.aliases?.length ? ` Aliases: ${c.aliases.map((a) => `\`${a}\``).join(", ")}.` : "";
    return `- \`${usage(c)}\` — ${c.summary}.${c.details ? " " + c.details : ""}${alias}`;
  }).join("\n") + "\n";
}
