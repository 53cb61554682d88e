/**
 * Generates differential test cases for every row of the opcode table, in
 * each operand size and ModRM form it has: random registers, memory and
 * flags with special values mixed in, random prefixes, memory operands
 * that exercise every addressing form, and per-instruction recipes where
 * the state must be shaped (shift counts 0..40, string-instruction
 * counts and pointers, branch targets, divisors, comparands...).
 */
import { decode } from "../../core/cpu/isa/decoder.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { immediateBytes, type OperandSpec, specSize } from "../../core/cpu/isa/operands.ts";
import { address16, address32, type Addressing, EBP, ESP } from "./addressing.ts";
import type { Host } from "./native.ts";
import {
  type Case,
  DATA_BASE,
  DATA_SIZE,
  elementSize,
  initialData,
  LDT_SELECTOR,
  type Patch,
  REGISTERS,
  SCRATCH,
} from "./program.ts";
import type { Rng } from "./rng.ts";
import { hasModrm, modes, type Row, usesMoffs } from "./rows.ts";

export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESI = 6, EDI = 7;
const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
const SEGMENT_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/** One (row, operand size, ModRM form) combination: a unit of coverage. */
export interface Variant {
  row: Row;
  opsize: 16 | 32;
  mode: "register" | "memory";
}

/** The 32-bit name of a row's mnemonic. */
export function rowMnemonic(row: Row): string {
  const m = row.def.mnemonic;
  return typeof m === "string" ? m : m[1];
}

/**
 * The operation size of a variant: what the coverage report counts. The
 * first operand's size, except that immediates and branch targets (ENTER
 * Iw,Ib; RET Iw; Jcc) count as the operand size, which is what changes.
 */
export function operationSize(v: Variant): number {
  const first = v.row.def.operands[0];
  return first && first[0] !== "I" && first[0] !== "J" ? specSize(first, v.opsize) : v.opsize;
}

/** "01 add Ev,Gv 32 mem", the coverage key of a variant. */
export function formKey(v: Variant): string {
  const mode = hasModrm(v.row) || usesMoffs(v.row) ? (v.mode === "memory" ? "mem" : "reg") : "-";
  return `${v.row.name} ${operationSize(v)} ${mode}`;
}

const SPECIAL32 = [
  0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0x80000001, 0xffffffff, 0xfffffffe, 0x55555555, 0xaaaaaaaa,
];
const SPECIAL8 = [0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x99, 0x9a];

/** A value for a register or memory word: random, small, or special. */
export function interesting(rng: Rng): number {
  const k = rng.below(10);
  if (k < 3) return rng.pick(SPECIAL32) | 0;
  if (k < 4) return rng.byte() * (rng.chance(0.5) ? 1 : 0x01010101);
  if (k < 5) return (rng.pick(SPECIAL32) + rng.below(3) - 1) | 0;
  if (k < 6) return rng.u32() & 0xffff;
  return rng.u32();
}

function interestingByte(rng: Rng): number {
  return rng.chance(0.4) ? rng.pick(SPECIAL8) : rng.byte();
}

function le(v: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => (v >>> (8 * k)) & 0xff);
}

/** Arithmetic flags and DF. */
const FLAG_BITS = 0x8d5, DF = 0x400;

/** The state of a case while it is being built. */
export class Builder {
  readonly regs: (number | undefined)[] = new Array(8).fill(undefined);
  readonly pinned = new Map<number, number>();
  readonly patches: Patch[] = [];
  readonly fixups: string[] = [];
  prefixes: number[] = [];
  eflags: number;
  ldtSeg?: "fs" | "gs";
  /** Linear address of the ModRM/moffs memory operand. */
  ea?: number;
  adsize: 16 | 32 = 32;
  seg = -1;
  /** ModRM.reg (a G register, a segment number, or the group member). */
  reg: number;
  /** ModRM.rm for register forms. */
  rm: number;
  /** Immediates chosen by a recipe, by operand index. */
  readonly imm = new Map<number, number>();
  rep = 0;
  lock = false;
  /** BT*: the register bit offset to use with a memory operand. */
  bitOffset?: number;
  /** Fills the data pages before the patches. */
  readonly seed: number;

  constructor(
    readonly rng: Rng,
    readonly v: Variant,
    readonly host: Host,
    /** The case's number within its variant (recipes sweep shift counts with it). */
    readonly index: number,
  ) {
    this.seed = rng.u32();
    this.eflags = (rng.u32() & FLAG_BITS & ~DF) | (rng.chance(0.3) ? DF : 0) | 0x202;
    this.reg = v.row.reg ?? rng.below(8);
    this.rm = rng.below(8);
  }

  /** Fixes a register's value (before the memory operand is solved). */
  pin(r: number, value: number): void {
    this.pinned.set(r, value | 0);
    this.regs[r] = value | 0;
  }

  /** Writes bytes at a linear address inside the data pages. */
  poke(linear: number, bytes: number[]): void {
    const off = (linear - DATA_BASE) | 0;
    const from = Math.max(0, -off);
    const to = Math.min(bytes.length, DATA_SIZE - off);
    if (to > from) this.patches.push({ offset: off + from, bytes: bytes.slice(from, to) });
  }

  /**
   * Sets the low `size` bits of a register (8-bit numbers 4..7 are AH..BH),
   * unless its value is pinned (the stack pointer, a memory operand's base...).
   */
  setReg(n: number, size: number, value: number): void {
    if (this.pinned.has(size === 8 && n >= 4 ? n - 4 : n)) return;
    if (size === 8 && n >= 4) {
      const r = this.regs[n - 4] ?? interesting(this.rng);
      this.regs[n - 4] = (r & ~0xff00) | ((value & 0xff) << 8);
    } else {
      const r = this.regs[n] ?? interesting(this.rng);
      const m = size === 32 ? -1 : (1 << size) - 1;
      this.regs[n] = (r & ~m) | (value & m);
    }
  }
}

/** A stack pointer in the middle of the writable data pages. */
function stackPointer(rng: Rng): number {
  const base = DATA_BASE + 0x1000 + (rng.below(0x400) - 0x200);
  return rng.chance(0.85) ? base & ~3 : base;
}

/**
 * Where a memory operand goes, as an offset in the data pages: mostly well
 * inside the writable pages; sometimes across a page boundary, inside the
 * read-only page or across its end (the access faults, maybe half-way).
 */
function dataOffset(rng: Rng, size: number): number {
  const k = rng.below(100);
  if (k < 88) return 0x100 + rng.below(0x1e00);
  if (k < 92) return 0x1000 - rng.below(size) ; // straddles the two writable pages
  if (k < 95) return 0x2000 - 1 - rng.below(Math.max(1, size - 1)); // into the read-only page
  if (k < 98) return 0x2000 + rng.below(0xf00);
  return 0x3000 - 1 - rng.below(Math.max(1, size - 1)); // into the unmapped page
}

/** Per-mnemonic shaping of a case. */
interface Recipe {
  /** Before encoding: pin registers, choose immediates or prefixes. */
  before?(b: Builder): void;
  /** After decoding the final instruction: plant memory or registers it depends on. */
  after?(b: Builder, i: Instr): void;
  /** Target offsets for the memory operand (default: dataOffset). */
  target?(b: Builder): number;
}

/** Counts 0..40 in turn, then random ones. */
function shiftCount(b: Builder): number {
  return b.index <= 40 ? b.index : b.rng.chance(0.5) ? b.rng.below(41) : b.rng.byte();
}

/** The value of operand `k` as the instruction will read it (register or memory). */
function operandRef(b: Builder, i: Instr, k: number): { size: number; get(): number; set(v: number): void } {
  const spec = i.def.operands[k];
  const size = specSize(spec, i.opsize);
  const isMem = i.modrm >= 0 && i.mod !== 3 && (spec[0] === "E" || spec[0] === "M" || spec === "Rv/Mw");
  if (isMem || spec === "Ob" || spec === "Ov") {
    return {
      size,
      get: () => {
        const c = caseOf(b);
        const data = initialData(c);
        const off = b.ea! - DATA_BASE;
        let v = 0;
        for (let j = size / 8 - 1; j >= 0; j--) v = (v << 8) | (data[off + j] ?? 0);
        return v;
      },
      set: (v) => b.poke(b.ea!, le(v, size / 8)),
    };
  }
  const n = spec[0] === "G" ? i.reg : spec[0] === "Z" ? i.opcode & 7 : spec === "AL" || spec === "eAX" ? 0 : i.rm;
  return {
    size,
    get: () => {
      const r = size === 8 && n >= 4 ? (b.regs[n - 4]! >> 8) : b.regs[n]!;
      return size === 32 ? r | 0 : r & ((1 << size) - 1);
    },
    set: (v) => b.setReg(n, size, v),
  };
}

/** Valid selectors for a segment register, and now and then an invalid one. */
function selector(b: Builder, seg: number): number {
  const h = b.host;
  if (b.rng.chance(0.08)) return b.rng.pick([0x1234, 0xfff8]); // no such descriptor: #GP
  if (seg === SS) return h.ss;
  if (seg === DS) return h.ds;
  const options = seg === ES ? [h.ds, 0] : [0, h.ds, ...(h.ldt ? [LDT_SELECTOR] : [])];
  return b.rng.pick(options);
}

const stringRecipe = (conditional: boolean): Recipe => ({
  before(b) {
    const rng = b.rng;
    b.rep = rng.pick([0, 0, 0xf3, 0xf3, 0xf3, 0xf2]);
    const long = rng.chance(0.1);
    const count = long ? (rng.chance(0.5) ? 0x10000 + rng.below(4) : rng.u32()) : rng.below(12);
    // 16-bit addressing needs the source in the LDT segment; ES:DI then lies below 64 KiB and faults.
    // Long runs stay flat: they end at a page fault before ESI could wrap around in its segment
    // (fx86 does not check segment limits, docs/cpu.md).
    if (b.host.ldt && !long && rng.chance(0.05)) b.adsize = 16;
    if (b.host.ldt && !long && (b.adsize === 16 || rng.chance(0.15))) {
      b.seg = rng.chance(0.5) ? FS : GS;
      b.ldtSeg = b.seg === FS ? "fs" : "gs";
    } else if (rng.chance(0.1)) b.seg = rng.pick([ES, CS, SS, DS]);
    const srcBase = b.ldtSeg ? 0 : DATA_BASE;
    const at = () => 0x200 + rng.below(0x1c00);
    b.pin(ECX, count);
    b.pin(ESI, (srcBase + at()) | 0);
    b.pin(EDI, (DATA_BASE + at()) | 0);
  },
  after(b, i) {
    if (!conditional || b.adsize === 16 || !b.rng.chance(0.6)) return;
    // Equal elements for a while, so REPE/REPNE stop at interesting places.
    const elem = i.def.operands.some((s) => s === "Xb" || s === "Yb") ? 1 : i.opsize / 8;
    const n = elem * (1 + b.rng.below(8));
    const first = (addr: number) => (b.eflags & DF ? addr - n + elem : addr);
    const dst = first(b.regs[EDI]!);
    if (i.def.operands[0] === "Xb" || i.def.operands[0] === "Xv") {
      // CMPS: copy the source elements over the destination ones
      const src = first((b.ldtSeg ? DATA_BASE : 0) + b.regs[ESI]!) - DATA_BASE;
      b.poke(dst, [...initialData(caseOf(b)).subarray(src, src + n)]);
    } else {
      // SCAS: destination elements equal to the accumulator
      const acc = interesting(b.rng);
      b.setReg(EAX, 32, acc);
      b.poke(dst, Array.from({ length: n }, (_, k) => (acc >>> (8 * (k % elem))) & 0xff));
    }
  },
});

/** Branches: displacements reach labels the program places after (TF) or before (TB) the case. */
function branchTarget(b: Builder, size: number): string {
  const back = b.rng.chance(0.3) && size !== 8;
  const label = back ? "%TB" : "%TF";
  if (size === 8) return `db ${label} - ($ + 1)`;
  if (size === 16) return `dw (${label} - ($ + 2)) & 0xffff`;
  return `dd ${label} - ($ + 4)`;
}

const loopRecipe: Recipe = {
  before(b) {
    b.pin(ECX, b.rng.pick([0, 1, 2, 3, 0x10000, 0x10001, b.rng.u32()]));
    if (b.rng.chance(0.15)) b.adsize = 16;
  },
};

const RECIPES: Record<string, Recipe> = {
  push: {},
  pop: {
    after(b, i) {
      const sp = b.regs[ESP]!;
      const spec = i.def.operands[0];
      if (["ES", "SS", "DS", "FS", "GS"].includes(spec)) {
        b.poke(sp, le(selector(b, ["ES", "CS", "SS", "DS", "FS", "GS"].indexOf(spec)), 4));
      }
    },
  },
  popfd: {
    after(b) {
      // TF would single-step the real CPU; fx86 ignores it (docs/cpu.md).
      b.poke(b.regs[ESP]!, le(b.rng.u32() & ~0x100, 4));
    },
  },
  enter: {
    before(b) {
      b.pin(EBP, (DATA_BASE + 0x400 + b.rng.below(0x1800)) | 0);
      const level = b.rng.chance(0.7) ? b.rng.below(4) : b.rng.byte();
      // Whether ENTER without nesting checks a final stack top outside the stack is
      // model-specific (this AMD does not): keep those frames inside the data pages.
      const big = (level & 31) > 0 && b.rng.chance(0.2);
      b.imm.set(0, big ? b.rng.u32() & 0xffff : b.rng.below(0x40));
      b.imm.set(1, level);
    },
  },
  leave: {
    before(b) {
      b.pin(EBP, (DATA_BASE + 0x200 + b.rng.below(0x1c00)) | 0);
    },
  },
  ret: {
    after(b) {
      b.poke(b.regs[ESP]!, [0, 0, 0, 0]);
      b.fixups.push(`mov dword [0x${(b.regs[ESP]! >>> 0).toString(16)}], %TF`);
    },
  },
  call: {
    // CALL ESP would push onto the code it jumps to
    before: (b) => b.rm = b.rng.pick([0, 1, 2, 3, 5, 6, 7]),
    after: indirectTarget,
    target: writable,
  },
  jmp: { after: indirectTarget, target: writable },
  loop: loopRecipe,
  loope: loopRecipe,
  loopne: loopRecipe,
  jecxz: loopRecipe,
  mul: { after: (b, i) => shapeDivision(b, i, false) },
  imul: { after: (b, i) => i.def.operands.length === 1 && shapeDivision(b, i, false) },
  div: { after: (b, i) => shapeDivision(b, i, true) },
  idiv: { after: (b, i) => shapeDivision(b, i, true) },
  aam: { before: (b) => b.imm.set(0, b.rng.pick([10, 10, 0, 16, 1, b.rng.byte()])) },
  aad: { before: (b) => b.imm.set(0, b.rng.pick([10, 10, 0, 16, 1, b.rng.byte()])) },
  bound: {
    after(b, i) {
      const idx = operandRef(b, i, 0);
      const v = idx.get();
      const size = i.opsize;
      const wrap = (x: number) => (size === 16 ? x & 0xffff : x | 0);
      if (b.rng.chance(0.6)) {
        const lo = wrap(v - b.rng.below(5)), hi = wrap(v + b.rng.below(5));
        b.poke(b.ea!, [...le(lo, size / 8), ...le(hi, size / 8)]);
      }
    },
  },
  cmpxchg: {
    after(b, i) {
      if (!b.rng.chance(0.5)) return;
      const dst = operandRef(b, i, 0);
      b.setReg(EAX, dst.size, dst.get());
    },
  },
  cmpxchg8b: {
    after(b) {
      if (!b.rng.chance(0.5)) return;
      const data = initialData(caseOf(b));
      const off = b.ea! - DATA_BASE;
      const word = (k: number) => data[off + k] | (data[off + k + 1] << 8) | (data[off + k + 2] << 16) | (data[off + k + 3] << 24);
      if (off >= 0 && off + 8 <= DATA_SIZE) {
        b.setReg(EAX, 32, word(0));
        b.setReg(EDX, 32, word(4));
      }
    },
  },
  bsf: { after: zeroSource },
  bsr: { after: zeroSource },
  bt: { before: limitBitOffset },
  bts: { before: limitBitOffset },
  btr: { before: limitBitOffset },
  btc: { before: limitBitOffset },
  xlatb: {
    before(b) {
      if (b.host.ldt && b.rng.chance(0.2)) b.adsize = 16;
      if (b.host.ldt && (b.adsize === 16 || b.rng.chance(0.2))) {
        b.seg = b.rng.chance(0.5) ? FS : GS;
        b.ldtSeg = b.seg === FS ? "fs" : "gs";
      }
      const base = b.ldtSeg ? 0 : DATA_BASE;
      const al = b.rng.byte();
      b.pin(EAX, (b.rng.u32() & ~0xff) | al);
      b.pin(EBX, (base + 0x100 + b.rng.below(0x1d00)) | 0);
    },
  },
  movsb: stringRecipe(false),
  movsd: stringRecipe(false),
  stosb: stringRecipe(false),
  stosd: stringRecipe(false),
  lodsb: stringRecipe(false),
  lodsd: stringRecipe(false),
  cmpsb: stringRecipe(true),
  cmpsd: stringRecipe(true),
  scasb: stringRecipe(true),
  scasd: stringRecipe(true),
  mov: {
    after(b, i) {
      if (i.def.operands[0] === "Sw") operandRef(b, i, 1).set(selector(b, i.reg));
    },
  },
  les: { after: (b) => farPointer(b, ES) },
  lds: { after: (b) => farPointer(b, DS) },
  lss: { after: (b) => farPointer(b, SS) },
  lfs: { after: (b) => farPointer(b, FS) },
  lgs: { after: (b) => farPointer(b, GS) },
};
for (const m of ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar", "shld", "shrd"]) {
  RECIPES[m] = {
    before(b) {
      const ops = b.v.row.def.operands;
      if (ops.at(-1) === "CL") b.pin(ECX, (b.rng.u32() & ~0xff) | shiftCount(b));
      if (ops.at(-1) === "Ib") b.imm.set(ops.length - 1, shiftCount(b));
    },
  };
}

/** Somewhere in the writable data pages (for values the prologue stores). */
function writable(b: Builder): number {
  return 0x100 + b.rng.below(0x1e00);
}

/** CALL/JMP Ev: the register or memory word holds the branch target. */
function indirectTarget(b: Builder, i: Instr): void {
  if (i.def.operands[0] !== "Ev") return;
  if (i.mod === 3) {
    b.fixups.push(`mov ${REGISTERS[i.rm]}, %TF`);
  } else {
    b.poke(b.ea!, [0, 0, 0, 0]);
    b.fixups.push(`mov dword [0x${(b.ea! >>> 0).toString(16)}], %TF`);
  }
}

function farPointer(b: Builder, seg: number): void {
  const size = b.v.opsize / 8;
  b.poke(b.ea!, [...le(interesting(b.rng), size), ...le(selector(b, seg), 2)]);
}

/** Divisions that mostly fit (or multiplications of chosen magnitude). */
function shapeDivision(b: Builder, i: Instr, divide: boolean): void {
  const src = operandRef(b, i, 0);
  const size = src.size;
  const rng = b.rng;
  if (divide && rng.chance(0.6)) {
    // A dividend smaller than divisor << size keeps the quotient in range.
    const d = src.get();
    if (size === 8) b.setReg(EAX, 16, rng.below(Math.max(1, (d & 0xff) << 8)));
    else if (size === 16) b.setReg(EDX, 16, rng.below(Math.max(1, d & 0xffff)));
    else b.setReg(EDX, 32, rng.below(Math.max(1, d >>> 0)));
    if (i.def.mnemonic === "idiv" && rng.chance(0.5)) {
      // small signed dividends: sign-extend the accumulator
      const a = b.regs[EAX]!;
      if (size === 16) b.setReg(EDX, 16, (a << 16) >> 31);
      if (size === 32) b.setReg(EDX, 32, a >> 31);
      if (size === 8) b.setReg(EAX, 16, ((a << 24) >> 24) & 0xffff);
    }
  }
}

function zeroSource(b: Builder, i: Instr): void {
  if (b.rng.chance(0.3)) operandRef(b, i, 1).set(0);
}

function limitBitOffset(b: Builder): void {
  // A register bit offset with a memory operand addresses up to 2^29 bytes away: keep it near.
  b.bitOffset = b.rng.chance(0.8) ? b.rng.below(0x1000) - 0x800 : b.rng.below(64);
}

/** The case a builder will produce (for recipes that need the initial data). */
function caseOf(b: Builder): Case {
  return {
    form: "",
    bytes: [],
    regs: b.regs.map((r) => r ?? 0),
    eflags: b.eflags,
    seed: b.seed,
    patches: b.patches,
    fixups: [],
    preop: [],
  };
}

/** A random flag-setting instruction on the scratch word, so the instruction under test reads lazy flags. */
function preop(rng: Rng): string[] {
  const size = rng.pick(["byte", "word", "dword"]);
  const value = interesting(rng) >>> 0;
  // Only instructions whose flags are all defined: an undefined flag here would leak into the comparison.
  const op = rng.pick(["add", "sub", "cmp", "adc", "sbb", "inc", "dec", "neg"]);
  const mask = size === "byte" ? 0xff : size === "word" ? 0xffff : -1;
  const arg = ["inc", "dec", "neg"].includes(op) ? "" : `, 0x${((interesting(rng) & mask) >>> 0).toString(16)}`;
  return [`mov dword [0x${SCRATCH.toString(16)}], 0x${value.toString(16)}`, `${op} ${size} [0x${SCRATCH.toString(16)}]${arg}`];
}

const LOCKABLE_PREFIX = 0xf0;
const REP_TOLERANT = /^(ret|nop|call|jmp|j(?!e?cxz)[a-z]+)$/;

/**
 * Builds one case for a variant, or undefined when the random choices
 * cannot be realised (the caller draws again).
 */
export function generateCase(rng: Rng, v: Variant, host: Host, index: number): Case | undefined {
  const b = new Builder(rng, v, host, index);
  const def = v.row.def;
  const mnemonic = rowMnemonic(v.row);
  const recipe = RECIPES[mnemonic] ?? {};
  b.pin(ESP, stackPointer(rng));
  recipe.before?.(b);

  // Prefixes the instruction tolerates and the real CPU interprets as an i686 would.
  if (v.opsize === 16) b.prefixes.push(0x66);
  // LOCK where it is allowed, and now and then where it raises #UD.
  if ((def.lockable && v.mode === "memory" && rng.chance(0.3)) || rng.chance(0.02)) b.lock = true;
  // REP prefixes on other instructions are reserved (SDM Vol. 2, 2.1.1; on this AMD, F2 turns
  // LOOPE into LOOPNE): only the uses with a defined meaning, REP RET, PAUSE and BND branches.
  if (REP_TOLERANT.test(mnemonic) && rng.chance(0.1)) b.rep = rng.pick([0xf2, 0xf3]);

  // The memory operand.
  let modrmTail: number[] | undefined;
  const opBytes = v.row.twoByte ? [0x0f, v.row.opcode] : [v.row.opcode];
  const memSpec = def.operands.find((s) => s[0] === "E" || s[0] === "M" || s === "Rv/Mw");
  const memSize = memSpec ? Math.max(8, specSize(memSpec, v.opsize)) / 8 : v.opsize / 8;
  if (v.mode === "memory" && (hasModrm(v.row) || usesMoffs(v.row))) {
    if (host.ldt && rng.chance(0.15)) b.adsize = 16;
    if (b.adsize === 16 || (host.ldt && rng.chance(0.15))) b.seg = rng.chance(0.5) ? FS : GS;
    else if (rng.chance(0.15)) b.seg = rng.pick([ES, CS, SS, DS]);
    if (b.seg === FS || b.seg === GS) b.ldtSeg = b.seg === FS ? "fs" : "gs";
    const segBase = b.ldtSeg ? DATA_BASE : 0;
    const target = (recipe.target?.(b) ?? dataOffset(rng, memSize)) + DATA_BASE;
    b.ea = target;
    const offset = (target - segBase) | 0;
    if (usesMoffs(v.row)) {
      b.imm.set(def.operands.findIndex((s) => s === "Ob" || s === "Ov"), b.adsize === 16 ? offset & 0xffff : offset);
    } else {
      let a: Addressing | undefined;
      for (let tries = 0; tries < 20 && !a; tries++) {
        a = b.adsize === 16 ? address16(rng, offset, b.pinned) : address32(rng, offset, b.pinned);
      }
      if (!a) return undefined;
      for (const [r, val] of a.regs) b.pin(r, val);
      modrmTail = a.bytes(b.reg);
    }
  }
  if (b.adsize === 16) b.prefixes.push(0x67);
  if (b.seg >= 0) b.prefixes.push(SEGMENT_PREFIX[b.seg]);
  if (b.lock) b.prefixes.push(LOCKABLE_PREFIX);
  if (b.rep) b.prefixes.push(b.rep);
  shuffle(rng, b.prefixes);

  const bytes: (number | string)[] = [...b.prefixes, ...opBytes];
  if (hasModrm(v.row)) {
    bytes.push(...(modrmTail ?? [0xc0 | (b.reg << 3) | b.rm]));
  }
  def.operands.forEach((spec, k) => {
    const n = immediateBytes(spec as OperandSpec, v.opsize, b.adsize);
    if (n === 0) return;
    if (spec === "Jb" || spec === "Jz") {
      bytes.push(branchTarget(b, n * 8));
      return;
    }
    const chosen = b.imm.get(k);
    const value = typeof chosen === "number" ? chosen : n === 1 ? interestingByte(rng) : interesting(rng);
    bytes.push(...le(value, n));
  });

  // Decode what was built (branch displacements as zero, without a LOCK that makes it #UD)
  // to let recipes see the instruction.
  const numeric = bytes.flatMap((x, k) =>
    typeof x === "string" ? new Array(elementSize(x)).fill(0)
    : k < b.prefixes.length && x === LOCKABLE_PREFIX ? []
    : [x]
  );
  let instr: Instr;
  try {
    instr = decode((a) => numeric[a] ?? 0, 0);
  } catch {
    return undefined; // e.g. a random reg field selected an invalid segment register
  }
  if (instr.len !== numeric.length) throw new Error(`generator: ${v.row.name} encoded as ${numeric.length} bytes, decodes as ${instr.len}`);

  // Register operands and the rest of the state.
  for (let r = 0; r < 8; r++) if (b.regs[r] === undefined) b.regs[r] = interesting(rng);
  if (b.bitOffset !== undefined && instr.mod !== 3 && def.operands[1] === "Gv") {
    b.setReg(instr.reg, v.opsize, b.bitOffset);
  }
  if (b.ea !== undefined && memSpec && rng.chance(0.5)) {
    b.poke(b.ea, le(interesting(rng), memSize));
  }
  recipe.after?.(b, instr);
  return {
    form: formKey(v),
    bytes,
    regs: b.regs.map((r) => r! | 0),
    eflags: b.eflags,
    seed: b.seed,
    patches: b.patches,
    fixups: b.fixups,
    preop: rng.chance(0.5) ? preop(rng) : [],
    ldtSeg: b.ldtSeg,
    ea: b.ea,
  };
}

function shuffle<T>(rng: Rng, xs: T[]): void {
  for (let k = xs.length - 1; k > 0; k--) {
    const j = rng.below(k + 1);
    [xs[k], xs[j]] = [xs[j], xs[k]];
  }
}

/**
 * Instructions whose flags are all defined and that touch no memory: they
 * can run before the instruction under test in a sequence without
 * leaving anything undefined behind.
 */
const DEFINED_FLAGS = /^(add|adc|sub|sbb|cmp|inc|dec|neg|not|mov|xchg|movzx|movsx|set[a-z]+|cmov[a-z]+|clc|stc|cmc|sahf|lahf|cwde|cdq|nop|salc|xadd|cmpxchg)$/;
/** ROL/ROR/RCL/RCR by 1 define all the flags they change. */
const BY_ONE = /^(rol|ror|rcl|rcr)$/;

/** Rows that may lead a sequence (register forms only). */
export function sequenceLeaders(rows: Row[]): Row[] {
  return rows.filter((r) => {
    const m = rowMnemonic(r);
    if (!modes(r).includes("register") || r.def.operands.includes("Sw")) return false;
    return DEFINED_FLAGS.test(m) || (BY_ONE.test(m) && r.def.operands.at(-1) === "1");
  });
}

/**
 * Rows that may end a sequence: register forms whose masks do not depend
 * on the state (no shift counts, zero sources or planted stack values,
 * which the instructions before may have changed).
 */
export function sequenceEnders(rows: Row[]): Row[] {
  const stateful = /^(rol|ror|rcl|rcr|shl|shr|sal|sar|shld|shrd|bsf|bsr|ret|enter|leave|pop|popfd|push|xlatb|bound|lods[bd]|stos[bd]|movs[bd]|cmps[bd]|scas[bd]|les|lds|lss|lfs|lgs)$/;
  return rows.filter((r) => {
    const m = rowMnemonic(r);
    if (!modes(r).includes("register") || r.def.operands.includes("Sw")) return false;
    if (stateful.test(m) && !(BY_ONE.test(m) && r.def.operands.at(-1) === "1")) return false;
    return !(r.def.operands[0] === "Ev" && (m === "call" || m === "jmp"));
  });
}

/**
 * A case running 1..4 instructions from `leaders` and then one from
 * `enders`, all in register form: flags produced lazily by one
 * instruction and consumed by the next (ADC after SUB, INC keeping CF
 * after a rotate, SETcc after CMPXCHG...) meet the real CPU. Masks apply
 * to the last instruction.
 */
export function generateSequence(rng: Rng, host: Host, leaders: Row[], enders: Row[]): Case | undefined {
  const parts: Case[] = [];
  const count = 1 + rng.below(4);
  for (let k = 0; k <= count; k++) {
    const row = rng.pick(k < count ? leaders : enders);
    const c = generateCase(rng, { row, opsize: rng.pick([32, 16] as const), mode: "register" }, host, rng.below(64));
    if (!c) return undefined;
    parts.push(c);
  }
  const last = parts[parts.length - 1];
  return { ...last, form: "sequence", bytes: parts.flatMap((p) => p.bytes), fixups: [], ldtSeg: undefined };
}
