/**
 * From manifest text to a validated `Manifest`: parse (YAML), validate
 * (schema, then the rules a schema cannot express). Host paths resolve
 * against the manifest's directory.
 */
import { dirname, resolve } from "node:path";
import type { Manifest } from "./model.ts";
import { parseManifestText } from "./parse.ts";
import { validateManifest } from "./validate.ts";

/**
 * Parses and validates a manifest. `file` is its host path as the user
 * gave it: messages name it, and host paths in the manifest are relative to
 * its directory. Throws ManifestError (`file:line:column: …`).
 *
 * @example
 * const m = loadManifest("examples/hello/hello.yaml", readFileSync("examples/hello/hello.yaml", "utf8"));
 * m.guests.map((g) => g.name); // ["hello"]
 */
export function loadManifest(file: string, text: string): Manifest {
  return validateManifest(parseManifestText(file, text), dirname(resolve(file)));
}
