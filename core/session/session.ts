/**
 * A debugging session: load guests, run them in chunks, step, break, go
 * back in time, inspect and edit, through one command language
 * (docs/shell.md). The REPL (cli/repl) prints what `execute` returns; the
 * shell (cli/shell) renders `view()`.
 */
import { StoreError } from "../store/mod.ts";
import { TreeError } from "../tree/mod.ts";
import { words } from "./command.ts";
import { outputText } from "./commands/inspect.ts";
import { CommandError } from "./errors.ts";
import { disasmRows, flagRows, guestRows, registerRows, treeRows, vectorRows } from "./rows.ts";
import { memoryRows } from "./inspect.ts";
import { type SessionOptions, SessionState } from "./state.ts";
import { COMMANDS, describe, lookup, overview } from "./table.ts";
import type { CommandOutput, ExecuteOptions, ShellView, ViewOptions } from "./view.ts";
import { ESP } from "../cpu/state.ts";

/**
 * One debugging session.
 *
 * @example
 * const s = new Session();
 * await s.execute("load examples/nesting/nesting.yaml");
 * await s.execute("break run-entry nest/fs/child/fs/child");
 * await s.execute("continue");   // { ok: true, text: "breakpoint 1: …" }
 * s.view().guests;               // the host tree, active guest marked
 */
export class Session {
  /** The state the commands work on (exposed for tests and front ends that need more than `view`). */
  readonly state: SessionState;

  constructor(options: SessionOptions = {}) {
    this.state = new SessionState(options);
  }

  /**
   * Parses and runs one command line. User mistakes give `{ ok: false }`
   * with one line and leave the state as it was; `quit` sets `quit`.
   */
  async execute(line: string, opts: ExecuteOptions = {}): Promise<CommandOutput> {
    const s = this.state;
    let argv: string[];
    try {
      argv = words(line);
    } catch (e) {
      return { ok: false, text: (e as Error).message };
    }
    if (argv.length === 0) return { ok: true, text: "" };
    // gdb writes a format right after the command: x/4i $pc, p/x $eax.
    const slash = /^([a-z]+)(\/\S*)$/.exec(argv[0]);
    if (slash) argv.splice(0, 1, slash[1], slash[2]);
    let command;
    try {
      command = lookup(argv[0]);
    } catch (e) {
      return { ok: false, text: (e as Error).message };
    }
    if (s.busy && command.moves) return { ok: false, text: "busy: another command is running" };
    // Only commands that move execution print while they run (trace, stepped
    // instructions); one of them runs at a time, so they own `printed`.
    if (command.moves) {
      s.busy = true;
      s.printed = [];
    }
    const printed = command.moves ? s.printed : [];
    try {
      const text = await command.run(s, argv.slice(1), opts);
      const all = [...printed, ...(text ? [text] : [])].join("\n");
      return { ok: true, text: all, ...(command.name === "quit" ? { quit: true } : {}) };
    } catch (e) {
      if (e instanceof CommandError || e instanceof StoreError || e instanceof TreeError || e instanceof RangeError) {
        return { ok: false, text: e.message.split("\n")[0] };
      }
      throw e;
    } finally {
      if (command.moves) {
        s.printed = [];
        s.busy = false;
      }
    }
  }

  /** `help` or `help CMD` text, from the command table. */
  help(cmd?: string): string {
    return cmd === undefined ? overview() : describe(lookup(cmd));
  }

  /**
   * Completions of the last word of `line`: command names first, then the
   * command's own arguments (guest ids, registers, tree paths, …).
   */
  complete(line: string): string[] {
    let argv: string[];
    try {
      argv = words(line);
    } catch {
      return [];
    }
    if (line === "" || /\s$/.test(line)) argv.push("");
    const partial = argv[argv.length - 1];
    let candidates: string[];
    if (argv.length === 1) candidates = COMMANDS.map((c) => c.name);
    else {
      const c = COMMANDS.find((x) => x.name === argv[0] || x.aliases?.includes(argv[0]));
      try {
        candidates = c?.complete?.(this.state, argv.length - 2, argv.slice(1, -1), partial) ?? [];
      } catch {
        candidates = [];
      }
    }
    return [...new Set(candidates.filter((w) => w.startsWith(partial)))];
  }

  /** Everything a front end shows. */
  view(opts: ViewOptions = {}): ShellView {
    const s = this.state;
    const empty: ShellView = {
      guests: [], selected: "", registers: [], flags: [], vectors: [], disasm: [], memory: [], treePath: "", tree: [],
      timeline: { position: 0, end: 0, checkpoints: [] }, output: "", breakpoints: s.breakpoints.lines(),
      lastStop: s.lastStop, progress: s.progress,
    };
    if (s.machines.length === 0) return empty;
    const m = s.machine();
    const node = s.selectedNode();
    const g = s.guestOf(node);
    let tree;
    try {
      tree = treeRows(node.tree, s.treePath);
    } catch {
      tree = treeRows(node.tree, "");
    }
    return {
      ...empty,
      guests: guestRows(s),
      selected: node.id,
      registers: registerRows(s),
      flags: flagRows(s),
      vectors: vectorRows(s),
      disasm: disasmRows(s, opts.disasmRows ?? 16),
      memory: memoryRows(g.mem, s.memoryAddress ?? g.cpu.r[ESP], opts.memoryRows ?? 8),
      treePath: s.treePath,
      tree,
      timeline: { position: m.position, end: m.end, checkpoints: m.timeline.checkpoints.map((c) => c.at) },
      output: outputText(s, opts.outputChars ?? 4000),
    };
  }
}
