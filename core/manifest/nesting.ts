/**
 * A limit on how deeply a manifest's YAML nests, checked before parsing:
 * the YAML parser recurses once per level, so a small file nested 100,000
 * deep would exhaust the call stack, at a depth that differs between Deno
 * and Bun. Checking first gives one deterministic error instead.
 */
import { ManifestError } from "./errors.ts";

/** Flow collections (`[…]`, `{…}`) may nest this deep, which no real manifest comes near. */
export const MAX_FLOW_DEPTH = 64;
/** Block indentation may reach this many columns. */
export const MAX_INDENT = 512;

/**
 * Throws ManifestError (file:line:col) where the text nests deeper than
 * {@link MAX_FLOW_DEPTH} flow levels or is indented past {@link MAX_INDENT}
 * columns. Brackets inside quoted strings and comments do not count.
 *
 * @example
 * checkNesting("m.yaml", "a: [[1]]\n");           // fine
 * checkNesting("m.yaml", "a: " + "[".repeat(1e5)); // throws: m.yaml:1:68: YAML nests deeper than 64 levels
 */
export function checkNesting(file: string, text: string): void {
  let depth = 0, line = 1, col = 0, indent = 0, atLineStart = true;
  let quote: string | undefined;
  const fail = (why: string): never => {
    throw new ManifestError({ file, line, col: col + 1, where: "" }, `YAML ${why}`);
  };
  for (let i = 0; i < text.length; i++, col++) {
    const c = text[i];
    if (c === "\n") {
      line++, col = -1, indent = 0, atLineStart = true;
      continue;
    }
    if (atLineStart) {
      if (c === " ") {
        if (++indent > MAX_INDENT) fail(`is indented more than ${MAX_INDENT} columns`);
        continue;
      }
      atLineStart = false;
    }
    if (quote) {
      if (c === "\\" && quote === '"') i++, col++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++, col++;
    } else if (c === "[" || c === "{") {
      if (++depth > MAX_FLOW_DEPTH) fail(`nests deeper than ${MAX_FLOW_DEPTH} levels`);
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
}
