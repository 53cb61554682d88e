/**
 * Breakpoint commands: break (set or list), delete.
 */
import { syscallName, syscallNames } from "../../linux/syscalls/names.ts";
import { type NewBreak, WATCH_NAMES, type WatchAccess } from "../breakpoints.ts";
import { evaluate } from "../expr.ts";
import { rangeText } from "../watch.ts";
import { lineAddress } from "../../elf/lines.ts";
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { parseAddress, parseCount } from "../numbers.ts";
import type { SessionState } from "../state.ts";
import { guestIds } from "./inspect.ts";

/** Highest system-call number looked up by name. */
const MAX_SYSCALL = 512;

/**
 * A guest id for a breakpoint: an existing guest (id, unique prefix or
 * label), or the id of a sub-guest that does not exist yet, written out in
 * full ("nest/fs/child/fs/child").
 */
function guestArg(s: SessionState, text: string): string {
  try {
    return s.find(text).id;
  } catch (e) {
    const top = s.machines.find((m) => text.startsWith(m.name + "/"));
    if (top && /^fs\/[^/]+(\/[^/]+)*$/.test(text.slice(top.name.length + 1)) && !text.endsWith("/fs")) return text;
    throw e;
  }
}

/** `… in GUEST` at the end of the arguments: the guest, and the arguments before it. */
function inGuest(s: SessionState, args: string[]): [string | undefined, string[]] {
  const i = args.indexOf("in");
  if (i < 0) return [undefined, args];
  if (i !== args.length - 2) throw new CommandError("expected `in GUEST` at the end");
  return [guestArg(s, args[i + 1]), args.slice(0, i)];
}

function syscallNumber(text: string): { number: number; name: string } {
  if (/^\d/.test(text)) {
    const n = parseCount(text, "system call number");
    return { number: n, name: syscallName(n) };
  }
  for (let n = 0; n < MAX_SYSCALL; n++) if (syscallName(n) === text) return { number: n, name: text };
  throw new CommandError(`no system call named "${text}"`);
}

function parseBreak(s: SessionState, args: string[]): NewBreak {
  const [kind, ...rest] = args;
  switch (kind) {
    case "icount": {
      if (rest.length !== 1) throw new CommandError("usage: break icount N");
      return { kind: "icount", count: parseCount(rest[0], "N") };
    }
    case "run-entry":
    case "run-exit": {
      if (rest.length > 1) throw new CommandError(`usage: break ${kind} [GUEST]`);
      if (rest.length === 0) return { kind };
      const guest = guestArg(s, rest[0]);
      if (!guest.includes("/")) throw new CommandError(`${guest} is a top-level guest: nothing RUNs it`);
      return { kind, guest };
    }
    case "syscall": {
      const [guest, what] = inGuest(s, rest);
      if (what.length > 1) throw new CommandError("usage: break syscall [NAME|NUMBER] [in GUEST]");
      return { kind: "syscall", guest, ...(what.length === 1 ? syscallNumber(what[0]) : {}) };
    }
    default: {
      const [guest, what] = inGuest(s, args);
      if (what.length !== 1) throw new CommandError("usage: break ADDR|SYMBOL|*ADDR [in GUEST] [if COND]");
      const id = guest ?? s.selectedNode().id;
      // Register expressions, symbols and lines are the guest's the breakpoint is for, if it exists now.
      const node = s.allNodes().find((n) => n.id === id);
      const fileLine = /^(.+):(\d+)$/.exec(what[0]);
      if (fileLine) {
        const eip = node && lineAddress(s.lines(node), fileLine[1], Number(fileLine[2]));
        if (eip === undefined) throw new CommandError(`no code for ${what[0]}`);
        return { kind: "address", guest: id, eip };
      }
      const eip = parseAddress(what[0], node ? s.names(node) : () => undefined);
      return { kind: "address", guest: id, eip };
    }
  }
}

/** Splits `… if COND` off the arguments, checking that COND parses and evaluates now. */
function withCondition(s: SessionState, args: string[]): [string[], string | undefined] {
  const i = args.indexOf("if");
  if (i < 0) return [args, undefined];
  const condition = args.slice(i + 1).join(" ");
  checkCondition(s, condition);
  return [args.slice(0, i), condition];
}

function checkCondition(s: SessionState, condition: string): void {
  if (condition === "") throw new CommandError("an expression is expected after if");
  evaluate(condition, s.scope(s.selectedNode()));
}

/** `break` and `tbreak`: the same but for deleting themselves at their first stop. */
function setBreak(s: SessionState, args: string[], temporary: boolean): string {
  s.machine();
  const [rest, condition] = withCondition(s, args);
  const b = s.breakpoints.add({ ...parseBreak(s, rest), ...(condition ? { condition } : {}), ...(temporary ? { temporary } : {}) });
  return `${temporary ? "temporary " : ""}breakpoint ${s.breakpoints.lines().find((l) => l.startsWith(`${b.id} `))}`;
}

/**
 * What a RUN breakpoint can name: the sub-guests that exist, and "NAME/"
 * for a top-level guest with none yet (its sub-guests appear when it runs,
 * and may be named before).
 */
function subGuestIds(s: SessionState): string[] {
  const ids = guestIds(s);
  const subs = ids.filter((id) => id.includes("/"));
  const tops = ids.filter((id) => !id.includes("/") && !subs.some((x) => x.startsWith(id + "/")));
  return [...tops.map((id) => id + "/"), ...subs];
}

const BREAK_ARGS = "[ADDR [in GUEST] | icount N | run-entry [GUEST] | run-exit [GUEST] | syscall [NAME|NUMBER] [in GUEST]] [if COND]";

export const breakCmd: Command = {
  name: "break",
  args: BREAK_ARGS,
  summary: "set a breakpoint, or list them",
  details: "ADDR: an address in GUEST (default: the selected guest): a number, a symbol (main, main+12), gdb's *ADDR, " +
    "or a register expression. if COND: stop only when the expression (as print takes it) is non-zero there. " +
    "icount N: when the machine reaches N instructions. " +
    "run-entry/run-exit: when a RUN of GUEST (default: any sub-guest) is about to start / has retired. " +
    "syscall: before a system call (default: any) executes, in GUEST (default: any guest). " +
    "GUEST may be a sub-guest that does not exist yet, written out in full (nest/fs/child/fs/child).",
  aliases: ["b", "br"],
  complete: (s, i, before) => breakCompletions(s, i, before),
  run(s, args) {
    if (args.length === 0) {
      const lines = s.breakpoints.lines();
      return lines.length === 0 ? "no breakpoints" : lines.join("\n");
    }
    return setBreak(s, args, false);
  },
};

export const tbreak: Command = {
  name: "tbreak",
  args: BREAK_ARGS,
  summary: "set a temporary breakpoint: deleted at its first stop",
  details: "Takes what break takes.",
  complete: (s, i, before) => breakCompletions(s, i, before),
  run(s, args) {
    if (args.length === 0) throw new CommandError(`usage: tbreak ${BREAK_ARGS}`);
    return setBreak(s, args, true);
  },
};

function breakCompletions(s: SessionState, i: number, before: string[]): string[] {
  return (
    i === 0
      ? ["icount", "run-entry", "run-exit", "syscall"]
      : before[i - 1] === "in"
      ? guestIds(s)
      : i === 1 && before[0].startsWith("run-")
      ? subGuestIds(s)
      : i === 1 && before[0] === "syscall"
      ? [...syscallNames(), "in"]
      : i === 0
      ? [...s.symbols(s.selectedNode()).names()]
      : ["in", "if"]);
}

export const condition: Command = {
  name: "condition",
  args: "N [COND]",
  summary: "make breakpoint N stop only when COND is non-zero; without COND, always",
  details: "COND: an expression, as print takes it (eax == 3, *0x80ed2e0 > 2, $esp & 15).",
  complete: (s, i) => (i === 0 ? s.breakpoints.all.map((b) => String(b.id)) : []),
  run(s, args) {
    if (args.length === 0) throw new CommandError("usage: condition N [COND]");
    const n = parseCount(args[0], "N");
    const cond = args.slice(1).join(" ");
    if (cond !== "") checkCondition(s, cond);
    if (!s.breakpoints.setCondition(n, cond === "" ? undefined : cond)) throw new CommandError(`no breakpoint ${n}`);
    return cond === "" ? `breakpoint ${n} is now unconditional` : `breakpoint ${n} stops if ${cond}`;
  },
};

/**
 * What `watch` watches: a symbol's bytes (its size, or 4), or `*EXPR`: the
 * 4 bytes at the address EXPR gives; LEN overrides the length.
 */
function watchTarget(s: SessionState, name: string, args: string[]): { addr: number; len: number; expr: string } {
  if (args.length < 1 || args.length > 2) throw new CommandError(`usage: ${name} SYMBOL|*ADDR [LEN]`);
  const node = s.selectedNode();
  if (node.depth > 0) throw new CommandError("watchpoints are for top-level guests; select one");
  const [expr, lenText] = args;
  let addr: number, len: number;
  if (expr.startsWith("*")) {
    addr = evaluate(expr.slice(1), s.scope(node));
    len = 4;
  } else {
    const sym = s.symbols(node).lookup(expr);
    if (!sym) throw new CommandError(`no symbol "${expr}": ${name} takes a variable's name or *ADDR`);
    addr = sym.address;
    len = sym.size > 0 && sym.size <= 64 ? sym.size : 4;
  }
  if (lenText !== undefined) len = parseCount(lenText, "LEN");
  if (len < 1 || len > 4096) throw new CommandError("LEN must be between 1 and 4096");
  return { addr, len, expr };
}

function watchCommand(name: string, access: WatchAccess, summary: string): Command {
  return {
    name,
    args: "SYMBOL|*ADDR [LEN] [if COND]",
    summary,
    details: "Exact to the instruction, forward and with reverse-continue (which stops before the instruction). " +
      "SYMBOL: a variable of the program (its size from the symbol table); *ADDR: the 4 bytes at ADDR. " +
      "Top-level guests only. rwatch and awatch count the guest's instructions, not system calls " +
      "(write(2) reading a buffer), as the processor's debug registers do; they slow down code touching the watched page.",
    complete: (s, i) => (i === 0 ? s.symbols(s.selectedNode()).names() : []),
    run(s, args) {
      s.machine();
      const [rest, condition] = withCondition(s, args);
      const target = watchTarget(s, name, rest);
      const b = s.breakpoints.add({ kind: "watch", access, guest: s.selectedNode().id, ...target, ...(condition ? { condition } : {}) });
      return `${WATCH_NAMES[access]} ${b.id}: ${target.expr} (${rangeText(target)})${condition ? ` if ${condition}` : ""}`;
    },
  };
}

export const watch = watchCommand("watch", "write", "stop when a variable's value changes (after the instruction that changed it)");

export const rwatch = watchCommand("rwatch", "read", "stop after an instruction that reads a variable (any of its bytes)");
export const awatch = watchCommand("awatch", "access", "stop after an instruction that reads or writes a variable (even with the same value)");

export const deleteCmd: Command = {
  name: "delete",
  args: "[N|all]",
  summary: "delete breakpoint N, or all of them (without N too, as in gdb)",
  details: "",
  aliases: ["d", "del"],
  complete: (s, i) => (i === 0 ? ["all", ...s.breakpoints.all.map((b) => String(b.id))] : []),
  run(s, args) {
    if (args.length > 1) throw new CommandError("usage: delete [N|all]");
    if (args.length === 0 || args[0] === "all") {
      s.breakpoints.clear();
      return "deleted all breakpoints";
    }
    const n = parseCount(args[0], "N");
    if (!s.breakpoints.remove(n)) throw new CommandError(`no breakpoint ${n}`);
    return `deleted breakpoint ${n}`;
  },
};
