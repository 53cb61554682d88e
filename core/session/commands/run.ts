/**
 * Commands that move execution: step, next, run, continue, back, goto.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { parseCount } from "../numbers.ts";
import { instructionAt, type RunEnd, type SessionState } from "../state.ts";
import type { Machine } from "../machine.ts";
import type { ExecuteOptions } from "../view.ts";
import { ESP } from "../../cpu/state.ts";
import { decode } from "../../cpu/isa/decoder.ts";
import { peek } from "../inspect.ts";
import type { Guest } from "../../vm/guest.ts";

/**
 * The length of the instruction at `eip` (unmapped bytes read as 0).
 *
 * @example
 * instructionLength(guest, 0x08049715); // 5: call rel32
 */
export function instructionLength(g: Guest, eip: number): number {
  return decode((a) => peek(g.mem, a) ?? 0, eip).len;
}

/** What a command that moved execution prints last: why it stopped (unless it just did its count) and where. */
export function report(s: SessionState, end: RunEnd | null): string {
  const m = s.machine();
  const lines = end && end.kind !== "count" ? [end.reason] : [];
  lines.push(s.where(s.selectedNode(), m.position));
  return lines.join("\n");
}

function count(args: string[], max: number): number {
  if (args.length > 1) throw new CommandError(`expected at most one argument, got ${args.length}`);
  if (args.length === 0) return 1;
  const n = parseCount(args[0], "N");
  if (n < 1 || n > max) throw new CommandError(`N must be between 1 and ${max}`);
  return n;
}

export const step: Command = {
  name: "step",
  args: "[N]",
  summary: "execute N instructions (default 1) of the innermost running guest, going into RUN",
  details:
    "One instruction of the machine is one instruction of whichever guest runs innermost: a RUN steps into its sub-guest. " +
    "With trace on, prints each instruction before it executes.",
  aliases: ["s", "stepi", "si"],
  moves: true,
  async run(s, args, opts) {
    const n = count(args, Number.MAX_SAFE_INTEGER);
    const m = s.machine();
    let end: RunEnd | null = null;
    if (s.tracing) {
      for (let i = 0; i < n; i++) {
        const chain = s.chain(m);
        s.printed.push(s.where(chain[chain.length - 1].node, m.position));
        end = await s.run(m, 1, opts, { remember: i === 0 });
        if (end.kind !== "count") break;
      }
    } else end = await s.run(m, n, opts);
    return report(s, end);
  },
};

export const next: Command = {
  name: "next",
  args: "",
  summary: "step over: run until the selected guest is at its following instruction",
  details: "Steps over a call, a rep string instruction, an int 0x80 and an Fx86 RUN (with all its sub-guest runs): " +
    "runs until the selected guest reaches the instruction after this one with its stack no deeper. " +
    "Other instructions of the active guest are a plain step. Stops earlier at breakpoints.",
  aliases: ["n", "nexti", "ni"],
  moves: true,
  async run(s, args, opts) {
    if (args.length > 0) throw new CommandError("next takes no arguments");
    const m = s.machine();
    const node = s.selectedNode();
    const g = s.guestOf(node);
    const eip = g.cpu.eip >>> 0, esp = g.cpu.r[ESP] >>> 0;
    const text = instructionAt(g, eip);
    const chain = s.chain(m);
    const active = chain[chain.length - 1].node.id === node.id;
    if (active && !/^(call|rep|int|fx86)/.test(text)) return report(s, await s.run(m, 1, opts));
    const following = (eip + instructionLength(g, eip)) >>> 0;
    const id = node.id;
    const end = await s.run(m, Infinity, opts, {
      hidden: [{ kind: "address", guest: id, eip: following }],
      // Deeper recursion reaches the same address with a lower stack: go on.
      until: (hit) => hit.kind === "address" && (s.guestOf(s.find(id)).cpu.r[ESP] >>> 0) >= esp,
    });
    return report(s, end);
  },
};

export const run: Command = {
  name: "run",
  args: "[N]",
  summary: "run N instructions, or until a breakpoint or the guest stops",
  details: "Without N, the same as continue. Long runs go in chunks and can be interrupted; the state stays consistent.",
  aliases: ["r"],
  moves: true,
  async run(s, args, opts) {
    const n = args.length === 0 ? Infinity : count(args, Number.MAX_SAFE_INTEGER);
    return report(s, await s.run(s.machine(), n, opts));
  },
};

export const cont: Command = {
  name: "continue",
  args: "",
  summary: "run until a breakpoint or until the guest stops",
  details: "",
  aliases: ["c", "cont"],
  moves: true,
  async run(s, args, opts) {
    if (args.length > 0) throw new CommandError("continue takes no arguments");
    return report(s, await s.run(s.machine(), Infinity, opts));
  },
};

/**
 * Moves machine `m` to exactly `target` for back and goto, breakpoints
 * ignored: a target behind restores the nearest checkpoint at or before
 * it (Timeline.seek); the replay from there, like a run forward, goes in
 * chunks, so a long one shows progress and can be interrupted. A replay
 * that got there says `arrived`; a run forward reports like run.
 *
 * @example
 * await travel(s, s.machine(), 9388, {}, "went back to instruction");
 */
export async function travel(s: SessionState, m: Machine, target: number, opts: ExecuteOptions, arrived: string): Promise<string> {
  s.remember();
  const behind = target < m.position;
  if (behind) {
    s.breakpoints.detach(m);
    m.timeline.seek(target);
  }
  // Even a replay of nothing runs: the state is a run's (as Timeline.goto's is).
  const end = await s.run(m, target - m.position, opts, { breakpoints: false, remember: false });
  if (!behind || end.kind !== "count") return report(s, end);
  s.lastStop = `${arrived} ${m.position}`;
  s.follow(m);
  return report(s, null);
}

export const back: Command = {
  name: "back",
  args: "[N]",
  summary: "go back N instructions (default 1) of the machine",
  details:
    "Restores the nearest checkpoint before the target and replays: the state is exactly the one a straight run had there. " +
    "Cannot go back before the start of the history (the load, a restore's stored history, or the last edit).",
  moves: true,
  async run(s, args, opts) {
    const n = count(args, Number.MAX_SAFE_INTEGER);
    const m = s.machine();
    const start = m.timeline.checkpoints[0].at;
    if (m.position === start) throw new CommandError(`already at the start of the history (instruction ${start})`);
    return await travel(s, m, Math.max(start, m.position - n), opts, "went back to instruction");
  },
};

export const goto: Command = {
  name: "goto",
  args: "N",
  summary: "go to instruction N of the machine (back or forward), ignoring breakpoints",
  details: "N counts the instructions charged to the top-level guest. Going past the end stops where the guest stops.",
  moves: true,
  async run(s, args, opts) {
    if (args.length !== 1) throw new CommandError("goto takes one argument: an instruction count N");
    const target = parseCount(args[0], "N");
    const m = s.machine();
    const start = m.timeline.checkpoints[0].at;
    if (target < start) throw new CommandError(`instruction ${target} is before the start of the history (${start})`);
    return await travel(s, m, target, opts, "went to instruction");
  },
};
