/**
 * Test programs for the differential test: each case becomes a few lines
 * of NASM that load the registers and EFLAGS, run the instruction under
 * test (emitted as `db` bytes, so both sides execute exactly the generated
 * encoding), dump the state and stop with `int 0x80`. All cases of a batch
 * share one flat binary assembled at CODE_BASE, run unchanged on the real
 * CPU (native/runner.c) and under fx86 (fx86_run.ts).
 */

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

function dbLine(bytes: (number | string)[]): string {
  const parts: string[] = [];
  for (const b of bytes) {
    if (typeof b === "number") parts.push(`db 0x${b.toString(16)}`);
    else parts.push(b);
  }
  return parts.join("\n  ");
}

/**
 * The NASM source of a batch. Labels per case n: Cn (entry), In (the
 * instruction), Jn (after it), TFn/TBn (branch targets after and before
 * the case). A table of (Cn, In, Jn) offsets ends the binary.
 */
export function batchSource(cases: Case[]): string {
  const out: string[] = [
    "bits 32",
    `org 0x${CODE_BASE.toString(16)}`,
    "EXIT:",
    ...["es", "cs", "ss", "ds", "fs", "gs"].map((s, k) => `  mov [0x${(DUMP_SEGS + 2 * k).toString(16)}], ${s}`),
    `  mov eax, ${GETPID}`,
    "  int 0x80",
    `  mov esp, [0x${SAVE.toString(16)}]`,
    "  ret",
  ];
  for (const [label, path] of [["EPI_FALL", 1], ["EPI_TAKEN", 2]] as const) {
    out.push(
      `${label}:`,
      `  mov [0x${(DUMP + 0x2c).toString(16)}], esp`,
      `  mov esp, 0x${(DUMP + 0x28).toString(16)}`,
      "  pushfd",
      "  pushad",
      `  push dword ${path}`,
      "  jmp EXIT",
    );
  }
  cases.forEach((c, n) => {
    const labels = (line: string) => line.replaceAll("%TF", `TF${n}`).replaceAll("%TB", `TB${n}`);
    const pad = (n * 7) % 23; // varied branch distances
    out.push(
      `TB${n}: jmp EPI_TAKEN`,
      `  times ${pad} int3`,
      `C${n}:`,
      `  mov [0x${SAVE.toString(16)}], esp`,
      ...(c.ldtSeg ? [`  mov ax, ${LDT_SELECTOR}`, `  mov ${c.ldtSeg}, ax`] : []),
      `  mov esp, 0x${CTRL_BASE.toString(16)}`,
      "  popad",
      "  popfd",
      "  pop esp",
      ...c.fixups.map((l) => "  " + labels(l)),
      ...c.preop.map((l) => "  " + l),
      `I${n}:`,
      "  " + labels(dbLine(c.bytes)),
      `J${n}:`,
      "  jmp EPI_FALL",
      `  times ${(n * 13) % 31} int3`,
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

/** The 40-byte state block the prologue loads: POPAD image, EFLAGS, ESP. */
export function stateBlock(c: Case): Uint32Array {
  const r = c.regs;
  return Uint32Array.from([r[7], r[6], r[5], 0, r[3], r[2], r[1], r[0], c.eflags, r[4]].map((v) => v >>> 0));
}
