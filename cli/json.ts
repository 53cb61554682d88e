/**
 * What `--json` prints: one JSON value on one line of stdout, so scripts
 * parse it whole. The shape of each command's value is documented in
 * docs/json.md and kept stable (fields are added, never renamed).
 */
import { Buffer } from "node:buffer";
import { writeAll } from "./host.ts";

/**
 * Prints `value` as one line of JSON on stdout.
 *
 * @example
 * printJson({ removed: 3, reachable: 120 }); // {"removed":3,"reachable":120}
 */
export function printJson(value: unknown): void {
  writeAll(1, new TextEncoder().encode(JSON.stringify(value) + "\n"));
}

/**
 * Guest output for a JSON report: readable text (bytes that are not UTF-8
 * become U+FFFD, so it can lose information) and the exact bytes in base64.
 *
 * @example
 * outputFields("stdout", new Uint8Array([0x68, 0xff]));
 * // { stdout: "h\uFFFD", stdout_base64: "aP8=" }
 */
export function outputFields<K extends string>(name: K, bytes: Uint8Array): Record<K | `${K}_base64`, string> {
  return {
    [name]: new TextDecoder("utf-8", { fatal: false }).decode(bytes),
    [`${name}_base64`]: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
  } as Record<K | `${K}_base64`, string>;
}
