import type { Memory } from "../../../memory/memory.ts";
import { STACK_BOTTOM, STACK_TOP } from "../../layout.ts";
import { GID, UID } from "../../identity.ts";
import { processList as tableProcesses } from "../../process/list.ts";
import type { Linux } from "../../linux.ts";
import { mappedFiles, type NamedRange } from "./mapnames.ts";
import { processCpuTime } from "../../process/cputime.ts";

/**
 * What /proc shows of one process. {@link processList} is the one place
 * /proc learns which processes exist.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  /** The personality serving it: descriptors, signals, umask, brk. */
  linux: Linux;
  /** Its address space. */
  mem: Memory;
  /** Instructions it has run (its CPU time), and those of the children it waited for. */
  icount: number;
  childIcount: number;
  /** The thread name (prctl PR_SET_NAME), else the program's file name, at most 15 bytes. */
  name: string;
  /** The program's path as it was started (AT_EXECFN). */
  exe: string;
  /** argv as NUL-terminated strings, read from its memory (as Linux reads arg_start..arg_end). */
  cmdline: Uint8Array;
  /** Which files its mappings came from (mapnames.ts). */
  files: NamedRange[];
}

/**
 * The processes /proc lists, in pid order: every process of the guest's
 * process table (core/linux/process/list.ts) that still has an address
 * space; `mem` is the calling process's.
 *
 * @example
 * processList(linux, mem)[0].pid; // 100
 */
export function processList(linux: Linux, mem: Memory): ProcessInfo[] {
  return tableProcesses(linux).flatMap((p) => {
    const m = p === linux ? mem : p.mem;
    return m === undefined ? [] : [describe(p, m)];
  }).sort((a, b) => a.pid - b.pid);
}

function describe(linux: Linux, mem: Memory): ProcessInfo {
  const { exe, cmdline, auxv } = readableStart(mem);
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  return {
    pid: linux.pid,
    ppid: linux.ppid,
    uid: UID,
    gid: GID,
    linux,
    mem,
    icount: processCpuTime(linux),
    childIcount: linux.cpuTimeChildren,
    name: linux.comm || base.slice(0, 15),
    exe,
    cmdline,
    files: mappedFiles(mem, auxv, exe),
  };
}

const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/**
 * The program's path as it was started (AT_EXECFN), from its stack; "" if
 * the stack is gone.
 *
 * @example
 * programPath(mem); // "/bin/ls"
 */
export function programPath(mem: Memory): string {
  const top = STACK_TOP - 4;
  try {
    let at = top - 1;
    while (at > top - 4096 && mem.read(at - 1, 1)[0] !== 0) at--;
    return latin1(mem.read(at, top - 1 - at));
  } catch {
    return ""; // the program unmapped or protected its stack's top
  }
}

/** startStrings, or nothing where the program has unmapped or protected its stack's top. */
function readableStart(mem: Memory): ReturnType<typeof startStrings> {
  try {
    return startStrings(mem);
  } catch {
    return { exe: "", cmdline: new Uint8Array(0), auxv: new Map() };
  }
}

/**
 * The start-up strings as the loader left them (core/elf/stack.ts): the
 * AT_EXECFN string ends 4 bytes below STACK_TOP; the auxiliary vector's
 * AT_EXECFN entry points at it, and below the vector lie envp and argv,
 * whose first pointers delimit the argument strings. Whatever the program
 * has overwritten since shows, as on Linux; a stack that no longer reads
 * like one gives an empty command line.
 */
function startStrings(mem: Memory): { exe: string; cmdline: Uint8Array; auxv: Map<number, number> } {
  const empty = { exe: "", cmdline: new Uint8Array(0), auxv: new Map<number, number>() };
  const exe = programPath(mem);
  if (exe === "") return empty;
  const at = STACK_TOP - 5 - exe.length;
  // Find the auxv entry AT_EXECFN (31) pointing at `at`, scanning down a page at most.
  const AT_EXECFN = 31, EXECFN_INDEX = 16;
  for (let p = ((at & ~3) >>> 0) - 8; p > at - 65536 && mem.isMapped(p >>> 12); p -= 4) {
    if ((mem.r32(p) >>> 0) !== AT_EXECFN || (mem.r32(p + 4) >>> 0) !== at) continue;
    let q = p - EXECFN_INDEX * 8 - 4; // envp's NULL
    const word = () => mem.isMapped(q >>> 12) ? mem.r32(q) >>> 0 : 0;
    if (word() !== 0) break;
    const env: number[] = [];
    for (q -= 4; q > STACK_BOTTOM && word() !== 0; q -= 4) env.unshift(word());
    const argv: number[] = [];
    for (q -= 4; q > STACK_BOTTOM && word() > argv.length; q -= 4) argv.unshift(word());
    if (argv.length === 0 || word() !== argv.length) break;
    const end = env.length ? env[0] : at;
    if (end < argv[0] || end - argv[0] > 1 << 20) break;
    const auxv = new Map<number, number>();
    for (let a = p - EXECFN_INDEX * 8; a < p + 64 * 8 && mem.r32(a) !== 0; a += 8) {
      auxv.set(mem.r32(a) >>> 0, mem.r32(a + 4) >>> 0);
    }
    return { exe, cmdline: mem.read(argv[0], end - argv[0]), auxv };
  }
  return { ...empty, exe };
}
