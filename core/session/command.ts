/**
 * What one command of the command language is: one table entry gives the
 * parser its name and aliases, `help` its syntax and text, completion its
 * argument completer, and the session its handler.
 */
import { CommandError } from "./errors.ts";
import type { SessionState } from "./state.ts";
import type { ExecuteOptions } from "./view.ts";

/** One command of the language. */
export interface Command {
  name: string;
  /** Argument syntax, e.g. "[N]" or "ADDR [LEN]". */
  args: string;
  /** One line for `help`. */
  summary: string;
  /** More for `help CMD` (may be empty). */
  details: string;
  aliases?: string[];
  /** Candidates for argument `index` (0-based), given the arguments before it and the part typed so far. */
  complete?: (s: SessionState, index: number, before: string[], partial: string) => string[];
  /** Runs the command; throws CommandError for user mistakes (the state must then be unchanged). */
  run: (s: SessionState, args: string[], opts: ExecuteOptions) => string | Promise<string>;
  /** Changes execution or state: not allowed while another such command runs. */
  moves?: boolean;
}

/**
 * Splits a command line into words: whitespace separates, double quotes
 * group (`load prog "a b"`), backslash escapes inside quotes.
 *
 * @example
 * words('load prog "a b" c'); // ["load", "prog", "a b", "c"]
 */
export function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let w = "";
    while (i < line.length && !/\s/.test(line[i])) {
      if (line[i] === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && i + 1 < line.length) i++;
          w += line[i++];
        }
        if (i >= line.length) throw new CommandError("unterminated quote");
        i++;
      } else w += line[i++];
    }
    out.push(w);
  }
  return out;
}

/** What a program is loaded with besides its arguments (`load --root DIR --stdin FILE`). */
export interface LoadOptions {
  /** A host directory copied as the guest's file system. */
  root?: string;
  /** A host file that is the guest's standard input. */
  stdin?: string;
}

/**
 * The `load` line for a target and its program arguments, each word quoted
 * as {@link words} reads it back, with `--` before arguments so that ones
 * starting with `-` (or a literal `--`) reach the guest as they are.
 *
 * @example
 * loadLine("prog", ["a b", "-x"]); // 'load prog -- "a b" -x'
 * loadLine("prog", [], { root: "/tmp/r" }); // 'load --root /tmp/r prog'
 */
export function loadLine(target: string, args: readonly string[], opts: LoadOptions = {}): string {
  const options = [
    ...(opts.root !== undefined ? ["--root", opts.root] : []),
    ...(opts.stdin !== undefined ? ["--stdin", opts.stdin] : []),
  ];
  return ["load", ...options, target, ...(args.length > 0 ? ["--", ...args] : [])].map(quote).join(" ");
}

function quote(word: string): string {
  return /^[^\s"\\]+$/.test(word) ? word : `"${word.replace(/["\\]/g, (c) => "\\" + c)}"`;
}
