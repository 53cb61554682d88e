/**
 * fork, vfork and clone of a process: the child gets a copy of the
 * parent's CPU, a copy-on-write view of its memory (the parent's pages
 * become tree blobs that both read; each copies a page when it writes it),
 * its descriptors (sharing their open file descriptions), working
 * directory, signal dispositions and limits.
 */
import { EAX, ESP } from "../../cpu/state.ts";
import type { Cpu } from "../../cpu/state.ts";
import { Memory } from "../../memory/memory.ts";
import { cpuFromTree, cpuToTree, memoryFromTree, memoryToTree } from "../../vm/layout.ts";
import { putU32 } from "../abi.ts";
import { EAGAIN, EINVAL, LinuxError } from "../errno.ts";
import { Linux } from "../linux.ts";
import { forkSignals, threadSignals } from "../signals/inherit.ts";
import { setThreadArea } from "../syscalls/tls.ts";
import { QUANTUM } from "./machine.ts";

/** The clone flags fx86 knows. */
export const CLONE_VM = 0x100,
  CLONE_FS = 0x200,
  CLONE_FILES = 0x400,
  CLONE_SIGHAND = 0x800,
  CLONE_VFORK = 0x4000,
  CLONE_PARENT = 0x8000,
  CLONE_THREAD = 0x10000,
  CLONE_SETTLS = 0x80000,
  CLONE_PARENT_SETTID = 0x100000,
  CLONE_CHILD_CLEARTID = 0x200000,
  CLONE_CHILD_SETTID = 0x1000000;

/** Most processes a guest may have at once (fork fails with EAGAIN beyond). */
export const MAX_PROCESSES = 1024;

/** A guest's process table, made on the first fork with the first process in it. */
export function processTable(k: Linux): Map<number, Linux> {
  const m = k.machine;
  if (!m.procs) {
    m.procs = new Map([[k.pid, k]]);
    m.nextPid = k.pid + 1;
    m.current = k.pid;
    m.quantum = QUANTUM;
    // The machine's clock goes on from the first process's, and so does its CPU time.
    m.clock = k.now;
    k.cpuTime = k.now;
  }
  return m.procs;
}

/** A copy of a CPU (registers, x87, SSE, instruction count). */
function copyCpu(c: Cpu): Cpu {
  return cpuFromTree(cpuToTree(c));
}

/**
 * A copy-on-write copy of an address space: converting the parent's memory
 * to a tree costs the pages it changed since its last conversion, and the
 * child reads its pages from the same blobs when it first touches them.
 */
function copyMemory(m: Memory): Memory {
  const child = new Memory();
  memoryFromTree(memoryToTree(m), child);
  return child;
}

/** What a clone asks for beyond a plain fork. */
export interface CloneArgs {
  flags: number;
  /** New stack pointer for the child (0: the parent's). */
  stack: number;
  parentTid: number;
  childTid: number;
  /** CLONE_SETTLS: the user_desc of the new thread's TLS segment. */
  tls: number;
}

/**
 * Creates a child process of `parent` (running on `cpu`/`mem`) and returns
 * its pid; the child returns 0 from the call.
 *
 * @example
 * const pid = forkProcess(k, { flags: SIGCHLD, stack: 0, parentTid: 0, childTid: 0, tls: 0 });
 */
export function forkProcess(parent: Linux, args: CloneArgs): number {
  const { flags } = args;
  if (flags & CLONE_THREAD) return newThread(parent, args);
  if (flags & (CLONE_VM | CLONE_SIGHAND | CLONE_FILES | CLONE_FS) && !(flags & CLONE_VFORK)) {
    // Sharing memory or tables without being a thread: not supported.
    throw new LinuxError(EINVAL);
  }
  const procs = processTable(parent);
  if (procs.size >= MAX_PROCESSES) throw new LinuxError(EAGAIN);
  const pid = parent.machine.nextPid++;
  const child = newTask(parent, pid, false);
  child.tgid = pid;
  child.ppid = flags & CLONE_PARENT ? parent.ppid : parent.tgid;
  for (const [fd, e] of [...parent.fds.entries()].sort((a, b) => a[0] - b[0])) {
    child.setFd(fd, parent.files.get(e.file)!, e.cloexec);
  }
  child.brkStart = parent.group.brkStart;
  child.brk = parent.group.brk;
  child.signals = forkSignals(parent.signals);
  child.limits = structuredClone(parent.limits);
  child.mem = copyMemory(parent.mem!);
  startCpu(child, parent, args);
  publishIds(child, parent, args);
  // vfork: the parent waits until the child execs or exits.
  if (flags & CLONE_VFORK) parent.vforkChild = pid;
  procs.set(pid, child);
  return pid;
}

/**
 * A new thread of `parent`'s process (clone with CLONE_THREAD, CLONE_VM,
 * CLONE_SIGHAND: what pthread_create asks for): the same memory,
 * descriptors and signal actions, its own CPU (on the new stack, returning
 * 0), TLS slots (CLONE_SETTLS installs one) and signal mask.
 */
function newThread(parent: Linux, args: CloneArgs): number {
  const { flags } = args;
  if ((flags & (CLONE_VM | CLONE_SIGHAND)) !== (CLONE_VM | CLONE_SIGHAND) || !(flags & CLONE_FILES)) {
    throw new LinuxError(EINVAL);
  }
  const procs = processTable(parent);
  if (procs.size >= MAX_PROCESSES) throw new LinuxError(EAGAIN);
  const tid = parent.machine.nextPid++;
  const t = newTask(parent, tid, true);
  t.tgid = parent.tgid;
  t.ppid = parent.ppid;
  // Actions are the process's (shared); the mask and pending set are the thread's.
  t.signals = { ...threadSignals(parent.signals), actions: parent.signals.actions };
  t.limits = parent.limits;
  t.mem = parent.mem;
  startCpu(t, parent, args);
  if (flags & CLONE_SETTLS) setThreadArea({ k: t, c: t.cpu!, m: t.mem! }, args.tls);
  publishIds(t, parent, args);
  procs.set(tid, t);
  return tid;
}

/** A new process or thread `id` of `parent`'s machine, with what both inherit: group, session, program, directory, umask, TLS, name. */
function newTask(parent: Linux, id: number, thread: boolean): Linux {
  const t = new Linux({ fs: parent.fs, seed: new Uint8Array(0), trace: parent.trace, onOutput: parent.onOutput }, parent, thread);
  t.pid = id;
  t.pgid = parent.pgid;
  t.sid = parent.sid;
  t.exe = parent.exe;
  t.cwd = parent.cwd;
  t.umask = parent.umask;
  t.tls = structuredClone(parent.tls);
  t.comm = parent.comm;
  return t;
}

/** The new task's CPU: the parent's, returning 0 from clone, on the new stack if one was given. */
function startCpu(t: Linux, parent: Linux, args: CloneArgs): void {
  const cpu = copyCpu(parent.cpu!);
  cpu.r[EAX] = 0;
  if (args.stack) cpu.r[ESP] = args.stack | 0;
  t.cpu = cpu;
  t.attach(cpu);
}

/** CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID and CLONE_PARENT_SETTID: where the new id is written or cleared. */
function publishIds(t: Linux, parent: Linux, args: CloneArgs): void {
  if (args.flags & CLONE_CHILD_SETTID) putU32(t.mem!, args.childTid, t.pid);
  if (args.flags & CLONE_CHILD_CLEARTID) t.tidAddress = args.childTid;
  if (args.flags & CLONE_PARENT_SETTID) putU32(parent.mem!, args.parentTid, t.pid);
}
