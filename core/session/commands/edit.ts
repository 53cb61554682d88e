/**
 * Commands that edit the selected guest: set, poke. An edit at the current
 * position starts a new history there (the recorded future no longer
 * follows from it, nor does the past lead to it): see docs/shell.md.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { hex32, parseAddress, parseValue } from "../numbers.ts";
import { checkWritable, REGISTER_NAMES, writeRegister } from "../registers.ts";
import { registerOf } from "./inspect.ts";

export const set: Command = {
  name: "set",
  args: "REG VALUE",
  summary: "set a register of the selected guest (the history restarts here)",
  details: "REG: eax…edi, eip or eflags. VALUE: decimal, negative decimal or 0x hex.",
  complete: (_s, i) => (i === 0 ? REGISTER_NAMES : []),
  moves: true,
  run(s, args) {
    if (args.length !== 2) throw new CommandError("usage: set REG VALUE");
    const name = args[0].toLowerCase();
    const value = parseValue(args[1], "VALUE");
    const node = s.selectedNode();
    checkWritable(name);
    s.remember();
    s.edit(node, (g) => writeRegister(g.cpu, name, value));
    return `${node.id}: ${name} = ${hex32(value)}; history restarts at instruction ${s.machine().position}`;
  },
};

export const poke: Command = {
  name: "poke",
  args: "ADDR BYTE…",
  summary: "write bytes into the selected guest's memory (ignoring page protection; the history restarts here)",
  details: "ADDR: a number or register expression; BYTEs: 0..255 each (decimal or 0x hex). The pages must be mapped.",
  moves: true,
  run(s, args) {
    if (args.length < 2) throw new CommandError("usage: poke ADDR BYTE…");
    const addr = parseAddress(args[0], registerOf(s));
    const bytes = Uint8Array.from(args.slice(1).map((b) => {
      const v = parseValue(b, "BYTE");
      if (v > 255) throw new CommandError(`BYTE must be between 0 and 255, not ${b}`);
      return v;
    }));
    const node = s.selectedNode();
    const m = s.guestOf(node).mem;
    for (let i = 0; i < bytes.length; i++) {
      if (!m.isMapped(((addr + i) >>> 0) >>> 12)) throw new CommandError(`address ${hex32(addr + i)} is not mapped`);
    }
    s.remember();
    s.edit(node, (g) => g.mem.poke(addr, bytes));
    return `${node.id}: wrote ${bytes.length} byte${bytes.length === 1 ? "" : "s"} at ${hex32(addr)}; history restarts at instruction ${s.machine().position}`;
  },
};
