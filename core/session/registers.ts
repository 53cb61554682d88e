/**
 * The registers the session shows and edits, by name, over a Cpu.
 */
import { ARITH_FLAGS, AF, CF, type Cpu, DF, IF, OF, PF, SF, TF, USER_FLAGS, ZF } from "../cpu/state.ts";
import { eflags, setEflags } from "../cpu/flags.ts";
import { CommandError } from "./errors.ts";

const GENERAL = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEGMENTS = ["es", "cs", "ss", "ds", "fs", "gs"];

/** Register names in display order. */
export const REGISTER_NAMES = [
  "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags",
  "cs", "ds", "es", "fs", "gs", "ss",
];

/** EFLAGS bits shown as flags, in display order. */
export const FLAG_BITS: [string, number][] = [
  ["CF", CF], ["PF", PF], ["AF", AF], ["ZF", ZF], ["SF", SF], ["TF", TF], ["IF", IF], ["DF", DF], ["OF", OF],
];

/**
 * A register's value (unsigned), or undefined for an unknown name.
 *
 * @example
 * readRegister(guest.cpu, "eip"); // 0x08049000
 */
export function readRegister(c: Cpu, name: string): number | undefined {
  const g = GENERAL.indexOf(name);
  if (g >= 0) return c.r[g] >>> 0;
  if (name === "eip") return c.eip >>> 0;
  if (name === "eflags") return eflags(c) >>> 0;
  const s = SEGMENTS.indexOf(name);
  if (s >= 0) return c.sreg[s];
  return undefined;
}

/**
 * Sets a general register, EIP or EFLAGS (the bits user code may change);
 * segment registers are refused: their bases come from the OS layer.
 *
 * @example
 * writeRegister(guest.cpu, "eax", 42);
 */
export function writeRegister(c: Cpu, name: string, value: number): void {
  checkWritable(name);
  const g = GENERAL.indexOf(name);
  if (g >= 0) c.r[g] = value | 0;
  else if (name === "eip") c.eip = value | 0;
  else setEflags(c, value, ARITH_FLAGS | USER_FLAGS);
}

/**
 * Throws a CommandError unless `set` can change register `name`.
 *
 * @example
 * checkWritable("cs"); // throws: cannot set segment register cs
 */
export function checkWritable(name: string): void {
  if (GENERAL.includes(name) || name === "eip" || name === "eflags") return;
  if (SEGMENTS.includes(name)) throw new CommandError(`cannot set segment register ${name}`);
  throw new CommandError(`no register "${name}"; registers: ${REGISTER_NAMES.join(" ")}`);
}
