import { type Cpu, EAX, EBP, EBX, ECX, EDI, EDX, ESI } from "../cpu/state.ts";
import { type LoadedProgram, loadElf } from "../elf/load.ts";
import { GuestFault } from "../fault.ts";
import type { Memory } from "../memory/memory.ts";
import { type Timespec, wallClock } from "./clock.ts";
import {
  Blocked,
  EBADF,
  EFAULT,
  EMFILE,
  ENOSYS,
  ENOTDIR,
  LinuxError,
} from "./errno.ts";
import {
  AT_FDCWD,
  type FdEntry,
  O_RDONLY,
  O_WRONLY,
  type OpenFile,
} from "./files.ts";
import { contents } from "./fs/contents.ts";
import {
  FileSystem,
  type FsDump,
  type LookupOptions,
  type ParentLookup,
} from "./fs/filesystem.ts";
import { fromHost } from "./fs/names.ts";
import { interpreterFrom } from "./interpreter.ts";
import { syncProcFor } from "./fs/proc/sync.ts";
import type { DirNode, Node } from "./fs/node.ts";
import { requirePerm, X_OK } from "./perm.ts";
import { enqueue, newPipe, type Pipe, pipeEnds } from "./pipe.ts";
import { type Epoll, forgetFile, wakePipe } from "./epoll.ts";
import type { FifoWait } from "./fifo.ts";
import { Random } from "./random.ts";
import { initialSignals, type SigInfoWords, type SignalState } from "./signals.ts";
import { deliverSignals, interruptWait, raiseSignal } from "./signals/deliver.ts";
import { SYSCALLS } from "./syscalls/table.ts";
import { defaultLimits, type Rlimit } from "./syscalls/limits.ts";
import { segmentBase, type TlsEntry } from "./syscalls/tls.ts";
import { formatCall } from "./trace.ts";
import { linuxFromTree, type LinuxTree } from "./state.ts";
import { DEFAULT_QUOTA, type Quota } from "./quota.ts";
import type { BlobNode } from "../tree/mod.ts";
import { PID, PPID } from "./identity.ts";
import { newMachine, type Machine } from "./process/machine.ts";
import { exitGroup } from "./process/exit.ts";

/** Pipe id of stdin (the first pipe made). */
export const STDIN = 1;

/**
 * Captured output of fd 1 or 2: append-only, so bytes `[0, size)` never
 * change once written and tree blobs may wrap them without copying.
 */
export interface Output {
  data: Uint8Array;
  size: number;
}

/** How the guest ended: exit/exit_group, or a fatal signal. */
export type Exit =
  | { kind: "exited"; code: number }
  | { kind: "killed"; signal: number };

/** Construction options of {@link Linux}. */
export interface LinuxOptions {
  /** The guest's file system (the personality changes it in place). */
  fs: FileSystem;
  /** Bytes the guest reads from fd 0. */
  stdin?: Uint8Array;
  /**
   * Keep stdin open after those bytes: a read then stops the guest as
   * blocked until the host calls writeStdin or closeStdin. Default: end of
   * file after `stdin`.
   */
  stdinOpen?: boolean;
  /** Seed of every random byte the guest sees (getrandom, /dev/urandom, AT_RANDOM). */
  seed: Uint8Array;
  /** Receives one strace-like line per system call. */
  trace?: (line: string) => void;
  /** Receives guest output as it is written (it is captured in any case). */
  onOutput?: (fd: 1 | 2, bytes: Uint8Array) => void;
  /** Limits on the guest's file bytes and memory (core/linux/quota.ts); DEFAULT_QUOTA for those not given. */
  quota?: Partial<Quota>;
}

/** The complete state of a {@link Linux} as plain data (see {@link Linux.dump}). */
export interface LinuxDump {
  fs: FsDump;
  files: OpenFile[];
  pipes: Pipe[];
  epolls: Epoll[];
  fds: [number, FdEntry][];
  nextFile: number;
  nextPipe: number;
  hostStdinOpen: boolean;
  cwd: number;
  umask: number;
  brkStart: number;
  brk: number;
  tls: (TlsEntry | null)[];
  signals: SignalState;
  limits: Rlimit[];
  quota: Quota;
  tidAddress: number;
  robustList: [number, number];
  comm: string;
  exit: Exit | null;
  blocked: string | null;
  fifoWait: FifoWait | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
  random: { seed: Uint8Array; position: number };
}

/**
 * The Linux i386 personality: serves a guest's `int 0x80` system calls from
 * its in-memory file system, with deterministic time (from the instruction
 * count), identity and randomness. Nothing reaches the host.
 *
 * All state is plain data reachable from the instance and round-trips
 * through {@link Linux.dump} / {@link Linux.load}.
 *
 * @example
 * const fs = new FileSystem();
 * fs.writeFile("/bin/prog", elfBytes, { mode: 0o755 });
 * const linux = new Linux({ fs, seed: new Uint8Array(32) });
 * const mem = new Memory(), cpu = new Cpu(new X87());
 * linux.exec(mem, cpu, "/bin/prog", ["prog"], ["HOME=/"]);
 * // the CPU calls linux.syscall(cpu, mem) at each int 0x80, until cpu.halted
 * linux.exitCode; // e.g. 0
 * new TextDecoder().decode(linux.stdout);
 */
export class Linux {
  readonly fs: FileSystem;
  readonly random: Random;
  trace?: (line: string) => void;
  onOutput?: (fd: 1 | 2, bytes: Uint8Array) => void;

  /**
   * What the processes of one guest share: the process table, id counters,
   * the clock (docs/linux.md, "Processes"). A guest that never forks has
   * one process and no table.
   */
  readonly machine: Machine;
  /** Open file descriptions, pipes and epoll instances by id (shared by all processes); file descriptors by number. */
  readonly files: Map<number, OpenFile>;
  readonly pipes: Map<number, Pipe>;
  readonly epolls: Map<number, Epoll>;
  /** Shared by the threads of a process (CLONE_FILES). */
  fds: Map<number, FdEntry>;
  get nextFile(): number {
    return this.machine.nextFile;
  }
  set nextFile(n: number) {
    this.machine.nextFile = n;
  }
  get nextPipe(): number {
    return this.machine.nextPipe;
  }
  set nextPipe(n: number) {
    this.machine.nextPipe = n;
  }
  /** The host still holds stdin's write end (more input may come). */
  get hostStdinOpen(): boolean {
    return this.machine.hostStdinOpen;
  }
  set hostStdinOpen(open: boolean) {
    this.machine.hostStdinOpen = open;
  }

  /**
   * This task's id (its thread id; a process's first thread has the
   * process's id), its process's (thread group's), its parent's, its
   * process group's and its session's.
   */
  pid = PID;
  tgid = PID;
  ppid = PPID;
  pgid = PID;
  sid = PID;
  /** The guest path of the program the process runs (execve sets it; /proc/self/exe). */
  exe?: string;
  /** A vfork child this process waits for until it execs or ends (0: none). */
  vforkChild = 0;
  /** An open of a fifo waiting for the other end to be opened (fifo.ts). */
  fifoWait?: FifoWait;
  /** The futex word this thread waits on (0: none), and whether a wake has come for it. */
  futexAddr = 0;
  futexWoken = false;
  /**
   * In nanosleep among other processes ("asleep": not retried before its
   * end), in poll or select with a timeout among them ("polling": retried
   * as any blocked call, until its end), or woken at the end by the
   * scheduler (process/scheduler.ts).
   */
  sleeping?: "asleep" | "polling" | "woken";
  /** The machine clock at which the sleep or timed wait is over. */
  sleepUntil = 0;
  /** A process's first thread: the signal that stopped the process (0: not stopped; process/stop.ts). */
  stopSig = 0;
  /** A process's first thread: a stop or continue its parent's wait has not reported yet (WUNTRACED, WCONTINUED). */
  stopReport?: "stopped" | "continued";
  /**
   * CPU time, in instructions (core/linux/process/cputime.ts): what this
   * thread has run since the guest's first fork (the first process: since
   * it started); of a process's first thread also what its ended threads
   * ran, and what its children that it waited for ran.
   */
  cpuTime = 0;
  cpuTimeEnded = 0;
  cpuTimeChildren = 0;
  /** The process's CPU and memory (set by whoever runs it; execve replaces them). */
  cpu?: Cpu;
  mem?: Memory;

  cwd: number;
  umask = 0o022;
  /** Program break: where the heap started, and where it ends now. */
  brkStart = 0;
  brk = 0;
  /** GDT TLS entries 6, 7 and 8 (set_thread_area). */
  tls: (TlsEntry | null)[] = [null, null, null];
  signals: SignalState = initialSignals();
  limits: Rlimit[] = defaultLimits();
  /** Its file and memory limits; set through {@link setQuota}, which tells the file system. */
  quota: Quota = { ...DEFAULT_QUOTA };
  tidAddress = 0;
  /** set_robust_list's head and length (recorded). */
  robustList: [number, number] = [0, 0];
  /** The thread name (prctl PR_SET_NAME), a byte string of at most 15 bytes. */
  comm = "";

  /** Set when the guest has ended. */
  exit?: Exit;
  /** Set while the guest is stopped in a call that waits (see LinuxOptions.stdinOpen). */
  blocked?: string;

  /** The instruction count at the latest system call of any process: the guest's clock. */
  get now(): number {
    return this.machine.now;
  }
  set now(n: number) {
    this.machine.now = n;
  }
  /** The memory of the current system call's process: what /proc shows of it (not state). */
  private callMem?: Memory;

  /** Everything written to stdout (1) and stderr (2) (shared by all processes). */
  readonly output: Record<1 | 2, Output>;

  constructor(opts: LinuxOptions, parent?: Linux, thread = false) {
    this.fs = opts.fs;
    this.trace = opts.trace;
    this.onOutput = opts.onOutput;
    this.cwd = this.fs.root;
    // A forked process inherits its parent's limits.
    this.setQuota(parent ? parent.quota : {
      fileBytes: opts.quota?.fileBytes ?? DEFAULT_QUOTA.fileBytes,
      memory: opts.quota?.memory ?? DEFAULT_QUOTA.memory,
    });
    this.fds = thread && parent ? parent.fds : new Map();
    if (parent) {
      // A new process of the same guest (fork): it shares what Linux shares.
      this.machine = parent.machine;
      this.random = parent.random;
      this.files = parent.files;
      this.pipes = parent.pipes;
      this.epolls = parent.epolls;
      this.output = parent.output;
      return;
    }
    this.machine = newMachine();
    this.files = new Map();
    this.pipes = new Map();
    this.epolls = new Map();
    this.output = {
      1: { data: new Uint8Array(0), size: 0 },
      2: { data: new Uint8Array(0), size: 0 },
    };
    this.fs.clock = () => this.time();
    this.fs.inUse = this.inUse;
    this.random = new Random(opts.seed.slice());
    this.hostStdinOpen = opts.stdinOpen ?? false;
    const stdin = this.newPipe();
    enqueue(stdin, (opts.stdin ?? new Uint8Array(0)).slice());
    stdin.writers = this.hostStdinOpen ? 1 : 0;
    this.installFd(this.openPipe(stdin, O_RDONLY), false);
    this.installFd(this.openPipe(this.newPipe(1), O_WRONLY), false);
    this.installFd(this.openPipe(this.newPipe(2), O_WRONLY), false);
  }

  /**
   * Sets the guest's file and memory limits; the file system enforces the
   * file bytes (FileSystem.capacity), the memory calls the memory.
   *
   * @example
   * linux.setQuota({ fileBytes: 64 << 20, memory: 256 << 20 });
   */
  setQuota(quota: Quota): void {
    this.quota = { fileBytes: quota.fileBytes, memory: quota.memory };
    this.fs.capacity = quota.fileBytes;
  }

  // ---- running a program -----------------------------------------------------

  /**
   * Loads the ELF executable at `path` in the guest file system into a fresh
   * `mem`/`cpu` (argv, envp and AT_EXECFN as given), sets the program break,
   * and installs the TLS segment resolver on `cpu`.
   */
  exec(
    mem: Memory,
    cpu: Cpu,
    path: string,
    argv: string[],
    envp: string[],
  ): LoadedProgram {
    const node = this.fs.lookup(this.cwd, fromHost(path), { follow: true });
    if (node.kind !== "file") throw new Error(`${path} is not a regular file`);
    const prog = loadElf(contents(node), mem, cpu, {
      argv,
      envp,
      execfn: path,
      random: this.random.bytes(16),
      interpreter: interpreterFrom(this.fs),
    });
    this.brkStart = this.brk = prog.brk;
    this.cpu = cpu;
    this.mem = mem;
    this.attach(cpu);
    return prog;
  }

  /** Connects a CPU to this process's segment table (after exec or a restore). */
  attach(cpu: Cpu): void {
    cpu.resolveSegment = (selector) => segmentBase(this, selector);
  }

  /**
   * Serves the system call the guest just made with `int 0x80` (EIP is past
   * it): number in EAX, arguments in EBX, ECX, EDX, ESI, EDI, EBP; result (or
   * -errno) to EAX. Sets `c.halted` when the guest ends or blocks.
   */
  syscall(c: Cpu, m: Memory): void {
    const nr = c.r[EAX] >>> 0;
    const a = [EBX, ECX, EDX, ESI, EDI, EBP].map((r) => c.r[r] >>> 0);
    const def = SYSCALLS[nr];
    this.now = c.icount;
    this.callMem = m;
    this.blocked = undefined;
    let result: number;
    try {
      result = def ? def.fn({ k: this, c, m }, a) : -ENOSYS;
    } catch (e) {
      if (e instanceof LinuxError) result = -e.errno;
      else if (e instanceof GuestFault) result = -EFAULT;
      else if (e instanceof Blocked) {
        // Signals hook: a signal that can be delivered interrupts the wait (signals/deliver.ts).
        const interrupted = interruptWait(this, c, nr);
        if (interrupted === undefined) {
          // Stop at the int 0x80 itself, so that resuming retries the call.
          c.eip = (c.eip - 2) | 0;
          c.halted = true;
          this.blocked = e.reason;
          this.trace?.(`${formatCall(m, nr, def, a)} = ? <blocked: ${e.reason}>`);
          return;
        }
        result = interrupted;
      } else throw e;
    }
    // The call is over: so is any sleep or timed wait it was in (scheduler.ts).
    this.sleeping = undefined;
    if (this.exit) {
      c.halted = true;
      // A fatal signal (SIGPIPE) ends every thread; an exited thread has left the table.
      if (this.machine.procs === undefined || this.machine.procs.get(this.pid) === this) exitGroup(this, this.exit);
      this.trace?.(`${formatCall(m, nr, def, a)} = ?`);
      return;
    }
    c.r[EAX] = result;
    // vfork: the parent sleeps until its child execs or ends (scheduler.ts).
    if (this.vforkChild !== 0) c.halted = true;
    this.trace?.(`${formatCall(m, nr, def, a, result)}`);
    // Signals hook: handlers of pending signals run as the call returns.
    deliverSignals(this, c, m);
  }

  /** The first thread of this task's process: it holds the process's memory break. */
  get group(): Linux {
    return this.machine.procs?.get(this.tgid) ?? this;
  }

  /** Exit status as a shell reports it: the exit code, or 128 + the fatal signal. */
  get exitCode(): number | undefined {
    if (!this.exit) return undefined;
    return this.exit.kind === "exited"
      ? this.exit.code
      : 128 + this.exit.signal;
  }

  /** How the guest ended, in words: "exited with status 3", "killed by signal 6". */
  get exitDescription(): string | undefined {
    if (!this.exit) return undefined;
    return this.exit.kind === "exited"
      ? `exited with status ${this.exit.code}`
      : `killed by signal ${this.exit.signal}`;
  }

  /** Everything the guest wrote to stdout so far (a copy). */
  get stdout(): Uint8Array {
    return this.output[1].data.slice(0, this.output[1].size);
  }

  /** Everything the guest wrote to stderr so far (a copy). */
  get stderr(): Uint8Array {
    return this.output[2].data.slice(0, this.output[2].size);
  }

  /** Gives the guest more input on stdin (while the host holds it open). */
  writeStdin(bytes: Uint8Array): void {
    if (!this.hostStdinOpen) throw new Error("stdin is closed");
    enqueue(this.stdinPipe(), bytes.slice());
  }

  /** Ends the guest's stdin: once the queued bytes are read, reads return end of file. */
  closeStdin(): void {
    if (!this.hostStdinOpen) return;
    this.hostStdinOpen = false;
    const p = this.stdinPipe();
    p.writers--;
    if (p.readers > 0) wakePipe(this, p, "read", 0);
  }

  // ---- services for the system calls ----------------------------------------

  /** The guest's wall-clock time now. */
  time(): Timespec {
    return wallClock(this.now);
  }

  /** Records guest output (fd 1 or 2) and passes it on to the host. */
  capture(fd: 1 | 2, bytes: Uint8Array): void {
    const out = this.output[fd];
    const start = out.size, end = start + bytes.length;
    if (end > out.data.length) {
      // A new buffer: blobs made from the old one keep it.
      const grown = new Uint8Array(Math.max(end, out.data.length * 2, 256));
      grown.set(out.data.subarray(0, start));
      out.data = grown;
    }
    out.data.set(bytes, start);
    out.size = end;
    // Bytes below `size` never change again, so a view is safe to hand out.
    this.onOutput?.(fd, out.data.subarray(start, end));
  }

  /**
   * Raises `sig` in the process (`info`: its siginfo after si_signo and
   * si_errno, see SigInfoWords): a fatal one ends it, a caught one runs its
   * handler when the current system call returns.
   */
  signal(sig: number, info?: SigInfoWords): void {
    raiseSignal(this, sig, info);
  }

  /** The open file description behind `fd`, or EBADF. */
  file(fd: number): OpenFile {
    const e = this.fds.get(fd);
    if (!e) throw new LinuxError(EBADF);
    return this.files.get(e.file)!;
  }

  /** The pipe an open file description refers to. */
  pipe(f: OpenFile): Pipe {
    return this.pipes.get(f.target)!;
  }

  /** The pipe behind the original stdin. */
  stdinPipe(): Pipe {
    return this.pipes.get(STDIN)!;
  }

  /** Creates an open file description for a node. */
  openNode(node: Node, flags: number): OpenFile {
    return this.register({ kind: "node", target: node.ino, flags });
  }

  /**
   * Creates an open file description for one end (or a fifo's both ends)
   * of a pipe; `counted`: its reader or writer is counted already (a fifo
   * open that waited).
   */
  openPipe(p: Pipe, flags: number, counted = false): OpenFile {
    const ends = pipeEnds(flags);
    if (!counted && ends.read) p.readers++;
    if (!counted && ends.write) p.writers++;
    return this.register({ kind: "pipe", target: p.id, flags });
  }

  /** Creates the open file description of a new epoll instance (epoll_create). */
  openEpoll(flags: number): OpenFile {
    const f = this.register({ kind: "epoll", target: this.nextFile, flags });
    this.epolls.set(f.id, { id: f.id, items: new Map(), ready: [] });
    return f;
  }

  /** A new pipe (or the stdout/stderr sink). */
  newPipe(sink: 0 | 1 | 2 = 0): Pipe {
    const p = newPipe(this.nextPipe++, this.time(), sink);
    this.pipes.set(p.id, p);
    return p;
  }

  /** The lowest free descriptor ≥ `min` for `file`, or EMFILE. */
  installFd(file: OpenFile, cloexec: boolean, min = 0): number {
    const limit = this.limits[RLIMIT_NOFILE][0];
    for (let fd = min; fd < limit; fd++) {
      if (!this.fds.has(fd)) {
        this.setFd(fd, file, cloexec);
        return fd;
      }
    }
    if (file.refs === 0) this.release(file);
    throw new LinuxError(EMFILE);
  }

  /** Points `fd` at `file` (closing what it referred to). */
  setFd(fd: number, file: OpenFile, cloexec: boolean): void {
    file.refs++;
    if (this.fds.has(fd)) this.closeFd(fd);
    this.fds.set(fd, { file: file.id, cloexec });
  }

  /** Closes a descriptor, releasing its open file description when unshared. */
  closeFd(fd: number): void {
    const f = this.file(fd);
    this.fds.delete(fd);
    if (--f.refs === 0) this.release(f);
  }

  /** Drops an open file description no descriptor refers to any more. */
  private release(f: OpenFile): void {
    this.files.delete(f.id);
    forgetFile(this, f);
    if (f.kind === "pipe") {
      const p = this.pipe(f);
      const ends = pipeEnds(f.flags);
      if (ends.read) p.readers--;
      if (ends.write) p.writers--;
      // The last reader or writer went while the other side stays: it sees a hang-up.
      if (!p.readers !== !p.writers) {
        wakePipe(this, p, "read", 0);
        wakePipe(this, p, "write", 0);
      }
      if (p.readers === 0 && p.writers === 0 && !p.sink) {
        this.pipes.delete(p.id);
        // An unlinked fifo goes with its last open end.
        const node = p.fifo && this.fs.nodes.get(p.fifo.ino);
        if (node) this.fs.release(node, this.inUse);
      }
    } else if (f.kind === "node") {
      const node = this.fs.nodes.get(f.target);
      if (node) this.fs.release(node, this.inUse);
    }
  }

  /** Whether an open file (a fifo's ends too) or a process's working directory refers to inode `ino`. */
  readonly inUse = (ino: number): boolean => {
    if (this.cwd === ino) return true;
    for (const p of this.machine.procs?.values() ?? []) if (p.cwd === ino) return true;
    for (const f of this.files.values()) {
      if (f.kind === "node" && f.target === ino) return true;
    }
    for (const p of this.pipes.values()) if (p.fifo?.ino === ino) return true;
    return false;
  };

  /** The file-system node an open file description refers to: its node, a fifo's node (while it exists), or none. */
  fileNode(f: OpenFile): Node | undefined {
    if (f.kind === "node") return this.fs.get(f.target);
    const ino = f.kind === "pipe" ? this.pipe(f).fifo?.ino : undefined;
    return ino === undefined ? undefined : this.fs.nodes.get(ino);
  }

  /** Lookup options for guest paths: directories need search permission. */
  readonly lookupOpts = (follow: boolean): LookupOptions => ({
    follow,
    search: (dir: DirNode) => requirePerm(dir, X_OK),
  });

  /** The directory relative paths of an *at call start from. */
  private startDir(dirfd: number, path: string): number {
    if (path.startsWith("/")) return this.fs.root;
    if ((dirfd | 0) === AT_FDCWD) return this.cwd;
    const f = this.file(dirfd | 0);
    if (f.kind !== "node" || this.fs.get(f.target).kind !== "dir") {
      throw new LinuxError(ENOTDIR);
    }
    return f.target;
  }

  /** Resolves a guest path relative to `dirfd` (AT_FDCWD: the working directory). */
  lookupAt(dirfd: number, path: string, follow: boolean): Node {
    return this.fs.lookup(
      this.procStart(dirfd, path),
      path,
      this.lookupOpts(follow),
    );
  }

  /** Resolves the directory part of a guest path relative to `dirfd`. */
  parentAt(dirfd: number, path: string): ParentLookup {
    return this.fs.lookupParent(
      this.procStart(dirfd, path),
      path,
      this.lookupOpts(true),
    );
  }

  /** startDir, after bringing /proc up to date if the path goes there (fs/proc/sync.ts). */
  private procStart(dirfd: number, path: string): number {
    const start = this.startDir(dirfd, path);
    if (this.callMem) syncProcFor(this, this.callMem, start, path);
    return start;
  }

  private register(
    init: Pick<OpenFile, "kind" | "target" | "flags">,
  ): OpenFile {
    const f: OpenFile = {
      ...init,
      id: this.nextFile++,
      offset: 0,
      dirCursor: null,
      refs: 0,
    };
    this.files.set(f.id, f);
    return f;
  }

  // ---- plain-data form ---------------------------------------------------------

  /** The complete state as plain data (a deep copy). */
  dump(): LinuxDump {
    const rest = structuredClone({
      files: [...this.files.values()],
      pipes: [...this.pipes.values()],
      epolls: [...this.epolls.values()],
      fds: [...this.fds.entries()].sort((x, y) => x[0] - y[0]),
      nextFile: this.nextFile,
      nextPipe: this.nextPipe,
      hostStdinOpen: this.hostStdinOpen,
      cwd: this.cwd,
      umask: this.umask,
      brkStart: this.brkStart,
      brk: this.brk,
      tls: this.tls,
      signals: this.signals,
      limits: this.limits,
      quota: this.quota,
      tidAddress: this.tidAddress,
      robustList: this.robustList,
      comm: this.comm,
      exit: this.exit ?? null,
      blocked: this.blocked ?? null,
      fifoWait: this.fifoWait ?? null,
      stdout: this.stdout,
      stderr: this.stderr,
      random: { seed: this.random.seed, position: this.random.position },
    });
    // The file system's dump is a copy already (sharing only immutable trees).
    return { fs: this.fs.dump(), ...rest };
  }

  /** Rebuilds a personality from {@link dump} output; call {@link attach} on the CPU. */
  static load(
    dump: LinuxDump,
    opts: Pick<LinuxOptions, "trace" | "onOutput"> = {},
  ): Linux {
    const { fs, ...rest } = dump;
    const d = structuredClone(rest);
    const k = new Linux({
      fs: FileSystem.load(fs),
      seed: d.random.seed,
      ...opts,
    });
    k.random.position = d.random.position;
    k.files.clear();
    k.pipes.clear();
    k.epolls.clear();
    k.fds.clear();
    for (const f of d.files) k.files.set(f.id, f);
    for (const p of d.pipes) k.pipes.set(p.id, p);
    for (const ep of d.epolls) k.epolls.set(ep.id, ep);
    for (const [fd, e] of d.fds) k.fds.set(fd, e);
    k.nextFile = d.nextFile;
    k.nextPipe = d.nextPipe;
    k.hostStdinOpen = d.hostStdinOpen;
    k.cwd = d.cwd;
    k.umask = d.umask;
    k.brkStart = d.brkStart;
    k.brk = d.brk;
    k.tls = d.tls;
    k.signals = d.signals;
    k.limits = d.limits;
    k.setQuota(d.quota);
    k.tidAddress = d.tidAddress;
    k.robustList = d.robustList;
    k.comm = d.comm;
    k.exit = d.exit ?? undefined;
    k.blocked = d.blocked ?? undefined;
    k.fifoWait = d.fifoWait ?? undefined;
    k.output[1] = { data: d.stdout, size: d.stdout.length };
    k.output[2] = { data: d.stderr, size: d.stderr.length };
    return k;
  }

  /**
   * Rebuilds a personality from its data-tree form (see linuxToTree in
   * state.ts and docs/linux.md); then call {@link attach} on the CPU.
   * Throws GuestStateError if the parts are not what fx86 writes.
   *
   * @example
   * const parts = linuxToTree(linux);
   * const copy = Linux.fromTree(parts, {});
   * copy.attach(cpu);
   */
  static fromTree(
    parts: LinuxTree,
    opts: Pick<LinuxOptions, "trace" | "onOutput"> = {},
    /** The os blobs of the guest's other processes (`procs/<pid>/os`), if it forked. */
    procs: BlobNode[] = [],
  ): Linux {
    return linuxFromTree(parts, opts, procs);
  }
}

/** RLIMIT_NOFILE: bounds file descriptor numbers. */
const RLIMIT_NOFILE = 7;
