/**
 * The host tree as the session sees it: top-level guests and, inside each
 * guest's file tree, its sub-guests, recursively; and which sub-guest a
 * guest stopped inside RUN is running (the "active chain").
 */
import { EBX, ECX, EDX } from "../cpu/state.ts";
import { findSubGuests, fx86Vm, type GuestResult } from "../manifest/mod.ts";
import { getTreeAt, readPath } from "../linux/treeops.ts";
import { type DirNode, get } from "../tree/mod.ts";
import { Guest, type GuestStatus } from "../vm/guest.ts";

/** One guest of the host tree. */
export interface GuestNode {
  /** The top-level guest's name, then the tree path: "nest/fs/child". */
  id: string;
  /** Tree path below the top-level guest ("" for it), as the engine's guest ids. */
  path: string;
  depth: number;
  tree: DirNode;
  status: GuestStatus;
  parent: GuestNode | null;
  children: GuestNode[];
}

/**
 * The guests of one top-level guest subtree, depth first.
 *
 * @example
 * const top = guestNodes("nest", tree);
 * top.children[0].id; // "nest/fs/child"
 */
export function guestNodes(name: string, tree: DirNode): GuestNode {
  const top: GuestNode = {
    id: name,
    path: "",
    depth: 0,
    tree,
    status: fx86Vm.readStatus(tree) as GuestStatus,
    parent: null,
    children: [],
  };
  const attach = (node: GuestNode, results: GuestResult[]) => {
    for (const r of results) {
      const path = r.names.slice(1).join("/");
      const child: GuestNode = {
        id: r.path,
        path,
        depth: node.depth + 1,
        tree: get(tree, r.names.slice(1)) as DirNode,
        status: r.status as GuestStatus,
        parent: node,
        children: [],
      };
      node.children.push(child);
      attach(child, r.children);
    }
  };
  attach(top, findSubGuests(tree, [name], fx86Vm));
  return top;
}

/** Every node below and including `node`, depth first. */
export function flatten(node: GuestNode): GuestNode[] {
  const out: GuestNode[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/** Restores guests from subtrees for inspection, keeping the last few. */
export class GuestCache {
  private readonly byHash = new Map<string, Guest>();

  /** A guest restored from `tree`: read it, never run or change it. */
  guest(tree: DirNode): Guest {
    const key = tree.hash;
    let g = this.byHash.get(key);
    if (!g) {
      g = Guest.fromTree(tree);
      if (this.byHash.size >= 16) this.byHash.delete(this.byHash.keys().next().value!);
      this.byHash.set(key, g);
    }
    return g;
  }
}

/**
 * The sub-guest a guest stopped inside RUN is running, with what is left of
 * the RUN budget (EDX:ECX); undefined if it is not inside RUN.
 */
export function runningChild(node: GuestNode, cache: GuestCache): { child: GuestNode; left: number } | undefined {
  if (node.status.in_run !== true) return undefined;
  const g = cache.guest(node.tree);
  let target;
  try {
    target = getTreeAt(g.linux, readPath(g.mem, g.cpu.r[EBX]));
  } catch {
    return undefined;
  }
  const child = node.children.find((c) => c.tree.hash === target.hash);
  if (!child) return undefined;
  return { child, left: (g.cpu.r[ECX] >>> 0) + (g.cpu.r[EDX] >>> 0) * 0x100000000 };
}

/**
 * The chain of guests from the top-level one to the innermost one inside
 * RUNs (the one executing instructions), with the RUN budget left of each.
 */
export function activeChain(top: GuestNode, cache: GuestCache): { node: GuestNode; left: number | null }[] {
  const chain: { node: GuestNode; left: number | null }[] = [{ node: top, left: null }];
  for (;;) {
    const next = runningChild(chain[chain.length - 1].node, cache);
    if (!next) return chain;
    chain.push({ node: next.child, left: next.left });
  }
}
