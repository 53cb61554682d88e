/**
 * What a debugging session shows, as plain data: the contract between the
 * session (core/session, which owns the guests, the timeline and the
 * command language) and its front ends (the REPL prints text; the shell,
 * cli/shell, renders these rows as panels). Front ends never touch guests
 * directly: they read a `ShellView` and send command lines.
 */

/** One guest of the host tree, in depth-first display order. */
export interface GuestRow {
  /** Stable id: the top-level guest's name, then the tree path of each sub-guest, e.g. "nest/fs/child/fs/child". */
  id: string;
  /** Short name for display, e.g. "nest" or "/child". */
  label: string;
  /** 0 for a top-level guest, 1 for its sub-guests, … */
  depth: number;
  /** "new", "running" (inside a RUN now), "budget", "exited", "fault". */
  status: string;
  exitCode: number | null;
  /** Instructions charged so far (its own and its sub-guests'). */
  instructions: number;
  /** The budget it runs under (its manifest budget, or the RUN budget its parent gave it); null: none. */
  budget: number | null;
  /** Instructions left of that budget; null: unlimited. */
  budgetLeft: number | null;
  /** True for the guest executing instructions now (the innermost one inside RUNs). */
  active: boolean;
}

/** A register of the selected guest. */
export interface RegisterRow {
  name: string;
  value: number;
  /** Changed by the last command that moved execution. */
  changed: boolean;
}

/**
 * An SSE register of the selected guest: MXCSR (one dword) or XMM0..XMM7
 * (four dwords, most significant first, as the register reads in hex).
 */
export interface VectorRow {
  name: string;
  dwords: number[];
  /** Changed by the last command that moved execution. */
  changed: boolean;
}

/** A flag of EFLAGS. */
export interface FlagRow {
  name: string;
  set: boolean;
  changed: boolean;
}

/** One disassembled instruction. */
export interface DisasmRow {
  address: number;
  /** Hex bytes, e.g. "0f 0a 00". */
  bytes: string;
  /** Intel syntax, e.g. "mov eax, [ebx+4]"; "(bad)" or "(unmapped)" when it cannot be decoded. */
  text: string;
  /** EIP is here. */
  current: boolean;
  /** An address breakpoint is set here. */
  breakpoint: boolean;
  /** The symbol it is in, gdb style: "main", "main+12"; "" without symbols. */
  label: string;
  /** A branch's target as a symbol ("puts" for `call 0x08049abc`); "" if none. */
  targetLabel: string;
}

/** 16 bytes of memory. */
export interface MemoryRow {
  address: number;
  /** null for an unmapped byte. */
  bytes: (number | null)[];
}

/** An entry of a directory of the selected guest's data tree. */
export interface TreeRow {
  name: string;
  kind: "dir" | "blob";
  /** Bytes for a blob, entries for a directory. */
  size: number;
  /** The directory is a sub-guest. */
  guest: boolean;
}

/** The selected top-level guest's timeline. */
export interface TimelineView {
  /** Instructions charged at the current position. */
  position: number;
  /** The furthest position reached so far. */
  end: number;
  /** Instruction counts of the kept checkpoints. */
  checkpoints: number[];
}

/** Everything a front end shows, at one moment. */
export interface ShellView {
  guests: GuestRow[];
  /** Id of the selected guest. */
  selected: string;
  registers: RegisterRow[];
  flags: FlagRow[];
  /** MXCSR, then XMM0..XMM7. */
  vectors: VectorRow[];
  disasm: DisasmRow[];
  memory: MemoryRow[];
  /** Path shown in the tree panel (a path in the selected guest's subtree, "" for its root). */
  treePath: string;
  tree: TreeRow[];
  timeline: TimelineView;
  /** The tail of the selected guest's stdout, then its stderr after a "--- stderr ---" line (the tree keeps them apart). */
  output: string;
  /** Breakpoints, one line each, e.g. "1 address 0x08049000 in nest/fs/child". */
  breakpoints: string[];
  /** Why execution last stopped, one line, e.g. "breakpoint 1: RUN entry of nest/fs/child". */
  lastStop: string;
  /** Set while a long command runs: instructions done of those asked (null: until a stop). */
  progress: { done: number; total: number | null } | null;
}

/** How much of each panel a front end wants. */
export interface ViewOptions {
  /** Disassembly rows, centred on EIP (default 16). */
  disasmRows?: number;
  /** Memory rows of 16 bytes (default 8). */
  memoryRows?: number;
  /** Characters of output to keep (default 4000). */
  outputChars?: number;
}

/** The result of one command line. */
export interface CommandOutput {
  ok: boolean;
  /** What the command prints; for a failure, one line saying what is wrong. */
  text: string;
  /** The command was `quit`: the front end should end. */
  quit?: boolean;
}

/** Hooks for a command that may run long (run, continue, goto, …). */
export interface ExecuteOptions {
  /** Aborting stops execution at the next chunk boundary; the state stays consistent (a budget stop). */
  signal?: AbortSignal;
  /** Called between chunks with instructions done so far. */
  onProgress?: (done: number, total: number | null) => void;
}
