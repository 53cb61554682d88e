/**
 * A harness for calling system calls directly: a Linux personality with a
 * CPU and a memory that has a scratch area for arguments, plus helpers to
 * put strings and buffers there and read results back.
 */
import {
  Cpu,
  EAX,
  EBP,
  EBX,
  ECX,
  EDI,
  EDX,
  ESI,
} from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import { Memory, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Linux, type LinuxOptions } from "../../core/linux/linux.ts";
import { SYSCALLS } from "../../core/linux/syscalls/table.ts";

/** Scratch memory for arguments (read-write). */
export const SCRATCH = 0x100000;
export const SCRATCH_SIZE = 0x100000;
/** A read-only page and an unmapped address, for EFAULT tests. */
export const READONLY = 0x300000;
export const UNMAPPED = 0x400000;

const NUMBERS = new Map<string, number>();
SYSCALLS.forEach((d, nr) => d && NUMBERS.set(d.name, nr));

/** The number of a system call fx86 implements, by name. */
export function nr(name: string): number {
  const n = NUMBERS.get(name);
  if (n === undefined) throw new Error(`unknown system call ${name}`);
  return n;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Sys {
  readonly fs: FileSystem;
  readonly k: Linux;
  readonly m = new Memory();
  readonly c = new Cpu(new X87());
  readonly trace: string[] = [];
  private next = SCRATCH;

  /** A fresh personality with `opts`, or `linux` (e.g. one restored from a dump). */
  constructor(opts: Partial<LinuxOptions> & { linux?: Linux } = {}) {
    this.k = opts.linux ?? new Linux({
      seed: enc.encode("test"),
      ...opts,
      fs: opts.fs ?? new FileSystem(),
    });
    this.fs = this.k.fs;
    this.k.trace ??= (l) => this.trace.push(l);
    this.m.map(SCRATCH, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
    this.m.map(READONLY, 0x1000, PROT_READ);
    this.k.cpu = this.c;
    this.k.mem = this.m;
    this.k.attach(this.c);
  }

  /** Makes system call `name` (or number) with up to six arguments; returns EAX (signed). */
  call(name: string | number, ...args: number[]): number {
    const regs = [EBX, ECX, EDX, ESI, EDI, EBP];
    this.c.r[EAX] = typeof name === "number" ? name : nr(name);
    regs.forEach((r, i) => (this.c.r[r] = args[i] ?? 0));
    this.c.eip = 0x1002;
    this.k.syscall(this.c, this.m);
    return this.c.r[EAX];
  }

  /** Allocates `n` zeroed scratch bytes (16-byte aligned). */
  alloc(n: number): number {
    const at = this.next;
    this.next += Math.ceil(Math.max(n, 1) / 16) * 16;
    if (this.next > SCRATCH + SCRATCH_SIZE) {
      throw new Error("scratch exhausted");
    }
    return at;
  }

  /** A NUL-terminated string in scratch memory. */
  str(s: string): number {
    const b = enc.encode(s + "\0");
    const at = this.alloc(b.length);
    this.m.write(at, b);
    return at;
  }

  /** Bytes (or a string's UTF-8) in scratch memory. */
  data(d: Uint8Array | string): number {
    const b = typeof d === "string" ? enc.encode(d) : d;
    const at = this.alloc(b.length);
    this.m.write(at, b);
    return at;
  }

  bytes(addr: number, n: number): Uint8Array {
    return this.m.read(addr, n);
  }

  text(addr: number, n: number): string {
    return dec.decode(this.m.read(addr, n));
  }

  u32(addr: number): number {
    return this.m.r32(addr) >>> 0;
  }

  i32(addr: number): number {
    return this.m.r32(addr);
  }

  /** Opens a path; returns the descriptor (or -errno). */
  open(path: string, flags = 0, mode = 0o644): number {
    return this.call("open", this.str(path), flags, mode);
  }

  /** Writes a string to `fd`. */
  write(fd: number, s: string | Uint8Array): number {
    const b = typeof s === "string" ? enc.encode(s) : s;
    return this.call("write", fd, this.data(b), b.length);
  }

  /** Reads up to `n` bytes from `fd` as text (throws on error). */
  read(fd: number, n = 4096): string {
    const buf = this.alloc(n);
    const r = this.call("read", fd, buf, n);
    if (r < 0) throw new Error(`read failed: ${r}`);
    return this.text(buf, r);
  }
}

/**
 * Makes system call `name` in process `p` (a child of a Sys's guest), on
 * its own CPU and memory; returns EAX.
 */
export function callIn(p: Linux, name: string, ...args: number[]): number {
  const c = p.cpu!;
  c.r[EAX] = nr(name);
  [EBX, ECX, EDX, ESI, EDI, EBP].forEach((r, i) => (c.r[r] = args[i] ?? 0));
  c.eip = 0x1002;
  c.halted = false;
  p.syscall(c, p.mem!);
  return c.r[EAX];
}

export { dec, enc };
