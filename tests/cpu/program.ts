/**
 * Test programs for the differential test: each case becomes a few lines
 * of NASM that load the registers and EFLAGS, run the instruction under
 * test (emitted as `db` bytes, so both sides execute exactly the generated
 * encoding), dump the state and stop with `int 0x80`. All cases of a batch
 * share one flat binary assembled at CODE_BASE, run unchanged on the real
 * CPU (native/runner.c) and under fx86 (fx86_run.ts); program64.ts gives
 * the same cases as 64-bit code.
 */
import { decode } from "../../core/cpu/isa/decoder.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";

export const CODE_BASE = 0x10000000;
/**
 * Three data pages: two read-write, then a read-only one (so writes that
 * cross into it fault after their reads succeed). The pages either side
 * are unmapped.
 */
export const DATA_BASE = 0x20000000;
export const DATA_SIZE = 0x3000;
export const DATA_WRITABLE = 0x2000;
/** Control page: initial state, saved runner ESP, scratch and the dump. */
export const CTRL_BASE = 0x30000000;
export const SAVE = CTRL_BASE + 0x40;
export const SCRATCH = CTRL_BASE + 0x80;
export const DUMP = CTRL_BASE + 0x1d0;
export const DUMP_SEGS = CTRL_BASE + 0x200;
/**
 * Where EAX..EDI are in the dump, in words from DUMP: the epilogue's PUSHAD
 * image at DUMP+4 (EDI ESI EBP - EBX EDX ECX EAX) and ESP at DUMP+0x2c.
 */
export const DUMP_REGS = [8, 7, 6, 5, 11, 3, 2, 1];
/** The word from DUMP that holds EFLAGS (pushed just before the PUSHAD image). */
export const DUMP_EFLAGS = 9;
/** The dump's segment registers, as stored at DUMP_SEGS (and in records). */
export const SEGMENT_REGISTERS = ["es", "cs", "ss", "ds", "fs", "gs"];
/** Register names by number, EAX..EDI. */
export const REGISTERS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
/** The words of the state block at CTRL_BASE: a POPAD image (its ESP slot unused), EFLAGS, ESP. */
export const STATE_WORDS = ["edi", "esi", "ebp", "-", "ebx", "edx", "ecx", "eax", "eflags", "esp"];
/** LDT entry 0, a flat data segment based at DATA_BASE (FS/GS overrides, 16-bit addresses). */
export const LDT_SELECTOR = 7;
/** The system call the dump ends with (getpid: harmless natively). */
const GETPID = 20;

export interface Patch {
  /** Offset in the data pages. */
  offset: number;
  bytes: number[];
}

/** One instruction to run on both sides, with the state it starts from. */
export interface Case {
  /** The opcode form it covers, e.g. "01 add Ev,Gv 32 mem" (see coverage.ts). */
  form: string;
  /** Instruction bytes; strings are NASM expressions (branch displacements). */
  bytes: (number | string)[];
  /** EAX..EDI; ESP is the stack pointer the instruction starts with. */
  regs: number[];
  eflags: number;
  /** Fills the data pages; patches are applied on top. */
  seed: number;
  patches: Patch[];
  /** NASM lines run after the state is loaded (may set registers or memory to label addresses). */
  fixups: string[];
  /** A flag-setting instruction run just before the one under test, so it sees lazy flags. */
  preop: string[];
  /** Segment register to load with LDT_SELECTOR first. */
  ldtSeg?: "fs" | "gs";
  /** Linear address of the memory operand, if any (for masks). */
  ea?: number;
}

/** Where a case's labels ended up in the binary. */
export interface Placed {
  entry: number;
  instr: number;
  next: number;
}

/** The code around the cases that differs between the i386 batch and its 64-bit form (program64.ts). */
export interface Dialect {
  bits: 32 | 64;
  /** The code before the cases: EXIT, EPI_FALL and EPI_TAKEN (both dump the state and jump to EXIT). */
  harness: string[];
  /** The lines that load case n's state (STATE_WORDS at CTRL_BASE) and its ldtSeg, after its entry label. */
  prologue(c: Case, n: number): string[];
  /** The instruction bytes of case n. */
  bytes(c: Case, n: number): (number | string)[];
  /** The value fixups of case n store for its branch target `label` (TF or TB): a code address. */
  labelValue(label: "TF" | "TB", n: number): string;
  /** Case n's number in the i386 batch, which the padding around it follows (branch distances stay the same). */
  number(n: number): number;
}

/** The i386 batch: the runner's state goes through POPAD/PUSHAD, and the dump ends with a system call. */
export const I386: Dialect = {
  bits: 32,
  harness: [
    "EXIT:",
    ...SEGMENT_REGISTERS.map((s, k) => `  mov [0x${(DUMP_SEGS + 2 * k).toString(16)}], ${s}`),
    `  mov eax, ${GETPID}`,
    "  int 0x80",
    `  mov esp, [0x${SAVE.toString(16)}]`,
    "  ret",
    ...([["EPI_FALL", 1], ["EPI_TAKEN", 2]] as const).flatMap(([label, path]) => [
      `${label}:`,
      `  mov [0x${(DUMP + 0x2c).toString(16)}], esp`,
      `  mov esp, 0x${(DUMP + 0x28).toString(16)}`,
      "  pushfd",
      "  pushad",
      `  push dword ${path}`,
      "  jmp EXIT",
    ]),
  ],
  prologue: (c) => [
    `  mov [0x${SAVE.toString(16)}], esp`,
    ...(c.ldtSeg ? [`  mov ax, ${LDT_SELECTOR}`, `  mov ${c.ldtSeg}, ax`] : []),
    `  mov esp, 0x${CTRL_BASE.toString(16)}`,
    "  popad",
    "  popfd",
    "  pop esp",
  ],
  bytes: (c) => c.bytes,
  labelValue: (label, n) => `${label}${n}`,
  number: (n) => n,
};

/** NASM lines for instruction bytes: runs of numbers as one `db` (fewer lines assemble faster). */
function dbLine(bytes: (number | string)[]): string {
  const parts: string[] = [];
  let run: string[] = [];
  for (const b of bytes) {
    if (typeof b === "number") {
      run.push(`0x${b.toString(16)}`);
      continue;
    }
    if (run.length) parts.push(`db ${run.join(", ")}`);
    run = [];
    parts.push(b);
  }
  if (run.length) parts.push(`db ${run.join(", ")}`);
  return parts.join("\n  ");
}

/**
 * The NASM source of a batch. Labels per case n: Cn (entry), In (the
 * instruction), Jn (after it), TFn/TBn (branch targets after and before
 * the case). A table of (Cn, In, Jn) offsets ends the binary.
 *
 * @example
 * const source = batchSource(cases); // i386 code; program64.ts gives the 64-bit dialect
 */
export function batchSource(cases: Case[], dialect: Dialect = I386): string {
  const out: string[] = [`bits ${dialect.bits}`, `org 0x${CODE_BASE.toString(16)}`, ...dialect.harness];
  cases.forEach((c, n) => {
    const labels = (line: string) => line.replaceAll("%TF", `TF${n}`).replaceAll("%TB", `TB${n}`);
    const values = (line: string) =>
      line.replaceAll("%TF", dialect.labelValue("TF", n)).replaceAll("%TB", dialect.labelValue("TB", n));
    const k = dialect.number(n); // varied branch distances
    out.push(
      `TB${n}: jmp EPI_TAKEN`,
      `  times ${(k * 7) % 23} int3`,
      `C${n}:`,
      ...dialect.prologue(c, n),
      ...c.fixups.map((l) => "  " + values(l)),
      ...c.preop.map((l) => "  " + l),
      `I${n}:`,
      "  " + labels(dbLine(dialect.bytes(c, n))),
      `J${n}:`,
      "  jmp EPI_FALL",
      `  times ${(k * 13) % 31} int3`,
      `TF${n}: jmp EPI_TAKEN`,
    );
  });
  out.push("align 4", "TABLE:");
  cases.forEach((_, n) => out.push(`  dd C${n} - $$, I${n} - $$, J${n} - $$`));
  return out.join("\n") + "\n";
}

/** Reads the label table from the end of an assembled batch. */
export function placements(binary: Uint8Array, count: number): Placed[] {
  const dv = new DataView(binary.buffer, binary.byteOffset, binary.byteLength);
  const at = binary.length - 12 * count;
  return Array.from({ length: count }, (_, n) => ({
    entry: dv.getUint32(at + 12 * n, true),
    instr: dv.getUint32(at + 12 * n + 4, true),
    next: dv.getUint32(at + 12 * n + 8, true),
  }));
}

/** The data pages a case starts with: xorshift32 from the seed, then the patches. */
export function initialData(c: Case): Uint8Array {
  const data = new Uint8Array(DATA_SIZE);
  const dv = new DataView(data.buffer);
  let s = c.seed | 1;
  for (let k = 0; k < DATA_SIZE; k += 4) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    dv.setUint32(k, s >>> 0, true);
  }
  for (const p of c.patches) data.set(p.bytes, p.offset);
  return data;
}

/** The 40-byte state block the prologue loads (STATE_WORDS). */
export function stateBlock(c: Case): Uint32Array {
  const word = (w: string) => (w === "eflags" ? c.eflags : w === "-" ? 0 : c.regs[REGISTERS.indexOf(w)]);
  return Uint32Array.from(STATE_WORDS.map((w) => word(w) >>> 0));
}

const LOCK = 0xf0;
/** Legacy prefix bytes: an instruction's prefixes are its leading bytes from this set. */
export const PREFIXES: ReadonlySet<number> = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);

/** How many bytes an element of `Case.bytes` assembles to (a NASM `db`/`dw`/`dd` line or one byte). */
export function elementSize(x: number | string): number {
  return typeof x === "number" || x.startsWith("db") ? 1 : x.startsWith("dw") ? 2 : 4;
}

/** One instruction of a case. */
export interface CaseInstruction {
  /**
   * As fx86 decodes it, but with `lock` telling whether it has LOCK (fx86's
   * decoder rejects LOCK where it is not allowed, so it decodes without).
   */
  instr: Instr;
  /** How many prefix bytes it starts with. */
  prefixes: number;
  /** Its offset from the case's instruction label, and its length. */
  at: number;
  len: number;
  /** Its part of `Case.bytes` (NASM expressions such as branch displacements end an instruction). */
  elements: (number | string)[];
}

/**
 * A case's instructions (one, or a sequence's), decoded from its bytes.
 *
 * @example
 * caseInstructions(c).map((k) => k.instr.def.mnemonic); // ["add"]
 */
export function caseInstructions(c: Case): CaseInstruction[] {
  // The bytes with NASM expressions as zeros, and which element of c.bytes each comes from.
  const code: number[] = [], element: number[] = [];
  c.bytes.forEach((x, k) => {
    for (let n = 0; n < elementSize(x); n++) {
      code.push(typeof x === "number" ? x : 0);
      element.push(k);
    }
  });
  const out: CaseInstruction[] = [];
  for (let at = 0; at < code.length;) {
    let prefixes = 0;
    while (PREFIXES.has(code[at + prefixes])) prefixes++;
    const kept = code.slice(at, at + prefixes).filter((b) => b !== LOCK);
    const rest = [...kept, ...code.slice(at + prefixes)];
    const instr = decode((a) => rest[a] ?? 0, 0);
    const len = instr.len + prefixes - kept.length;
    const elements = c.bytes.slice(element[at], element[at + len - 1] + 1);
    out.push({ instr: { ...instr, lock: kept.length < prefixes }, prefixes, at, len, elements });
    at += len;
  }
  return out;
}
