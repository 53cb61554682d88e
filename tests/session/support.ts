/** Helpers of the session tests: a session over the examples, and a fingerprint of its whole state. */
import { join } from "node:path";
import { Session } from "../../core/session/mod.ts";
import type { SessionOptions } from "../../core/session/mod.ts";
import { REPO } from "../support/guests.ts";

export const NESTING = join(REPO, "examples/nesting/nesting.yaml");
export const HELLO = join(REPO, "examples/hello/hello.yaml");

/** A session with `file` loaded. */
export async function loaded(file: string, opts: SessionOptions = {}): Promise<Session> {
  const s = new Session(opts);
  const r = await s.execute(`load ${file}`);
  if (!r.ok) throw new Error(r.text);
  return s;
}

/** Runs a command that must succeed; returns its text. */
export async function ok(s: Session, line: string): Promise<string> {
  const r = await s.execute(line);
  if (!r.ok) throw new Error(`${line}: ${r.text}`);
  return r.text;
}

/** Everything a command could change: trees, positions, histories, selection, breakpoints, trace. */
export function fingerprint(s: Session): string {
  const st = s.state;
  return JSON.stringify({
    machines: st.machines.map((m) => [m.name, m.tree().hash, m.position, m.end, m.timeline.checkpoints.map((c) => c.at)]),
    selected: st.selected,
    pinned: st.pinned,
    breakpoints: st.breakpoints.lines(),
    tracing: st.tracing,
  });
}

/** `[N] id 0xEIP: …` lines: position, guest and EIP of the last one in `text`. */
export function where(text: string): { position: number; id: string; eip: number } {
  const lines = text.trim().split("\n").filter((l) => /^\[\d+\] \S+ 0x[0-9a-f]{8}: /.test(l));
  const m = /^\[(\d+)\] (\S+) (0x[0-9a-f]{8}):/.exec(lines[lines.length - 1])!;
  return { position: Number(m[1]), id: m[2], eip: Number(m[3]) };
}
