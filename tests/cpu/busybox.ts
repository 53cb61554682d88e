/**
 * Real third-party code for the decoder cross-check: the .text section of
 * Debian's busybox-static for i386, downloaded with apt into tests/.build/
 * (gitignored) the first time it is needed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, "..", ".build", "busybox-i386");
const binary = join(dir, "x", "bin", "busybox");

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `cannot obtain Debian's busybox-static:i386 (${cmd} ${args.join(" ")} failed): ` +
        (r.error?.message ?? r.stderr),
    );
  }
}

/** Path of the busybox binary, downloading and unpacking the package if needed. */
export function busyboxPath(): string {
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  if (!readdirSync(dir).some((f) => f.endsWith(".deb"))) {
    run("apt-get", ["download", "busybox-static:i386"], dir);
  }
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"))!;
  run("dpkg-deb", ["-x", deb, "x"], dir);
  return binary;
}

/** A loaded section: its bytes and its virtual address. */
export interface Section {
  bytes: Uint8Array;
  addr: number;
}

/** Reads a named section of an ELF32 little-endian file. */
export function elfSection(file: Uint8Array, name: string): Section {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dv.getUint32(0, false) !== 0x7f454c46 || file[4] !== 1) {
    throw new Error("not an ELF32 file");
  }
  const shoff = dv.getUint32(0x20, true);
  const shentsize = dv.getUint16(0x2e, true);
  const shnum = dv.getUint16(0x30, true);
  const shstrndx = dv.getUint16(0x32, true);
  const header = (k: number) => shoff + k * shentsize;
  const strtab = dv.getUint32(header(shstrndx) + 16, true);
  for (let k = 0; k < shnum; k++) {
    const h = header(k);
    let p = strtab + dv.getUint32(h, true);
    let s = "";
    while (file[p]) s += String.fromCharCode(file[p++]);
    if (s !== name) continue;
    const addr = dv.getUint32(h + 12, true);
    const offset = dv.getUint32(h + 16, true);
    const size = dv.getUint32(h + 20, true);
    return { bytes: file.subarray(offset, offset + size), addr };
  }
  throw new Error(`no ${name} section`);
}

/** busybox's .text. */
export function busyboxText(): Section {
  return elfSection(new Uint8Array(readFileSync(busyboxPath())), ".text");
}
