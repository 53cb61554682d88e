/**
 * Expectations: which guest subtrees of the final host tree a manifest
 * checks (top-level guests, sub-guests placed in their files, sub-guests
 * named under expect.guests), and the checks themselves, each one line
 * that says what held or what was found instead.
 */
import { createHash } from "node:crypto";
import { type DirNode, get, type TreeNode } from "../tree/mod.ts";
import type { Location } from "./errors.ts";
import type { Expect, FileExpect, GuestSpec, Manifest } from "./model.ts";
import type { GuestStatus, GuestVm } from "./vm.ts";

/** One checked expectation. */
export interface Check {
  ok: boolean;
  /** What held ("exit code is 0") or what did not ("exit code: expected 0, got 1"). */
  message: string;
  /** Where the manifest asks for it. */
  at: Location;
}

/** Expectations on one guest subtree of the host tree. */
export interface Target {
  /** Path of the guest subtree in the host tree, e.g. ["hello", "fs", "guests", "child"]. */
  names: string[];
  /** The guest whose manifest entry declares it (reports a missing sub-guest). */
  owner: string[];
  expect: Expect;
}

/** What a top-level guest without `expect` must do: exit with status 0. */
export function defaultExpect(at: Location): Expect {
  return { at, keyAt: {}, status: "exited", exit_code: 0, files: [], guests: [] };
}

/**
 * Every guest subtree the manifest has expectations on, parents before
 * their sub-guests.
 *
 * @example
 * expectationTargets(manifest).map((t) => t.names.join("/")); // ["hello", "hello/fs/guests/child"]
 */
export function expectationTargets(m: Manifest): Target[] {
  const out: Target[] = [];
  const fromExpect = (names: string[], x: Expect, owner: string[]) => {
    out.push({ names, owner, expect: x });
    for (const g of x.guests) fromExpect([...names, "fs", ...g.names], g.expect, names);
  };
  const fromSpec = (names: string[], g: GuestSpec, owner: string[]) => {
    if (g.expect) fromExpect(names, g.expect, owner);
    for (const f of g.files) {
      if (f.kind === "guest") fromSpec([...names, "fs", ...f.names], f.guest, names);
    }
  };
  for (const { name, guest } of m.guests) {
    fromSpec([name], guest.expect ? guest : { ...guest, expect: defaultExpect(guest.at) }, [name]);
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: false });
const encoder = new TextEncoder();

/** A string as a message shows it: quoted, escaped, shortened. */
export function quote(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + "…" : s);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** "expected …, got …" for two byte strings, around where they first differ. */
function textMismatch(what: string, expected: Uint8Array, actual: Uint8Array): string {
  const k = firstDifference(expected, actual);
  const from = Math.max(0, k - 20);
  const show = (b: Uint8Array) => (from > 0 ? "…" : "") + quote(decoder.decode(b.subarray(from, k + 40)), 60);
  return `${what}: expected ${show(expected)} (${expected.length} bytes), got ${show(actual)} (${actual.length} bytes); first difference at byte ${k}`;
}

function blobAt(tree: DirNode, name: string): Uint8Array {
  const n = tree.get(name);
  return n && n.kind === "blob" ? n.bytes : new Uint8Array(0);
}

/**
 * How a status reads in messages: "exited 0", "budget", "budget (inside its
 * RUN)", "fault (page at 0x0804a000)", "new".
 */
export function describeStatus(s: GuestStatus): string {
  if (s.status === "exited") return `exited ${s.exit_code}`;
  if (s.status === "fault" && s.fault) {
    const eip = typeof s.fault.eip === "number" ? ` at 0x${(s.fault.eip >>> 0).toString(16).padStart(8, "0")}` : "";
    return `fault (${s.fault.kind ?? "?"}${eip})`;
  }
  if (s.status === "budget" && s.in_run) return "budget (inside its RUN)";
  return s.status;
}

function checkOutput(
  checks: Check[],
  x: Expect,
  name: "stdout" | "stderr",
  bytes: Uint8Array,
): void {
  const at = (k: string) => x.keyAt[k] ?? x.at;
  const exact = x[name];
  if (exact !== undefined) {
    const want = encoder.encode(exact);
    checks.push(
      sameBytes(want, bytes)
        ? { ok: true, message: `${name} is as expected (${bytes.length} bytes)`, at: at(name) }
        : { ok: false, message: textMismatch(name, want, bytes), at: at(name) },
    );
  }
  const hash = x[`${name}_sha256`];
  if (hash !== undefined) {
    const got = sha256(bytes);
    checks.push({
      ok: got === hash,
      message: got === hash ? `${name} sha256 is ${hash.slice(0, 12)}…` : `${name} sha256: expected ${hash}, got ${got}`,
      at: at(`${name}_sha256`),
    });
  }
  const text = x[`${name}_contains`] ? decoder.decode(bytes) : "";
  for (const part of x[`${name}_contains`] ?? []) {
    const ok = text.includes(part);
    checks.push({ ok, message: `${name} ${ok ? "contains" : "does not contain"} ${quote(part)}`, at: at(`${name}_contains`) });
  }
}

function checkFile(fs: TreeNode | undefined, f: FileExpect): Check[] {
  const checks: Check[] = [];
  const push = (ok: boolean, message: string) => checks.push({ ok, message: `${f.path} ${message}`, at: f.at });
  let node: TreeNode | undefined;
  try {
    node = fs ? get(fs, f.names) : undefined;
  } catch {
    node = undefined;
  }
  if (f.exists !== undefined) {
    push(f.exists === (node !== undefined), node ? "exists" : "does not exist");
  }
  const wantsBlob = f.text !== undefined || f.sha256 !== undefined;
  if (wantsBlob || f.tree !== undefined) {
    if (!node) return [...checks, { ok: false, message: `${f.path}: expected a file, but nothing is there`, at: f.at }];
  }
  if (wantsBlob && node?.kind === "dir") {
    return [...checks, { ok: false, message: `${f.path}: expected a file, but it is a directory`, at: f.at }];
  }
  if (node?.kind === "blob") {
    if (f.text !== undefined) {
      const want = encoder.encode(f.text);
      if (sameBytes(want, node.bytes)) push(true, `has the expected text (${node.size} bytes)`);
      else checks.push({ ok: false, message: textMismatch(f.path, want, node.bytes), at: f.at });
    }
    if (f.sha256 !== undefined) {
      const got = sha256(node.bytes);
      push(got === f.sha256, got === f.sha256 ? `sha256 is ${got.slice(0, 12)}…` : `sha256: expected ${f.sha256}, got ${got}`);
    }
  }
  if (f.tree !== undefined && node) {
    const got = node.hash;
    push(got === f.tree, got === f.tree ? `tree hash is ${got.slice(0, 12)}…` : `tree hash: expected ${f.tree}, got ${got}`);
  }
  return checks;
}

/**
 * Checks one guest subtree against its expectations (not the sub-guests
 * named under `expect.guests`: those are targets of their own).
 *
 * @example
 * checkGuest(finalTree, expect, vm).filter((c) => !c.ok).map((c) => c.message);
 * // ["exit code: expected 0, got 1"]
 */
export function checkGuest(tree: DirNode, x: Expect, vm: GuestVm): Check[] {
  const checks: Check[] = [];
  const at = (k: string) => x.keyAt[k] ?? x.at;
  const s = vm.readStatus(tree);
  const got = describeStatus(s);
  if (x.status !== undefined) {
    const ok = s.status === x.status;
    checks.push({ ok, message: ok ? `status is ${x.status}` : `status: expected ${x.status}, got ${got}`, at: at("status") });
  }
  if (x.exit_code !== undefined) {
    const ok = s.status === "exited" && s.exit_code === x.exit_code;
    const actual = s.status === "exited" ? String(s.exit_code) : `no exit code (${got})`;
    checks.push({ ok, message: ok ? `exit code is ${x.exit_code}` : `exit code: expected ${x.exit_code}, got ${actual}`, at: at("exit_code") });
  }
  if (x.fault !== undefined) {
    const kind = s.status === "fault" ? s.fault?.kind : undefined;
    const ok = kind === x.fault;
    checks.push({ ok, message: ok ? `fault is ${x.fault}` : `fault: expected ${x.fault}, got ${kind ?? `no fault (${got})`}`, at: at("fault") });
  }
  if (x.instructions !== undefined) {
    const ok = s.instructions === x.instructions;
    checks.push({
      ok,
      message: ok ? `instructions: ${x.instructions}` : `instructions: expected ${x.instructions}, got ${s.instructions}`,
      at: at("instructions"),
    });
  }
  if (x.root !== undefined) {
    const ok = tree.hash === x.root;
    checks.push({ ok, message: ok ? `root is ${x.root.slice(0, 12)}…` : `root: expected ${x.root}, got ${tree.hash}`, at: at("root") });
  }
  checkOutput(checks, x, "stdout", blobAt(tree, "stdout"));
  checkOutput(checks, x, "stderr", blobAt(tree, "stderr"));
  const fs = tree.get("fs");
  for (const f of x.files) checks.push(...checkFile(fs, f));
  return checks;
}
