/**
 * The session's state as view rows (view.ts): what both the shell's panels
 * and the REPL's text are made of.
 */
import { eflags } from "../cpu/flags.ts";
import { type DirNode, get } from "../tree/mod.ts";
import { isGuestTree } from "../vm/guest.ts";
import { CommandError } from "./errors.ts";
import { flatten } from "./hierarchy.ts";
import { disasmAround } from "./inspect.ts";
import { FLAG_BITS, REGISTER_NAMES } from "./registers.ts";
import { labelOf, type SessionState } from "./state.ts";
import { vectorValues } from "./vector-registers.ts";
import type { DisasmRow, FlagRow, GuestRow, RegisterRow, TreeRow, VectorRow } from "./view.ts";

/**
 * The host tree, one row per guest, depth first.
 *
 * @example
 * guestRows(state).map((r) => r.id); // ["nest", "nest/fs/child", "nest/fs/child/fs/child"]
 */
export function guestRows(s: SessionState): GuestRow[] {
  const current = s.machines.length > 0 ? s.machine() : undefined;
  return s.machines.flatMap((m) => {
    const top = s.nodes(m);
    const chain = s.chain(m);
    const onChain = new Map(chain.map((c) => [c.node.id, c.left]));
    const active = chain[chain.length - 1].node.id;
    return flatten(top).map((n): GuestRow => {
      const running = n.depth > 0 && onChain.has(n.id);
      return {
        id: n.id,
        label: labelOf(n),
        depth: n.depth,
        status: running ? "running" : n.status.status,
        exitCode: n.status.exit_code,
        instructions: n.status.instructions,
        budget: n.depth === 0 ? m.budget : null,
        budgetLeft: n.depth === 0 ? (m.budget === null ? null : m.budgetLeft) : (onChain.get(n.id) ?? null),
        active: m === current && n.id === active,
      };
    });
  });
}

/** The selected guest's registers; `changed` against the values before the last move. */
export function registerRows(s: SessionState): RegisterRow[] {
  const node = s.selectedNode();
  const now = s.registers(node);
  return REGISTER_NAMES.map((name) => {
    const value = now.get(name)!;
    const before = s.previous.get(node.id)?.get(name);
    return { name, value, changed: before !== undefined && before !== value };
  });
}

/** The selected guest's MXCSR and XMM registers, marked where the last move changed them. */
export function vectorRows(s: SessionState): VectorRow[] {
  const node = s.selectedNode();
  const before = s.previousVectors.get(node.id);
  return [...vectorValues(s.guestOf(node).cpu)].map(([name, dwords]) => {
    const then = before?.get(name);
    return { name, dwords, changed: then !== undefined && then !== dwords.join(" ") };
  });
}

/** The selected guest's flags. */
export function flagRows(s: SessionState): FlagRow[] {
  const node = s.selectedNode();
  const now = eflags(s.guestOf(node).cpu);
  const before = s.previous.get(node.id)?.get("eflags");
  return FLAG_BITS.map(([name, bit]) => ({
    name,
    set: (now & bit) !== 0,
    changed: before !== undefined && ((before ^ now) & bit) !== 0,
  }));
}

/** Disassembly around the selected guest's EIP. */
export function disasmRows(s: SessionState, rows: number): DisasmRow[] {
  const node = s.selectedNode();
  const g = s.guestOf(node);
  return disasmAround(g.mem, g.cpu.eip, rows, s.breakpoints.addresses(node.id), s.symbols(node));
}

/**
 * The node at `path` in a guest subtree; throws a one-line CommandError.
 *
 * @example
 * nodeAt(tree, "fs/child/status");
 */
export function nodeAt(tree: DirNode, path: string) {
  const clean = path.replace(/^\/+|\/+$/g, "");
  try {
    return clean === "" ? tree : get(tree, clean);
  } catch {
    throw new CommandError(`no node "${path}" in the selected guest's tree`);
  }
}

/** The entries of a directory of the selected guest's subtree. */
export function treeRows(tree: DirNode, path: string): TreeRow[] {
  const dir = nodeAt(tree, path);
  if (dir.kind !== "dir") throw new CommandError(`"${path}" is a blob, not a directory; use tree cat`);
  return dir.names.map((name, i) => {
    const child = dir.children[i];
    return { name, kind: child.kind, size: child.size, guest: isGuestTree(child) };
  });
}
