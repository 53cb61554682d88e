import type { FlagRow, RegisterRow, VectorRow } from "../../../core/session/view.ts";
import { hex32, line, type Line, type Segment } from "../line.ts";
import type { PanelContent } from "./content.ts";

/** Characters one register takes: "EAX 00000000* " and a space. */
const CELL = 14;

/**
 * Registers and flags of the selected guest: three-letter registers in a
 * grid, then EFLAGS and the flags, then the segment registers, then MXCSR
 * and the XMM registers, one a line in dwords (the rarely interesting
 * ones last, so first to scroll out of a small panel). Those the last
 * command changed are yellow and starred (the star shows without colour);
 * set flags are upper case, clear ones lower case.
 * @example registersPanel(view.registers, view.flags, 56, view.vectors)
 */
export function registersPanel(registers: RegisterRow[], flags: FlagRow[], width: number, vectors: VectorRow[] = []): PanelContent {
  const perLine = Math.max(1, Math.floor((width + 1) / CELL));
  const grid = (rows: RegisterRow[]) => {
    const out: Line[] = [];
    for (let i = 0; i < rows.length; i += perLine) out.push(rows.slice(i, i + perLine).flatMap(register));
    return out;
  };
  const lines: Line[] = grid(registers.filter((r) => r.name.length === 3));
  const flagCells: Segment[] = flags.flatMap((f) => [
    {
      text: f.set ? f.name.toUpperCase() : f.name.toLowerCase(),
      color: f.changed ? "yellow" : undefined,
      bold: f.set || f.changed,
      dim: !f.set && !f.changed,
    },
    { text: f.changed ? "* " : " ", color: "yellow" },
  ]);
  const flagWidth = flagCells.reduce((n, s) => n + s.text.length, 0);
  for (const r of registers.filter((r) => r.name.length > 3)) {
    const l = register(r);
    const used = l.reduce((n, s) => n + s.text.length, 0);
    if (flagCells.length && used + flagWidth <= width) {
      lines.push([...l, ...flagCells.splice(0)]);
    } else lines.push(l);
  }
  if (flagCells.length) lines.push(flagCells);
  lines.push(...grid(registers.filter((r) => r.name.length < 3)));
  lines.push(...vectors.map(vector));
  if (lines.length === 0) lines.push(line({ text: "no guest selected", dim: true }));
  return { title: "Registers", lines, anchor: "top" };
}

/**
 * "XMM0 3ff00000 00000000 00000000 00000000* " (40 characters and the
 * star: the narrow panel's 42) or "MXCSR 00001f80".
 */
function vector(r: VectorRow): Segment[] {
  return [
    { text: r.name.toUpperCase() + " ", dim: !r.changed },
    { text: r.dwords.map(hex32).join(" "), color: r.changed ? "yellow" : undefined, bold: r.changed },
    { text: r.changed ? "*" : "", color: "yellow" },
  ];
}

/** "EAX 00000001* ": name, value, and a star when changed. */
function register(r: RegisterRow): Segment[] {
  return [
    { text: r.name.toUpperCase() + " ".repeat(Math.max(1, 4 - r.name.length)), dim: !r.changed },
    { text: hex32(r.value), color: r.changed ? "yellow" : undefined, bold: r.changed },
    { text: r.changed ? "* " : "  ", color: "yellow" },
  ];
}
