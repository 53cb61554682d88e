/**
 * Errors in a manifest: one line, `file:line:column: where: message`, the
 * form compilers use, so editors and CI logs can jump to the spot.
 */

/** A place in a manifest: 1-based line and column, plus the key path in words. */
export interface Location {
  /** The manifest's path, as the user gave it. */
  file: string;
  line: number;
  col: number;
  /** Where in the manifest, e.g. `guests.hello.budget` ("" for the whole document). */
  where: string;
}

/**
 * A bad manifest: syntax, types, unknown keys, missing host files, …
 *
 * @example
 * String(new ManifestError({ file: "m.yaml", line: 3, col: 13, where: "guests.a.budget" },
 *   "expected a non-negative instruction count such as 1000000, 1_000_000 or 10M, got -5"));
 * // "m.yaml:3:13: guests.a.budget: expected a non-negative instruction count …, got -5"
 */
export class ManifestError extends Error {
  constructor(readonly at: Location, readonly detail: string) {
    super(`${at.file}:${at.line}:${at.col}: ${at.where ? `${at.where}: ` : ""}${detail}`);
    this.name = "ManifestError";
  }
}
