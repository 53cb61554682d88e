/**
 * Commands for the processes and threads of a guest: ps (list them),
 * process (pick one for regs, mem, disasm and the other inspection
 * commands until the next command that runs the guest).
 */
import type { Linux } from "../../linux/linux.ts";
import { stoppedState } from "../../linux/process/stop.ts";
import type { Guest } from "../../vm/guest.ts";
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { parseCount } from "../numbers.ts";
import type { SessionState } from "../state.ts";

/** The selected guest's processes and threads, by id (just its one process if it never forked). */
function tasks(g: Guest): Linux[] {
  return [...(g.main.machine.procs?.values() ?? [g.main])];
}

/** What a process is doing, in a word or two. */
function state(p: Linux, g: Guest): string {
  if (p.exit) return `ended (${p.exitDescription})`;
  const stopped = stoppedState(p);
  if (stopped) return stopped;
  if (p.blocked !== undefined) return `blocked: ${p.blocked}`;
  if (p.vforkChild) return `waits for vfork child ${p.vforkChild}`;
  const m = g.main.machine;
  return (m.procs ? m.current === p.pid : true) ? "running" : "runnable";
}

/** The program a process runs, as ps shows it. */
function command(p: Linux): string {
  const exe = p.exe ?? "";
  return p.comm || exe.slice(exe.lastIndexOf("/") + 1) || "?";
}

export const ps: Command = {
  name: "ps",
  args: "",
  summary: "the selected guest's processes and threads: ids, state, instructions, program",
  details: "`*` marks the process the inspection commands show (see process), `>` the one running. " +
    "A thread shows its process's id as TGID.",
  run(s: SessionState, args: string[]) {
    if (args.length > 0) throw new CommandError("ps takes no arguments");
    const g = s.guestOf(s.selectedNode());
    const shown = g.linux;
    const running = g.main.machine.procs?.get(g.main.machine.current) ?? g.main;
    const head = "    PID  TGID  PPID  INSTRUCTIONS  COMMAND  STATE";
    return [head, ...tasks(g).map((p) => {
      const mark = (p === shown ? "*" : " ") + (p === running && !p.exit ? ">" : " ");
      const icount = p.cpu ? String(p.cpu.icount) : "-";
      return `${mark} ${String(p.pid).padStart(5)} ${String(p.tgid).padStart(5)} ${String(p.ppid).padStart(5)}  ` +
        `${icount.padStart(12)}  ${command(p).padEnd(7)}  ${state(p, g)}`;
    })].join("\n");
  },
};

export const processCmd: Command = {
  name: "process",
  args: "[PID]",
  summary: "show process (or thread) PID in regs, mem, disasm …; without PID, the running one",
  details: "The choice lasts until a command runs the guest, which then shows the process it stopped in.",
  aliases: ["proc"],
  run(s: SessionState, args: string[]) {
    if (args.length > 1) throw new CommandError("usage: process [PID]");
    const g = s.guestOf(s.selectedNode());
    if (args.length === 0) {
      g.viewed = undefined;
      return `showing the running process, ${g.linux.pid}`;
    }
    const pid = parseCount(args[0], "PID");
    const p = tasks(g).find((t) => t.pid === pid);
    if (!p) throw new CommandError(`no process ${pid} in ${s.selectedNode().id}; ps lists them`);
    if (!p.cpu) throw new CommandError(`process ${pid} has ended: it has no registers or memory left`);
    g.viewed = pid;
    return `showing process ${pid}`;
  },
};
