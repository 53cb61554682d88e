/** The lines under the panels: status, help bar, and the help overlay. */
import { Box, Text } from "ink";
import { Frame } from "./frame.tsx";
import { bar, count, line, type Line } from "./line.ts";
import { KEY_ACTIONS, MORE_KEYS, OTHER_KEYS } from "./keys.ts";

/**
 * The keys, as many as fit in `width`; while a command runs, how to stop it.
 * @example <HelpBar width={80} running={false} />
 */
export function HelpBar({ width, running }: { width: number; running: boolean }) {
  if (running) {
    return <Text inverse wrap="truncate">{" any key stops the run ".padEnd(width)}</Text>;
  }
  const parts: { key: string; label: string }[] = [...KEY_ACTIONS, ...OTHER_KEYS];
  const shown: { key: string; label: string }[] = [];
  let used = 0;
  for (const p of parts) {
    const w = p.key.length + 1 + p.label.length + 1;
    if (used + w > width) break;
    shown.push(p);
    used += w;
  }
  return (
    <Text wrap="truncate">
      {shown.map((p, i) => (
        <Text key={i}>
          <Text inverse bold>{p.key}</Text>
          <Text>{" " + p.label + " "}</Text>
        </Text>
      ))}
    </Text>
  );
}

/** Props of {@link StatusLine}. */
export interface StatusProps {
  width: number;
  message: { text: string; error: boolean };
  progress: { done: number; total: number | null } | null;
}

/**
 * Why execution stopped, a command's one-line result or error, or the
 * progress of a long run (with a bar when its length is known).
 * @example <StatusLine width={80} message={{ text: "bad command", error: true }} progress={null} />
 */
export function StatusLine({ width, message, progress }: StatusProps) {
  if (progress) {
    const head = `running: ${count(progress.done)}`;
    const tail = progress.total === null ? " instructions" : ` of ${count(progress.total)} `;
    const room = width - head.length - tail.length - 1;
    const meter = progress.total !== null && room >= 6 ? bar(progress.done, progress.total, Math.min(30, room)) : "";
    return <Text color="yellow" wrap="truncate">{head + tail + meter}</Text>;
  }
  return (
    <Text color={message.error ? "red" : undefined} bold={message.error} wrap="truncate">
      {message.text.split("\n")[0] || " "}
    </Text>
  );
}

/**
 * Every key, with what it does; commands are documented by `:help`.
 * @example <HelpOverlay width={80} height={21} />
 */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const lines: Line[] = [
    ...[...KEY_ACTIONS, ...OTHER_KEYS, ...MORE_KEYS].map((k) =>
      line({ text: k.key.padEnd(14), bold: true, color: "cyan" }, k.help)
    ),
    [],
    line("Commands: ", { text: ":help", bold: true }, " lists them, ", { text: ":help CMD", bold: true }, " explains one."),
    line({ text: "Press any key to close this help.", dim: true }),
  ];
  return (
    <Box>
      <Frame content={{ title: "Help", lines, anchor: "top" }} width={width} height={height} focused scroll={0} />
    </Box>
  );
}
