/**
 * The part of the VM a manifest needs: make a guest subtree that has not
 * run yet, run a guest subtree with a budget, recognise guest subtrees and
 * read their status. An interface, so the manifest code can be tested
 * with a stand-in; `fx86Vm` (vm-fx86.ts) is the real engine.
 */
import type { DirNode, TreeNode } from "../tree/mod.ts";
import type { Quota } from "../linux/quota.ts";

/** A new guest subtree (docs/guest-state.md). */
export interface NewGuest {
  program: Uint8Array;
  /** argv, including argv[0]. */
  argv: string[];
  /** NAME=value strings; undefined means the VM's default environment. */
  env?: string[];
  /** The guest's file tree (sub-guests are directories inside it). */
  fs?: DirNode;
  stdin?: Uint8Array;
  seed?: string;
  /** Its file and memory limits (core/linux/quota.ts); the defaults for those not given. */
  quota?: Partial<Quota>;
}

/** Why a run stopped. */
export interface RunStop {
  status: string;
  exitCode: number | null;
  /** Instructions retired during this run. */
  retired: number;
}

/** A guest being run. */
export interface RunningGuest {
  /** Runs at most `budget` more instructions (Infinity: no limit). Splitting a run never changes its result. */
  run(budget: number): RunStop;
  /** The guest's state now, as a subtree. */
  toTree(): DirNode;
  /** Instructions charged so far (its own and its sub-guests'). */
  readonly instructions: number;
}

/** The `status` blob of a guest subtree. */
export interface GuestStatus {
  /** "new" (never run), "exited", "budget", "fault", … */
  status: string;
  exit_code: number | null;
  instructions: number;
  fault?: { kind?: string; eip?: number; address?: number; detail?: string } | null;
  /** Stopped by its budget while inside its own RUN (resuming continues its sub-guest). */
  in_run?: boolean;
}

/** The VM operations the manifest code uses. */
export interface GuestVm {
  /** Throws (one-line message) if the program is not a usable i386 ELF. */
  newGuestTree(opts: NewGuest): DirNode;
  fromTree(tree: DirNode): RunningGuest;
  isGuestTree(node: TreeNode): boolean;
  readStatus(tree: DirNode): GuestStatus;
}
