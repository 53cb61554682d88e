/**
 * Builds small i386 test guests at test time (into tests/.build/), from
 * sources committed beside the tests. Fails with a clear message when the
 * toolchain is missing (tests/prepare.sh installs it).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUILD } from "./guests.ts";

function run(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Uint8Array };
    if (err.code === "ENOENT") {
      throw new Error(`${cmd} is not installed: run tests/prepare.sh (npm test does)`);
    }
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(err.stderr ?? new Uint8Array())}`);
  }
}

function fresh(out: string, src: string): boolean {
  return existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs;
}

/**
 * Assembles a nasm source (with -D defines) into a static i386 ELF and
 * returns its path.
 *
 * @example
 * const path = nasmProgram("tests/e2e/guests/faults.asm", "ud2", { FAULT: "undefined" });
 */
export function nasmProgram(src: string, name: string, defines: Record<string, string> = {}): string {
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, name);
  if (!fresh(out, src)) {
    const obj = `${out}.o`;
    run("nasm", ["-f", "elf32", ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`), "-o", obj, src]);
    run("ld", ["-m", "elf_i386", "-o", out, obj]);
  }
  return out;
}

/**
 * Assembles a nasm source into a flat binary (no headers: the bytes as
 * they go into memory) and returns them.
 *
 * @example
 * const code = nasmFlat("tests/cpu/guests/pic.asm", "pic.bin");
 */
export function nasmFlat(src: string, name: string): Uint8Array {
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, name);
  if (!fresh(out, src)) run("nasm", ["-f", "bin", "-o", out, src]);
  return image(out);
}

/** Compiles a C source with gcc -m32 -static and returns the binary's path. */
export function cProgram(src: string, name: string, flags: string[] = ["-O2"]): string {
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, name);
  if (!fresh(out, src)) run("gcc", ["-m32", "-static", ...flags, "-o", out, src]);
  return out;
}

/** Reads a built program. */
export function image(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
