import type { DisasmRow } from "../../../core/session/view.ts";
import { hex32, line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

/**
 * Disassembly around EIP: ● marks an address breakpoint, ▶ and reverse
 * video the current instruction. The bytes column appears when wide enough.
 * @example disasmPanel(view.disasm, 44).anchor  // index of the current row
 */
export function disasmPanel(rows: DisasmRow[], width: number): PanelContent {
  const showBytes = width >= 60;
  const lines: Line[] = rows.map((r) =>
    line(
      { text: r.breakpoint ? "●" : " ", color: "red", bold: true },
      { text: r.current ? "▶" : " ", color: "green", bold: true },
      " ",
      { text: hex32(r.address), dim: !r.current, inverse: r.current },
      showBytes ? { text: "  " + r.bytes.slice(0, 20).padEnd(20), dim: true } : "",
      { text: "  " + r.text, bold: r.current, color: r.current ? "green" : undefined },
    )
  );
  const current = rows.findIndex((r) => r.current);
  if (lines.length === 0) lines.push(line({ text: "nothing to disassemble", dim: true }));
  return { title: "Disassembly", lines, anchor: current >= 0 ? current : "top" };
}
