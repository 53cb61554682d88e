import { createHash } from "node:crypto";
import { Engine } from "../cpu/engine.ts";
import { Cpu } from "../cpu/state.ts";
import { X87 } from "../cpu/x87/x87.ts";
import { loadElf } from "../elf/load.ts";
import type { FaultInfo } from "../fault.ts";
import { FileSystem } from "../linux/fs/filesystem.ts";
import { Linux } from "../linux/linux.ts";
import { Memory } from "../memory/memory.ts";

/** Why a guest's last run stopped. */
export type StopStatus = "exited" | "budget" | "fault";

/** What `Guest.run` reports. */
export interface Stop {
  status: StopStatus;
  /** Exit status for "exited" (128+N when killed by signal N), else null. */
  exitCode: number | null;
  /** Instructions retired during this run. */
  retired: number;
  fault?: FaultInfo;
}

/** How to start a guest from an ELF executable. */
export interface GuestOptions {
  /** The ELF image. */
  program: Uint8Array;
  /** argv, including argv[0]. */
  argv: string[];
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
}

/** The default environment of a guest: deterministic and minimal. */
export const DEFAULT_ENV = ["PATH=/bin:/usr/bin", "HOME=/", "TERM=dumb", "LANG=C"];

/**
 * One guest: a CPU, its memory and its Linux personality.
 *
 * @example
 * const g = Guest.fromElf({ program: elfBytes, argv: ["echo", "hi"] });
 * const stop = g.run(Infinity);
 * stop.status === "exited" && new TextDecoder().decode(g.linux.stdout) === "hi\n";
 */
export class Guest {
  readonly engine: Engine;

  private constructor(
    readonly cpu: Cpu,
    readonly mem: Memory,
    readonly linux: Linux,
  ) {
    this.engine = new Engine(cpu, mem);
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
    });
    // The program comes from the host, not the guest's file system, so the
    // guest's tree stays exactly the --root copy.
    const loaded = loadElf(opts.program, mem, cpu, {
      argv: opts.argv,
      envp: opts.env ?? DEFAULT_ENV,
      execfn: opts.argv[0] ?? "",
      random: linux.random.bytes(16),
    });
    linux.brkStart = linux.brk = loaded.brk;
    linux.attach(cpu);
    return new Guest(cpu, mem, linux);
  }

  /** Instructions retired since the guest started. */
  get instructions(): number {
    return this.cpu.icount;
  }

  /**
   * Runs at most `budget` more instructions (Infinity for no limit). A
   * guest that has exited stays exited; a fault is reported each time.
   */
  run(budget: number): Stop {
    const c = this.cpu;
    const start = c.icount;
    let left = budget;
    while (!c.halted && left > 0) {
      const s = this.engine.run(left);
      left -= s.retired;
      if (s.fault) {
        return {
          status: "fault",
          exitCode: null,
          retired: c.icount - start,
          fault: {
            kind: s.fault.kind,
            eip: c.eip >>> 0,
            address: s.fault.address,
            detail: s.fault.detail,
          },
        };
      }
      if (c.trap) {
        c.trap = 0;
        this.linux.syscall(c, this.mem);
      }
    }
    const retired = c.icount - start;
    if (!c.halted) return { status: "budget", exitCode: null, retired };
    if (this.linux.exit) {
      return { status: "exited", exitCode: this.linux.exitCode!, retired };
    }
    // Halted without exiting: blocked in a call nothing can ever satisfy
    // (the host's stdin is closed for exec), with EIP back on its int 0x80.
    return {
      status: "fault",
      exitCode: null,
      retired,
      fault: {
        kind: "deadlock",
        eip: c.eip >>> 0,
        address: 0,
        detail: `blocked forever: ${this.linux.blocked ?? "waiting"}`,
      },
    };
  }
}
