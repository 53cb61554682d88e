/**
 * gdb's ways to look at a guest: `x/FMT ADDR`, `print[/x] EXPR`, and
 * `info registers|breakpoints|symbol|frame`.
 */
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { evaluate } from "../expr.ts";
import { disasmFrom, peek } from "../inspect.ts";
import { hex32 } from "../numbers.ts";
import { readRegister } from "../registers.ts";
import type { SessionState } from "../state.ts";
import { flagRows } from "../rows.ts";
import { status, withTarget } from "./inspect.ts";
import { breakCmd } from "./breaks.ts";
import { bt } from "./frames.ts";

/** A parsed `/NFU`: count, format letter, unit size in bytes. */
interface Format {
  count: number;
  format: string;
  unit: number;
}

const UNITS: Record<string, number> = { b: 1, h: 2, w: 4, g: 8 };

/**
 * Parses gdb's `/NFU` (any order of F and U after N; defaults 1, x, w).
 *
 * @example
 * parseFormat("/4xb"); // { count: 4, format: "x", unit: 1 }
 */
export function parseFormat(text: string, defaults: Format): Format {
  const m = /^\/(\d*)([xduotcsia]?)([bhwg]?)([xduotcsia]?)$/.exec(text === "" ? "/" : text);
  if (!m) throw new CommandError(`bad format "${text}": expected /NFU, e.g. /4xw, /8xb, /2i, /s`);
  const format = m[2] || m[4] || defaults.format;
  return { count: m[1] ? Number(m[1]) : defaults.count, format, unit: m[3] ? UNITS[m[3]] : format === "c" ? 1 : defaults.unit };
}

/** The `<sym+off>` after an address, gdb style, or "". */
function labelOf(s: SessionState, addr: number): string {
  const label = s.symbols(s.selectedNode()).label(addr);
  return label ? ` <${label}>` : "";
}

/** One value of `size` bytes at `addr` in format `f`, or null if unmapped. */
function formatUnit(s: SessionState, addr: number, size: number, f: string): string | null {
  const g = s.guestOf(s.selectedNode());
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) {
    const b = peek(g.mem, (addr + i) >>> 0);
    if (b === null) return null;
    v = (v << 8n) | BigInt(b);
  }
  return formatValue(v, size, f);
}

function formatValue(v: bigint, size: number, f: string): string {
  const bits = BigInt(size * 8);
  const signed = v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
  switch (f) {
    case "x": return "0x" + v.toString(16).padStart(size * 2, "0");
    case "d": return signed.toString();
    case "u": return v.toString();
    case "o": return "0" + v.toString(8);
    case "t": return v.toString(2).padStart(size * 8, "0");
    case "c": return `${signed} '${v >= 0x20n && v < 0x7fn ? String.fromCharCode(Number(v)) : "\\" + v.toString(8).padStart(3, "0")}'`;
    case "a": return "0x" + v.toString(16);
    default: return v.toString();
  }
}

/** A C string at `addr`, quoted (at most 200 bytes), and how many bytes it took with its NUL. */
function stringAt(s: SessionState, addr: number): { text: string; size: number } {
  const g = s.guestOf(s.selectedNode());
  let out = "";
  for (let i = 0; i < 200; i++) {
    const b = peek(g.mem, (addr + i) >>> 0);
    if (b === null) return { text: `"${out}"<unmapped>`, size: i };
    if (b === 0) return { text: `"${out}"`, size: i + 1 };
    out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : "\\" + b.toString(8).padStart(3, "0");
  }
  return { text: `"${out}"...`, size: 200 };
}

/** `x/FMT` remembers what it did last, as gdb does: format and unit, and the next address. */
const lastFormat = new WeakMap<SessionState, Format & { next: number }>();

export const x: Command = {
  name: "x",
  args: "[/NFU] ADDR",
  summary: "examine memory gdb's way: N units of format F and size U at ADDR (x/4i $pc, x/8xb &var, x/s str)",
  details: "F: x hex, d signed, u unsigned, o octal, t binary, c char, a address, s string, i instruction. " +
    "U: b byte, h halfword, w word (4), g giant (8). Defaults: 1, x, w, then whatever the last x used. " +
    "ADDR: an expression (a symbol is its address, *ADDR the word there). mem gives a hex dump with ASCII.",
  run(s, args) {
    const last = lastFormat.get(s);
    const fmtArg = args[0]?.startsWith("/") ? args.shift()! : "/";
    // As in gdb, the format and unit stay from the last x; the count does not.
    const f = parseFormat(fmtArg, { count: 1, format: last?.format ?? "x", unit: last?.unit ?? 4 });
    if (f.count < 1 || f.count > 4096) throw new CommandError("N must be between 1 and 4096");
    const node = s.selectedNode();
    const addr = args.length > 0 ? evaluate(args.join(" ").replace(/^&/, ""), s.scope(node)) : last?.next;
    if (addr === undefined) throw new CommandError("usage: x[/NFU] ADDR");
    const lines: string[] = [];
    let next = addr;
    if (f.format === "i") {
      const g = s.guestOf(node);
      for (const r of disasmFrom(g.mem, addr, f.count, g.cpu.eip, new Set(), s.symbols(node))) {
        lines.push(`${r.current ? "=> " : "   "}${hex32(r.address)}${r.label ? ` <${r.label}>` : ""}:\t${withTarget(r)}`);
        next = (r.address + r.bytes.split(" ").length) >>> 0;
      }
    } else if (f.format === "s") {
      for (let i = 0; i < f.count; i++) {
        const str = stringAt(s, next);
        lines.push(`${hex32(next)}${labelOf(s, next)}:\t${str.text}`);
        next = (next + str.size) >>> 0;
      }
    } else {
      const perLine = f.unit === 8 ? 2 : f.unit === 4 ? 4 : 8;
      for (let i = 0; i < f.count; i += perLine) {
        const cells: string[] = [];
        const start = next;
        for (let k = 0; k < perLine && i + k < f.count; k++) {
          const cell = formatUnit(s, next, f.unit, f.format);
          if (cell === null) throw new CommandError(`cannot access memory at ${hex32(next)}`);
          cells.push(cell);
          next = (next + f.unit) >>> 0;
        }
        lines.push(`${hex32(start)}${labelOf(s, start)}:\t${cells.join("\t")}`);
      }
    }
    lastFormat.set(s, { ...f, next });
    s.memoryAddress = addr;
    return lines.join("\n");
  },
};

/** Numbered values of print, as gdb's `$1`, `$2`. */
const printed = new WeakMap<SessionState, number>();

export const print: Command = {
  name: "print",
  args: "[/F] EXPR",
  summary: "evaluate an expression on the selected guest: registers ($eax, eax, $pc), symbols (their address), *ADDR, C operators",
  details: "Values are 32-bit. /x hex, /d signed, /u unsigned, /t binary, /c char; default: decimal, " +
    "and an address with its symbol for $pc, $sp and $fp.",
  aliases: ["p"],
  run(s, args) {
    const fmt = args[0]?.startsWith("/") ? args.shift()! : undefined;
    if (args.length === 0) throw new CommandError("usage: print[/F] EXPR");
    const text = args.join(" ");
    const v = evaluate(text, s.scope(s.selectedNode()));
    const n = (printed.get(s) ?? 0) + 1;
    printed.set(s, n);
    let shown: string;
    const f = fmt === undefined ? undefined : parseFormat(fmt, { count: 1, format: "d", unit: 4 }).format;
    if (f === "x") shown = "0x" + v.toString(16);
    else if (f !== undefined) shown = formatValue(BigInt(v), 4, f);
    else if (/^\$?(pc|eip|sp|esp|fp|ebp)$/.test(text)) shown = "0x" + v.toString(16) + labelOf(s, v);
    else shown = String(v | 0);
    return `$${n} = ${shown}`;
  },
};

/** The registers `info registers` shows, in gdb's order. */
const GDB_ORDER = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs"];

/** gdb's `info registers` line: name, hex, natural value. */
function registerLine(s: SessionState, name: string): string {
  const g = s.guestOf(s.selectedNode());
  const v = readRegister(g.cpu, name)!;
  let natural: string;
  if (name === "eip") natural = "0x" + v.toString(16) + labelOf(s, v);
  else if (name === "esp" || name === "ebp") natural = "0x" + v.toString(16);
  else if (name === "eflags") natural = `[ ${flagRows(s).filter((f) => f.set).map((f) => f.name).join(" ")} ]`;
  else natural = String(name.length === 2 ? v : v | 0);
  return `${name.padEnd(15)}0x${v.toString(16).padEnd(18)}${natural}`;
}

const INFO: Record<string, (s: SessionState, args: string[]) => string> = {
  registers(s, args) {
    const names = args.length > 0 ? args.map((a) => a.replace(/^\$/, "")) : GDB_ORDER;
    for (const n of names) if (readRegister(s.guestOf(s.selectedNode()).cpu, n) === undefined) throw new CommandError(`no register "${n}"`);
    return names.map((n) => registerLine(s, n)).join("\n");
  },
  breakpoints: (s) => breakCmd.run(s, [], {}) as string,
  symbol(s, args) {
    if (args.length === 0) throw new CommandError("usage: info symbol ADDR");
    const addr = evaluate(args.join(" "), s.scope(s.selectedNode()));
    const sym = s.symbols(s.selectedNode()).containing(addr);
    if (!sym) return `no symbol matches ${args.join(" ")}`;
    const off = addr - sym.address;
    return `${sym.name}${off ? ` + ${off}` : ""} (${sym.kind}, ${sym.size} bytes at ${hex32(sym.address)})`;
  },
  frame: (s) => bt.run(s, ["1"], {}) as string,
  status: (s) => status.run(s, [], {}) as string,
};

const INFO_ALIASES: Record<string, string> = { r: "registers", reg: "registers", b: "breakpoints", break: "breakpoints", watchpoints: "breakpoints", sym: "symbol", f: "frame" };

export const info: Command = {
  name: "info",
  args: "registers [REG…] | breakpoints | symbol ADDR | frame | status",
  summary: "gdb's info: registers (gdb's layout), breakpoints and watchpoints, the symbol an address is in, the frame, the session",
  details: "Without a subcommand, the same as status. Short forms: info r, info b, info sym.",
  aliases: ["i"],
  complete: (_s, i) => (i === 0 ? Object.keys(INFO) : []),
  run(s, args) {
    const [sub = "status", ...rest] = args;
    const name = INFO_ALIASES[sub] ?? sub;
    const f = INFO[name];
    if (!f) throw new CommandError(`info ${sub}: expected one of ${Object.keys(INFO).join(", ")}`);
    return f(s, rest);
  },
};
