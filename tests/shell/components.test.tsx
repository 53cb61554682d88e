/**
 * The shell's screen from ShellView data, with ink-testing-library: what
 * the panels show, the marks for changes and breakpoints, the layout's
 * size limits, and the keys (with a scripted backend).
 */
import { render } from "ink-testing-library";
import { ShellApp } from "../../cli/shell/app.tsx";
import { registersPanel } from "../../cli/shell/panels/registers.ts";
import { hostsPanel } from "../../cli/shell/panels/hosts.ts";
import { memoryPanel } from "../../cli/shell/panels/memory.ts";
import { textPanel } from "../../cli/shell/panels/text.ts";
import { layout } from "../../cli/shell/layout.ts";
import { plain } from "../../cli/shell/line.ts";
import { assert, test } from "../harness.ts";
import { nestedView, ScriptedBackend } from "./fixture.ts";
import type { CommandOutput, ExecuteOptions } from "../../core/session/view.ts";

const ok = (text = ""): CommandOutput => ({ ok: true, text });

/** Renders the shell and returns helpers to read its screen. */
function shell(backend: ScriptedBackend, columns = 80, rows = 24) {
  const r = render(<ShellApp backend={backend} columns={columns} rows={rows} />);
  const screen = () => r.lastFrame() ?? "";
  /** Waits until the screen satisfies `pred` (ink renders asynchronously). */
  const until = async (pred: (s: string) => boolean, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (pred(screen())) return screen();
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error(`screen never showed ${what}:\n${screen()}`);
  };
  /** Types `keys` one character at a time, or an escape sequence whole. */
  const press = async (keys: string) => {
    for (const k of keys.startsWith("\x1b") ? [keys] : keys) {
      r.stdin.write(k);
      await new Promise((res) => setTimeout(res, 5));
    }
  };
  return { r, screen, until, press };
}

test("shell: panels show the host tree, registers, disassembly and output of a view", () => {
  const { r, screen } = shell(new ScriptedBackend(nestedView(), () => ok()));
  const s = screen();
  for (const title of ["Host tree", "Registers", "Disassembly", "Output nest/fs/child/fs/child"]) {
    assert.ok(s.includes(title), `missing panel ${title}`);
  }
  const hostLines = s.split("\n").filter((l) => /running/.test(l));
  assert.equal(hostLines.length, 3);
  // Nesting is indentation; the guest executing now is marked ▶.
  assert.match(hostLines[0], /│ nest /);
  assert.match(hostLines[1], /│   \/child /);
  assert.match(hostLines[2], /│▶    \/child /);
  assert.match(s, /\[1\] level 1 of 3/);
  assert.match(s, /breakpoint 2: RUN entry of nest\/fs\/child\/fs\/child/);
  r.unmount();
});

test("shell: changed registers and flags are starred and yellow, unchanged ones not", () => {
  const { r, screen } = shell(new ScriptedBackend(nestedView(), () => ok()));
  const s = screen();
  assert.match(s, /EAX 00000007\*/);
  assert.match(s, /EIP 00008007\*/);
  assert.match(s, /EBX 00001007 {2}/);
  assert.match(s, /ZF\*/);
  assert.match(s, /cf /);
  r.unmount();
  const v = nestedView();
  const segs = registersPanel(v.registers, v.flags, 42).lines.flat();
  const value = (hex: string) => segs.find((x) => x.text === hex)!;
  assert.equal(value("00000007").color, "yellow");
  assert.equal(value("00001007").color, undefined);
});

test("shell: the disassembly marks breakpoints and the current instruction", () => {
  const { r, screen } = shell(new ScriptedBackend(nestedView(), () => ok()));
  const rows = screen().split("\n");
  const at = (addr: string) => rows.find((l) => l.includes(addr))!;
  assert.match(at("08049005"), /│ ▶ 08049005 {2}int 0x80/);
  assert.match(at("08049007"), /│● {2}08049007 {2}nop/);
  assert.match(at("08049000"), /│ {3}08049000/);
  r.unmount();
});

test("shell: every layout fits its terminal, 80x24 included", () => {
  for (const [columns, rows] of [[80, 24], [100, 30], [120, 40], [160, 50], [72, 20], [64, 16]]) {
    const { r, screen } = shell(new ScriptedBackend(nestedView(), () => ok()), columns, rows);
    const lines = screen().split("\n");
    const long = lines.filter((l) => Array.from(l).length > columns);
    assert.deepEqual(long, [], `${columns}x${rows}: lines longer than ${columns}`);
    assert.ok(lines.length <= rows - 1, `${columns}x${rows}: ${lines.length} lines`);
    r.unmount();
  }
  const big = shell(new ScriptedBackend(nestedView(), () => ok()), 160, 50);
  // A large terminal shows every panel at once.
  for (const title of ["Timeline", "Memory", "Tree /", "Console", "Output"]) assert.ok(big.screen().includes(title), title);
  big.r.unmount();
});

test("shell: a terminal too small for the panels is told so", () => {
  const { r, screen } = shell(new ScriptedBackend(nestedView(), () => ok()), 63, 16);
  assert.equal(screen(), "fx86 shell needs at least 64x16; this terminal is 63x16 (q quits)");
  r.unmount();
});

test("shell: keys send the command language's lines; results and errors reach the status line", async () => {
  const view = nestedView();
  const b = new ScriptedBackend(view, (line) => {
    if (line === "step") {
      view.registers = view.registers.map((r) => r.name === "eip" ? { ...r, value: 0x0804900a } : r);
      return ok("stepped");
    }
    if (line === "break run-entry") return ok("breakpoint 7 run-entry");
    return line.startsWith("bogus") ? { ok: false, text: "unknown command bogus (try help)" } : ok("fine");
  });
  const { r, until, press, screen } = shell(b);
  await press("s");
  await until((s) => s.includes("EIP 0804900a"), "the new EIP");
  assert.deepEqual(b.lines, ["step"]);
  const before = screen().split("\n").slice(0, -2).join("\n");
  await press(":bogus\r");
  const after = await until((s) => s.includes("unknown command bogus"), "the error");
  assert.deepEqual(b.lines, ["step", "bogus"]);
  // One line of error; the panels are as they were.
  assert.equal(after.split("\n").filter((l) => l.includes("bogus")).length, 1);
  assert.equal(after.split("\n").slice(0, -2).join("\n").replace(/> bogus[^│]*/, ""), before.replace(/> bogus[^│]*/, ""));
  for (const k of "nbcr") await press(k);
  await until(() => b.lines.length === 8, "more commands");
  // r: continue with a temporary breakpoint on the next RUN entry.
  assert.deepEqual(b.lines.slice(2), ["next", "back", "continue", "break run-entry", "continue", "delete 7"]);
  r.unmount();
});

test("shell: a long run shows progress with a bar and any key interrupts it", async () => {
  let aborted = false;
  const b = new ScriptedBackend(nestedView(), (_line, opts?: ExecuteOptions) =>
    new Promise<CommandOutput>((resolve) => {
      opts!.onProgress!(250_000, 1_000_000);
      opts!.signal!.addEventListener("abort", () => {
        aborted = true;
        resolve(ok("interrupted at 250,000"));
      });
    }));
  const { r, until, press } = shell(b);
  await press("c");
  const s = await until((s) => s.includes("running: 250,000 of 1.00M"), "progress");
  assert.match(s, /any key stops/);
  assert.match(s, /█+░+/);
  await press("x");
  await until((s) => s.includes("interrupted at 250,000"), "the interrupt");
  assert.ok(aborted);
  r.unmount();
});

test("shell: command line history, Tab completion, help overlay and Tab between panels", async () => {
  const b = new ScriptedBackend(nestedView(), (line) => ok(line === "regs" ? "a\nb\nc" : ""), (line) =>
    ["step", "snapshot", "set"].filter((c) => c.startsWith(line)));
  const { r, until, press } = shell(b);
  await press(":st");
  await press("\t");
  await until((s) => s.includes(":step █"), "completion");
  await press("\r");
  await until(() => b.lines.length === 1, "the command");
  await press(":s\t");
  await until((s) => s.includes("step  snapshot  set"), "the choices");
  await press("\x1b");
  await press(":regs\r");
  // Output of several lines opens the console panel.
  await until((s) => s.includes("Console") && s.includes("> regs"), "the console");
  await press(":");
  await press("\x1b[A");
  await until((s) => s.includes(":regs"), "history up");
  await press("\x1b[A");
  await until((s) => s.includes(":step"), "history up again");
  await press("\x1b");
  await press("?");
  await until((s) => s.includes("Help") && s.includes(":help CMD"), "the help overlay");
  await press(" ");
  await until((s) => s.includes("Disassembly"), "the panels again");
  await press("\t\t");
  await until((s) => /┌─ Tree \//.test(s), "the tree panel beside the disassembly");
  r.unmount();
});

test("shell: registers panel keeps EFLAGS and flags before the segment registers", () => {
  const names = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags", "cs", "ds"];
  const regs = names.map((name) => ({ name, value: 0, changed: false }));
  const lines = registersPanel(regs, [{ name: "zf", set: true, changed: false }], 42).lines.map(plain);
  assert.match(lines[3], /^EFLAGS 00000000 {2}ZF/);
  assert.match(lines[4], /^CS {2}00000000 {2}DS/);
});

test("shell: registers panel ends with MXCSR and the XMM registers in dwords, changed ones starred, within the narrow panel", () => {
  const v = nestedView();
  const panel = registersPanel(v.registers, v.flags, 42, v.vectors);
  const lines = panel.lines.map(plain);
  const at = lines.findIndex((l) => l.startsWith("MXCSR"));
  assert.deepEqual(lines.slice(at), [
    "MXCSR 00001fa0*",
    "XMM0 00000000 00000000 00000000 00000000",
    "XMM1 3ff00000 00000000 deadbeef 00000007*",
    ...[2, 3, 4, 5, 6, 7].map((n) => `XMM${n} 00000000 00000000 00000000 0000000${n}`),
  ]);
  for (const l of lines) assert.ok(l.length <= 42, `${JSON.stringify(l)} fits 42 columns`);
  const xmm1 = panel.lines[at + 2];
  assert.equal(xmm1.find((x) => x.text.startsWith("3ff00000"))!.color, "yellow");
  assert.equal(panel.lines[at + 1].find((x) => x.text.startsWith("00000000"))!.color, undefined);
});

test("shell: the host tree shows a three-digit exit status whole, and a sub-guest's RUN budget left", () => {
  const view = nestedView();
  view.guests[0] = { ...view.guests[0], status: "exited", exitCode: 127 };
  view.guests[1] = { ...view.guests[1], budget: null, budgetLeft: 350000 };
  for (const width of [36, 60]) {
    const lines = hostsPanel(view.guests, view.selected, width).lines.map(plain);
    assert.match(lines[0], /exit 127 /);
    assert.match(lines[1], /running +350K/);
    for (const l of lines) assert.ok(l.length <= width, `${JSON.stringify(l)} fits ${width}`);
  }
});

test("shell: a guest stopped by a budget reads as paused, as spent once its manifest budget is used up", () => {
  const view = nestedView();
  view.guests[0] = { ...view.guests[0], status: "budget", budget: 1000, budgetLeft: 400 };
  assert.match(plain(hostsPanel(view.guests, view.selected, 60).lines[0]), /paused/);
  view.guests[0] = { ...view.guests[0], budgetLeft: 0 };
  assert.match(plain(hostsPanel(view.guests, view.selected, 60).lines[0]), /spent/);
});

test("shell: a narrow memory panel keeps its characters column with 8 bytes a line while it fits", () => {
  const rows = [{ address: 0x1000, bytes: [...Array(16).keys()].map((i) => 0x41 + i) }];
  assert.deepEqual(memoryPanel(rows, 45).lines.map(plain), ["00001000 41 42 43 44 45 46 47 48 ABCDEFGH", "00001008 49 4a 4b 4c 4d 4e 4f 50 IJKLMNOP"]);
  assert.equal(plain(memoryPanel(rows, 40).lines[0]), "00001000 41 42 43 44 45 46 47 48");
  assert.match(plain(memoryPanel(rows, 80).lines[0]), /4f 50 ABCDEFGHIJKLMNOP$/);
});

test("shell: a tall terminal's memory panel shows 16 bytes a line with their characters, the console beside it", () => {
  const rows = [{ address: 0x1000, bytes: [...Array(16).keys()].map((i) => 0x41 + i) }];
  for (const [columns, ids] of [[120, ["memory", "console"]], [135, ["memory", "console", "tree"]], [200, ["memory", "console", "tree"]]] as const) {
    const bottom = layout(columns, 36, "output")[2];
    assert.deepEqual(bottom.map((p) => p.id), ids, `${columns} columns`);
    assert.equal(bottom.reduce((sum, p) => sum + p.width, 0), columns);
    assert.equal(plain(memoryPanel(rows, bottom[0].width - 2).lines[0]), "00001000 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 ABCDEFGHIJKLMNOP");
  }
});

test("shell: at 120 columns the host tree keeps room for names and counts beside registers and timeline", () => {
  const [top] = layout(120, 36, "output");
  assert.deepEqual(top.map((p) => p.id), ["hosts", "registers", "timeline"]);
  assert.ok(top[0].width >= 36, `host tree ${top[0].width} columns`);
  const view = nestedView();
  for (const l of hostsPanel(view.guests, view.selected, top[0].width - 2).lines.map(plain)) {
    assert.match(l, / [\d.]+[KMG]?$/, "the count is whole at the end of the line");
  }
});

test("shell: console and output wrap between words, continuation lines keep the indentation", () => {
  const text = "- `watch SYMBOL|*ADDR [LEN] [if COND]` — stop when a variable's value changes\n  indented help that is long enough to wrap\n\nabcdefghijklmnopqrstuvwxyz";
  const lines = textPanel("Console", text, 20).lines.map(plain);
  for (const l of lines) assert.ok(Array.from(l).length <= 20, JSON.stringify(l));
  // No word is cut (but the one longer than the panel), and no line starts with the space a break left.
  const words = (t: string) => t.split(/\s+/).filter((w) => w !== "");
  assert.deepEqual(words(lines.join(" ")).slice(0, -2), words(text).slice(0, -1));
  assert.deepEqual(lines.slice(-2), ["abcdefghijklmnopqrst", "uvwxyz"]);
  assert.ok(lines.filter((l) => l.startsWith("  ")).length >= 2, "the indented line's continuation is indented too");
  assert.ok(lines.slice(0, 4).every((l) => !l.startsWith(" ")));
});
