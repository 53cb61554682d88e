/**
 * What a debugging session holds and does: the loaded top-level guests
 * (machines) with their timelines, the selected guest, breakpoints, trace,
 * and running in chunks that can be interrupted. The command table
 * (commands.ts) drives it; `Session` (session.ts) is its public face.
 */
import { guestPathOf, installProgram } from "../linux/process/exe.ts";
import { contents } from "../linux/fs/contents.ts";
import { basename } from "node:path";
import { ElfError } from "../elf/elf.ts";
import { buildManifest, fx86Vm, type HostFiles, loadManifest, ManifestError, nodeHostFiles } from "../manifest/mod.ts";
import type { Store } from "../store/mod.ts";
import { isValidName } from "../tree/names.ts";
import { dirFromEntries, type DirNode } from "../tree/mod.ts";
import { Guest, newGuestTree, type Stop } from "../vm/guest.ts";
import { FileSystem } from "../linux/fs/filesystem.ts";
import { disassemble } from "../cpu/isa/disasm.ts";
import { type BreakSpec, BreakpointTable, describeHit, type NewBreak } from "./breakpoints.ts";
import { evaluate, type ExprScope } from "./expr.ts";
import { describeChange, type WatchChange, WatchScan } from "./watch.ts";
import type { BreakHit } from "../vm/debug.ts";
import { CommandError } from "./errors.ts";
import { activeChain, flatten, GuestCache, type GuestNode, guestNodes } from "./hierarchy.ts";
import { peek } from "./inspect.ts";
import { Machine } from "./machine.ts";
import type { Checkpoint, CheckpointLimit } from "../vm/timeline.ts";
import { hex32 } from "./numbers.ts";
import { readRegister, REGISTER_NAMES } from "./registers.ts";
import { vectorValues } from "./vector-registers.ts";
import { SymbolTable } from "../elf/symbols.ts";
import { lineTable, type LineRow } from "../elf/lines.ts";
import type { ExecuteOptions } from "./view.ts";
import type { LoadOptions } from "./command.ts";

/** How a session is set up. */
export interface SessionOptions {
  /** Where `load` reads manifests, programs and the files they name (default: the real host). */
  host?: HostFiles;
  /**
   * Copies a host directory as a guest's file system for `load --root`
   * (throws an Error whose message is one line); without it `--root` fails.
   * The CLI gives exec's, so a program loads with the tree `fx86 exec --root`
   * gives it.
   */
  rootFileSystem?: (dir: string) => FileSystem;
  /** Opens the snapshot store (throws StoreError, one line); without it snapshot/restore fail. */
  store?: () => Store;
  /** Checkpoint interval of the timelines, in instructions (default 1M). */
  every?: number;
  /** How much history each timeline keeps in memory (default 256 checkpoints, 256 MiB). */
  checkpointLimit?: CheckpointLimit;
  /** Instructions run between progress reports and interrupt checks (default 1M). */
  chunk?: number;
  /** Recorded in snapshots ("deno", "bun"). */
  runtime?: string;
}

/** Why a run of the machine ended. */
export interface RunEnd {
  stop: Stop;
  /** One line, e.g. "breakpoint 1: RUN entry of nest/fs/child". */
  reason: string;
  /** count: the instructions asked for ran; stop: the guest exited or faulted; budget: its manifest budget ran out. */
  kind: "count" | "stop" | "budget" | "break" | "interrupt";
  /** For kind "break": the user's breakpoint or watchpoint that stopped it (none for icount ones). */
  spec?: BreakSpec;
}

/** How `SessionState.run` runs. */
export interface RunHow {
  /** False: ignore breakpoints (goto). */
  breakpoints?: boolean;
  /** The session's own breakpoints for this run (next). */
  hidden?: NewBreak[];
  /** False: keep the registers recorded before an earlier run (a command made of several runs). */
  remember?: boolean;
  /** Decides whether a hit of a hidden breakpoint ends the run (true) or it goes on. */
  until?: (hit: BreakHit) => boolean;
  /**
   * Reverse execution's scan: each stop the run would make (a breakpoint
   * hit, at its position; a watchpoint change, at the position *before* the
   * instruction that made it) is passed here instead, and the run goes on
   * to its limit.
   */
  record?: (event: StopEvent) => void;
}

/** A stop a run met, for reverse execution. */
export interface StopEvent {
  /** The position to stop at. */
  at: number;
  reason: string;
  /** The user's breakpoint or watchpoint (none for the session's own, `RunHow.hidden`). */
  spec?: BreakSpec;
  /** The engine's hit, for a breakpoint (a forward run from there steps over it). */
  hit?: BreakHit;
  /** For a watchpoint: the change (values in run order) and the address of the instruction that made it. */
  change?: WatchChange;
  eip?: number;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The state of a session, shared by the commands.
 *
 * @example
 * const s = new SessionState({});
 * s.load("examples/nesting/nesting.yaml", []);
 * await s.run(s.machine(), 1000, {});
 */
export class SessionState {
  readonly host: HostFiles;
  readonly every: number;
  readonly chunk: number;
  machines: Machine[] = [];
  selected = "";
  /** The user chose `selected`: do not follow the active guest after stops. */
  pinned = false;
  lastStop = "";
  progress: { done: number; total: number | null } | null = null;
  tracing = false;
  /** Lines printed while the current command runs (trace lines, stepped instructions), in order. */
  printed: string[] = [];
  readonly breakpoints = new BreakpointTable();
  /** Registers of each guest of the machine before the last command that moved execution, by guest id. */
  previous = new Map<string, Map<string, number>>();
  /** MXCSR and XMM registers of each guest then, by guest id (vectorValues, dwords joined). */
  previousVectors = new Map<string, Map<string, string>>();
  memoryAddress: number | null = null;
  treePath = "";
  readonly cache = new GuestCache();
  busy = false;
  /** The symbols of each machine's program, by machine name (from `load`; a restore keeps them). */
  readonly symbolTables = new Map<string, SymbolTable>();
  private readonly lineTables = new Map<string, readonly LineRow[]>();
  /** Each machine's program file, by machine name (from `load`): its host path and bytes (gdb reads it). */
  readonly programs = new Map<string, { path: string; image: Uint8Array }>();

  constructor(readonly options: SessionOptions) {
    this.host = options.host ?? nodeHostFiles;
    this.every = options.every ?? 1_000_000;
    this.chunk = options.chunk ?? 1_000_000;
  }

  // ---- loading ---------------------------------------------------------------

  /**
   * Loads a manifest (.yaml/.yml) or an i386 ELF program with its
   * arguments (and its file system and input, from `opts`), replacing what
   * was loaded.
   */
  load(file: string, args: string[], opts: LoadOptions = {}): void {
    const trees: [string, DirNode, number | null][] = [];
    const programs = new Map<string, { path: string; image: Uint8Array }>();
    if (/\.ya?ml$/i.test(file)) {
      if (args.length > 0) throw new CommandError("load MANIFEST takes no arguments");
      if (opts.root !== undefined || opts.stdin !== undefined) {
        throw new CommandError("--root and --stdin are for a program: a manifest gives its guests' files and input itself");
      }
      let text: string;
      try {
        text = new TextDecoder().decode(this.host.readFile(file));
      } catch (e) {
        throw new CommandError(`cannot read manifest ${file}: ${reasonOf(e)}`);
      }
      try {
        const built = buildManifest(loadManifest(file, text), { vm: fx86Vm, host: this.host });
        for (const { name, guest } of built.manifest.guests) {
          trees.push([name, built.tree.get(name) as DirNode, guest.budget ?? null]);
          programs.set(name, { path: guest.program.path, image: this.host.readFile(guest.program.path) });
        }
      } catch (e) {
        if (e instanceof ManifestError) throw new CommandError(e.message);
        throw e;
      }
    } else {
      const fs = opts.root === undefined ? new FileSystem() : this.rootFileSystem(opts.root);
      // As fx86 exec: with a root, an absolute path naming one of its files is that file.
      const inRoot = opts.root !== undefined && file.startsWith("/") ? fs.find(file) : undefined;
      let program: Uint8Array;
      try {
        program = inRoot?.kind === "file" ? contents(inRoot) : this.host.readFile(file);
      } catch (e) {
        throw new CommandError(`cannot read program ${file}: ${reasonOf(e)}`);
      }
      const base = basename(file);
      const name = isValidName(base) ? base : "guest";
      let stdin: Uint8Array | undefined;
      if (opts.stdin !== undefined) {
        try {
          stdin = this.host.readFile(opts.stdin);
        } catch (e) {
          throw new CommandError(`cannot read stdin file ${opts.stdin}: ${reasonOf(e)}`);
        }
      }
      try {
        const execfn = inRoot ? file : undefined;
        // As fx86 exec: without a root, the program is installed in the standard layout.
        const exe = inRoot
          ? file
          : opts.root === undefined
          ? installProgram(fs, base, program)
          : guestPathOf(file, opts.root);
        trees.push([name, newGuestTree({ program, argv: [base, ...args], execfn, fs, stdin, exe }), null]);
        programs.set(name, { path: file, image: program });
      } catch (e) {
        if (e instanceof ElfError) throw new CommandError(`${file}: ${e.message}`);
        throw e;
      }
    }
    this.machines = trees.map(([name, tree, budget]) => this.newMachine(name, tree, budget));
    this.symbolTables.clear();
    this.lineTables.clear();
    this.programs.clear();
    for (const [name, program] of programs) {
      this.programs.set(name, program);
      this.symbolTables.set(name, SymbolTable.fromElf(program.image));
    }
    this.selected = this.machines[0].name;
    this.pinned = false;
    this.lastStop = "";
    this.memoryAddress = null;
    this.treePath = "";
    this.breakpoints.clear();
    this.previous.clear();
    this.previousVectors.clear();
  }

  private rootFileSystem(dir: string): FileSystem {
    const copy = this.options.rootFileSystem;
    if (!copy) throw new CommandError("--root is not available: this session cannot read host directories");
    try {
      return copy(dir);
    } catch (e) {
      throw new CommandError(reasonOf(e));
    }
  }

  /** A machine for a top-level guest subtree (load, restore), with its stored history if it has one. */
  newMachine(name: string, tree: DirNode, budget: number | null, checkpoints?: readonly Checkpoint[]): Machine {
    return new Machine(name, tree, budget, {
      every: this.every,
      limit: this.options.checkpointLimit ?? { count: 256, bytes: 256 * 2 ** 20 },
      restore: { trace: (line) => this.trace(name, line) },
    }, checkpoints);
  }

  /** Records a trace line of guest `id` while tracing. */
  trace(id: string, line: string): void {
    if (this.tracing) this.printed.push(`[${id}] ${line}`);
  }

  // ---- guests ----------------------------------------------------------------

  /** The machine the selected guest belongs to. */
  machine(): Machine {
    if (this.machines.length === 0) throw new CommandError("nothing loaded; use load MANIFEST or load PROGRAM");
    const top = this.selected.split("/")[0];
    return this.machines.find((m) => m.name === top) ?? this.machines[0];
  }

  /** The guest tree of a machine. */
  nodes(m: Machine): GuestNode {
    return guestNodes(m.name, m.tree());
  }

  /** The host tree: top-level guest name -> its subtree now (what `fx86 run` reports the root of). */
  hostTree(): DirNode {
    return dirFromEntries(Object.fromEntries(this.machines.map((m) => [m.name, m.tree()])));
  }

  /** Every guest of every machine, depth first. */
  allNodes(): GuestNode[] {
    return this.machines.flatMap((m) => flatten(this.nodes(m)));
  }

  /** The guest with id `id` (exact, a unique prefix, or a unique label such as "/child"). */
  find(id: string): GuestNode {
    const all = this.allNodes();
    const exact = all.find((n) => n.id === id);
    if (exact) return exact;
    const byPrefix = all.filter((n) => n.id.startsWith(id));
    if (byPrefix.length === 1) return byPrefix[0];
    const byLabel = all.filter((n) => labelOf(n) === id || labelOf(n) === "/" + id);
    if (byLabel.length === 1) return byLabel[0];
    const many = byPrefix.length > 1 ? byPrefix : byLabel;
    if (many.length > 1) throw new CommandError(`"${id}" is ambiguous: ${many.map((n) => n.id).join(", ")}`);
    throw new CommandError(`no guest "${id}"; guests: ${all.map((n) => n.id).join(", ")}`);
  }

  /** The selected guest (the machine's top-level guest if the selection has gone). */
  selectedNode(): GuestNode {
    const m = this.machine();
    const all = flatten(this.nodes(m));
    return all.find((n) => n.id === this.selected) ?? all[0];
  }

  /** A guest object to read a node's state from (the live one for a top-level guest). */
  guestOf(node: GuestNode): Guest {
    if (node.depth === 0) return this.machines.find((m) => m.name === node.id)!.guest;
    return this.cache.guest(node.tree);
  }

  /** The innermost running guest of a machine, with the chain that leads to it. */
  chain(m: Machine) {
    return activeChain(this.nodes(m), this.cache);
  }

  /** Register values of a node, by name. */
  registers(node: GuestNode): Map<string, number> {
    const c = this.guestOf(node).cpu;
    return new Map(REGISTER_NAMES.map((r) => [r, readRegister(c, r)!]));
  }

  /**
   * The symbols of a guest's program: its machine's for a top-level guest.
   * Sub-guests are loaded from their parent's tree (LOAD), whose program
   * the session does not know, so they have none.
   */
  symbols(node: GuestNode): SymbolTable {
    return node.depth === 0 ? this.symbolTables.get(node.id) ?? SymbolTable.EMPTY : SymbolTable.EMPTY;
  }

  /** The DWARF line table of a guest's program (top-level guests; empty without -g), read on first use. */
  lines(node: GuestNode): readonly LineRow[] {
    if (node.depth > 0) return [];
    const program = this.programs.get(node.id);
    if (!program) return [];
    let rows = this.lineTables.get(node.id);
    if (!rows) this.lineTables.set(node.id, rows = lineTable(program.image));
    return rows;
  }

  /**
   * What names mean in address expressions for a guest: its registers
   * (`esp`, gdb's `$esp`, any case), then its program's symbols (`main`).
   *
   * @example
   * parseAddress("main+12", s.names(s.selectedNode()));
   */
  names(node: GuestNode): (name: string) => number | undefined {
    return (name) => {
      const reg = readRegister(this.guestOf(node).cpu, name.toLowerCase());
      return reg ?? this.symbols(node).lookup(name)?.address;
    };
  }

  /** Records the registers of every guest of the machine, to mark what the next move changes. */
  remember(): void {
    const nodes = flatten(this.nodes(this.machine()));
    this.previous = new Map(nodes.map((n) => [n.id, this.registers(n)]));
    this.previousVectors = new Map(nodes.map((n) => [n.id, this.vectors(n)]));
  }

  /** MXCSR and XMM registers of a node, by name, each as its dwords joined (for comparing). */
  vectors(node: GuestNode): Map<string, string> {
    return new Map([...vectorValues(this.guestOf(node).cpu)].map(([name, dwords]) => [name, dwords.join(" ")]));
  }

  /** `[N] id 0xEIP: instruction` for a node. */
  where(node: GuestNode, position: number): string {
    const g = this.guestOf(node);
    return `[${position}] ${node.id} ${hex32(g.cpu.eip)}: ${instructionAt(g, g.cpu.eip)}`;
  }

  // ---- running ---------------------------------------------------------------

  /**
   * Runs the selected machine for at most `limit` instructions (Infinity:
   * until it stops), in chunks: progress and interrupts are seen between
   * chunks, and the event loop gets a turn. Stops at breakpoints, at the
   * machine's budget and at `icount` breakpoints.
   */
  async run(m: Machine, limit: number, opts: ExecuteOptions, how: RunHow = {}): Promise<RunEnd> {
    const breaks = how.breakpoints !== false;
    const start = m.position;
    const total = Number.isFinite(limit) ? limit : null;
    if (how.remember !== false) this.remember();
    this.progress = { done: 0, total };
    // Trace catches every system call, to give sub-guests RUN creates their trace hooks.
    this.breakpoints.setHidden([...(how.hidden ?? []), ...(this.tracing && breaks ? [{ kind: "syscall" as const }] : [])]);
    const watched = breaks ? this.breakpoints.watches(m.name) : [];
    const watch = watched.length > 0 ? new WatchScan(watched) : undefined;
    try {
      for (;;) {
        const done = m.position - start;
        const icount = breaks ? this.breakpoints.nextCount(m.position) : Infinity;
        let n = Math.min(this.chunk, limit - done, m.budgetLeft, icount - m.position);
        // A checkpoint takes the memory's change list: a watched chunk ends before the next one, and
        // the instruction that reaches it is a chunk of its own, checked by comparing values.
        const toMark = (Math.floor(m.position / m.timeline.every) + 1) * m.timeline.every - m.position;
        if (watch) n = Math.min(n, toMark > 1 ? toMark - 1 : 1);
        if (n <= 0) return this.end(m, m.guest.run(0), start, limit);
        if (this.tracing) this.hookTrace(m.guest, m.name);
        if (breaks) this.breakpoints.attach(m);
        else this.breakpoints.detach(m);
        const from = m.position;
        watch?.arm(m.guest);
        const stop = m.timeline.run(n);
        m.end = Math.max(m.end, m.position);
        if (watch && (n === 1 ? watch.differs(m.guest) : watch.touched(m.guest))) {
          const hit = this.replayWatched(m, watch, from, how);
          if (hit) return hit;
        }
        this.progress = { done: m.position - start, total };
        opts.onProgress?.(m.position - start, total);
        if (stop.break) {
          const node = this.nodeOfHit(m, stop.break.guest);
          const specs = this.breakpoints.matches(stop.break, m).filter((b) => this.conditionHolds(b, node));
          if (specs.length > 0) {
            const reason = `breakpoint ${specs[0].id}: ${describeHit(stop.break, m.name)}`;
            if (how.record) {
              how.record({ at: m.position, reason, spec: specs[0], hit: stop.break });
              continue;
            }
            this.dropTemporary(specs);
            return { ...this.finish(m, stop, reason, "break"), spec: specs[0] };
          }
          if (how.until?.(stop.break)) {
            if (how.record) {
              how.record({ at: m.position, reason: `stopped at instruction ${m.position}`, hit: stop.break });
              continue;
            }
            return this.finish(m, stop, `stopped at instruction ${m.position}`, "count");
          }
          continue;
        }
        if (stop.status !== "budget" || m.position - start >= limit) return this.end(m, stop, start, limit);
        if (m.position === icount) {
          return this.finish(m, stop, `${this.breakpoints.countLabel(icount)} at instruction ${icount}`, "break");
        }
        if (opts.signal?.aborted) return this.finish(m, stop, `interrupted at instruction ${m.position}`, "interrupt");
        await macrotask();
        if (opts.signal?.aborted) return this.finish(m, stop, `interrupted at instruction ${m.position}`, "interrupt");
      }
    } finally {
      watch?.release(m.guest);
      this.progress = null;
      this.breakpoints.setHidden([]);
    }
  }

  /**
   * Replays the chunk of machine `m` that began at `from` and wrote a
   * watched page (or made a watched access), one instruction at a time, to
   * find the instruction a watchpoint stops after: the stop, or, for reverse
   * execution, an event (before it) and on to the chunk's end. Without a
   * change, the machine ends where the chunk ended, in the same state.
   */
  private replayWatched(m: Machine, watch: WatchScan, from: number, how: RunHow): RunEnd | undefined {
    const end = m.position;
    this.breakpoints.detach(m);
    m.timeline.seek(from);
    m.timeline.run(from - m.position);
    watch.remember(m.guest);
    while (m.position < end) {
      const eip = m.guest.cpu.eip >>> 0;
      const stop = m.timeline.run(1);
      const change = watch.changed(m.guest);
      if (!change || !this.conditionHolds(change.spec, this.nodes(m))) continue;
      if (how.record) {
        // Going backwards the change is undone: gdb reports the later value as the old one.
        const undone = { ...change, before: change.after, after: change.before };
        how.record({ at: m.position - 1, reason: describeChange(undone), spec: change.spec, change, eip });
        continue;
      }
      this.dropTemporary([change.spec]);
      return { ...this.finish(m, stop, describeChange(change), "break"), spec: change.spec };
    }
    return undefined;
  }

  /** The guest node of an engine hit's guest id ("" for the top-level guest), if it exists. */
  private nodeOfHit(m: Machine, rel: string): GuestNode | undefined {
    const id = rel === "" ? m.name : `${m.name}/${rel}`;
    return flatten(this.nodes(m)).find((n) => n.id === id);
  }

  /** True unless breakpoint `b` has a condition that is zero in guest `node` now (or cannot be evaluated). */
  private conditionHolds(b: BreakSpec, node: GuestNode | undefined): boolean {
    if (!b.condition) return true;
    if (!node) return false;
    try {
      return evaluate(b.condition, this.scope(node)) !== 0;
    } catch {
      // gdb stops when a condition cannot be evaluated, and says so; a hidden error would be worse than a stop.
      return true;
    }
  }

  /** Deletes the temporary breakpoints (tbreak) among those that stopped. */
  dropTemporary(specs: (BreakSpec | undefined)[]): void {
    for (const b of specs) if (b?.temporary) this.breakpoints.remove(b.id);
  }

  /**
   * Registers, symbols and memory words of a guest, for expressions.
   *
   * @example
   * evaluate("eax == 3", s.scope(s.selectedNode()));
   */
  scope(node: GuestNode): ExprScope {
    const g = this.guestOf(node);
    return {
      name: this.names(node),
      word: (addr) => {
        const b = [0, 1, 2, 3].map((i) => peek(g.mem, (addr + i) >>> 0));
        return b.some((x) => x === null) ? undefined : (b as number[]).reduceRight((acc, x) => acc * 256 + x, 0);
      },
    };
  }

  private end(m: Machine, stop: Stop, start: number, limit: number): RunEnd {
    const done = m.position - start;
    if (stop.status === "exited") return this.finish(m, stop, `${m.name} exited with status ${stop.exitCode} at instruction ${m.position}`, "stop");
    if (stop.status === "fault") {
      const f = stop.fault!;
      return this.finish(m, stop, `${m.name} stopped by a fault (${f.kind}) at eip ${hex32(f.eip)}, instruction ${m.position}: ${f.detail}`, "stop");
    }
    if (done < limit && m.budgetLeft === 0) {
      return this.finish(m, stop, `${m.name} used all of its budget of ${m.budget} instructions`, "budget");
    }
    return this.finish(m, stop, `stopped at instruction ${m.position}`, "count");
  }

  private finish(m: Machine, stop: Stop, reason: string, kind: RunEnd["kind"]): RunEnd {
    this.lastStop = reason;
    this.follow(m);
    return { stop, reason, kind };
  }

  /**
   * Gives the live sub-guests of `g` (those RUN keeps between runs) trace
   * hooks naming them; a sub-guest RUN creates during a chunk is traced from
   * the next chunk on.
   */
  private hookTrace(g: Guest, id: string): void {
    for (const { guest } of g.children.values()) {
      const childId = `${id.split("/")[0]}/${guest.id}`;
      guest.linux.trace = (line) => this.trace(childId, line);
      this.hookTrace(guest, childId);
    }
  }

  /** After a stop: select the innermost running guest, unless the user chose one. */
  follow(m: Machine): void {
    if (this.pinned) return;
    const chain = this.chain(m);
    this.selected = chain[chain.length - 1].node.id;
  }

  /**
   * Edits the state of a guest at the current position: the machine's
   * history restarts from the edited state (the future it had is gone).
   */
  edit(node: GuestNode, change: (g: Guest) => void): void {
    const m = this.machines.find((x) => x.name === node.id.split("/")[0])!;
    // Work on a fresh copy: cached guests are shared read-only views.
    const copy = Guest.fromTree(node.tree);
    change(copy);
    let tree = copy.toTree();
    for (let n: GuestNode = node; n.parent; n = n.parent) {
      const parent = Guest.fromTree(n.parent.tree);
      const rel = n.path.slice(n.parent.path === "" ? 0 : n.parent.path.length + 1);
      parent.linux.fs.setTree(rel.replace(/^fs/, ""), tree);
      tree = parent.toTree();
    }
    m.restart(tree);
  }
}

/** A guest's short name: "nest" for a top-level guest, "/child" for a sub-guest. */
export function labelOf(n: GuestNode): string {
  if (n.depth === 0) return n.id;
  const rel = n.path.slice(n.parent!.path === "" ? 0 : n.parent!.path.length + 1);
  return rel.replace(/^fs/, "");
}

/** The instruction at `addr` in Intel syntax, or "(unmapped)". */
export function instructionAt(g: Guest, addr: number): string {
  try {
    return disassemble((a) => {
      const b = peek(g.mem, a);
      if (b === null) throw new RangeError("unmapped");
      return b;
    }, addr >>> 0).text;
  } catch (e) {
    return e instanceof RangeError ? "(unmapped)" : "(bad)";
  }
}

function reasonOf(e: unknown): string {
  const code = (e as { code?: string })?.code;
  const map: Record<string, string> = { ENOENT: "no such file or directory", EACCES: "permission denied", EISDIR: "is a directory" };
  if (code && map[code]) return map[code];
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}
