import type { Memory } from "../memory/memory.ts";
import { CLK_TCK } from "../linux/clock.ts";
import { HWCAP, HWCAP2, PLATFORM } from "../linux/hwcap.ts";
import { GID, UID } from "../linux/identity.ts";
import { STACK_SIZE, STACK_TOP } from "../linux/layout.ts";
import { ElfError, PHDR_SIZE } from "./elf.ts";

/** Auxiliary vector entry types. */
export const AT_NULL = 0,
  AT_PHDR = 3,
  AT_PHENT = 4,
  AT_PHNUM = 5,
  AT_PAGESZ = 6,
  AT_BASE = 7,
  AT_FLAGS = 8,
  AT_ENTRY = 9,
  AT_UID = 11,
  AT_EUID = 12,
  AT_GID = 13,
  AT_EGID = 14,
  AT_PLATFORM = 15,
  AT_HWCAP = 16,
  AT_CLKTCK = 17,
  AT_SECURE = 23,
  AT_RANDOM = 25,
  AT_HWCAP2 = 26,
  AT_EXECFN = 31;

/** Longest single argument or environment string (Linux's MAX_ARG_STRLEN). */
const MAX_ARG_STRLEN = 32 * 4096;
/** Arguments and environment may use a quarter of the stack, as on Linux. */
const MAX_ARGS = STACK_SIZE / 4;

/** Argument, environment and AT_EXECFN strings, NUL-terminated UTF-8. */
export interface EncodedArgs {
  argv: Uint8Array[];
  envp: Uint8Array[];
  execfn: Uint8Array;
}

/** What the start-up stack describes. */
export interface StackInfo extends EncodedArgs {
  /** 16 bytes for AT_RANDOM. */
  random: Uint8Array;
  entry: number;
  phdr: number;
  phnum: number;
}

const utf8 = new TextEncoder();

function cstr(s: string): Uint8Array {
  const b = utf8.encode(s + "\0");
  if (b.length > MAX_ARG_STRLEN) throw new ElfError("argument list too long");
  return b;
}

/** Encodes the strings for {@link buildStack}; ElfError if they are too long for Linux. */
export function encodeArgs(
  argv: string[],
  envp: string[],
  execfn: string,
): EncodedArgs {
  const args = {
    argv: argv.map(cstr),
    envp: envp.map(cstr),
    execfn: cstr(execfn),
  };
  const size = [...args.argv, ...args.envp, args.execfn].reduce(
    (n, b) => n + b.length,
    0,
  );
  if (size + 4 * (argv.length + envp.length) > MAX_ARGS) {
    throw new ElfError("argument list too long");
  }
  return args;
}

/**
 * Writes the Linux start-up stack below STACK_TOP exactly as the kernel
 * lays it out (fs/binfmt_elf.c, create_elf_tables, without randomisation),
 * from the top down:
 *
 *   4 zero bytes; the AT_EXECFN string; the environment strings; the
 *   argument strings; (align 16) the AT_PLATFORM string; 16 AT_RANDOM bytes;
 *   padding; then from ESP up: argc, argv[], NULL, envp[], NULL, auxv pairs
 *   ending with AT_NULL, ESP 16-byte aligned.
 *
 * The stack pages must already be mapped. Returns the initial ESP.
 */
export function buildStack(mem: Memory, info: StackInfo): number {
  const { argv: args, envp: envs, execfn } = info;
  let p = STACK_TOP - 4;
  const put = (bytes: Uint8Array): number => {
    p -= bytes.length;
    mem.poke(p, bytes);
    return p;
  };
  const execfnAt = put(execfn);
  const strings = (list: Uint8Array[]): number[] => {
    const total = list.reduce((n, b) => n + b.length, 0);
    p -= total;
    let at = p;
    const addrs = list.map((b) => {
      mem.poke(at, b);
      at += b.length;
      return at - b.length;
    });
    return addrs;
  };
  const envAt = strings(envs);
  const argAt = strings(args);
  p -= p % 16;
  const platformAt = put(utf8.encode(PLATFORM + "\0"));
  const randomAt = put(info.random);

  const auxv: [number, number][] = [
    [AT_HWCAP, HWCAP],
    [AT_PAGESZ, 4096],
    [AT_CLKTCK, CLK_TCK],
    [AT_PHDR, info.phdr],
    [AT_PHENT, PHDR_SIZE],
    [AT_PHNUM, info.phnum],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, info.entry],
    [AT_UID, UID],
    [AT_EUID, UID],
    [AT_GID, GID],
    [AT_EGID, GID],
    [AT_SECURE, 0],
    [AT_RANDOM, randomAt],
    [AT_HWCAP2, HWCAP2],
    [AT_EXECFN, execfnAt],
    [AT_PLATFORM, platformAt],
    [AT_NULL, 0],
  ];
  const words = [
    args.length,
    ...argAt,
    0,
    ...envAt,
    0,
    ...auxv.flat(),
  ];
  const sp = (p - words.length * 4) - (p - words.length * 4) % 16;
  const table = new Uint8Array(words.length * 4);
  const v = new DataView(table.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  mem.poke(sp, table);
  return sp;
}
