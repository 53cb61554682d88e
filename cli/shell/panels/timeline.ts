import type { TimelineView } from "../../../core/session/view.ts";
import { count, line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

/**
 * The timeline: a scale from 0 to the furthest instruction reached, with
 * checkpoints (┼) and the current position (●); then the breakpoints.
 * @example timelinePanel(view.timeline, view.breakpoints, 36)
 */
export function timelinePanel(t: TimelineView, breakpoints: string[], width: number): PanelContent {
  const cells = Math.max(4, width);
  const at = (n: number) => t.end > 0 ? Math.min(cells - 1, Math.floor((n / t.end) * (cells - 1))) : 0;
  const scale = Array.from({ length: cells }, () => "─");
  for (const c of t.checkpoints) scale[at(c)] = "┼";
  const pos = at(t.position);
  const lines: Line[] = [
    line("at ", { text: count(t.position), bold: true, color: "green" }, " of ", { text: count(t.end), bold: true }),
    line(
      { text: scale.slice(0, pos).join(""), color: "cyan" },
      { text: "●", color: "green", bold: true },
      { text: scale.slice(pos + 1).join(""), color: "cyan" },
    ),
    line({ text: `${t.checkpoints.length} checkpoint${t.checkpoints.length === 1 ? "" : "s"}`, dim: true }),
    line({ text: breakpoints.length ? "breakpoints:" : "no breakpoints", dim: true }),
    ...breakpoints.map((b) => line({ text: " " + b, color: "red" })),
  ];
  return { title: "Timeline", lines, anchor: "top" };
}
