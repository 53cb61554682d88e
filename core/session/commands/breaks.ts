/**
 * Breakpoint commands: break (set or list), delete.
 */
import { syscallName, syscallNames } from "../../linux/syscalls/names.ts";
import type { NewBreak } from "../breakpoints.ts";
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
      if (what.length !== 1) throw new CommandError("usage: break ADDR [in GUEST]");
      const id = guest ?? s.selectedNode().id;
      // Register expressions read the guest the breakpoint is for, if it exists now.
      const node = s.allNodes().find((n) => n.id === id);
      const eip = parseAddress(what[0], node ? s.names(node) : () => undefined);
      return { kind: "address", guest: id, eip };
    }
  }
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

export const breakCmd: Command = {
  name: "break",
  args: "[ADDR [in GUEST] | icount N | run-entry [GUEST] | run-exit [GUEST] | syscall [NAME|NUMBER] [in GUEST]]",
  summary: "set a breakpoint, or list them",
  details: "ADDR: an address in GUEST (default: the selected guest). icount N: when the machine reaches N instructions. " +
    "run-entry/run-exit: when a RUN of GUEST (default: any sub-guest) is about to start / has retired. " +
    "syscall: before a system call (default: any) executes, in GUEST (default: any guest). " +
    "GUEST may be a sub-guest that does not exist yet, written out in full (nest/fs/child/fs/child).",
  aliases: ["br"],
  complete: (s, i, before) =>
    i === 0
      ? ["icount", "run-entry", "run-exit", "syscall"]
      : before[i - 1] === "in"
      ? guestIds(s)
      : i === 1 && before[0].startsWith("run-")
      ? subGuestIds(s)
      : i === 1 && before[0] === "syscall"
      ? [...syscallNames(), "in"]
      : ["in"],
  run(s, args) {
    if (args.length === 0) {
      const lines = s.breakpoints.lines();
      return lines.length === 0 ? "no breakpoints" : lines.join("\n");
    }
    s.machine();
    const b = s.breakpoints.add(parseBreak(s, args));
    return `breakpoint ${s.breakpoints.lines().find((l) => l.startsWith(`${b.id} `))}`;
  },
};

export const deleteCmd: Command = {
  name: "delete",
  args: "N|all",
  summary: "delete breakpoint N, or all of them",
  details: "",
  aliases: ["del"],
  complete: (s, i) => (i === 0 ? ["all", ...s.breakpoints.all.map((b) => String(b.id))] : []),
  run(s, args) {
    if (args.length !== 1) throw new CommandError("usage: delete N|all");
    if (args[0] === "all") {
      s.breakpoints.clear();
      return "deleted all breakpoints";
    }
    const n = parseCount(args[0], "N");
    if (!s.breakpoints.remove(n)) throw new CommandError(`no breakpoint ${n}`);
    return `deleted breakpoint ${n}`;
  },
};
