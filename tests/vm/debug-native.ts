/**
 * Native oracles of the breakpoint tests: an i386 program run natively
 * under gdb (breakpoints, system-call catchpoints) or strace, reported as
 * lines in the formats tests/vm/debug.test.ts prints fx86's hits in.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What to print at an address breakpoint: a gdb printf format and its arguments. */
export interface GdbProbe {
  address: number;
  format: string;
  args: string[];
}

/**
 * The stops of `program args` under gdb, in order. Address breakpoints
 * print their probe's line; system calls in `syscalls` print
 * "S number ebx edx" (hex) at their entry.
 *
 * @example
 * gdbStops("./prog", [], [{ address: 0x8049031, format: "A %x", args: ["$eax"] }], [4]);
 */
export function gdbStops(program: string, args: string[], probes: GdbProbe[], syscalls: number[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "fx86-gdb-"));
  try {
    const script = ["set pagination off", "set confirm off"];
    probes.forEach((p, k) => {
      script.push(`break *0x${p.address.toString(16)}`, `commands ${k + 1}`, "silent");
      script.push(`printf "${p.format}\\n", ${p.args.join(", ")}`, "continue", "end");
    });
    if (syscalls.length > 0) {
      // A catchpoint stops at entry (EAX = -ENOSYS) and at return.
      script.push(`catch syscall ${syscalls.join(" ")}`, `commands ${probes.length + 1}`, "silent");
      script.push("if $eax == -38", 'printf "S %x %x %x\\n", $orig_eax, $ebx, $edx', "end", "continue", "end");
    }
    script.push(`run ${args.join(" ")} > /dev/null`);
    const file = join(dir, "script.gdb");
    writeFileSync(file, script.join("\n") + "\n");
    const r = spawnSync("gdb", ["-batch", "-nx", "-x", file, program], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0 || !/exited (normally|with code)/.test(r.stdout)) {
      throw new Error(`gdb failed: ${r.stderr || r.stdout}`);
    }
    return r.stdout.split("\n").filter((l) => /^[A-Z] /.test(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The system calls of `program args` natively, as "name first last": the
 * first and last arguments as strace prints them (for write, the fd and
 * the length).
 *
 * @example
 * straceCalls("./prog", []); // ["write 1 47", "exit_group 0 0"]
 */
export function straceCalls(program: string, args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "fx86-strace-"));
  try {
    const log = join(dir, "log");
    const r = spawnSync("strace", ["-o", log, program, ...args], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`strace failed: ${r.stderr}`);
    const lines = readFileSync(log, "utf8").split("\n");
    const calls: string[] = [];
    for (const line of lines) {
      const m = /^(\w+)\((.*)\)\s+=/.exec(line);
      if (m === null || m[1] === "execve") continue;
      // Strings may hold ", ": the first and last arguments are numbers.
      const first = /^[^,]*/.exec(m[2])![0], last = /[^ ,]*$/.exec(m[2])![0];
      calls.push(`${m[1]} ${first} ${last}`);
    }
    return calls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
