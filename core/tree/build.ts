import { dirFromEntries, type DirNode } from "./dir.ts";
import { TreeError } from "./errors.ts";
import { parsePath, showPath, type TreePath } from "./names.ts";
import type { TreeNode } from "./node.ts";

/** A directory under construction: plain maps, turned into nodes at the end. */
type Draft = Map<string, Draft | TreeNode>;

/**
 * Builds a whole tree from (path, node) pairs in one go: every directory is
 * sorted once, where as many `set` calls would copy a directory per entry
 * added. Parent directories are implied. Throws "exists" if a path is given
 * twice or is both a node and a parent of another, "bad-path" for bad paths.
 *
 * @example
 * const root = treeFromPaths([
 *   ["bin/busybox", blob(elfBytes)],
 *   ["etc/hostname", blob("fx86\n")],
 *   ["tmp", EMPTY_DIR],
 * ]);
 */
export function treeFromPaths(
  entries: Iterable<readonly [TreePath, TreeNode]>,
): DirNode {
  const top: Draft = new Map();
  for (const [path, node] of entries) {
    const names = parsePath(path);
    if (names.length === 0) {
      throw new TreeError(
        "bad-path",
        "treeFromPaths needs paths below the root, not the root itself.",
      );
    }
    let draft = top;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const there = draft.get(name);
      if (i === names.length - 1) {
        if (there) throw clash(path);
        draft.set(name, node);
      } else if (there === undefined) {
        const sub: Draft = new Map();
        draft.set(name, sub);
        draft = sub;
      } else if (there instanceof Map) {
        draft = there;
      } else {
        throw clash(path);
      }
    }
  }
  return finish(top);
}

function clash(path: TreePath): TreeError {
  return new TreeError(
    "exists",
    `Path ${
      JSON.stringify(showPath(path))
    } clashes with another entry of the same tree.`,
  );
}

function finish(draft: Draft): DirNode {
  const entries: [string, TreeNode][] = [];
  for (const [name, v] of draft) {
    entries.push([name, v instanceof Map ? finish(v) : v]);
  }
  return dirFromEntries(entries);
}
