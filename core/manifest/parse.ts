/**
 * Reading a manifest's YAML: the plain value to validate, plus a way back
 * from any key path to its line and column (yaml's node ranges and
 * LineCounter), so every later error can point at the spot.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Range,
} from "yaml";
import { type Location, ManifestError } from "./errors.ts";
import { checkNesting } from "./nesting.ts";

/** A key path into the manifest: mapping keys and list indexes. */
export type KeyPath = readonly (string | number)[];

/** A parsed manifest source: the value and the positions of its nodes. */
export interface ManifestSource {
  /** The manifest's path as given (used in messages). */
  file: string;
  /** The document as plain data (mappings are objects, sequences arrays). */
  value: unknown;
  /**
   * The location of the node at `path` (its key when `part` is "key" and
   * the node is a mapping entry). A path that leads nowhere stops at the
   * deepest node it reaches.
   */
  locate(path: KeyPath, part?: "key" | "value"): Location;
}

/**
 * `guests.hello.files["/etc/motd"].text`: a key path as people read it.
 *
 * @example
 * describePath(["guests", "a", "args", 0]); // "guests.a.args[0]"
 */
export function describePath(path: KeyPath): string {
  let s = "";
  for (const k of path) {
    if (typeof k === "number") s += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) s += s ? `.${k}` : k;
    else s += `[${JSON.stringify(k)}]`;
  }
  return s;
}

/** The first line of a yaml error message, without its own position. */
function shortMessage(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
}

/**
 * Parses YAML text. Throws ManifestError on the first syntax error
 * (including duplicate keys and several documents in one file).
 *
 * @example
 * const src = parseManifestText("m.yaml", "guests:\n  a: {program: p}\n");
 * src.locate(["guests", "a", "program"]); // { file: "m.yaml", line: 2, col: 18, where: "guests.a.program" }
 */
export function parseManifestText(file: string, text: string): ManifestSource {
  checkNesting(file, text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const posOf = (offset: number) => lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const { line, col } = posOf(e.pos[0]);
    let message = shortMessage(e.message);
    if (e.code === "DUPLICATE_KEY") {
      const key = text.slice(e.pos[0], e.pos[1]).split("\n")[0];
      message = `duplicate key ${JSON.stringify(key.length > 40 ? key.slice(0, 40) + "…" : key)} (keys of a mapping must be unique)`;
    }
    throw new ManifestError({ file, line, col, where: "" }, `YAML syntax error: ${message}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ManifestError({ file, line: 1, col: 1, where: "" }, `YAML error: ${shortMessage(String((e as Error).message ?? e))}`);
  }
  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const locate = (path: KeyPath, part: "key" | "value" = "value"): Location => {
    let node = resolve(doc.contents) as Node | null | undefined;
    let range: Range | undefined | null = node?.range;
    for (let i = 0; i < path.length && node; i++) {
      const seg = path[i];
      let next: unknown;
      let keyRange: Range | undefined | null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        keyRange = (pair.key as Node).range;
        next = resolve(pair.value);
        if (i === path.length - 1 && part === "key") {
          range = keyRange;
          break;
        }
      } else if (isSeq(node) && typeof seg === "number") {
        next = resolve(node.items[seg]);
      } else break;
      const nextNode = next as Node | null | undefined;
      // An empty value (`key:`) has no range of its own worth pointing at: use the key.
      if (nextNode?.range && !(isScalar(nextNode) && nextNode.value === null && keyRange)) {
        range = nextNode.range;
      } else range = keyRange ?? range;
      node = nextNode;
    }
    const { line, col } = posOf(range ? range[0] : 0);
    return { file, line, col, where: describePath(path) };
  };
  return { file, value, locate };
}
