/**
 * Commands that read state: guests, select, regs, mem, disasm, tree,
 * output, status.
 */
import { vectorLines } from "../vector-registers.ts";
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { disasmFrom, memoryRows } from "../inspect.ts";
import { hex32, parseAddress, parseCount } from "../numbers.ts";
import { REGISTER_NAMES } from "../registers.ts";
import { flagRows, guestRows, nodeAt, registerRows, treeRows } from "../rows.ts";
import type { SessionState } from "../state.ts";
import type { DisasmRow } from "../view.ts";
import { report } from "./run.ts";

/** Guest ids, for completion. */
export const guestIds = (s: SessionState): string[] => s.machines.length === 0 ? [] : s.allNodes().map((n) => n.id);

function noArgs(name: string, args: string[]): void {
  if (args.length > 0) throw new CommandError(`${name} takes no arguments`);
}

export const guests: Command = {
  name: "guests",
  args: "",
  summary: "list the host tree: guests and sub-guests, status, instructions, budget left",
  details: "`*` marks the selected guest, `>` the active one (the innermost guest inside RUNs, executing instructions now).",
  aliases: ["g"],
  run(s, args) {
    noArgs("guests", args);
    s.machine();
    const selected = s.selectedNode().id;
    const rows = guestRows(s);
    const width = Math.max(...rows.map((r) => 2 * r.depth + r.id.length));
    return rows.map((r) => {
      const mark = (r.id === selected ? "*" : " ") + (r.active ? ">" : " ");
      const name = ("  ".repeat(r.depth) + r.id).padEnd(width);
      const status = r.status + (r.exitCode !== null ? ` ${r.exitCode}` : "");
      const left = r.budgetLeft === null ? "" : `  left ${r.budgetLeft}`;
      return `${mark} ${name}  ${status.padEnd(9)} ${String(r.instructions).padStart(12)}${left}`.trimEnd();
    }).join("\n");
  },
};

export const select: Command = {
  name: "select",
  args: "[ID]",
  summary: "select a guest (id, unique prefix or label); without ID, follow the active guest",
  details: "Inspection commands (regs, mem, disasm, tree, output, set, poke) apply to the selected guest. " +
    "After each stop the active guest is selected, unless you selected another one.",
  complete: (s, i) => (i === 0 ? guestIds(s) : []),
  run(s, args) {
    if (args.length > 1) throw new CommandError("select takes one guest id");
    const m = s.machine();
    if (args.length === 0) {
      s.pinned = false;
      s.follow(m);
      return `following the active guest: ${s.selected}`;
    }
    const node = s.find(args[0]);
    s.selected = node.id;
    const top = s.machine();
    const chain = s.chain(top);
    s.pinned = node.id !== chain[chain.length - 1].node.id;
    return `selected ${node.id}`;
  },
};

export const regs: Command = {
  name: "regs",
  args: "",
  summary: "the selected guest's registers, flags, MXCSR and XMM registers",
  details: "A `*` after a value marks a register changed by the last command that moved execution.",
  aliases: ["reg", "registers"],
  run(s, args) {
    noArgs("regs", args);
    const rows = registerRows(s);
    const cell = (r: (typeof rows)[number]) => {
      const value = r.name.length === 2 ? "0x" + r.value.toString(16).padStart(4, "0") : hex32(r.value);
      return `${r.name.padStart(6)} ${value}${r.changed ? "*" : " "}`;
    };
    const line = (names: string[]) => names.map((n) => cell(rows.find((r) => r.name === n)!)).join(" ").trimEnd();
    const flags = flagRows(s).filter((f) => f.set).map((f) => f.name).join(" ");
    return [
      `${s.selectedNode().id}`,
      line(["eax", "ebx", "ecx", "edx"]),
      line(["esi", "edi", "ebp", "esp"]),
      line(["eip", "eflags"]) + ` [${flags}]`,
      line(["cs", "ds", "es", "fs", "gs", "ss"]),
      ...vectorLines(s.guestOf(s.selectedNode()).cpu),
    ].join("\n");
  },
};

/** Registers and symbols of the selected guest, for address expressions. */
export function registerOf(s: SessionState): (name: string) => number | undefined {
  return s.names(s.selectedNode());
}

export const mem: Command = {
  name: "mem",
  args: "ADDR [LEN]",
  summary: "hex dump LEN bytes (default 64) of the selected guest's memory at ADDR",
  details: "ADDR: a number (0x hex) or a register expression such as esp or esp+8. `..` marks bytes that are not mapped.",
  complete: (_s, i) => (i === 0 ? REGISTER_NAMES : []),
  run(s, args) {
    if (args.length < 1 || args.length > 2) throw new CommandError("usage: mem ADDR [LEN]");
    const addr = parseAddress(args[0], registerOf(s));
    const len = args[1] === undefined ? 64 : parseCount(args[1], "LEN");
    if (len < 1 || len > 65536) throw new CommandError("LEN must be between 1 and 65536");
    s.memoryAddress = addr;
    const g = s.guestOf(s.selectedNode());
    const rows = memoryRows(g.mem, addr, Math.ceil(((addr & 15) + len) / 16));
    return rows.map((r) => {
      const cells = r.bytes.map((b, i) => {
        const a = (r.address + i) >>> 0;
        const inside = ((a - addr) >>> 0) < len;
        return !inside ? "  " : b === null ? ".." : b.toString(16).padStart(2, "0");
      });
      const text = r.bytes.map((b, i) => {
        const inside = (((r.address + i) >>> 0) - addr >>> 0) < len;
        return !inside ? " " : b !== null && b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
      }).join("");
      return `${hex32(r.address)}  ${cells.slice(0, 8).join(" ")}  ${cells.slice(8).join(" ")}  |${text}|`;
    }).join("\n");
  },
};

export const disasm: Command = {
  name: "disasm",
  args: "[ADDR] [N]",
  summary: "disassemble N instructions (default 8) of the selected guest from ADDR (default EIP)",
  details: "`=>` marks EIP, `*` an address breakpoint.",
  aliases: ["disassemble"],
  complete: (_s, i) => (i === 0 ? REGISTER_NAMES : []),
  run(s, args) {
    if (args.length > 2) throw new CommandError("usage: disasm [ADDR] [N]");
    const node = s.selectedNode();
    const g = s.guestOf(node);
    const addr = args[0] === undefined ? g.cpu.eip : parseAddress(args[0], registerOf(s));
    const n = args[1] === undefined ? 8 : parseCount(args[1], "N");
    if (n < 1 || n > 10000) throw new CommandError("N must be between 1 and 10000");
    const rows = disasmFrom(g.mem, addr, n, g.cpu.eip, s.breakpoints.addresses(node.id), s.symbols(node));
    return disasmLines(rows);
  },
};

/**
 * An instruction's text with gdb's label after a branch target.
 *
 * @example
 * withTarget(row); // "call 0x80496d5 <add>"
 */
export function withTarget(r: DisasmRow): string {
  return r.targetLabel ? `${r.text} <${r.targetLabel}>` : r.text;
}

/**
 * Disassembly rows as text: `=>` at EIP, `*` at breakpoints, gdb's
 * `<main+12>` where there are symbols.
 *
 * @example
 * disasmLines(disasmFrom(g.mem, g.cpu.eip, 4, g.cpu.eip, new Set(), symbols));
 */
export function disasmLines(rows: DisasmRow[]): string {
  const width = Math.max(0, ...rows.map((r) => (r.label ? r.label.length + 3 : 0)));
  return rows.map((r) => {
    const label = width === 0 ? "" : ` ${(r.label ? `<${r.label}>` : "").padEnd(width - 1)}`;
    return `${r.current ? "=>" : "  "}${r.breakpoint ? "*" : " "}${hex32(r.address)}${label}  ${r.bytes.padEnd(20)} ${withTarget(r)}`
      .trimEnd();
  }).join("\n");
}

/** Paths in the selected guest's subtree, for completion. */
function treePaths(s: SessionState, prefix: string): string[] {
  const cut = prefix.lastIndexOf("/");
  const dir = cut < 0 ? "" : prefix.slice(0, cut);
  try {
    return treeRows(s.selectedNode().tree, dir).map((r) => (dir ? dir + "/" : "") + r.name + (r.kind === "dir" ? "/" : ""));
  } catch {
    return [];
  }
}

export const tree: Command = {
  name: "tree",
  args: "ls [PATH] | cat PATH",
  summary: "list a directory or print a blob of the selected guest's subtree",
  details: "Paths are relative to the selected guest's subtree: `cpu`, `status`, `fs/child/status` (a sub-guest's state). " +
    "Blobs that are not text print as a hex dump.",
  complete: (s, i, _before, partial) => (i === 0 ? ["ls", "cat"] : i === 1 ? treePaths(s, partial) : []),
  run(s, args) {
    const [sub, path = "", ...rest] = args;
    if (rest.length > 0) throw new CommandError("usage: tree ls [PATH] | tree cat PATH");
    const root = s.selectedNode().tree;
    if (sub === "ls") {
      const rows = treeRows(root, path);
      s.treePath = path.replace(/^\/+|\/+$/g, "");
      return rows.map((r) => `${r.kind === "dir" ? "d" : "-"} ${String(r.size).padStart(10)}  ${r.name}${r.kind === "dir" ? "/" : ""}${r.guest ? "  (guest)" : ""}`).join("\n");
    }
    if (sub === "cat") {
      if (path === "") throw new CommandError("usage: tree cat PATH");
      const node = nodeAt(root, path);
      if (node.kind !== "blob") throw new CommandError(`"${path}" is a directory; use tree ls`);
      return blobText(node.bytes);
    }
    throw new CommandError("usage: tree ls [PATH] | tree cat PATH");
  },
};

/** A blob as text if it is printable UTF-8, else a hex dump. */
function blobText(bytes: Uint8Array): string {
  const printable = bytes.every((b) => b === 9 || b === 10 || b === 13 || b >= 0x20);
  if (printable) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/\n$/, "");
    } catch { /* not UTF-8: hex below */ }
  }
  const lines: string[] = [];
  for (let o = 0; o < bytes.length; o += 16) {
    lines.push(`${o.toString(16).padStart(8, "0")}  ${[...bytes.subarray(o, o + 16)].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  }
  return lines.join("\n");
}

export const output: Command = {
  name: "output",
  args: "",
  summary: "the selected guest's stdout, then its stderr",
  details: "",
  aliases: ["o", "out"],
  run(s, args) {
    noArgs("output", args);
    return outputText(s, Infinity).replace(/\n$/, "");
  },
};

/** The selected guest's stdout, then its stderr (after a `--- stderr ---` line), at most `chars` characters from the end. */
export function outputText(s: SessionState, chars: number): string {
  const l = s.guestOf(s.selectedNode()).linux;
  const d = new TextDecoder();
  const err = d.decode(l.stderr);
  const text = d.decode(l.stdout) + (err ? "--- stderr ---\n" + err : "");
  return text.length > chars ? text.slice(text.length - chars) : text;
}

export const status: Command = {
  name: "status",
  args: "",
  summary: "where the session is: selected guest, position, history, last stop",
  details: "",
  run(s, args) {
    noArgs("status", args);
    const m = s.machine();
    const cps = m.timeline.checkpoints;
    return [
      `machine ${m.name}: instruction ${m.position} of ${m.end} reached; history from ${cps[0].at}, ${cps.length} checkpoint${cps.length === 1 ? "" : "s"} every ${m.timeline.every}`,
      `budget: ${m.budget === null ? "none" : `${m.budget} (left ${m.budgetLeft})`}`,
      `selected: ${s.selectedNode().id}${s.pinned ? "" : " (following the active guest)"}`,
      `last stop: ${s.lastStop || "none yet"}`,
      `trace: ${s.tracing ? "on" : "off"}; breakpoints: ${s.breakpoints.all.length}`,
      `host root: ${s.hostTree().hash}`,
      report(s, null),
    ].join("\n");
  },
};
