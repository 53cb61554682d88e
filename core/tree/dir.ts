import { encodeDir } from "./encoding.ts";
import { TreeError } from "./errors.ts";
import { hashStats, sha256, toHex } from "./hash.ts";
import { checkName, compareNames } from "./names.ts";
import type { TreeNode } from "./node.ts";

/**
 * An immutable directory: names mapped to nodes, kept sorted by the UTF-8
 * bytes of the names (the canonical order), in two parallel arrays. Lookup is
 * a binary search; an update copies the arrays once (no re-sorting), and
 * replacing an existing entry even keeps the names array, so all versions of
 * a memory radix level derived from one another share one names array (and
 * diff lines them up by index). The hash is computed on first request and
 * cached.
 *
 * Create directories with {@link dirFromEntries} or from {@link EMPTY_DIR}.
 *
 * @example
 * const d = EMPTY_DIR.with("b", blob("2")).with("a", blob("1"));
 * d.names; // ["a", "b"]
 * d.get("a")?.kind; // "blob"
 */
export class DirNode {
  #digest: Uint8Array | undefined;
  #hash: string | undefined;
  /** Entry nodes, parallel to `names`; undefined where a lazy entry is not loaded yet. */
  #slots: (TreeNode | undefined)[];
  /** For a lazy directory: the digests of its entries (read where a slot is empty). */
  #digests: readonly (Uint8Array | undefined)[] | undefined;
  /** For a lazy directory: loads the node with a digest (see {@link DirNode.lazy}). */
  #load: ((digest: Uint8Array) => TreeNode) | undefined;

  /**
   * Internal: trusts that `names` are valid, unique and sorted with
   * compareNames, that children match them, and that `digest` (if given) is
   * the right hash. Public code builds directories through the checked
   * functions, which is why mod.ts exports this class as a type only.
   */
  constructor(
    /** Entry names in canonical order; must not be mutated. */
    readonly names: readonly string[],
    children: readonly TreeNode[],
    digest?: Uint8Array,
  ) {
    this.#digest = digest;
    this.#slots = children as TreeNode[];
  }

  /**
   * Internal: a directory whose entries are loaded on first access, one by
   * one, by `load(digest)` (a store reading and verifying the object). Its
   * hash is `digest`, and an entry's hash is known without loading it, so
   * hashing, encoding and diffing do not load what they skip. Trusts what
   * `decodeLazy` checked: names canonical, `digests` parallel to them.
   */
  static lazy(
    names: readonly string[],
    digests: readonly Uint8Array[],
    digest: Uint8Array,
    load: (digest: Uint8Array) => TreeNode,
  ): DirNode {
    const dir = new DirNode(names, new Array<TreeNode>(names.length), digest);
    dir.#digests = digests;
    dir.#load = load;
    return dir;
  }

  /** Entry nodes, parallel to `names` (a lazy directory loads them all); must not be mutated. */
  get children(): readonly TreeNode[] {
    if (this.#load) {
      for (let i = 0; i < this.#slots.length; i++) this.childAt(i);
      this.#load = this.#digests = undefined;
    }
    return this.#slots as TreeNode[];
  }

  /**
   * The entry at index `i` (in `names` order), loading only it if this
   * directory is lazy.
   *
   * @example
   * dir.childAt(0) === dir.get(dir.names[0]); // true
   */
  childAt(i: number): TreeNode {
    let node = this.#slots[i];
    if (node === undefined) {
      node = this.#load!(this.#digests![i]!);
      this.#slots[i] = node;
    }
    return node;
  }

  /**
   * True if the entry at index `i` is in memory (always, unless this
   * directory is lazy and the entry was never asked for).
   */
  isLoaded(i: number): boolean {
    return this.#slots[i] !== undefined;
  }

  /**
   * The digest of the entry at index `i`, without loading it if it is a
   * lazy entry not loaded yet (a loaded one is hashed if needed).
   *
   * @example
   * encodeDir(dir); // reads every childDigest, loads nothing
   */
  childDigest(i: number): Uint8Array {
    return this.#slots[i]?.digest ?? this.#digests![i]!;
  }

  /** True if entries are still loaded on demand. */
  get isLazy(): boolean {
    return this.#load !== undefined;
  }

  /** A directory with these slots, lazy like this one where slots are empty. */
  #derive(names: readonly string[], slots: (TreeNode | undefined)[], digests?: (Uint8Array | undefined)[]): DirNode {
    const dir = new DirNode(names, slots as TreeNode[]);
    if (this.#load) {
      dir.#digests = digests ?? this.#digests;
      dir.#load = this.#load;
    }
    return dir;
  }

  /** Always "dir"; tells directories from blobs. */
  get kind(): "dir" {
    return "dir";
  }

  /** Number of entries. */
  get size(): number {
    return this.names.length;
  }

  /** SHA-256 of the canonical encoding (see docs/tree.md), computed once. */
  get digest(): Uint8Array {
    if (!this.#digest) DirNode.#hashBelow(this);
    return this.#digest!;
  }

  /**
   * Hashes `top` and every directory below it that is not hashed yet,
   * children before parents. An explicit stack instead of recursion, because
   * a guest can nest directories a million deep in O(1) per level (copying
   * the root into itself), which would overflow the host's call stack.
   */
  static #hashBelow(top: DirNode): void {
    const stack: DirNode[] = [top];
    while (stack.length > 0) {
      const dir = stack[stack.length - 1];
      if (dir.#digest) {
        stack.pop();
        continue;
      }
      const depth = stack.length;
      // Entries not loaded are hashed already (their digest is known).
      for (const child of dir.#slots) {
        if (child?.kind === "dir" && !child.#digest) stack.push(child);
      }
      if (stack.length === depth) {
        // Every child directory is hashed; blobs hash without recursion.
        dir.#digest = sha256(encodeDir(dir));
        hashStats.dirs++;
        stack.pop();
      }
    }
  }

  /** {@link digest} as 64 lower-case hexadecimal digits. */
  get hash(): string {
    return this.#hash ??= toHex(this.digest);
  }

  /** True once the hash has been computed, so asking for it costs nothing. */
  get isHashed(): boolean {
    return this.#digest !== undefined;
  }

  /**
   * The node named `name`, or undefined.
   *
   * @example
   * dirFromEntries({ a: blob("1") }).get("a"); // the blob
   */
  get(name: string): TreeNode | undefined {
    const i = this.#search(name);
    return i >= 0 ? this.childAt(i) : undefined;
  }

  /**
   * The index of the entry named `name` (for childAt, isLoaded), or -1.
   *
   * @example
   * dirFromEntries({ a: blob("1"), b: blob("2") }).indexOf("b"); // 1
   */
  indexOf(name: string): number {
    return this.#search(name);
  }

  /**
   * True if there is an entry named `name`.
   *
   * @example
   * EMPTY_DIR.has("a"); // false
   */
  has(name: string): boolean {
    return this.#search(name) >= 0;
  }

  /**
   * A directory with `name` set to `node` (added or replaced). Setting the
   * node already there returns this directory, so unchanged trees stay
   * identical objects. Throws "bad-path" for an invalid name.
   *
   * @example
   * const d2 = d.with("x", blob("new")); // d is unchanged
   */
  with(name: string, node: TreeNode): DirNode {
    const i = this.#search(name);
    if (i >= 0) {
      if (this.#slots[i] === node) return this;
      return this.#derive(this.names, this.#slots.with(i, node));
    }
    checkName(name);
    const at = ~i;
    return this.#derive(
      this.names.toSpliced(at, 0, name),
      this.#slots.toSpliced(at, 0, node),
      this.#digests?.toSpliced(at, 0, undefined),
    );
  }

  /**
   * A directory without the entry `name`; this directory if there is none.
   *
   * @example
   * dirFromEntries({ a: blob("1") }).without("a").size; // 0
   */
  without(name: string): DirNode {
    const i = this.#search(name);
    if (i < 0) return this;
    return this.#derive(
      this.names.toSpliced(i, 1),
      this.#slots.toSpliced(i, 1),
      this.#digests?.toSpliced(i, 1),
    );
  }

  /**
   * A directory with many entries set (a node) or removed (undefined) at
   * once: one merge, O(size + changes log changes), where as many calls to
   * `with` would copy the arrays each time. Entries not named stay as they
   * are, unloaded if this directory is lazy. Returns this directory if
   * nothing changes.
   *
   * @example
   * const d2 = d.patch([["a", blob("new")], ["b", undefined]]); // set a, remove b
   */
  patch(changes: Iterable<readonly [string, TreeNode | undefined]>): DirNode {
    const list = [...changes];
    for (const [name] of list) checkName(name);
    list.sort((a, b) => compareNames(a[0], b[0]));
    const names: string[] = [], slots: (TreeNode | undefined)[] = [];
    const digests: (Uint8Array | undefined)[] | undefined = this.#digests ? [] : undefined;
    let changed = false, i = 0;
    const keep = (upTo: number) => {
      for (; i < upTo; i++) {
        names.push(this.names[i]);
        slots.push(this.#slots[i]);
        digests?.push(this.#digests![i]);
      }
    };
    for (let k = 0; k < list.length; k++) {
      const [name, node] = list[k];
      if (k + 1 < list.length && list[k + 1][0] === name) {
        throw new TreeError("exists", `Name ${JSON.stringify(name)} appears twice in one patch.`);
      }
      const at = this.#search(name);
      keep(at >= 0 ? at : ~at);
      if (at >= 0) {
        i++;
        if (node === this.#slots[at]) {
          names.push(name);
          slots.push(node);
          digests?.push(this.#digests![at]);
          continue;
        }
      }
      if (node === undefined) {
        changed ||= at >= 0;
        continue;
      }
      changed = true;
      names.push(name);
      slots.push(node);
      digests?.push(undefined);
    }
    keep(this.names.length);
    return changed ? this.#derive(names, slots, digests) : this;
  }

  /**
   * The entries as [name, node] pairs in canonical order.
   *
   * @example
   * for (const [name, node] of dir.entries()) console.log(name, node.kind);
   */
  *entries(): IterableIterator<[string, TreeNode]> {
    for (let i = 0; i < this.names.length; i++) {
      yield [this.names[i], this.childAt(i)];
    }
  }

  /** Index of `name`, or the one's complement of where it would be inserted. */
  #search(name: string): number {
    const names = this.names;
    let lo = 0;
    let hi = names.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareNames(names[mid], name);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return ~lo;
  }
}

/**
 * The empty directory. There is only ever need for one.
 *
 * @example
 * const root = EMPTY_DIR.with("hello.txt", blob("hi"));
 */
export const EMPTY_DIR: DirNode = new DirNode([], []);

/**
 * Builds a directory from many entries at once: validates the names, sorts
 * once (O(n log n)) and rejects duplicates with "exists". Much cheaper than
 * n calls to `with`, which copy the arrays each time.
 *
 * @example
 * const zero = blob(new Uint8Array(4096));
 * const level = dirFromEntries(
 *   Array.from({ length: 1024 }, (_, i) => [i.toString(16).padStart(3, "0"), zero]),
 * );
 * dirFromEntries({ "README": blob("hi"), bin: EMPTY_DIR });
 */
export function dirFromEntries(
  entries: Iterable<readonly [string, TreeNode]> | Record<string, TreeNode>,
): DirNode {
  const list: (readonly [string, TreeNode])[] = Symbol.iterator in entries
    ? [...(entries as Iterable<readonly [string, TreeNode]>)]
    : Object.entries(entries as Record<string, TreeNode>);
  for (const [name] of list) checkName(name);
  list.sort((a, b) => compareNames(a[0], b[0]));
  const names = new Array<string>(list.length);
  const children = new Array<TreeNode>(list.length);
  for (let i = 0; i < list.length; i++) {
    if (i > 0 && list[i][0] === list[i - 1][0]) {
      throw new TreeError(
        "exists",
        `Name ${JSON.stringify(list[i][0])} appears twice in one directory.`,
      );
    }
    names[i] = list[i][0];
    children[i] = list[i][1];
  }
  return new DirNode(names, children);
}
