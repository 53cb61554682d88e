/**
 * The optional parts of the os blob's `signals` (docs/linux.md, "Signals"):
 * `saved` (the mask rt_sigsuspend replaced), `info` (siginfo of pending
 * signals), `queue` (more instances of real-time ones), `sleepUntil` (a sleep waiting for a timer) and `timers`. They are absent while unused, so a guest that
 * uses no handlers or timers keeps the layout it always had.
 *
 * @example
 * readSignalExtras({ timers: { real: { at: 1000000000, every: 0 } } });
 * // { timers: { real: { at: 1000000000, every: 0 } } }
 */
import { GuestStateError } from "../json.ts";
import { NSIG, type SigInfoWords, type SignalState } from "../signals.ts";
import type { PosixTimer, Timer, Timers } from "./timers.ts";

type Json = unknown;

/** The optional parts of the signal state. */
type SignalExtras = Pick<SignalState, "saved" | "info" | "queue" | "timers" | "sleepUntil">;

function fail(what: string, problem: string): never {
  throw new GuestStateError(`os: signals.${what} ${problem}`);
}

function record(v: Json, what: string): Record<string, Json> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(what, "should be an object");
  return v as Record<string, Json>;
}

function integer(v: Json, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fail(what, `should be an integer from ${min} to ${max}`);
  }
  return v;
}

const u32 = (v: Json, what: string) => integer(v, what, 0, 0xffffffff);

/** Keys of an object that must be numbers in [min, max]. */
function numberedEntries(v: Json, what: string, min: number, max: number): [number, Json][] {
  return Object.entries(record(v, what)).map(([key, value]) => {
    const n = Number(key);
    if (!Number.isInteger(n) || n < min || n > max || String(n) !== key) fail(`${what}[${JSON.stringify(key)}]`, "is not a valid key");
    return [n, value];
  });
}

function timer(v: Json, what: string): Timer {
  const o = record(v, what);
  return { at: integer(o.at, `${what}.at`, 0), every: integer(o.every, `${what}.every`, 0) };
}

function timers(v: Json): Timers {
  const o = record(v, "timers");
  const out: Timers = {};
  for (const name of ["real", "virtual", "prof"] as const) {
    if (o[name] !== undefined) out[name] = timer(o[name], `timers.${name}`);
  }
  if (o.posix !== undefined) {
    out.posix = {};
    for (const [id, t] of numberedEntries(o.posix, "timers.posix", 0, 1023)) {
      const what = `timers.posix[${id}]`;
      const p = record(t, what);
      const posix: PosixTimer = {
        clock: integer(p.clock, `${what}.clock`, 0, 11),
        signal: integer(p.signal, `${what}.signal`, 0, NSIG),
        value: u32(p.value, `${what}.value`),
        overrun: integer(p.overrun, `${what}.overrun`, 0),
      };
      if (p.armed !== undefined) posix.armed = timer(p.armed, `${what}.armed`);
      out.posix[id] = posix;
    }
  }
  return out;
}

function infoWords(v: Json, what: string): SigInfoWords {
  if (!Array.isArray(v) || v.length < 1 || v.length > 8) fail(what, "should be an array of 1 to 8 integers");
  return v.map((w, i) => integer(w, `${what}[${i}]`, -0x80000000, 0xffffffff));
}

/**
 * Reads the optional parts of `signals`; throws GuestStateError if one is not what fx86 writes.
 *
 * @example
 * readSignalExtras({ saved: [0, 0] }); // { saved: [0, 0] }
 */
export function readSignalExtras(s: Record<string, Json>): SignalExtras {
  const out: SignalExtras = {};
  if (s.sleepUntil !== undefined) out.sleepUntil = integer(s.sleepUntil, "sleepUntil", 0);
  if (s.saved !== undefined) {
    const a = s.saved;
    if (!Array.isArray(a) || a.length !== 2) fail("saved", "should be an array of 2");
    out.saved = [u32(a[0], "saved[0]"), u32(a[1], "saved[1]")];
  }
  if (s.info !== undefined) {
    out.info = {};
    for (const [sig, words] of numberedEntries(s.info, "info", 1, NSIG)) out.info[sig] = infoWords(words, `info[${sig}]`);
  }
  if (s.queue !== undefined) {
    out.queue = {};
    for (const [sig, list] of numberedEntries(s.queue, "queue", 32, NSIG)) {
      if (!Array.isArray(list) || list.length === 0) fail(`queue[${sig}]`, "should be a non-empty array");
      out.queue[sig] = list.map((words, i) => infoWords(words, `queue[${sig}][${i}]`));
    }
  }
  if (s.timers !== undefined) out.timers = timers(s.timers);
  return out;
}
