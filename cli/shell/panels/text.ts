import wrapAnsi from "wrap-ansi";
import { line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

/**
 * Free text (guest output, command results) wrapped at the panel width
 * between words (a word longer than the width is cut), showing its newest
 * lines.
 * @example textPanel("Output", "hello\n", 36).lines.length === 1
 */
export function textPanel(title: string, text: string, width: number): PanelContent {
  const lines: Line[] = [];
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (body !== "") {
    for (const raw of body.split("\n")) {
      // Continuation lines keep the line's indentation, so help's columns stay aligned.
      const indent = /^ */.exec(raw)![0].slice(0, Math.max(0, width - 8));
      const rest = raw.slice(indent.length);
      if (rest === "") lines.push(raw === "" ? [] : line(indent));
      for (const part of rest === "" ? [] : wrapAnsi(rest, Math.max(1, width - indent.length), { hard: true }).split("\n")) {
        lines.push(line(indent + part));
      }
    }
  }
  return { title, lines, anchor: "tail" };
}
