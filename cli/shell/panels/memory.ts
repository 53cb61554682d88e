import type { MemoryRow } from "../../../core/session/view.ts";
import { hex32, line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

/** Width of a row of `n` bytes: address, n hex bytes, n characters. */
const rowWidth = (n: number) => 8 + 1 + n * 3 + n;

/**
 * Memory as hex and characters, 16 bytes a line, or 8 when the panel is
 * narrow (the characters column too while it fits); "--" is an unmapped byte.
 * @example memoryPanel(view.memory, 76)
 */
export function memoryPanel(rows: MemoryRow[], width: number): PanelContent {
  const perLine = width >= rowWidth(16) ? 16 : 8;
  const showChars = width >= rowWidth(perLine);
  const lines: Line[] = [];
  for (const r of rows) {
    for (let at = 0; at < r.bytes.length; at += perLine) {
      const bytes = r.bytes.slice(at, at + perLine);
      const hex = bytes.map((b) => b === null ? "--" : b.toString(16).padStart(2, "0")).join(" ");
      const l = line({ text: hex32(r.address + at), color: "cyan" }, " ", hex);
      if (showChars) {
        const chars = bytes.map((b) => b !== null && b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".");
        l.push({ text: " " + chars.join(""), dim: true });
      }
      lines.push(l);
    }
  }
  if (lines.length === 0) lines.push(line({ text: "no memory shown: try :mem ADDR", dim: true }));
  return { title: "Memory", lines, anchor: "top" };
}
