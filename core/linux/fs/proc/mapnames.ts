import type { Memory } from "../../../memory/memory.ts";
import { PAGE_SIZE } from "../../../memory/memory.ts";

/**
 * Which file each part of an address space was loaded from, for the names
 * in /proc/PID/maps. fx86 keeps no record of it, so it is read back from
 * the process's memory the way a debugger finds it: the program from the
 * auxiliary vector's AT_PHDR, its dynamic loader from AT_BASE, and the
 * libraries from the loader's list of loaded objects (the program's
 * DT_DEBUG entry points at `_r_debug`, whose `r_map` chains the
 * `link_map`s with their load address and name). What the program has
 * overwritten shows as such; anything unreadable names nothing.
 */

/** A page-aligned range of addresses, the file it came from and the file offset of `start`. */
export interface NamedRange {
  start: number;
  end: number;
  name: string;
  offset: number;
}

const PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6;
const DT_NULL = 0, DT_DEBUG = 21;
const AT_PHDR = 3, AT_PHNUM = 5, AT_BASE = 7;
/** At most this many loaded objects are followed (a corrupt list may loop). */
const MAX_OBJECTS = 1024;

interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  memsz: number;
}

/**
 * The named ranges of a process whose auxiliary vector is at `auxv` and
 * whose program was started as `exe`.
 *
 * @example
 * mappedFiles(mem, auxv, "/bin/ls").map((r) => r.name); // ["/bin/ls", …, "/lib/ld-linux.so.2"]
 */
export function mappedFiles(mem: Memory, auxv: Map<number, number>, exe: string): NamedRange[] {
  try {
    const u32 = (a: number) => mem.r32(a) >>> 0;
    const cstr = (a: number) => String.fromCharCode(...mem.readCString(a, 4096));
    const phdrsAt = (at: number, n: number): Phdr[] =>
      Array.from({ length: Math.min(n, 256) }, (_, i) => ({
        type: u32(at + 32 * i),
        offset: u32(at + 32 * i + 4),
        vaddr: u32(at + 32 * i + 8),
        memsz: u32(at + 32 * i + 20),
      }));
    const out: NamedRange[] = [];
    const loads = (phdrs: Phdr[], bias: number, name: string) => {
      for (const p of phdrs) {
        if (p.type !== PT_LOAD || p.memsz === 0) continue;
        const start = bias + p.vaddr;
        out.push({
          start: start - (start % PAGE_SIZE),
          end: Math.ceil((start + p.memsz) / PAGE_SIZE) * PAGE_SIZE,
          name,
          offset: p.offset - (p.offset % PAGE_SIZE),
        });
      }
    };
    // An ELF image loaded at `base`: its program headers are in its first page.
    const image = (base: number, name: string) => {
      loads(phdrsAt(base + u32(base + 28), mem.r16(base + 44)), base, name);
    };
    const phdrAt = auxv.get(AT_PHDR) ?? 0;
    if (phdrAt === 0) return out;
    const program = phdrsAt(phdrAt, auxv.get(AT_PHNUM) ?? 0);
    const self = program.find((p) => p.type === PT_PHDR);
    const bias = self ? phdrAt - self.vaddr : 0;
    loads(program, bias, exe);
    const interp = program.find((p) => p.type === PT_INTERP);
    const base = auxv.get(AT_BASE) ?? 0;
    const interpName = interp ? cstr(bias + interp.vaddr) : "";
    if (base !== 0 && interpName) image(base, interpName);
    const dynamic = program.find((p) => p.type === PT_DYNAMIC);
    if (!dynamic) return out;
    let rDebug = 0;
    for (let d = bias + dynamic.vaddr, n = 0; n < 4096 && u32(d) !== DT_NULL; d += 8, n++) {
      if (u32(d) === DT_DEBUG) rDebug = u32(d + 4);
    }
    if (rDebug === 0) return out;
    const named = new Set([exe, interpName]);
    for (let map = u32(rDebug + 4), n = 0; map !== 0 && n < MAX_OBJECTS; map = u32(map + 12), n++) {
      const name = cstr(u32(map + 4));
      // The program (no name), the loader (named in AT_BASE) and the vDSO-less rest.
      if (name === "" || named.has(name) || !name.startsWith("/")) continue;
      named.add(name);
      image(u32(map), name);
    }
    return out;
  } catch {
    return [];
  }
}
