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
  MMAP_TOP,
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
  /**
   * The contents of a dynamically linked program's interpreter (its
   * PT_INTERP path, e.g. `/lib/ld-linux.so.2`), read from the guest's file
   * system; throws ElfError if there is none. Without it such programs are
   * refused.
   */
  interpreter?: (path: string) => Uint8Array;
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
  /** For a dynamically linked program: its interpreter, where it was loaded. */
  interp?: LoadedInterpreter;
}

/** The dynamic linker of a dynamically linked program (AT_BASE and the first EIP). */
export interface LoadedInterpreter {
  /** Its PT_INTERP path. */
  path: string;
  /** Load bias (AT_BASE): where its first page is. */
  base: number;
  /** Where the program starts running: the interpreter's entry point. */
  entry: number;
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

/** Longest interpreter path Linux accepts (PATH_MAX). */
const PATH_MAX = 4096;

/**
 * The PT_INTERP path: a NUL-terminated string inside the file, as Linux
 * requires (binfmt_elf.c refuses anything else with ENOEXEC).
 */
function interpreterPath(image: Uint8Array, ph: ProgramHeader): string {
  if (ph.filesz < 2 || ph.filesz > PATH_MAX) {
    throw new ElfError(`bad PT_INTERP size ${ph.filesz}`);
  }
  if (ph.offset + ph.filesz > image.length) {
    throw new ElfError("PT_INTERP lies outside the file");
  }
  const bytes = image.subarray(ph.offset, ph.offset + ph.filesz);
  if (bytes[bytes.length - 1] !== 0) {
    throw new ElfError("PT_INTERP is not NUL-terminated");
  }
  return new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)));
}

/** A path for a one-line message: control and non-ASCII characters as `?`. */
function printable(path: string): string {
  return path.replace(/[^\x20-\x7e]/g, "?");
}

/**
 * Reads and checks a program's interpreter: an ET_DYN image without an
 * interpreter of its own. Returns its headers and PT_LOAD segments.
 */
function readInterpreter(
  path: string,
  opts: LoadOptions,
): { image: Uint8Array; loads: ProgramHeader[]; entry: number } {
  if (!opts.interpreter) {
    throw new ElfError(
      `dynamically linked (PT_INTERP ${
        printable(path)
      }) programs need a file system to load their interpreter from`,
    );
  }
  try {
    const image = opts.interpreter(path);
    const { header, phdrs } = parseElf(image);
    if (header.type !== ET_DYN) throw new ElfError("not position-independent");
    if (phdrs.some((p) => p.type === PT_INTERP)) {
      throw new ElfError("has an interpreter of its own");
    }
    const loads = phdrs.filter((p) => p.type === PT_LOAD);
    return { image, loads, entry: header.entry };
  } catch (e) {
    if (e instanceof ElfError) {
      throw new ElfError(`interpreter ${printable(path)}: ${e.message}`);
    }
    throw e;
  }
}

/** The lowest page of the PT_LOAD segments. */
function lowestPage(loads: ProgramHeader[]): number {
  return pageDown(Math.min(...loads.map((p) => p.vaddr)));
}

/**
 * Where an interpreter goes: top-down from MMAP_TOP, as Linux maps it (the
 * first mmap of the process, with randomisation off), so later mmaps come
 * below it.
 */
function interpreterBias(loads: ProgramHeader[]): number {
  if (loads.length === 0) return 0; // checkSegments refuses it
  const low = lowestPage(loads);
  const high = Math.max(...loads.map((p) => p.vaddr + p.memsz));
  return pageDown(MMAP_TOP - pageUp(high - low)) - low;
}

/** Checks the PT_LOAD segments placed at `bias`. */
function checkSegments(
  image: Uint8Array,
  loads: ProgramHeader[],
  bias: number,
): void {
  if (loads.length === 0) throw new ElfError("no loadable segments");
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
}

/**
 * Maps the PT_LOAD segments at `bias` with their protections. Returns the
 * mappings and the page-aligned end of the highest one.
 */
function mapSegments(
  image: Uint8Array,
  loads: ProgramHeader[],
  bias: number,
  mem: Memory,
): { segments: Segment[]; end: number } {
  const segments: Segment[] = [];
  let end = 0;
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
    end = Math.max(end, seg.end);
  }
  return { segments, end };
}

/**
 * Loads an i386 Linux executable (ET_EXEC, or ET_DYN at {@link PIE_BASE})
 * into `mem`, with its interpreter if it names one (PT_INTERP, read through
 * `opts.interpreter`, placed below MMAP_TOP), builds the start-up stack, and
 * sets `cpu` as Linux leaves it at entry: general registers zero, ESP at
 * argc, flat segments, EIP at the interpreter's entry if there is one.
 * Nothing is changed unless the image (and interpreter) is valid.
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
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  const bias = header.type === ET_DYN && loads.length > 0
    ? PIE_BASE - lowestPage(loads)
    : 0;
  checkSegments(image, loads, bias);
  const interpHeader = phdrs.find((p) => p.type === PT_INTERP);
  const interpPath = interpHeader && interpreterPath(image, interpHeader);
  const interp = interpPath !== undefined
    ? readInterpreter(interpPath, opts)
    : undefined;
  const interpAt = interp ? interpreterBias(interp.loads) : 0;
  if (interp) {
    try {
      checkSegments(interp.image, interp.loads, interpAt);
    } catch (e) {
      throw new ElfError(
        `interpreter ${printable(interpPath!)}: ${(e as Error).message}`,
      );
    }
    const span = (ls: ProgramHeader[], at: number) => [
      at + lowestPage(ls),
      at + Math.max(...ls.map((p) => p.vaddr + p.memsz)),
    ];
    const [a0, a1] = span(loads, bias), [b0, b1] = span(interp.loads, interpAt);
    if (a0 < b1 && b0 < a1) {
      throw new ElfError(
        `interpreter ${printable(interpPath!)} overlaps the program`,
      );
    }
  }
  const args = encodeArgs(opts.argv, opts.envp, opts.execfn);
  const gnuStack = phdrs.find((p) => p.type === PT_GNU_STACK);
  // Without PT_GNU_STACK, Linux gives i386 programs an executable stack.
  const execStack = gnuStack ? (gnuStack.flags & PF_X) !== 0 : true;

  const { segments, end: brk } = mapSegments(image, loads, bias, mem);
  const interpMapped = interp &&
    mapSegments(interp.image, interp.loads, interpAt, mem);

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
  const loaded: LoadedInterpreter | undefined = interp && {
    path: interpPath!,
    base: (interpAt + lowestPage(interp.loads)) >>> 0,
    entry: (interpAt + interp.entry) >>> 0,
    segments: interpMapped!.segments,
  };
  const sp = buildStack(mem, {
    ...args,
    random: opts.random,
    entry,
    phdr,
    phnum: header.phnum,
    base: loaded?.base ?? 0,
  });

  cpu.r.fill(0);
  cpu.r[ESP] = sp;
  cpu.eip = (loaded?.entry ?? entry) | 0;
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
    interp: loaded,
  };
}
