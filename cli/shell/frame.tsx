/** Draws a panel: a titled box of exactly the given size. */
import { Box, Text } from "ink";
import { fit, type Line } from "./line.ts";
import type { PanelContent } from "./panels/content.ts";

/**
 * The first line of `content` to show in `rows` rows: its anchor (top,
 * tail or centred) moved by the user's `scroll`, kept in range.
 * @example firstLine({ title: "", lines: [], anchor: "tail" }, 5, 0) === 0
 */
export function firstLine(content: PanelContent, rows: number, scroll: number): number {
  const n = content.lines.length;
  const base = content.anchor === "top"
    ? 0
    : content.anchor === "tail"
    ? n - rows
    : content.anchor - Math.floor(rows / 2);
  return Math.max(0, Math.min(n - rows, base + scroll));
}

/** Props of {@link Frame}. */
export interface FrameProps {
  content: PanelContent;
  width: number;
  height: number;
  focused: boolean;
  scroll: number;
}

/**
 * A box drawn by hand (ink's borders have no titles): the focused panel's
 * border is bright; a ↑/↓ in the bottom border says more lines are hidden.
 * @example <Frame content={textPanel("Output", out, 34)} width={36} height={10} focused={false} scroll={0} />
 */
export function Frame({ content, width, height, focused, scroll }: FrameProps) {
  const inner = Math.max(1, width - 2);
  const rows = Math.max(0, height - 2);
  const start = firstLine(content, rows, scroll);
  const shown: Line[] = content.lines.slice(start, start + rows);
  while (shown.length < rows) shown.push([]);
  const title = ` ${content.title} `.slice(0, Math.max(0, inner - 1));
  const more = (start > 0 ? "↑" : "") + (start + rows < content.lines.length ? "↓" : "");
  const color = focused ? "cyan" : "gray";
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={color} bold={focused} wrap="truncate">
        {"┌─" + title + "─".repeat(Math.max(0, inner - 1 - title.length)) + "┐"}
      </Text>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate">
          <Text color={color}>│</Text>
          {fit(l, inner).map((s, j) => (
            <Text key={j} color={s.color} bold={s.bold} inverse={s.inverse} dimColor={s.dim}>{s.text}</Text>
          ))}
          <Text color={color}>│</Text>
        </Text>
      ))}
      <Text color={color} wrap="truncate">
        {"└" + "─".repeat(Math.max(0, inner - more.length - 1)) + more + "─".slice(0, inner > more.length ? 1 : 0) + "┘"}
      </Text>
    </Box>
  );
}
