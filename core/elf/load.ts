import { type Cpu, CS, DS, ES, ESP, FS, GS, IF, SS } from "../cpu/state.ts";
import {
  type Memory,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../memory/memory.ts";
import {
  MMAP_MIN,
  PIE_BASE,
  STACK_BOTTOM,
  STACK_SIZE,
} from "../linux/layout.ts";
import { USER_CS, USER_DS } from "../linux/syscalls/tls.ts";
import {
  ElfError,
  ET_DYN,
  parseElf,
  PF_R,
  PF_W,
  PF_X,
  type ProgramHeader,
  PT_GNU_STACK,
  PT_INTERP,
  PT_LOAD,
} from "./elf.ts";
import { buildStack, encodeArgs } from "./stack.ts";

/** What {@link loadElf} needs besides the image. */
export interface LoadOptions {
  argv: string[];
  envp: string[];
  /** AT_EXECFN: the path the program was started by. */
  execfn: string;
  /** 16 bytes for AT_RANDOM (from the guest's deterministic seed). */
  random: Uint8Array;
}

/** One mapping the loader made. */
export interface Segment {
  start: number;
  end: number;
  prot: number;
}

/** Where a program was loaded and how it starts. */
export interface LoadedProgram {
  /** Entry point (after relocation for static-pie). */
  entry: number;
  /** Load bias: 0 for ET_EXEC, PIE_BASE minus the first page for static-pie. */
  base: number;
  /** Initial program break: the page-aligned end of the highest segment. */
  brk: number;
  /** AT_PHDR and AT_PHNUM. */
  phdr: number;
  phnum: number;
  /** Initial ESP (pointing at argc). */
  sp: number;
  /** Whether the stack is executable (PT_GNU_STACK with PF_X, or no PT_GNU_STACK). */
  execStack: boolean;
  /** The page-aligned mappings made for PT_LOAD segments, in program-header order. */
  segments: Segment[];
}

function pageDown(x: number): number {
  return x - (x % PAGE_SIZE);
}

function pageUp(x: number): number {
  return Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
}

function hex(x: number): string {
  return "0x" + x.toString(16);
}

function prot(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
    (flags & PF_X ? PROT_EXEC : 0);
}

/** The PT_INTERP path, printable, for the error message. */
function interpreter(image: Uint8Array, ph: ProgramHeader): string {
  const end = Math.min(image.length, ph.offset + ph.filesz);
  let s = "";
  for (let i = ph.offset; i < end && image[i] !== 0 && s.length < 256; i++) {
    s += image[i] >= 0x20 && image[i] < 0x7f
      ? String.fromCharCode(image[i])
      : "?";
  }
  return s;
}

/** Checks the PT_LOAD segments and returns the load bias. */
function checkSegments(
  image: Uint8Array,
  type: number,
  loads: ProgramHeader[],
): number {
  if (loads.length === 0) throw new ElfError("no loadable segments");
  const bias = type === ET_DYN
    ? PIE_BASE - pageDown(Math.min(...loads.map((p) => p.vaddr)))
    : 0;
  let prevEnd = 0, prevIndex = -1;
  loads.forEach((p, i) => {
    if (p.filesz > p.memsz) {
      throw new ElfError(`segment ${i}: file size exceeds memory size`);
    }
    if (p.filesz > 0 && p.offset + p.filesz > image.length) {
      throw new ElfError(`segment ${i} lies outside the file`);
    }
    if ((p.vaddr - p.offset) % PAGE_SIZE !== 0) {
      throw new ElfError(
        `segment ${i} is misaligned: its address and file offset differ modulo the page size`,
      );
    }
    const start = bias + p.vaddr, end = start + p.memsz;
    if (start < MMAP_MIN) {
      throw new ElfError(
        `segment ${i} lies below the lowest mappable address ${hex(MMAP_MIN)}`,
      );
    }
    if (end > STACK_BOTTOM) {
      throw new ElfError(
        `segment ${i} (${hex(start)}-${hex(end)}) reaches the stack at ${
          hex(STACK_BOTTOM)
        }`,
      );
    }
    if (start < prevEnd) {
      throw new ElfError(`segments ${prevIndex} and ${i} overlap`);
    }
    prevEnd = end;
    prevIndex = i;
  });
  return bias;
}

/**
 * Loads a static i386 Linux executable (ET_EXEC, or static-pie ET_DYN at
 * {@link PIE_BASE}) into `mem`, builds the start-up stack, and sets `cpu` as
 * Linux leaves it at entry: general registers zero, ESP at argc, flat
 * segments. Nothing is changed unless the image is valid.
 *
 * Throws {@link ElfError} (and nothing else) for any image it cannot load.
 *
 * @example
 * const prog = loadElf(bytes, mem, cpu, {
 *   argv: ["prog"], envp: [], execfn: "/bin/prog", random: new Uint8Array(16),
 * });
 * cpu.eip === prog.entry;
 */
export function loadElf(
  image: Uint8Array,
  mem: Memory,
  cpu: Cpu,
  opts: LoadOptions,
): LoadedProgram {
  if (opts.random.length !== 16) {
    throw new RangeError("AT_RANDOM needs 16 bytes");
  }
  const { header, phdrs } = parseElf(image);
  const interp = phdrs.find((p) => p.type === PT_INTERP);
  if (interp) {
    throw new ElfError(
      `dynamically linked (PT_INTERP ${
        interpreter(image, interp)
      }) programs are not supported yet`,
    );
  }
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  const bias = checkSegments(image, header.type, loads);
  const args = encodeArgs(opts.argv, opts.envp, opts.execfn);
  const gnuStack = phdrs.find((p) => p.type === PT_GNU_STACK);
  // Without PT_GNU_STACK, Linux gives i386 programs an executable stack.
  const execStack = gnuStack ? (gnuStack.flags & PF_X) !== 0 : true;

  const segments: Segment[] = [];
  let brk = 0;
  for (const p of loads) {
    if (p.memsz === 0) continue;
    const start = bias + p.vaddr;
    const fileEnd = start + p.filesz, memEnd = start + p.memsz;
    const seg = {
      start: pageDown(start),
      end: pageUp(memEnd),
      prot: prot(p.flags),
    };
    mem.map(seg.start, seg.end - seg.start, seg.prot);
    if (p.filesz > 0) {
      // Whole file pages are mapped, as mmap does: bytes around the segment
      // on its first and last page come from the file too...
      const from = pageDown(p.offset);
      const bytes = image.subarray(from, from + pageUp(fileEnd) - seg.start);
      mem.poke(seg.start, bytes);
      // ...except that the bss starts zeroed, on its first page as well.
      if (memEnd > fileEnd) {
        mem.poke(fileEnd, new Uint8Array(pageUp(fileEnd) - fileEnd));
      }
    }
    segments.push(seg);
    brk = Math.max(brk, seg.end);
  }

  mem.map(
    STACK_BOTTOM,
    STACK_SIZE,
    PROT_READ | PROT_WRITE | (execStack ? PROT_EXEC : 0),
  );
  // AT_PHDR: where the program headers are in memory, via the segment that
  // maps them (as Linux computes it).
  const holder = loads.find((p) =>
    p.offset <= header.phoff && header.phoff < p.offset + p.filesz
  );
  const phdr = bias +
    (holder ? header.phoff - holder.offset + holder.vaddr : 0);
  const entry = (bias + header.entry) >>> 0;
  const sp = buildStack(mem, {
    ...args,
    random: opts.random,
    entry,
    phdr,
    phnum: header.phnum,
  });

  cpu.r.fill(0);
  cpu.r[ESP] = sp;
  cpu.eip = entry | 0;
  cpu.fr =
    cpu.fa =
    cpu.fsz =
    cpu.fl =
      0;
  cpu.ef = IF | 2;
  cpu.segBase.fill(0);
  cpu.sreg[CS] = USER_CS;
  for (const s of [SS, DS, ES]) cpu.sreg[s] = USER_DS;
  cpu.sreg[FS] = cpu.sreg[GS] = 0;
  cpu.halted = false;
  return {
    entry,
    base: bias,
    brk,
    phdr,
    phnum: header.phnum,
    sp,
    execStack,
    segments,
  };
}
