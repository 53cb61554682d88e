/**
 * Commands over the on-disk store: snapshot, restore, diff. A snapshot of
 * a session is its machine's top-level guest subtree (sub-guests inside),
 * stored like `fx86 exec --save` stores one, so `fx86 resume` continues it.
 */
import { checkSaveName, snapshotCheckpoints, type Store } from "../../store/mod.ts";
import type { DirNode } from "../../tree/mod.ts";
import { diffGuestStates, formatGuestStateDiff, isEmptyDiff } from "../../vm/state-diff.ts";
import { isGuestTree } from "../../vm/guest.ts";
import { checkpointsToTree } from "../../vm/timeline.ts";
import type { Command } from "../command.ts";
import { CommandError } from "../errors.ts";
import { parseCount } from "../numbers.ts";
import type { SessionState } from "../state.ts";
import { report } from "./run.ts";

function openStore(s: SessionState): Store {
  if (!s.options.store) throw new CommandError("no store: this session was started without one");
  return s.options.store();
}

function snapshotNames(s: SessionState): string[] {
  try {
    return openStore(s).snapshotNames();
  } catch {
    return [];
  }
}

export const snapshot: Command = {
  name: "snapshot",
  args: "NAME",
  summary: "store the machine (the selected guest's top-level guest, sub-guests inside) as snapshot NAME",
  details: "The store is --store DIR, else $FX86_HOME, else .fx86. The machine's history up to now goes with it: " +
    "`fx86 goto NAME N` and `fx86 back NAME` travel in it, and `restore NAME` brings it back. " +
    "`fx86 resume NAME` continues it; `fx86 verify NAME` replays it from the start of the history. " +
    "A NAME that exists already is refused (as --save refuses it): remove it first (fx86 snapshot rm NAME).",
  complete: (s, i) => (i === 0 ? snapshotNames(s) : []),
  run(s, args) {
    if (args.length !== 1) throw new CommandError("usage: snapshot NAME");
    const m = s.machine();
    const store = openStore(s);
    checkSaveName(store, args[0]);
    const tree = m.tree();
    const past = m.timeline.checkpoints.filter((c) => c.at <= m.position);
    const start = past[0];
    const timeline = checkpointsToTree(past);
    store.putTree(timeline);
    store.putTree(tree);
    store.putSnapshot(args[0], {
      root: tree.hash,
      origin: null,
      start: start.tree.hash,
      budget_used: m.position - start.at,
      instructions: m.position,
      status: m.guest.status.status,
      time_ms: 0,
      runtime: s.options.runtime ?? "unknown",
      created: new Date().toISOString(),
      timeline: timeline.hash,
      checkpoint_every: s.every,
    });
    return `snapshot ${args[0]}: ${m.name} at instruction ${m.position}, root ${tree.hash.slice(0, 16)}`;
  },
};

export const restore: Command = {
  name: "restore",
  args: "NAME",
  summary: "replace the machine with snapshot NAME, and its history with the snapshot's",
  details: "A snapshot of one guest replaces the selected guest's machine (keeping its name and budget); " +
    "back and goto then reach every instruction the snapshot's stored history covers (its timeline, " +
    "from a session's snapshot or exec --checkpoint-every, and its start). " +
    "a snapshot of a host tree (fx86 run --save) replaces every loaded guest.",
  moves: true,
  complete: (s, i) => (i === 0 ? snapshotNames(s) : []),
  run(s, args) {
    if (args.length !== 1) throw new CommandError("usage: restore NAME");
    const store = openStore(s);
    const { meta, tree } = store.loadSnapshot(args[0]);
    if (tree.kind !== "dir") throw new CommandError(`snapshot ${args[0]} is a blob, not a guest`);
    const host: DirNode = tree;
    if (isGuestTree(tree)) {
      const m = s.machines.length > 0 ? s.machine() : undefined;
      const name = m?.name ?? args[0];
      const fresh = s.newMachine(name, tree, m?.budget ?? null, snapshotCheckpoints(store, args[0], meta, tree));
      s.machines = m ? s.machines.map((x) => (x === m ? fresh : x)) : [fresh];
      s.selected = name;
    } else {
      const names = host.names.filter((n) => isGuestTree(host.get(n)!));
      if (names.length === 0) throw new CommandError(`snapshot ${args[0]} holds no guest`);
      s.machines = names.map((n) => s.newMachine(n, host.get(n) as DirNode, null));
      s.selected = names[0];
      s.breakpoints.clear();
    }
    s.pinned = false;
    s.lastStop = `restored ${args[0]}`;
    s.follow(s.machine());
    return `restored ${args[0]}\n${report(s, null)}`;
  },
};

/** A diff operand: `@N` (the machine at instruction N), `now`, or a snapshot name. */
function operand(s: SessionState, text: string): DirNode {
  if (text === "now") return s.machine().tree();
  if (text.startsWith("@")) {
    const m = s.machine();
    const n = parseCount(text.slice(1), "@N");
    if (n > m.end) throw new CommandError(`instruction ${n} has not been reached (the furthest is ${m.end})`);
    return m.stateAt(n);
  }
  const { tree } = openStore(s).loadSnapshot(text);
  if (tree.kind !== "dir") throw new CommandError(`snapshot ${text} is a blob, not a guest`);
  return tree;
}

export const diff: Command = {
  name: "diff",
  args: "A B",
  summary: "what changed from A to B: registers, pages, files, other state, sub-guests (recursively)",
  details: "A and B: snapshot names, `@N` (the machine at instruction N of its history) or `now`.",
  complete: (s, i) => (i <= 1 ? ["now", ...snapshotNames(s)] : []),
  run(s, args) {
    if (args.length !== 2) throw new CommandError("usage: diff A B");
    const d = diffGuestStates(operand(s, args[0]), operand(s, args[1]));
    return isEmptyDiff(d) ? "no differences" : formatGuestStateDiff(d).replace(/\n$/, "");
  },
};
