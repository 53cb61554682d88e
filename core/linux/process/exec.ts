/**
 * execve: replaces a process's program with an ELF executable (or a `#!`
 * script's interpreter) from the guest's own file system, with its
 * PT_INTERP loader from there too if it is dynamically linked. The process
 * gets a new CPU and a new, empty address space (so translated code of the
 * old program is never reused for the new one); descriptors marked
 * close-on-exec are closed and caught signals return to their default.
 */
import { Cpu } from "../../cpu/state.ts";
import { X87 } from "../../cpu/x87/x87.ts";
import { ElfError } from "../../elf/elf.ts";
import { loadElf } from "../../elf/load.ts";
import { Memory } from "../../memory/memory.ts";
import { getU32, readPath } from "../abi.ts";
import { E2BIG, EACCES, ELOOP, ENOENT, ENOEXEC, LinuxError } from "../errno.ts";
import { contents } from "../fs/contents.ts";
import { toHost } from "../fs/names.ts";
import type { Linux } from "../linux.ts";
import { requirePerm, X_OK } from "../perm.ts";
import { execSignals } from "../signals/inherit.ts";
import { cwdPath } from "../syscalls/dirs.ts";
import { interpreterFrom } from "../interpreter.ts";

/** The path a process's own program is known by (busybox re-executes itself through it). */
export const SELF_EXE = "/proc/self/exe";

/** Most arguments or environment strings execve reads. */
const MAX_STRINGS = 0x8000;
/** Nested `#!` interpreters Linux follows. */
const MAX_SCRIPT_DEPTH = 4;

/** Reads a NULL-terminated array of string pointers. */
export function readStrings(m: Memory, addr: number): string[] {
  const out: string[] = [];
  if (addr === 0) return out;
  for (let i = 0;; i++) {
    if (i >= MAX_STRINGS) throw new LinuxError(E2BIG);
    const p = getU32(m, addr + 4 * i);
    if (p === 0) return out;
    out.push(readPath(m, p));
  }
}

/** The file to run and its bytes: `path` (or the process's own program) must be executable. */
function program(k: Linux, path: string): { path: string; image: Uint8Array } {
  if (path === SELF_EXE) {
    if (k.exe === undefined) throw new LinuxError(ENOENT);
    path = k.exe;
  }
  if (path === "") throw new LinuxError(ENOENT);
  const node = k.lookupAt(-100, path, true);
  if (node.kind !== "file") throw new LinuxError(EACCES);
  requirePerm(node, X_OK);
  return { path, image: contents(node) };
}

/** `#!interpreter [one argument]` of a script, or undefined for anything else. */
function shebang(image: Uint8Array): string[] | undefined {
  if (image[0] !== 0x23 || image[1] !== 0x21) return undefined;
  let end = image.indexOf(0x0a);
  if (end < 0) end = Math.min(image.length, 256);
  const line = new TextDecoder("latin1").decode(image.subarray(2, end)).trim();
  const space = line.search(/[ \t]/);
  if (line === "") throw new LinuxError(ENOEXEC);
  return space < 0 ? [line] : [line.slice(0, space), line.slice(space).trim()];
}

/**
 * Runs `path` in process `k` with `argv` and `envp` (byte strings):
 * loads it into a fresh CPU and memory and makes them the process's.
 *
 * @example
 * execProgram(k, "/bin/busybox", ["sh", "-c", "echo hi"], ["PATH=/bin"]);
 */
export function execProgram(k: Linux, path: string, argv: string[], envp: string[]): void {
  let { path: file, image } = program(k, path);
  const execfn = path;
  for (let depth = 0;; depth++) {
    const interp = shebang(image);
    if (!interp) break;
    if (depth >= MAX_SCRIPT_DEPTH) throw new LinuxError(ELOOP);
    argv = [...interp, path, ...argv.slice(1)];
    ({ path: file, image } = program(k, interp[0]));
    path = interp[0];
  }
  const cpu = new Cpu(new X87());
  const mem = new Memory();
  let brk: number;
  try {
    brk = loadElf(image, mem, cpu, {
      argv: argv.map(toHost),
      envp: envp.map(toHost),
      execfn: toHost(execfn),
      random: k.random.bytes(16),
      // A dynamically linked program's loader comes from the guest's tree too.
      interpreter: interpreterFrom(k.fs),
    }).brk;
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    // A missing interpreter is ENOENT, as on Linux.
    const errno = e.message.includes("too long") ? E2BIG : e.message.includes("not in the guest's file system") ? ENOENT : ENOEXEC;
    throw new LinuxError(errno);
  }
  // The point of no return: the old program is gone.
  for (const [fd, e] of [...k.fds.entries()].sort((a, b) => a[0] - b[0])) {
    if (e.cloexec) k.closeFd(fd);
  }
  execSignals(k.signals);
  k.tls = [null, null, null];
  k.brkStart = k.brk = brk;
  k.tidAddress = 0;
  k.robustList = [0, 0];
  k.exe = file.startsWith("/") ? file : `${cwdPath(k)}/${file}`;
  k.comm = file.slice(file.lastIndexOf("/") + 1).slice(0, 15);
  k.cpu = cpu;
  k.mem = mem;
  k.attach(cpu);
  cpu.icount = k.now;
  k.machine.procs?.forEach((p) => {
    if (p.vforkChild === k.pid) p.vforkChild = 0;
  });
}
