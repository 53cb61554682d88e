/**
 * Omniscient queries over a machine's recorded run: `when` lists every
 * instruction that changed a memory range, `why` goes back to the last one
 * that changed a register or a memory range. Both replay the history
 * (exactly, as reverse execution does); neither needs the run again.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { evaluate } from "../expr.ts";
import { hex32 } from "../numbers.ts";
import { readRegister, REGISTER_NAMES } from "../registers.ts";
import { lastRegisterChange, reverseContinue } from "../reverse.ts";
import type { SessionState, StopEvent } from "../state.ts";
import type { ExecuteOptions } from "../view.ts";
import { type WatchChange, valueText } from "../watch.ts";
import { report, travel } from "./run.ts";

/** The range a when/why argument names: a symbol's bytes, or `*EXPR` and LEN (default 4). */
function rangeOf(s: SessionState, expr: string, lenText?: string): { addr: number; len: number } {
  const node = s.selectedNode();
  if (node.depth > 0) throw new CommandError("when and why look at top-level guests; select one");
  let addr: number, len = 4;
  if (expr.startsWith("*")) addr = evaluate(expr.slice(1), s.scope(node));
  else {
    const sym = s.symbols(node).lookup(expr);
    if (!sym) throw new CommandError(`no symbol "${expr}": give a variable's name, *ADDR or a register`);
    addr = sym.address;
    if (sym.size > 0 && sym.size <= 64) len = sym.size;
  }
  if (lenText !== undefined) len = Number(lenText);
  if (!(Number.isInteger(len) && len >= 1 && len <= 4096)) throw new CommandError("LEN must be between 1 and 4096");
  return { addr, len };
}

/** `instruction N (0x… <sym>): OLD -> NEW`, the change made by the instruction at position N. */
function changeLine(s: SessionState, at: number, eip: number, before: string, after: string): string {
  const label = s.symbols(s.selectedNode()).label(eip);
  return `instruction ${at} (${hex32(eip)}${label ? ` <${label}>` : ""}): ${before} -> ${after}`;
}

/**
 * Runs `body` with a watch on `range` that nothing else sees, numbered
 * like the user's, removed afterwards.
 */
async function withWatch<T>(s: SessionState, range: { addr: number; len: number }, expr: string, body: (id: number) => Promise<T>): Promise<T> {
  const spec = s.breakpoints.add({ kind: "watch", access: "write", guest: s.machine().name, ...range, expr });
  try {
    return await body(spec.id);
  } finally {
    s.breakpoints.remove(spec.id);
  }
}

export const when: Command = {
  name: "when",
  args: "SYMBOL|*ADDR [LEN]",
  summary: "list every instruction of the recorded run that changed a variable or memory range, with the values",
  details: "Replays the history from its start to the furthest position reached, with a watch on the range " +
    "(pages nothing writes cost nothing; docs/gdb.md), and comes back to where it was. " +
    "N in `instruction N` is the position before that instruction: goto N lands on it.",
  moves: true,
  async run(s, args, opts) {
    if (args.length < 1 || args.length > 2) throw new CommandError("usage: when SYMBOL|*ADDR [LEN]");
    const m = s.machine();
    const range = rangeOf(s, args[0], args[1]);
    const here = m.position, first = m.timeline.checkpoints[0].at, end = m.end;
    const last = s.breakpoints.lastOf(m);
    const found: { at: number; eip: number; change: WatchChange }[] = [];
    await withWatch(s, range, args[0], async (id) => {
      await travel(s, m, first, opts, "went back to instruction");
      s.breakpoints.forgetLast(m);
      await s.run(m, end - first, opts, {
        remember: false,
        record: (e: StopEvent) => {
          if (e.spec?.id === id && e.change) found.push({ at: e.at, eip: e.eip!, change: e.change });
        },
      });
    });
    await travel(s, m, here, opts, "went back to instruction");
    // Back where it was, a continue steps over the breakpoint it had stopped at, as before.
    if (last) s.breakpoints.setLast(m, last.at, last.hit);
    s.lastStop = `when ${args[0]}: ${found.length} change${found.length === 1 ? "" : "s"}`;
    const lines = found.map((f) => changeLine(s, f.at, f.eip, valueText(f.change.before), valueText(f.change.after)));
    return [`${args[0]} (${range.len} bytes at ${hex32(range.addr)}) changed ${found.length} time${found.length === 1 ? "" : "s"} in instructions ${first}..${end}`, ...lines].join("\n");
  },
};

/** Nothing changed it: back to where the search started, as if it had not run. */
async function notFound(
  s: SessionState,
  what: string,
  here: number,
  last: ReturnType<SessionState["breakpoints"]["lastOf"]>,
  opts: ExecuteOptions,
): Promise<string> {
  const m = s.machine();
  await travel(s, m, here, opts, "went back to instruction");
  if (last) s.breakpoints.setLast(m, last.at, last.hit);
  s.follow(m);
  return [`${what} did not change since the start of the history`, report(s, null)].join("\n");
}

export const why: Command = {
  name: "why",
  args: "REG | SYMBOL|*ADDR [LEN]",
  summary: "go back to the instruction that last changed a register or a variable, and show the change",
  details: "Lands before that instruction (as reverse-continue does at a watchpoint): step runs it again. " +
    "A register's search steps each checkpoint interval behind the position one instruction at a time.",
  moves: true,
  async run(s, args, opts) {
    if (args.length < 1 || args.length > 2) throw new CommandError("usage: why REG | why SYMBOL|*ADDR [LEN]");
    const m = s.machine();
    const node = s.selectedNode();
    if (node.depth > 0) throw new CommandError("when and why look at top-level guests; select one");
    const reg = args[0].replace(/^\$/, "").toLowerCase();
    if (REGISTER_NAMES.includes(reg) && args.length === 1) {
      const here = m.position;
      const last = s.breakpoints.lastOf(m);
      const found = await lastRegisterChange(s, m, (g) => readRegister(g.cpu, reg)!, opts);
      if (!found) return await notFound(s, reg, here, last, opts);
      s.follow(m);
      s.lastStop = `why ${reg}`;
      const hex = (v: number) => "0x" + (v >>> 0).toString(16);
      return [`${reg}: ${changeLine(s, found.at, found.eip, hex(found.before), hex(found.after))}`, report(s, null)].join("\n");
    }
    const range = rangeOf(s, args[0], args[1]);
    const here = m.position;
    const last = s.breakpoints.lastOf(m);
    const end = await withWatch(s, range, args[0], (id) => reverseContinue(s, m, opts, { accept: (e) => e.spec?.id === id }));
    const e = end.event;
    if (!end.found || !e?.change) return await notFound(s, args[0], here, last, opts);
    return [
      `${args[0]}: ${changeLine(s, e.at, e.eip!, valueText(e.change.before), valueText(e.change.after))}`,
      report(s, null),
    ].join("\n");
  },
};
