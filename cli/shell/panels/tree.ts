import type { TreeRow } from "../../../core/session/view.ts";
import { count, line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

/**
 * One directory of the selected guest's data tree; sub-guests are marked.
 * @example treePanel("fs", view.tree)
 */
export function treePanel(path: string, rows: TreeRow[]): PanelContent {
  const lines: Line[] = rows.map((r) =>
    line(
      { text: r.kind === "dir" ? "▸ " : "  ", color: "cyan" },
      { text: r.name + (r.kind === "dir" ? "/" : ""), bold: r.kind === "dir", color: r.guest ? "magenta" : undefined },
      { text: r.kind === "dir" ? `  ${r.size} entries` : `  ${count(r.size)} B`, dim: true },
      r.guest ? { text: "  guest", color: "magenta" } : "",
    )
  );
  if (lines.length === 0) lines.push(line({ text: "(empty)", dim: true }));
  return { title: `Tree /${path}`, lines, anchor: "top" };
}
