import { createHash } from "node:crypto";
import type { Quota } from "../linux/quota.ts";
import { Engine } from "../cpu/engine.ts";
import { Cpu, EAX, RF, TRAP_SYSCALL } from "../cpu/state.ts";
import { TRAP_FX86 } from "../cpu/trap.ts";
import { X87 } from "../cpu/x87/x87.ts";
import { loadElf } from "../elf/load.ts";
import type { FaultInfo } from "../fault.ts";
import { FileSystem } from "../linux/fs/filesystem.ts";
import { Linux } from "../linux/linux.ts";
import { interpreterFrom } from "../linux/interpreter.ts";
import { Memory } from "../memory/memory.ts";
import { dirFromEntries, type DirNode, type TreeNode } from "../tree/mod.ts";
import { fx86Operation } from "./fx86.ts";
import { jsonBlob, parseJsonBlob } from "./json.ts";
import { blobAt, cpuFromTree, cpuToTree, dirAt, LayoutError, memoryFromTree, memoryToTree } from "./layout.ts";
import { linuxToTree } from "../linux/state.ts";
import { syscallName } from "../linux/syscalls/names.ts";
import { deliverFault } from "../linux/signals/deliver.ts";
import { timerPoint, timerSlice, waitingForTimer } from "../linux/signals/timers.ts";
import { isStopped, stoppedNote } from "../linux/process/stop.ts";
import type { BreakHit, Breakpoints } from "./debug.ts";
import { processesToTree, restoreProcesses } from "./processes.ts";
import { running, schedule, syncClock } from "../linux/process/scheduler.ts";
import { faultSignal } from "../linux/process/faults.ts";
import { exitGroup } from "../linux/process/exit.ts";

/** Why a guest's last run stopped. */
export type StopStatus = "exited" | "budget" | "fault";

/** What `Guest.run` reports. */
export interface Stop {
  status: StopStatus;
  /** Exit status for "exited" (128+N when killed by signal N), else null. */
  exitCode: number | null;
  /** Instructions charged during this run: the guest's own and its sub-guests'. */
  retired: number;
  fault?: FaultInfo;
  /** Set when a breakpoint stopped the run early (status "budget", retired < the budget asked). */
  break?: BreakHit;
}

/** The `status` blob of a guest subtree (docs/guest-state.md). */
export interface GuestStatus {
  status: "new" | StopStatus;
  exit_code: number | null;
  /** Instructions charged so far: the guest's own and its sub-guests'. */
  instructions: number;
  fault?: FaultInfo;
  /** Stopped by its budget while inside its own RUN (resuming continues the sub-guest). */
  in_run?: boolean;
}

/** How to start a guest from an ELF executable. */
export interface GuestOptions {
  /** The ELF image. */
  program: Uint8Array;
  /** argv, including argv[0]. */
  argv: string[];
  /**
   * The path the program was started by (AT_EXECFN, /proc/self/exe when
   * absolute); default argv[0].
   */
  execfn?: string;
  env?: string[];
  /** The guest's file system (default: empty). */
  fs?: FileSystem;
  stdin?: Uint8Array;
  /** Seed of everything random the guest sees (AT_RANDOM, getrandom). */
  seed?: string;
  /** strace-like log of system calls. */
  trace?: (line: string) => void;
  /** Called as the guest writes to stdout (1) or stderr (2). */
  onOutput?: (fd: number, bytes: Uint8Array) => void;
  /** Limits on its file bytes and memory (core/linux/quota.ts); the defaults for those not given. */
  quota?: Partial<Quota>;
  /**
   * Where the program is in the guest's file system, if it is there: what
   * execve("/proc/self/exe") runs (busybox re-executes itself that way).
   */
  exe?: string;
}

/** Host-side hooks of a guest restored from a tree. */
export interface RestoreOptions {
  trace?: (line: string) => void;
  onOutput?: (fd: number, bytes: Uint8Array) => void;
  /** Nesting depth (0 for a top-level guest). */
  depth?: number;
  /** Breakpoints of the hierarchy (docs/debugging.md). */
  breakpoints?: Breakpoints;
  /** The guest's id: its tree path from the top-level guest ("" for that one). */
  id?: string;
}

/** The default environment of a guest: deterministic and minimal. */
export const DEFAULT_ENV = ["PATH=/bin:/usr/bin", "HOME=/", "TERM=dumb", "LANG=C"];

/** Deepest nesting of RUN; deeper RUNs fail with -ELOOP. */
export const MAX_DEPTH = 64;

/**
 * One guest: a CPU, its memory and its Linux personality; any guest can
 * host sub-guests (Fx86 RUN), which run in this same engine, recursively.
 *
 * @example
 * const g = Guest.fromElf({ program: elfBytes, argv: ["echo", "hi"] });
 * const stop = g.run(Infinity);
 * stop.status === "exited" && new TextDecoder().decode(g.linux.stdout) === "hi\n";
 * const tree = g.toTree(); // the whole state; tree.hash is the guest's root
 */
export class Guest {
  /** Instructions charged so far (own and sub-guests'): what budgets count. */
  charged = 0;
  /** The last stop, as recorded in the `status` blob. */
  status: GuestStatus = { status: "new", exit_code: null, instructions: 0 };
  /** The last tree made by toTree (unchanged parts are reused from it). */
  private lastTree?: DirNode;
  /** Live sub-guests by path, valid while the tree at that path is the one written back. */
  readonly children = new Map<string, { tree: TreeNode; guest: Guest }>();
  /**
   * Tree path from the top-level guest: "" for it, "fs/child" for the
   * sub-guest at /child in its file system (set by RUN and LOAD).
   */
  id = "";
  /** Breakpoints (docs/debugging.md); RUN gives sub-guests their caller's. */
  breakpoints?: Breakpoints;
  /** `Breakpoints.epoch` and guest id the engine's address breakpoints were taken at. */
  private readonly breaksAt = new WeakMap<Engine, { epoch: number; id: string }>();
  /** One engine per CPU: each process's translated code is its own (execve brings a new CPU). */
  private readonly engines = new WeakMap<Cpu, Engine>();
  private constructor(
    /** The guest's first process: its state is the subtree's cpu/, mem/ and os. */
    readonly main: Linux,
    /** Nesting depth: 0 for a top-level guest. */
    public depth: number,
  ) {}

  /**
   * A process (or thread) picked for inspection by its id (the REPL's
   * `process` command): `linux`, `cpu` and `mem` show it instead of the
   * running one until the next run.
   */
  viewed?: number;

  /**
   * The process running now (the first one unless the guest forked; the
   * first one while the one that ran last has ended), or the one `viewed`.
   */
  get linux(): Linux {
    const m = this.main.machine;
    const v = this.viewed === undefined ? undefined : m.procs?.get(this.viewed);
    if (v?.cpu) return v;
    const p = m.procs?.get(m.current);
    return p?.cpu ? p : this.main;
  }

  /** The CPU of the process running now. */
  get cpu(): Cpu {
    return this.linux.cpu!;
  }

  /** The memory of the process running now. */
  get mem(): Memory {
    return this.linux.mem!;
  }

  /**
   * The engine of the process running now. Every process gets one of its
   * own, with the backend of the first process's (which callers may set).
   */
  get engine(): Engine {
    const c = this.cpu;
    let e = this.engines.get(c);
    if (e === undefined) {
      // Threads share a memory: a write to code must reach each of their engines.
      const others = this.mem.onCodeWrite;
      e = new Engine(c, this.mem);
      const mine = this.mem.onCodeWrite;
      this.mem.onCodeWrite = (page) => {
        others(page);
        mine(page);
      };
      const first = this.main.cpu && this.engines.get(this.main.cpu);
      if (first) e.backend = first.backend;
      this.engines.set(c, e);
    }
    return e;
  }

  /** Loads an ELF executable; throws ElfError (one line) if it is unusable. */
  static fromElf(opts: GuestOptions): Guest {
    const cpu = new Cpu(new X87());
    const mem = new Memory();
    const linux = new Linux({
      fs: opts.fs ?? new FileSystem(),
      stdin: opts.stdin ?? new Uint8Array(0),
      seed: new Uint8Array(createHash("sha256").update(opts.seed ?? "fx86").digest()),
      trace: opts.trace,
      onOutput: opts.onOutput,
      quota: opts.quota,
    });
    // The program comes from the host, not the guest's file system, so the
    // guest's tree stays exactly what the caller gave it.
    const loaded = loadElf(opts.program, mem, cpu, {
      argv: opts.argv,
      envp: opts.env ?? DEFAULT_ENV,
      execfn: opts.execfn ?? opts.argv[0] ?? "",
      random: linux.random.bytes(16),
      interpreter: interpreterFrom(linux.fs),
    });
    linux.brkStart = linux.brk = loaded.brk;
    if (opts.exe !== undefined) linux.exe = opts.exe;
    linux.cpu = cpu;
    linux.mem = mem;
    linux.attach(cpu);
    return new Guest(linux, 0);
  }

  /** Restores a guest from its subtree; throws LayoutError if the tree is not a guest. */
  static fromTree(tree: DirNode, opts: RestoreOptions = {}): Guest {
    const cpu = cpuFromTree(dirAt(tree, "cpu", ""));
    const mem = new Memory();
    memoryFromTree(dirAt(tree, "mem", ""), mem);
    let linux: Linux;
    const procs = tree.get("procs");
    if (procs !== undefined && procs.kind !== "dir") throw new LayoutError("procs must be a directory");
    try {
      linux = Linux.fromTree({
        fs: dirAt(tree, "fs", ""),
        fsmeta: blobAt(tree, "fsmeta", ""),
        os: blobAt(tree, "os", ""),
        stdin: blobAt(tree, "stdin", ""),
        stdout: blobAt(tree, "stdout", ""),
        stderr: blobAt(tree, "stderr", ""),
      }, { trace: opts.trace, onOutput: opts.onOutput }, procs?.names.map((pid) => blobAt(dirAt(procs, pid, "procs"), "os", `procs/${pid}`)));
    } catch (e) {
      // A store's missing or corrupt object already names the object and the snapshot.
      if (e instanceof LayoutError || (e as Error)?.name === "StoreError") throw e;
      throw new LayoutError(`the guest's OS state is unusable: ${(e as Error).message}`);
    }
    linux.cpu = cpu;
    linux.mem = mem;
    linux.attach(cpu);
    if (procs) restoreProcesses(linux, procs);
    const g = new Guest(linux, opts.depth ?? 0);
    g.breakpoints = opts.breakpoints;
    g.id = opts.id ?? "";
    g.status = parseJsonBlob<GuestStatus>(blobAt(tree, "status", ""));
    g.charged = g.status.instructions;
    for (const p of linux.machine.procs?.values() ?? [linux]) {
      if (p.cpu) p.cpu.halted = p.exit !== undefined || p.blocked !== undefined;
    }
    return g;
  }

  /** The guest's whole state as a subtree (docs/guest-state.md); `.hash` is its root. */
  toTree(): DirNode {
    const previous = this.lastTree;
    const status = jsonBlob(this.status);
    const oldStatus = previous?.get("status");
    const main = this.main;
    this.lastTree = dirFromEntries({
      cpu: cpuToTree(main.cpu!, previous?.get("cpu") as DirNode | undefined),
      mem: memoryToTree(main.mem!),
      ...linuxToTree(main),
      status: oldStatus?.kind === "blob" && oldStatus.hash === status.hash ? oldStatus : status,
      ...(main.machine.procs ? { procs: processesToTree(main, previous?.get("procs")) } : {}),
    });
    return this.lastTree;
  }

  /** Instructions charged since the guest started (its own and its sub-guests'). */
  get instructions(): number {
    return this.charged;
  }

  /**
   * Runs until `budget` more instructions have been charged (Infinity for
   * no limit), the guest exits or it faults, or a breakpoint of
   * `breakpoints` is hit at any depth (`Stop.break`: a budget stop that
   * comes early). A guest that has exited stays exited; a fault is
   * reported again each time. A run that starts where the last hit stopped
   * steps over that hit (docs/debugging.md).
   */
  run(budget: number): Stop {
    const bps = this.breakpoints;
    if (bps === undefined || !bps.enabled) return this.runNested(budget);
    // A run-exit hit is after its event: nothing at its position is to be stepped over.
    const last = bps.last;
    bps.skipping = last?.at === this.charged && last.hit.kind !== "run-exit" ? last.hit : undefined;
    let stop: Stop;
    try {
      stop = this.runNested(budget);
    } finally {
      bps.skipping = undefined;
    }
    if (stop.break) bps.last = { at: this.charged, hit: stop.break };
    return stop;
  }

  /** `run` as RUN calls it for a sub-guest: part of its caller's run. */
  runNested(budget: number): Stop {
    this.viewed = undefined;
    const bps = this.breakpoints?.enabled ? this.breakpoints : undefined;
    const machine = this.main.machine;
    const start = this.charged;
    let left = budget;
    let stop: Stop | undefined;
    let hit: BreakHit | undefined;
    // Stopped inside RUN is a property of the state: it lasts until the
    // guest retires something (a run with no budget leaves it as it was).
    let insideRun = this.status.in_run === true;
    const retired = () => {
      insideRun = false;
      if (bps !== undefined) bps.skipping = undefined;
    };
    while (left > 0) {
      const p = machine.procs ? machine.procs.get(machine.current) : this.main;
      // Signals hook: timers fire at their exact instruction; a lone guest
      // blocked while one is armed waits for it (among several processes the
      // scheduler runs another instead).
      if (p?.cpu !== undefined && (!p.cpu.halted || !machine.procs) && !isStopped(p)) {
        const waited = timerPoint(p, p.cpu, p.mem!, left);
        left -= waited;
        this.charged += waited;
        if (left === 0) break;
      }
      // A process that ended or blocks gives way to the next (scheduler.ts);
      // with one process, or none that can run, the guest stops.
      if (!running(p)) {
        if (schedule(this.main)) continue;
        break;
      }
      const c = p!.cpu!;
      // The engine does not stop before its first instruction: that one is
      // checked here (not when resuming an interrupted RUN or REP: it is no arrival).
      const resumingRep = (c.ef & RF) !== 0;
      if (
        bps !== undefined && !insideRun && !resumingRep &&
        (bps.skipping !== undefined || bps.hasAddress(this.id, c.eip))
      ) {
        hit = { kind: "address", guest: this.id, eip: c.eip >>> 0 };
        if (bps.stops(hit, bps.hasAddress(this.id, c.eip))) break;
        hit = undefined;
      }
      // EFLAGS.RF, as the processor sets it in the image of an interrupted REP:
      // set while the budget leaves a REP string instruction unfinished, so the
      // state itself says that continuing it is no arrival; no instruction sees it.
      c.ef &= ~RF;
      const engine = this.engine;
      this.syncBreaks(engine, bps);
      const slice = timerSlice(p!, c, left);
      const s = engine.run(machine.procs ? Math.min(slice, machine.quantum) : slice);
      if (s.insideRep) c.ef |= RF;
      left -= s.retired;
      this.charged += s.retired;
      if (machine.procs) {
        p!.cpuTime += s.retired;
        machine.quantum -= s.retired;
        syncClock(machine, p);
      }
      // A system call's int 0x80 is retired only once no breakpoint stops before it.
      if (s.retired > (c.trap === TRAP_SYSCALL ? 1 : 0)) retired();
      if (s.fault) {
        // Signals hook: a handler installed for the fault's signal runs instead of stopping.
        const trapped = deliverFault(this.linux, c, this.mem, s.fault);
        if (trapped !== undefined) {
          left -= trapped;
          this.charged += trapped;
          if (machine.procs) p!.cpuTime += trapped;
          continue;
        }
        if (this.linux !== this.main) {
          // A process other than the first dies of its fault (docs/linux.md, "Processes").
          exitGroup(this.linux, { kind: "killed", signal: faultSignal(s.fault.kind) });
          continue;
        }
        stop = {
          status: "fault",
          exitCode: null,
          retired: 0,
          fault: { kind: s.fault.kind, eip: c.eip >>> 0, address: s.fault.address, detail: s.fault.detail },
        };
        break;
      }
      if (s.atBreak) {
        hit = { kind: "address", guest: this.id, eip: c.eip >>> 0 };
        break;
      }
      if (c.trap === TRAP_SYSCALL) {
        c.trap = 0;
        const number = c.r[EAX] >>> 0;
        if (bps !== undefined && (bps.skipping !== undefined || bps.hasSyscall(this.id, number))) {
          const eip = s.trapEip!;
          hit = { kind: "syscall", guest: this.id, eip: eip >>> 0, number, name: syscallName(number) };
          if (bps.stops(hit, bps.hasSyscall(this.id, number))) {
            // Un-retire the int 0x80 (all it did was advance EIP and count).
            c.eip = eip;
            c.icount--;
            this.charged--;
            break;
          }
          hit = undefined;
        }
        retired();
        this.linux.syscall(c, this.mem);
      } else if (c.trap >= TRAP_FX86) {
        const fn = c.trap - TRAP_FX86;
        c.trap = 0;
        const r = fx86Operation(this, fn, left, insideRun);
        if (r.fault) {
          stop = {
            status: "fault",
            exitCode: null,
            retired: 0,
            fault: { kind: r.fault.kind, eip: c.eip >>> 0, address: 0, detail: r.fault.detail },
          };
          break;
        }
        left -= r.used;
        this.charged += r.used;
        if (r.break) {
          // Stopped inside RUN when the sub-guest ran; as before RUN when not.
          hit = r.break;
          if (r.used > 0) insideRun = true;
          break;
        }
        insideRun = !r.retire;
        if (insideRun) break;
        c.eip = (c.eip + r.length) | 0;
        c.icount++;
        this.charged++;
        left--;
        retired();
        if (r.child !== undefined && bps?.hasRunExit(r.child)) {
          hit = { kind: "run-exit", guest: this.id, child: r.child };
          if (bps.stops(hit, true)) break;
          hit = undefined;
        }
      }
      // The quantum is over: the next runnable process takes its turn.
      if (machine.procs && machine.quantum <= 0 && !this.cpu.halted) schedule(this.main);
    }
    stop ??= this.stopAfterRun(left);
    stop.retired = this.charged - start;
    if (hit !== undefined) stop.break = hit;
    this.status = {
      status: stop.status,
      exit_code: stop.exitCode,
      instructions: this.charged,
      ...(stop.fault ? { fault: stop.fault } : {}),
      ...(insideRun ? { in_run: true } : {}),
    };
    return stop;
  }

  /** Gives the engine this guest's address breakpoints when they changed. */
  private syncBreaks(engine: Engine, bps: Breakpoints | undefined): void {
    const epoch = bps?.epoch ?? 0;
    const at = this.breaksAt.get(engine);
    if (at !== undefined && epoch === at.epoch && this.id === at.id) return;
    this.breaksAt.set(engine, { epoch, id: this.id });
    engine.setBreaks(bps?.addressesOf(this.id));
  }

  private stopAfterRun(left: number): Stop {
    const c = this.cpu;
    if (this.main.exit) return { status: "exited", exitCode: this.main.exitCode!, retired: 0 };
    const stopped = isStopped(this.linux);
    if ((!c.halted && !stopped) || (!stopped && waitingForTimer(this.linux)) || (left <= 0 && this.main.machine.procs)) {
      return { status: "budget", exitCode: null, retired: 0 };
    }
    // Halted without exiting: blocked in a call nothing can ever satisfy,
    // with EIP back on its int 0x80; or stopped with nobody to continue it.
    const why = stopped && !c.halted ? "stopped forever" : `blocked forever: ${this.linux.blocked ?? "waiting"}`;
    return {
      status: "fault",
      exitCode: null,
      retired: 0,
      fault: { kind: "deadlock", eip: c.eip >>> 0, address: 0, detail: why + stoppedNote(this.main) },
    };
  }
}

/**
 * A new guest subtree that has not run yet.
 *
 * @example
 * const tree = newGuestTree({ program: elf, argv: ["prog"] });
 * Guest.fromTree(tree).run(1000);
 */
export function newGuestTree(opts: GuestOptions): DirNode {
  return Guest.fromElf(opts).toTree();
}

/** True if a node has the shape of a guest subtree. */
export function isGuestTree(node: TreeNode): node is DirNode {
  return node.kind === "dir" && node.get("cpu")?.kind === "dir" &&
    node.get("mem")?.kind === "dir" && node.get("status")?.kind === "blob";
}

/** The `status` blob of a guest subtree. */
export function readStatus(tree: DirNode): GuestStatus {
  return parseJsonBlob<GuestStatus>(blobAt(tree, "status", ""));
}

export { LayoutError };
