import { line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

/**
 * Free text (guest output, command results) wrapped at the panel width,
 * showing its newest lines.
 * @example textPanel("Output", "hello\n", 36).lines.length === 1
 */
export function textPanel(title: string, text: string, width: number): PanelContent {
  const lines: Line[] = [];
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (body !== "") {
    for (const raw of body.split("\n")) {
      const chars = Array.from(raw);
      if (chars.length === 0) lines.push([]);
      for (let i = 0; i < chars.length; i += Math.max(1, width)) {
        lines.push(line(chars.slice(i, i + width).join("")));
      }
    }
  }
  return { title, lines, anchor: "tail" };
}
