/**
 * Commands over call frames (core/session/frames.ts, a frame-pointer
 * heuristic): bt, finish, until/advance.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { type Frame, frames, wordAt } from "../frames.ts";
import { hex32, parseAddress } from "../numbers.ts";
import type { SessionState } from "../state.ts";
import type { NewBreak } from "../breakpoints.ts";
import { ESP } from "../../cpu/state.ts";
import { lineOf } from "../../elf/lines.ts";
import { registerOf } from "./inspect.ts";
import { next, report } from "./run.ts";

/**
 * The selected guest's frames.
 *
 * @example
 * selectedFrames(s)[0].label; // "add+3"
 */
export function selectedFrames(s: SessionState): Frame[] {
  const node = s.selectedNode();
  return frames(s.guestOf(node), s.symbols(node));
}

/**
 * `#N  0x… in main (main+12) at counter.c:17`, gdb's backtrace line (the
 * source line where the program has a line table; an outer frame's is its
 * call's, the instruction before its return address).
 */
function frameLine(s: SessionState, f: Frame, n: number): string {
  const row = lineOf(s.lines(s.selectedNode()), n === 0 ? f.pc : f.pc - 1);
  const at = row ? ` at ${row.file}:${row.line}` : "";
  return `#${n}  ${hex32(f.pc)}${f.label ? ` in ${f.label.replace(/\+\d+$/, "")} (${f.label})` : ""}${at}`;
}

/** ESP of the selected guest now (the hidden breakpoints' test). */
function espOf(s: SessionState, id: string): number {
  return s.guestOf(s.find(id)).cpu.r[ESP] >>> 0;
}

/**
 * A hidden stop where frame `f` returns to its caller: at the return
 * address, with the return address popped (ESP above its slot), so a
 * recursive call reaching the same address deeper does not count.
 *
 * @example
 * const back = returnOf(s, selectedFrames(s)[0]);
 * await s.run(s.machine(), Infinity, {}, { hidden: back.hidden, until: back.until });
 */
export function returnOf(s: SessionState, f: Frame): { hidden: NewBreak[]; until: () => boolean; ret: number } {
  const id = s.selectedNode().id;
  const ret = wordAt(s.guestOf(s.selectedNode()), f.slot);
  if (ret === undefined) throw new CommandError(`cannot read the return address at ${hex32(f.slot)}`);
  return { hidden: [{ kind: "address", guest: id, eip: ret }], until: () => espOf(s, id) > f.slot, ret };
}

export const bt: Command = {
  name: "bt",
  args: "[N]",
  summary: "backtrace: the selected guest's call frames, innermost first (a frame-pointer walk: a heuristic)",
  details: "Follows the EBP chain (push ebp; mov ebp, esp frames), naming each frame by symbol; " +
    "code built without frame pointers gives wrong outer frames. Stops at main, or after N frames.",
  aliases: ["backtrace", "where"],
  run(s, args) {
    if (args.length > 1) throw new CommandError("usage: bt [N]");
    const n = args.length === 0 ? 64 : Number(args[0]);
    if (!(Number.isInteger(n) && n >= 1)) throw new CommandError(`N must be a positive count, not "${args[0]}"`);
    return selectedFrames(s).slice(0, n).map((f, i) => frameLine(s, f, i)).join("\n");
  },
};

export const finish: Command = {
  name: "finish",
  args: "",
  summary: "run until the selected guest's current function returns; print EAX (the value returned)",
  details: "The return address comes from the frame-pointer walk (see bt). Stops earlier at breakpoints.",
  moves: true,
  async run(s, args, opts) {
    if (args.length > 0) throw new CommandError("finish takes no arguments");
    const [inner, outer] = selectedFrames(s);
    if (!outer) throw new CommandError("finish: the outermost frame has no caller");
    const back = returnOf(s, inner);
    const end = await s.run(s.machine(), Infinity, opts, { hidden: back.hidden, until: back.until });
    const lines = [`run till exit from #0 ${hex32(inner.pc)}${inner.label ? ` in ${inner.label}` : ""}`, report(s, end)];
    if (end.kind === "count") lines.push(`value returned: eax = ${s.registers(s.selectedNode()).get("eax")}`);
    return lines.join("\n");
  },
};

export const until: Command = {
  name: "until",
  args: "[ADDR]",
  summary: "run until ADDR (a symbol, *ADDR or a register expression) or until the current function returns",
  details: "Without ADDR, the same as next. Stops earlier at breakpoints.",
  aliases: ["u", "advance"],
  moves: true,
  async run(s, args, opts) {
    if (args.length > 1) throw new CommandError("usage: until [ADDR]");
    if (args.length === 0) return await next.run(s, [], opts);
    const id = s.selectedNode().id;
    const addr = parseAddress(args[0], registerOf(s));
    const [inner, outer] = selectedFrames(s);
    const back = outer ? returnOf(s, inner) : undefined;
    const end = await s.run(s.machine(), Infinity, opts, {
      hidden: [{ kind: "address", guest: id, eip: addr }, ...(back?.hidden ?? [])],
      until: (hit) => hit.kind === "address" && (hit.eip >>> 0 === addr || back?.until() === true),
    });
    return report(s, end);
  },
};
