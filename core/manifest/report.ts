/**
 * Reports of a manifest run: the JSON object of `fx86 run --json`, and the
 * readable text report.
 */
import { describeStatus } from "./expect.ts";
import type { GuestResult, RunResult } from "./run.ts";

/** One guest in the JSON report. */
export interface GuestJson {
  path: string;
  status: string;
  exit_code: number | null;
  instructions: number;
  root: string;
  fault?: { kind?: string; eip?: string; address?: string; detail?: string };
  expectations: { ok: boolean; message: string; line: number; column: number }[];
  children: GuestJson[];
}

/** The JSON report. */
export interface RunJson {
  ok: boolean;
  root: string;
  guests: GuestJson[];
}

function hex(n: number | undefined): string | undefined {
  return typeof n === "number" ? "0x" + (n >>> 0).toString(16).padStart(8, "0") : undefined;
}

function guestJson(r: GuestResult): GuestJson {
  const s = r.status;
  const j: GuestJson = {
    path: r.path,
    status: s.status,
    exit_code: s.exit_code,
    instructions: s.instructions,
    root: r.root,
    expectations: r.checks.map((c) => ({ ok: c.ok, message: c.message, line: c.at.line, column: c.at.col })),
    children: r.children.map(guestJson),
  };
  if (s.fault) {
    j.fault = { kind: s.fault.kind, eip: hex(s.fault.eip), address: hex(s.fault.address), detail: s.fault.detail };
  }
  // Keep children last, so the output reads top-down.
  const { children, ...rest } = j;
  return { ...rest, children };
}

/**
 * The `--json` object: `{ok, root, guests: [{path, status, exit_code,
 * instructions, root, fault?, expectations, children: [...]}]}`.
 */
export function reportJson(r: RunResult): RunJson {
  return { ok: r.ok, root: r.root, guests: r.guests.map(guestJson) };
}

/** 1234567 -> "1,234,567". */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * The readable report: one line per guest (status, instructions, root), its
 * checks indented beneath it, sub-guests nested, then the verdict.
 *
 * @example
 * formatReport(result, "examples/hello/hello.yaml");
 * // hello  exited 0  123,456 instructions  root 3f5a9c0e1d2b
 * //   ok    status is exited
 * //   ...
 * // PASS examples/hello/hello.yaml: 3 expectations hold (1 guest)
 */
export function formatReport(r: RunResult, file: string): string {
  const lines: string[] = [];
  let guests = 0, checks = 0, failed = 0;
  const visit = (g: GuestResult, depth: number) => {
    guests++;
    const pad = "  ".repeat(depth);
    const s = g.status;
    lines.push(`${pad}${g.path}  ${describeStatus(s)}  ${grouped(s.instructions)} instructions  root ${g.root.slice(0, 12)}`);
    for (const c of g.checks) {
      checks++;
      if (!c.ok) failed++;
      lines.push(`${pad}  ${c.ok ? "ok  " : "FAIL"}  ${c.message}${c.ok ? "" : `  (${c.at.file}:${c.at.line}:${c.at.col})`}`);
    }
    for (const child of g.children) visit(child, depth + 1);
  };
  r.guests.forEach((g) => visit(g, 0));
  lines.push(`root ${r.root}`);
  const count = `${guests} guest${guests === 1 ? "" : "s"}`;
  lines.push(
    failed === 0
      ? `PASS ${file}: ${checks} expectation${checks === 1 ? " holds" : "s hold"} (${count})`
      : `FAIL ${file}: ${failed} of ${checks} expectation${checks === 1 ? "" : "s"} failed (${count})`,
  );
  return lines.join("\n") + "\n";
}
