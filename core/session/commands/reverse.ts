/**
 * gdb's reverse execution commands, over the session's exact time travel
 * (core/session/reverse.ts): reverse-continue, reverse-stepi,
 * reverse-nexti, reverse-finish. Without line tables, reverse-step and
 * reverse-next are the instruction-level ones.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { reverseContinue, type ReverseHow } from "../reverse.ts";
import { instructionAt, type SessionState } from "../state.ts";
import { hex32 } from "../numbers.ts";
import { ESP } from "../../cpu/state.ts";
import type { ExecuteOptions } from "../view.ts";
import { back, instructionLength, report } from "./run.ts";
import { returnOf, selectedFrames } from "./frames.ts";

/** The address of the call instruction that returns to `ret` (a call is 2 to 7 bytes long), if there is one. */
function callBefore(s: SessionState, ret: number): number | undefined {
  const g = s.guestOf(s.selectedNode());
  for (const k of [5, 6, 2, 3, 7]) {
    const at = (ret - k) >>> 0;
    if (/^call /.test(instructionAt(g, at)) && instructionLength(g, at) === k) return at;
  }
  return undefined;
}

/** Runs backwards to the last stop (or the session's own, `how`), and reports it. */
async function backwards(s: SessionState, opts: ExecuteOptions, how: ReverseHow = {}): Promise<string> {
  const m = s.machine();
  const end = await reverseContinue(s, m, opts, how);
  s.follow(m);
  return [end.reason, report(s, null)].join("\n");
}

/**
 * Hidden stops at the call that returns to `ret`, before it executes, with
 * ESP at `esp` (so the matching call of a recursion, not a deeper one).
 */
function atCall(s: SessionState, ret: number, esp: number): ReverseHow {
  const call = callBefore(s, ret);
  if (call === undefined) throw new CommandError(`no call instruction returns to ${hex32(ret)}`);
  const id = s.selectedNode().id;
  return {
    hidden: [{ kind: "address", guest: id, eip: call }],
    until: () => (s.guestOf(s.find(id)).cpu.r[ESP] >>> 0) === esp,
  };
}

export const reverseContinueCmd: Command = {
  name: "reverse-continue",
  args: "",
  summary: "run backwards to the last breakpoint or watchpoint stop before this position, or to the start of the history",
  details: "Exact: each checkpoint interval behind the position is replayed with the breakpoints and watchpoints armed, " +
    "and the last stop found wins. A watchpoint stops before the instruction that changed the value.",
  aliases: ["rc"],
  moves: true,
  async run(s, args, opts) {
    if (args.length > 0) throw new CommandError("reverse-continue takes no arguments");
    return await backwards(s, opts);
  },
};

export const reverseStepi: Command = {
  name: "reverse-stepi",
  args: "[N]",
  summary: "go back N instructions (default 1) of the machine: back under gdb's name",
  details: "Without line tables, reverse-step is the same.",
  aliases: ["rsi", "reverse-step", "rs"],
  moves: true,
  run: (s, args, opts) => back.run(s, args, opts),
};

export const reverseNexti: Command = {
  name: "reverse-nexti",
  args: "",
  summary: "go back one instruction of the selected guest, over a call it returned from",
  details: "If the instruction before is the ret of a function this one called, goes back to the call. " +
    "Without line tables, reverse-next is the same.",
  aliases: ["rni", "reverse-next", "rn"],
  moves: true,
  async run(s, args, opts) {
    if (args.length > 0) throw new CommandError("reverse-nexti takes no arguments");
    const g = s.guestOf(s.selectedNode());
    const here = g.cpu.eip >>> 0, esp = g.cpu.r[ESP] >>> 0;
    const stepped = await back.run(s, [], opts);
    const now = s.guestOf(s.selectedNode());
    if (!/^ret/.test(instructionAt(now, now.cpu.eip))) return stepped;
    return await backwards(s, opts, atCall(s, here, esp));
  },
};

export const reverseFinish: Command = {
  name: "reverse-finish",
  args: "",
  summary: "run backwards to the call of the selected guest's current function",
  details: "The frame comes from the frame-pointer walk (see bt); stops earlier at breakpoints and watchpoints.",
  moves: true,
  async run(s, args, opts) {
    if (args.length > 0) throw new CommandError("reverse-finish takes no arguments");
    const [inner, outer] = selectedFrames(s);
    if (!outer) throw new CommandError("reverse-finish: the outermost frame has no caller");
    const { ret } = returnOf(s, inner);
    return await backwards(s, opts, atCall(s, ret, (inner.slot + 4) >>> 0));
  },
};
