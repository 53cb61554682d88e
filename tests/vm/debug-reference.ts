/**
 * Reference oracles of the breakpoint tests: an i386 program run under gdb
 * (address breakpoints, system-call entries) or strace, on the reference of
 * tests/support/reference.ts, reported as lines in the formats
 * tests/vm/debug.test.ts prints fx86's hits in.
 *
 * Natively, gdb runs the program itself (`catch syscall` stops at system
 * calls) and strace traces it. Under qemu-i386, gdb drives qemu's gdb stub
 * for address breakpoints, and system calls come from qemu's own `-strace`
 * log: qemu 7.2's stub cannot catch system calls (gdb 13 refuses: "The
 * feature 'catch syscall' is not supported on this architecture yet").
 * Both append to one file: qemu stays stopped at a breakpoint until gdb has
 * printed it (gdb flushes printf's output before it continues) and logs
 * each call as it makes it, so the file holds stops and calls in the order
 * they happened.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { i386Runner, qemuI386 } from "../support/reference.ts";
import { hostTool } from "../support/tools.ts";

/** What to print at an address breakpoint: a gdb printf format and its arguments. */
export interface GdbProbe {
  address: number;
  format: string;
  args: string[];
}

/** A system call as strace or qemu -strace printed it. */
interface Call {
  name: string;
  /** The arguments as printed, split at top-level commas (strings may hold commas). */
  args: string[];
}

/**
 * One line of strace (`name(args) = result`) or of qemu -strace
 * (`pid name(args) = result`; calls that do not return have no result).
 */
const CALL_LINE = /^(?:\d+ )?(\w+)\((.*)\)(?:\s+= .*)?$/;

function parseCall(line: string): Call | undefined {
  const m = CALL_LINE.exec(line);
  if (m === null) return undefined;
  const args: string[] = [];
  let arg = "", quoted = false;
  for (let i = 0; i < m[2].length; i++) {
    const c = m[2][i];
    if (c === "\\" && quoted) {
      arg += c + (m[2][++i] ?? "");
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      args.push(arg.trim());
      arg = "";
    } else arg += c;
  }
  args.push(arg.trim());
  return { name: m[1], args };
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
function withTempDir<T>(prefix: string, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** gdb commands that print each probe's line at its address and continue. */
function probeCommands(probes: GdbProbe[]): string[] {
  return probes.flatMap((p, k) => [
    `break *0x${p.address.toString(16)}`,
    `commands ${k + 1}`,
    "silent",
    `printf "${p.format}\\n", ${p.args.join(", ")}`,
    "continue",
    "end",
  ]);
}

/** gdb must succeed and see the program exit; throws with what gdb said otherwise. */
function checkExited(status: number | null, stdout: string, stderr: string): void {
  if (status !== 0 || !/exited (normally|with code)/.test(stdout)) throw new Error(`gdb failed: ${stderr || stdout}`);
}

/** The probe lines and system-call entries of a native run under gdb. */
function nativeGdbStops(program: string, args: string[], probes: GdbProbe[], syscalls: string[], dir: string): string[] {
  const script = ["set pagination off", "set confirm off", ...probeCommands(probes)];
  syscalls.forEach((name, k) => {
    // A catchpoint stops at entry (EAX = -ENOSYS) and at return.
    script.push(`catch syscall ${name}`, `commands ${probes.length + k + 1}`, "silent");
    script.push("if $eax == -38", `printf "S ${name} %x %x\\n", $ebx, $edx`, "end", "continue", "end");
  });
  script.push(`run ${args.join(" ")} > /dev/null`);
  const file = join(dir, "script.gdb");
  writeFileSync(file, script.join("\n") + "\n");
  const r = spawnSync(hostTool("gdb", "gdb"), ["-batch", "-nx", "-x", file, program], { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  checkExited(r.status, r.stdout, r.stderr);
  return r.stdout.split("\n").filter((l) => /^[A-Z] /.test(l));
}

/**
 * The same under qemu-i386: its gdb stub listens on a Unix socket in a
 * private directory (no port to collide with tests running in parallel),
 * and its -strace log shares a file with gdb's output (see the module
 * comment). The program's stdout goes nowhere, as natively; qemu is killed
 * if gdb ends without it.
 */
function qemuGdbStops(program: string, args: string[], probes: GdbProbe[], syscalls: string[], dir: string): string[] {
  const socket = join(dir, "gdb.socket"), log = join(dir, "log"), file = join(dir, "script.gdb");
  const script = ["set pagination off", "set confirm off", "set architecture i386", `target remote ${socket}`];
  writeFileSync(file, [...script, ...probeCommands(probes), "continue"].join("\n") + "\n");
  const run = `q=$1 gdb=$2 sock=$3 log=$4 script=$5 prog=$6; shift 6
    "$q" -strace -g "$sock" "$prog" "$@" > /dev/null 2>> "$log" & qemu=$!
    trap 'kill $qemu 2> /dev/null' EXIT
    for i in $(seq 300); do [ -S "$sock" ] || ! kill -0 $qemu 2> /dev/null && break; sleep 0.1; done
    timeout 50 "$gdb" -batch -nx -x "$script" "$prog" >> "$log"`;
  const tools = [qemuI386(), hostTool("gdb", "gdb")];
  const r = spawnSync("bash", ["-c", run, "fx86", ...tools, socket, log, file, program, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  const out = readFileSync(log, "utf8");
  checkExited(r.status, out, r.stderr);
  const wanted = new Set(syscalls);
  return out.split("\n").flatMap((line) => {
    if (/^[A-Z] /.test(line)) return [line];
    const call = parseCall(line);
    if (call === undefined || !wanted.has(call.name)) return [];
    if (call.args.length < 3) throw new Error(`qemu -strace shows no third argument: ${line}`);
    const hex = (s: string) => (Number(s) >>> 0).toString(16);
    return [`S ${call.name} ${hex(call.args[0])} ${hex(call.args[2])}`];
  });
}

/**
 * The stops of `program args` under gdb on the reference, in order.
 * Address breakpoints print their probe's line; the system calls named in
 * `syscalls` print "S name ebx edx" (hex) at their entry.
 *
 * @example
 * gdbStops("./prog", [], [{ address: 0x8049031, format: "A %x", args: ["$eax"] }], ["write"]);
 */
export function gdbStops(program: string, args: string[], probes: GdbProbe[], syscalls: string[]): string[] {
  return withTempDir("fx86-gdb-", (dir) =>
    i386Runner() === "native"
      ? nativeGdbStops(program, args, probes, syscalls, dir)
      : qemuGdbStops(program, args, probes, syscalls, dir));
}

/**
 * The system calls of `program args` on the reference (strace natively,
 * qemu-i386 -strace otherwise), as "name first last": the first and last
 * arguments as printed (for write, the fd and the length; both print
 * numbers the same way, and only strings and pointers differ).
 *
 * @example
 * straceCalls("./prog", []); // ["write 1 47", "exit_group 0 0"]
 */
export function straceCalls(program: string, args: string[]): string[] {
  return withTempDir("fx86-strace-", (dir) => {
    const log = join(dir, "log");
    const [cmd, ...argv] = i386Runner() === "native"
      ? [hostTool("strace", "strace"), "-o", log, program, ...args]
      : [qemuI386(), "-strace", "-D", log, program, ...args];
    const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: 60_000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    return readFileSync(log, "utf8").split("\n").flatMap((line) => {
      const call = parseCall(line);
      if (call === undefined || call.name === "execve") return [];
      return [`${call.name} ${call.args[0]} ${call.args.at(-1)}`];
    });
  });
}
