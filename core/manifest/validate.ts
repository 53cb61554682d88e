/**
 * Validating a parsed manifest: first against the JSON Schema
 * (manifest.schema.json, with ajv), then the rules a schema cannot express
 * (budget range, name lengths, file entries inside files). The result is
 * the typed `Manifest`; the first problem found, in document order, becomes
 * one `ManifestError` that names its line and column and what was expected.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { basename, resolve } from "node:path";
import { checkName, compareNames } from "../tree/mod.ts";
import { budgetValue } from "./budget.ts";
import { type Location, ManifestError } from "./errors.ts";
import type { Expect, FileEntry, FileExpect, GuestSpec, HostRef, Manifest, StdinSpec } from "./model.ts";
import type { KeyPath, ManifestSource } from "./parse.ts";
import schema from "./manifest.schema.json" with { type: "json" };

/** The manifest format's JSON Schema (draft-07), as shipped in manifest.schema.json. */
export const MANIFEST_SCHEMA: Readonly<Record<string, unknown>> = schema;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
    // Our own annotation (also honoured by VS Code): what a value should be, in words.
    ajv.addKeyword({ keyword: "errorMessage", schemaType: "string" });
    // Ours too: why a key that looks right is not allowed here.
    ajv.addKeyword({ keyword: "unknownKeyHints", schemaType: "object" });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

// ---------------------------------------------------------------------------
// Schema errors -> one located message

type Obj = Record<string, unknown>;

/** A value as a message shows it. */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return v.length ? "a list" : "an empty list";
  if (typeof v === "object") return Object.keys(v).length ? "a mapping" : "an empty mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  return String(v);
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "nothing",
};

/** What the failing schema wanted, in words. */
function expected(e: ErrorObject): string {
  const own = (e.parentSchema as Obj | undefined)?.errorMessage;
  if (typeof own === "string") return own;
  const p = e.params as Obj;
  switch (e.keyword) {
    case "type": {
      const t = p.type as string | string[];
      return (Array.isArray(t) ? t : String(t).split(",")).map((x) => TYPE_WORDS[x] ?? x).join(" or ");
    }
    case "enum":
      return `one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(", ")}`;
    case "const":
      return JSON.stringify(p.allowedValue);
    case "pattern":
      return `a string matching ${p.pattern}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** JSON pointer -> key path, with list indexes as numbers. */
function keyPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === "") return [];
  const out: (string | number)[] = [];
  let v: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(v)) {
      out.push(Number(seg));
      v = v[Number(seg)];
    } else {
      out.push(seg);
      v = v && typeof v === "object" ? (v as Obj)[seg] : undefined;
    }
  }
  return out;
}

interface Candidate {
  at: Location;
  message: string;
  rank: number;
}

function candidate(src: ManifestSource, e: ErrorObject): Candidate | undefined {
  const path = keyPath(e.instancePath, src.value);
  const p = e.params as Obj;
  if (e.keyword === "propertyNames") return undefined; // the inner error says more
  if (e.propertyName !== undefined) {
    const at = src.locate([...path, e.propertyName], "key");
    at.where = src.locate(path).where;
    return { at, message: `bad key ${describeValue(e.propertyName)}: expected ${expected(e)}`, rank: 1 };
  }
  if (e.keyword === "additionalProperties") {
    const key = String(p.additionalProperty);
    const allowed = Object.keys(((e.parentSchema as Obj).properties ?? {}) as Obj);
    const close = allowed.filter((k) => distance(k, key) <= Math.max(1, Math.floor(k.length / 3)));
    const hints = ((e.parentSchema as Obj).unknownKeyHints ?? {}) as Record<string, string>;
    const hint = hints[key] ? `; ${hints[key]}` : close.length ? `; did you mean "${close[0]}"?` : "";
    const at = src.locate([...path, key], "key");
    at.where = src.locate(path).where;
    return { at, message: `unknown key ${JSON.stringify(key)} (expected one of: ${allowed.join(", ")})${hint}`, rank: 0 };
  }
  if (e.keyword === "required") {
    const at = src.locate(path, "key");
    return { at, message: `missing required key ${JSON.stringify(p.missingProperty)}`, rank: 4 };
  }
  const at = src.locate(path);
  let message = `expected ${expected(e)}, got ${describeValue(e.data)}`;
  const types = e.keyword === "type" ? String(p.type).split(",") : [];
  if (types.includes("string") && !types.includes("integer") && (typeof e.data === "number" || typeof e.data === "boolean")) {
    message += " (write it in quotes to make it a string)";
  }
  return { at, message, rank: e.keyword === "type" ? 2 : 3 };
}

/** The error to report: the first in document order; at one spot the most telling. */
function firstSchemaError(src: ManifestSource, errors: ErrorObject[]): ManifestError {
  // A misspelt key also shows up as a missing required key or as too many
  // or too few keys: the unknown key is the one to report.
  const unknownAt = new Set(errors.filter((e) => e.keyword === "additionalProperties").map((e) => e.instancePath));
  const shadowed = new Set(["required", "minProperties", "maxProperties"]);
  const cands = errors
    .filter((e) => !(shadowed.has(e.keyword) && unknownAt.has(e.instancePath)))
    .map((e) => candidate(src, e))
    .filter((c): c is Candidate => c !== undefined);
  cands.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col || a.rank - b.rank);
  const c = cands[0];
  return new ManifestError(c.at, c.message);
}

// ---------------------------------------------------------------------------
// Schema-valid data -> Manifest

class Converter {
  constructor(readonly src: ManifestSource, readonly dir: string) {}

  fail(path: KeyPath, message: string, part: "key" | "value" = "value"): never {
    const at = this.src.locate(path, part);
    if (part === "key") at.where = this.src.locate(path.slice(0, -1)).where;
    throw new ManifestError(at, message);
  }

  host(written: string, path: KeyPath): HostRef {
    return { written, path: resolve(this.dir, written), at: this.src.locate(path) };
  }

  /** The names of an absolute guest path (schema-checked already), or fails at its key. */
  names(guestPath: string, path: KeyPath): string[] {
    const names = guestPath === "/" ? [] : guestPath.slice(1).split("/");
    for (const n of names) {
      try {
        checkName(n);
      } catch (e) {
        this.fail(path, `bad guest path ${describeValue(guestPath)}: ${problem(e)}`, "key");
      }
    }
    return names;
  }

  guest(v: Obj, path: KeyPath, topLevel: boolean): GuestSpec {
    const program = this.host(v.program as string, [...path, "program"]);
    const g: GuestSpec = {
      at: this.src.locate(path, "key"),
      program,
      argv0: (v.argv0 as string | undefined) ?? basename(program.written),
      args: (v.args as string[] | undefined) ?? [],
      files: [],
    };
    if (typeof v.description === "string") g.description = v.description;
    if (v.env !== undefined) {
      g.env = Array.isArray(v.env) ? v.env as string[] : Object.entries(v.env as Obj).map(([k, x]) => `${k}=${x}`);
    }
    if (v.stdin !== undefined) g.stdin = this.stdin(v.stdin as string | Obj, [...path, "stdin"]);
    if (typeof v.seed === "string") g.seed = v.seed;
    if (v.files !== undefined) g.files = this.files(v.files as Obj, [...path, "files"]);
    if (topLevel && v.budget !== undefined) {
      const b = budgetValue(v.budget as string | number);
      if ("error" in b) this.fail([...path, "budget"], b.error);
      g.budget = b.value;
    }
    if (v.expect !== undefined) g.expect = this.expect(v.expect as Obj, [...path, "expect"]);
    return g;
  }

  stdin(v: string | Obj, path: KeyPath): StdinSpec {
    if (typeof v === "string") return { text: v };
    if (typeof v.text === "string") return { text: v.text };
    return { file: this.host(v.file as string, [...path, "file"]) };
  }

  files(v: Obj, path: KeyPath): FileEntry[] {
    const entries: FileEntry[] = [];
    for (const [guestPath, spec] of Object.entries(v)) {
      const kp = [...path, guestPath];
      const names = this.names(guestPath, kp);
      const at = this.src.locate(kp, "key");
      const s = spec as Obj;
      const base = { path: guestPath, names, at };
      let entry: FileEntry;
      if (typeof s.text === "string") entry = { ...base, kind: "text", text: s.text };
      else if (typeof s.file === "string") entry = { ...base, kind: "file", host: this.host(s.file, [...kp, "file"]) };
      else if (typeof s.dir === "string") entry = { ...base, kind: "dir", host: this.host(s.dir, [...kp, "dir"]) };
      else if (s.mkdir === true) entry = { ...base, kind: "mkdir" };
      else entry = { ...base, kind: "guest", guest: this.guest(s.guest as Obj, [...kp, "guest"], false) };
      if (names.length === 0 && entry.kind !== "dir" && entry.kind !== "mkdir") {
        this.fail(kp, `the root "/" of a file tree can only be a dir (or mkdir), not ${entry.kind}`, "key");
      }
      entries.push(entry);
    }
    // Parents first; nothing may go inside a file or a sub-guest.
    entries.sort((a, b) => compareNamePaths(a.names, b.names));
    const leaves: FileEntry[] = [];
    for (const e of entries) {
      for (const leaf of leaves) {
        if (isPrefix(leaf.names, e.names)) {
          const what = leaf.kind === "guest" ? "a sub-guest (give it files of its own)" : "a file";
          this.fail([...path, e.path], `${JSON.stringify(e.path)} is inside ${JSON.stringify(leaf.path)}, which is ${what}`, "key");
        }
      }
      if (e.kind === "text" || e.kind === "file" || e.kind === "guest") leaves.push(e);
    }
    return entries;
  }

  expect(v: Obj, path: KeyPath): Expect {
    const x: Expect = { at: this.src.locate(path, "key"), keyAt: {}, files: [], guests: [] };
    for (const k of Object.keys(v)) x.keyAt[k] = this.src.locate([...path, k], "key");
    for (const k of ["status", "fault", "root", "stdout", "stdout_sha256", "stderr", "stderr_sha256"] as const) {
      if (typeof v[k] === "string") x[k] = v[k] as string;
    }
    if (typeof v.exit_code === "number") x.exit_code = v.exit_code;
    if (typeof v.instructions === "number") x.instructions = v.instructions;
    for (const k of ["stdout_contains", "stderr_contains"] as const) {
      if (v[k] !== undefined) x[k] = typeof v[k] === "string" ? [v[k] as string] : v[k] as string[];
    }
    for (const [guestPath, fx] of Object.entries((v.files ?? {}) as Obj)) {
      const kp = [...path, "files", guestPath];
      const f: FileExpect = { path: guestPath, names: this.names(guestPath, kp), at: this.src.locate(kp, "key") };
      Object.assign(f, fx);
      if (f.exists === false && Object.keys(fx as Obj).length > 1) {
        this.fail(kp, "exists: false cannot be combined with other file expectations", "key");
      }
      x.files.push(f);
    }
    for (const [guestPath, gx] of Object.entries((v.guests ?? {}) as Obj)) {
      const kp = [...path, "guests", guestPath];
      const names = this.names(guestPath, kp);
      if (names.length === 0) this.fail(kp, `the root "/" of a file tree is not a sub-guest`, "key");
      x.guests.push({ path: guestPath, names, at: this.src.locate(kp, "key"), expect: this.expect(gx as Obj, kp) });
    }
    return x;
  }

  manifest(): Manifest {
    const v = this.src.value as Obj;
    const m: Manifest = { file: this.src.file, dir: this.dir, guests: [] };
    if (typeof v.description === "string") m.description = v.description;
    for (const [name, g] of Object.entries(v.guests as Obj)) {
      try {
        checkName(name);
      } catch (e) {
        this.fail(["guests", name], `bad guest name ${describeValue(name)}: ${problem(e)}`, "key");
      }
      m.guests.push({ name, guest: this.guest(g as Obj, ["guests", name], true) });
    }
    return m;
  }
}

/** What a TreeError about a name says is wrong, without the name itself. */
function problem(e: unknown): string {
  const m = (e as Error).message;
  return m.slice(m.lastIndexOf(": ") + 2).replace(/\.$/, "");
}

function compareNamePaths(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareNames(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function isPrefix(a: string[], b: string[]): boolean {
  return a.length < b.length && a.every((n, i) => n === b[i]);
}

/**
 * Checks a parsed manifest and turns it into a `Manifest`; host paths are
 * resolved against `dir` (the manifest's directory) but not read yet.
 * Throws ManifestError for the first problem in document order.
 *
 * @example
 * const m = validateManifest(parseManifestText("m.yaml", "guests: {a: {program: p}}"), "/work");
 * m.guests[0].guest.program.path; // "/work/p"
 */
export function validateManifest(src: ManifestSource, dir: string): Manifest {
  const validate = validator();
  if (!validate(src.value)) throw firstSchemaError(src, validate.errors ?? []);
  return new Converter(src, dir).manifest();
}
