/**
 * The shell's screen and keys: panels laid out for the terminal size, a
 * status line, and the help bar or the command line. All work goes
 * through the session's command language (`backend.execute`); the screen
 * is redrawn from `backend.view()` after every command.
 */
import { Box, type Key, Text, useApp, useInput } from "ink";
import { useEffect, useReducer, useRef } from "react";
import type { ExecuteOptions, ShellView, ViewOptions } from "../../core/session/view.ts";
import type { ShellBackend } from "./backend.ts";
import { completeLine } from "./complete.ts";
import { Frame } from "./frame.tsx";
import { HelpBar, HelpOverlay, StatusLine } from "./footer.tsx";
import { History } from "./history.ts";
import { KEY_ACTIONS, type KeyAction } from "./keys.ts";
import { FOOTER_LINES, layout, MIN_COLUMNS, MIN_ROWS, PANELS, type PanelId, SIDE_PANELS } from "./layout.ts";
import { panelContent } from "./panels/mod.ts";
import { splitKeys } from "./paste.ts";
import { useTerminalSize } from "./terminal-size.ts";

/** Instructions around EIP and bytes of memory asked of the session: more than fit, to scroll. */
const VIEW_OPTIONS: ViewOptions = { disasmRows: 48, memoryRows: 16, outputChars: 16000 };

/** How often the panels follow a run (its output, registers, host tree), in milliseconds. */
const LIVE_MS = 200;

/** Lines of command output kept in the console panel. */
const CONSOLE_LINES = 500;

/** Props of {@link ShellApp}. */
export interface ShellAppProps {
  backend: ShellBackend;
  /** Fixed size (tests); otherwise the terminal's, re-read on resize. */
  columns?: number;
  rows?: number;
  /** Shown in the status line at start, e.g. what was loaded. */
  greeting?: string;
  /** Receives a function that redraws the screen from the session, for changes made elsewhere (gdb, `--gdb`). */
  onRefresh?: (refresh: () => void) => void;
}

/** A message in the status line. */
interface Message {
  text: string;
  error: boolean;
}

/**
 * The whole shell.
 * @example render(<ShellApp backend={session} greeting="loaded nesting.yaml" />)
 */
export function ShellApp({ backend, columns, rows, greeting, onRefresh }: ShellAppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const cols = columns ?? size.columns, lines = rows ?? size.rows;
  // Keys can arrive faster than ink redraws: handlers read and write this
  // object, never a render's possibly stale copy of the state.
  const ui = useRef<UiState | null>(null);
  ui.current ??= {
    view: backend.view(VIEW_OPTIONS),
    focus: "disasm",
    side: "output",
    scroll: {},
    mode: "keys",
    input: "",
    message: { text: greeting ?? "", error: false },
    consoleText: "",
    progress: null,
    running: null,
    history: new History(),
    queue: [],
  };
  const st = ui.current;
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const feedRef = useRef((_keys: [string, Key][]) => {});
  useEffect(() => {
    onRefresh?.(() => {
      // A command of the shell's own redraws when it is done.
      if (st.running) return;
      st.view = backend.view(VIEW_OPTIONS);
      redraw();
    });
  }, []);

  const placed = layout(cols, lines, st.side);
  const heightOf = (id: PanelId) => placed.flat().find((p) => p.id === id)?.height ?? lines;

  const run = async (line: string, how?: KeyAction["run"]) => {
    const controller = new AbortController();
    st.running = controller;
    st.progress = { done: 0, total: null };
    redraw();
    const outputBefore = st.view.output;
    let viewed = Date.now();
    let out;
    try {
      const opts: ExecuteOptions = {
        signal: controller.signal,
        onProgress: (done, total) => {
          st.progress = { done, total };
          // Between chunks the session is consistent: the panels follow the run a few times a second.
          if (Date.now() - viewed >= LIVE_MS) {
            st.view = backend.view(VIEW_OPTIONS);
            viewed = Date.now();
          }
          redraw();
        },
      };
      out = how ? await how(backend, opts) : await backend.execute(line, opts);
    } catch (e) {
      // A bug in a command must not take the terminal down with it.
      out = { ok: false, text: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    }
    st.running = null;
    st.progress = null;
    if (out.quit) return exit();
    queueMicrotask(() => feedRef.current(st.queue.splice(0)));
    st.view = backend.view(VIEW_OPTIONS);
    st.scroll = {};
    const text = out.text.replace(/\n+$/, "");
    st.consoleText = trimLines(`${st.consoleText}> ${line}\n${text ? text + "\n" : ""}`, CONSOLE_LINES);
    if (!out.ok) {
      st.message = { text: text.split("\n")[0], error: true };
    } else if (text.includes("\n")) {
      const more = text.split("\n").length - 1;
      st.message = { text: `${text.split("\n")[0]} (+${more} line${more > 1 ? "s" : ""} in Console)`, error: false };
      st.side = "console";
    } else {
      st.message = { text, error: false };
    }
    // A run that made the guest write shows what it wrote (the stop's lines are in the console).
    if (st.view.output !== outputBefore) st.side = "output";
    redraw();
  };

  const onCommandKey = (ch: string, key: Key) => {
    if (key.escape || (key.ctrl && ch === "c")) {
      st.mode = "keys";
      st.input = "";
    } else if (key.return) {
      const line = st.input.trim();
      st.mode = "keys";
      st.input = "";
      st.history.add(line);
      if (line !== "") void run(line);
    } else if (key.upArrow) {
      st.input = st.history.up(st.input);
    } else if (key.downArrow) {
      st.input = st.history.down();
    } else if (key.tab) {
      const done = completeLine(st.input, backend.complete(st.input));
      st.input = done.line;
      if (done.choices.length > 1) st.message = { text: done.choices.join("  "), error: false };
    } else if (key.backspace || key.delete) {
      st.input = st.input.slice(0, -1);
    } else if (ch && !key.ctrl && !key.meta) {
      st.input += ch;
    }
  };

  const onKey = (ch: string, key: Key) => {
    if (ch === "q" || (key.ctrl && ch === "c")) return exit();
    if (key.tab) {
      const i = PANELS.indexOf(st.focus);
      st.focus = PANELS[(i + (key.shift ? PANELS.length - 1 : 1)) % PANELS.length];
      if (SIDE_PANELS.includes(st.focus)) st.side = st.focus;
      return;
    }
    const page = Math.max(1, heightOf(st.focus) - 3);
    const by = key.upArrow ? -1 : key.downArrow ? 1 : key.pageUp ? -page : key.pageDown ? page : 0;
    if (by !== 0) st.scroll = { ...st.scroll, [st.focus]: (st.scroll[st.focus] ?? 0) + by };
    else if (key.home) st.scroll = { ...st.scroll, [st.focus]: 0 };
    else if (ch === ":") st.mode = "command";
    else if (ch === "?") st.mode = "help";
    else {
      const action = KEY_ACTIONS.find((a) => a.key === ch);
      if (action) {
        const line = typeof action.command === "string" ? action.command : action.command(st.view.timeline.position);
        void run(line, action.run);
      }
    }
  };

  /** Handles keys; those typed after a command line in one chunk wait for it to finish. */
  const feed = (keys: [string, Key][]) => {
    const busyBefore = st.progress !== null;
    for (let i = 0; i < keys.length; i++) {
      if (st.progress) {
        if (busyBefore) {
          // Any key stops a run; the session keeps a consistent state.
          st.running?.abort();
          return;
        }
        st.queue.push(...keys.slice(i));
        break;
      }
      const [ch, key] = keys[i];
      if (st.mode === "help") st.mode = "keys";
      else if (st.mode === "command") onCommandKey(ch, key);
      else onKey(ch, key);
    }
    redraw();
  };
  feedRef.current = feed;

  useInput((input, key) => feed(splitKeys(input, key)));

  const status: Message = st.message.text ? st.message : { text: st.view.lastStop, error: false };
  if (cols < MIN_COLUMNS || lines < MIN_ROWS) {
    return (
      <Text wrap="wrap">
        {`fx86 shell needs at least ${MIN_COLUMNS}x${MIN_ROWS}; this terminal is ${cols}x${lines} (q quits)`}
      </Text>
    );
  }
  return (
    <Box flexDirection="column" width={cols}>
      {st.mode === "help"
        ? <HelpOverlay width={cols} height={Math.max(6, lines - 1 - FOOTER_LINES)} />
        : placed.map((row, i) => (
          <Box key={i} flexDirection="row">
            {row.map((p) => (
              <Frame
                key={p.id}
                content={panelContent(p.id, st.view, p.width - 2, st.consoleText)}
                width={p.width}
                height={p.height}
                focused={p.id === st.focus}
                scroll={st.scroll[p.id] ?? 0}
              />
            ))}
          </Box>
        ))}
      <StatusLine width={cols} message={status} progress={st.progress} />
      {st.mode === "command"
        ? <Text wrap="truncate-start">{":" + st.input + "█"}</Text>
        : <HelpBar width={cols} running={st.progress !== null} />}
    </Box>
  );
}

/** What the shell shows and is doing, kept across renders. */
interface UiState {
  view: ShellView;
  focus: PanelId;
  /** The side panel beside the disassembly. */
  side: PanelId;
  /** Lines each panel is scrolled from where it looks by itself. */
  scroll: Partial<Record<PanelId, number>>;
  mode: "keys" | "command" | "help";
  input: string;
  message: Message;
  /** The transcript of commands and their output. */
  consoleText: string;
  progress: { done: number; total: number | null } | null;
  running: AbortController | null;
  history: History;
  /** Keys typed ahead of a running command line, handled after it. */
  queue: [string, Key][];
}

/** The last `max` lines of `text`. */
function trimLines(text: string, max: number): string {
  const all = text.split("\n");
  return all.length > max + 1 ? all.slice(-max - 1).join("\n") : text;
}
