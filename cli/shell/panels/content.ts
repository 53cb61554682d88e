/** What every panel produces: a title and lines, drawn by the frame. */
import type { Line } from "../line.ts";

/** A panel's content before framing and scrolling. */
export interface PanelContent {
  title: string;
  lines: Line[];
  /**
   * Where the panel looks when not scrolled: "top", "tail" (the newest
   * lines, for output) or a line index to keep centred (the current
   * instruction).
   */
  anchor: "top" | "tail" | number;
}
