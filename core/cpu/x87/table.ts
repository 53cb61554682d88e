/**
 * The x87 opcode table: every D8..DF encoding of a P6, written once as
 * Intel mnemonics and operand tokens. The disassembler reads it through
 * {@link describeX87}; the executor derives each entry's implementation
 * from the same mnemonic and operands (see `implement`).
 *
 * Besides the documented encodings the table has the aliases every x87
 * since the 387 executes: D9 D8+i (fstpnce: fstp that pops an empty ST(0)
 * without a stack fault), DC D0+i / DC D8+i (fcom/fcomp),
 * DD C8+i / DF C8+i (fxch), DE D0+i (fcomp), DF D0+i / DF D8+i (fstp),
 * DF C0+i (ffreep), and DB E0/E1/E4 (fneni/fndisi/fnsetpm, no-ops).
 * FISTTP (DB /1, DD /1, DF /1) is SSE3 and therefore undefined here.
 *
 * @example
 * describeX87(0xde, 0xe9); // { mnemonic: "fsubp", operands: ["st1", "st0"] }
 * describeX87(0xdd, 0x1d); // { mnemonic: "fstp", operands: ["m64fp"] }
 */
import type { Cpu } from "../state.ts";
import type { Run } from "./x87.ts";
import { ADD, DIV, DIVR, MUL, SUB, SUBR } from "./basic.ts";
import { arithmetic, fsqrt, REG_DEST, REG_SRC, signOp } from "./instr-arith.ts";
import { comparison, ftst, fxam, REG, ST1 } from "./instr-compare.ts";
import {
  constant,
  fcmov,
  FCMOV_CONDITIONS,
  ffree,
  fldReg,
  fstpnce,
  fxch,
  load,
  stepTop,
  store,
  storeInt,
  storeReg,
} from "./instr-transfer.ts";
import {
  fldcw,
  fldenv,
  fnclex,
  fninit,
  fnop,
  fnsave,
  fnstcw,
  fnstenv,
  fnstsw,
  fnstswAx,
  frstor,
} from "./instr-env.ts";
import { fprem, frndint, fscale, fxtract } from "./instr-math.ts";
import {
  f2xm1,
  fcos,
  fpatan,
  fptan,
  fsin,
  fsincos,
  fyl2x,
  fyl2xp1,
} from "./instr-transcendental.ts";
import {
  M16INT,
  M32FP,
  M32INT,
  M64FP,
  M64INT,
  M80BCD,
  M80FP,
} from "./operand.ts";

/** Memory forms by escape byte, one spec per ModRM.reg ("" = undefined). */
const MEMORY = [
  "fadd m32fp|fmul m32fp|fcom m32fp|fcomp m32fp|fsub m32fp|fsubr m32fp|fdiv m32fp|fdivr m32fp",
  "fld m32fp||fst m32fp|fstp m32fp|fldenv m14/28byte|fldcw m2byte|fnstenv m14/28byte|fnstcw m2byte",
  "fiadd m32int|fimul m32int|ficom m32int|ficomp m32int|fisub m32int|fisubr m32int|fidiv m32int|fidivr m32int",
  "fild m32int||fist m32int|fistp m32int||fld m80fp||fstp m80fp",
  "fadd m64fp|fmul m64fp|fcom m64fp|fcomp m64fp|fsub m64fp|fsubr m64fp|fdiv m64fp|fdivr m64fp",
  "fld m64fp||fst m64fp|fstp m64fp|frstor m94/108byte||fnsave m94/108byte|fnstsw m2byte",
  "fiadd m16int|fimul m16int|ficom m16int|ficomp m16int|fisub m16int|fisubr m16int|fidiv m16int|fidivr m16int",
  "fild m16int||fist m16int|fistp m16int|fbld m80bcd|fild m64int|fbstp m80bcd|fistp m64int",
];

/**
 * Register forms (ModRM.mod = 3) by escape byte and ModRM.reg: either one
 * spec for all eight ModRM.rm values ("sti" = ST(rm)), or eight specs
 * separated by "|", one per rm.
 */
const REGISTER = [
  [
    "fadd st0,sti",
    "fmul st0,sti",
    "fcom sti",
    "fcomp sti",
    "fsub st0,sti",
    "fsubr st0,sti",
    "fdiv st0,sti",
    "fdivr st0,sti",
  ],
  [
    "fld sti",
    "fxch sti",
    "fnop|||||||",
    "fstpnce sti",
    "fchs|fabs|||ftst|fxam||",
    "fld1|fldl2t|fldl2e|fldpi|fldlg2|fldln2|fldz|",
    "f2xm1|fyl2x|fptan|fpatan|fxtract|fprem1|fdecstp|fincstp",
    "fprem|fyl2xp1|fsqrt|fsincos|frndint|fscale|fsin|fcos",
  ],
  [
    "fcmovb st0,sti",
    "fcmove st0,sti",
    "fcmovbe st0,sti",
    "fcmovu st0,sti",
    "",
    "|fucompp||||||",
    "",
    "",
  ],
  [
    "fcmovnb st0,sti",
    "fcmovne st0,sti",
    "fcmovnbe st0,sti",
    "fcmovnu st0,sti",
    "fneni|fndisi|fnclex|fninit|fnsetpm|||",
    "fucomi st0,sti",
    "fcomi st0,sti",
    "",
  ],
  [
    "fadd sti,st0",
    "fmul sti,st0",
    "fcom sti",
    "fcomp sti",
    "fsubr sti,st0",
    "fsub sti,st0",
    "fdivr sti,st0",
    "fdiv sti,st0",
  ],
  [
    "ffree sti",
    "fxch sti",
    "fst sti",
    "fstp sti",
    "fucom sti",
    "fucomp sti",
    "",
    "",
  ],
  [
    "faddp sti,st0",
    "fmulp sti,st0",
    "fcomp sti",
    "|fcompp||||||",
    "fsubrp sti,st0",
    "fsubp sti,st0",
    "fdivrp sti,st0",
    "fdivp sti,st0",
  ],
  [
    "ffreep sti",
    "fxch sti",
    "fstp sti",
    "fstp sti",
    "fnstsw ax|||||||",
    "fucomip st0,sti",
    "fcomip st0,sti",
    "",
  ],
];

/** One table entry. */
export interface Entry {
  mnemonic: string;
  /** Operand tokens; "sti" stands for st0..st7 (ModRM.rm). */
  operands: string[];
  run: Run;
  /** Checks for pending unmasked exceptions first (all but the FN* forms). */
  waiting: boolean;
  /** Leaves FIP, FOP and FDP alone. */
  control: boolean;
}

const MEM_KIND: Record<string, number> = {
  m32fp: M32FP,
  m64fp: M64FP,
  m80fp: M80FP,
  m16int: M16INT,
  m32int: M32INT,
  m64int: M64INT,
  m80bcd: M80BCD,
};

const ARITH_OP: Record<string, number> = {
  add: ADD,
  mul: MUL,
  sub: SUB,
  subr: SUBR,
  div: DIV,
  divr: DIVR,
};

const FCMOV: Record<string, number> = { b: 0, e: 1, be: 2, u: 3 };

/** Implementations that follow from the mnemonic alone. */
const NAMED: Record<string, Run> = {
  fchs: signOp(false),
  fabs: signOp(true),
  ftst,
  fxam,
  fsqrt,
  fld1: constant(0x3fff, 0x80000000, 0, 0),
  fldl2t: constant(0x4000, 0xd49a784b, 0xcd1b8afe, 0x492bf6ff),
  fldl2e: constant(0x3fff, 0xb8aa3b29, 0x5c17f0bb, 0xbe87fed0),
  fldpi: constant(0x4000, 0xc90fdaa2, 0x2168c234, 0xc4c6628b),
  fldlg2: constant(0x3ffd, 0x9a209a84, 0xfbcff798, 0x8f8959ac),
  fldln2: constant(0x3ffe, 0xb17217f7, 0xd1cf79ab, 0xc9e3b398),
  fldz: constant(0, 0, 0, 0),
  fxch,
  fstpnce,
  ffree: ffree(false),
  ffreep: ffree(true),
  fincstp: stepTop(1),
  fdecstp: stepTop(-1),
  fldcw,
  fnstcw,
  fnclex,
  fninit,
  fnop,
  fneni: fnop,
  fndisi: fnop,
  fnsetpm: fnop,
  fldenv,
  fnstenv,
  frstor,
  fnsave,
  fprem: fprem(false),
  fprem1: fprem(true),
  frndint,
  fscale,
  fxtract,
  f2xm1,
  fyl2x,
  fyl2xp1,
  fptan,
  fpatan,
  fsin,
  fcos,
  fsincos,
};

/** Instructions that do not record FIP/FOP/FDP. */
const CONTROL = new Set([
  "fldcw",
  "fnstcw",
  "fnstsw",
  "fnclex",
  "fninit",
  "fldenv",
  "fnstenv",
  "frstor",
  "fnsave",
  "fneni",
  "fndisi",
  "fnsetpm",
]);

/** Derives an entry's implementation from its mnemonic and operands. */
function implement(mn: string, ops: string[]): Run {
  const kind = MEM_KIND[ops[0]];
  let m = /^fi?(add|mul|subr?|divr?)(p?)$/.exec(mn);
  if (m) {
    const form = ops.length === 1
      ? kind
      : ops[0] === "st0"
      ? REG_SRC
      : REG_DEST;
    return arithmetic(ARITH_OP[m[1]], form, m[2] === "p");
  }
  m = /^fi?(u?)com(i?)(p*)$/.exec(mn);
  if (m) {
    const src = ops.length === 0 ? ST1 : kind ?? REG;
    return comparison(src, m[1] === "u", m[3].length, m[2] === "i");
  }
  m = /^fcmov(n?)(b|e|be|u)$/.exec(mn);
  if (m) {
    const cond = FCMOV_CONDITIONS[FCMOV[m[2]]];
    return fcmov(m[1] ? (c: Cpu) => !cond(c) : cond);
  }
  switch (mn) {
    case "fld":
    case "fild":
    case "fbld":
      return kind === undefined ? fldReg : load(kind);
    case "fst":
    case "fstp":
      return kind === undefined
        ? storeReg(mn === "fstp")
        : store(kind, mn === "fstp");
    case "fist":
    case "fistp":
    case "fbstp":
      return storeInt(kind, mn !== "fist");
    case "fnstsw":
      return ops[0] === "ax" ? fnstswAx : fnstsw;
  }
  const run = NAMED[mn];
  if (run === undefined) {
    throw new Error(`x87 table: no implementation for ${mn}`);
  }
  return run;
}

function entry(spec: string): Entry | undefined {
  if (spec === "") return undefined;
  const [mn, ops = ""] = spec.split(" ");
  const operands = ops === "" ? [] : ops.split(",");
  return {
    mnemonic: mn,
    operands,
    run: implement(mn, operands),
    waiting: !mn.startsWith("fn") || mn === "fnop",
    control: CONTROL.has(mn),
  };
}

/** Entries by (esc & 7) * 72 + (memory: ModRM.reg; register: 8 + ModRM & 0x3f). */
const TABLE: (Entry | undefined)[] = (() => {
  const t: (Entry | undefined)[] = [];
  for (let esc = 0; esc < 8; esc++) {
    for (const spec of MEMORY[esc].split("|")) t.push(entry(spec));
    for (const row of REGISTER[esc]) {
      const specs = row.includes("|") ? row.split("|") : Array(8).fill(row);
      for (const spec of specs) t.push(entry(spec));
    }
  }
  return t;
})();

/** The entry for an escape byte and ModRM (undefined = #UD). */
export function entryAt(esc: number, modrm: number): Entry | undefined {
  return TABLE[
    (esc & 7) * 72 + (modrm >= 0xc0 ? 8 + (modrm & 0x3f) : (modrm >>> 3) & 7)
  ];
}

/**
 * Mnemonic and operands of an x87 instruction, for the disassembler;
 * undefined for encodings that raise #UD. Operands are "st0".."st7", "ax"
 * or a memory token ("m32fp", "m64fp", "m80fp", "m16int", "m32int",
 * "m64int", "m80bcd", "m2byte", "m14/28byte", "m94/108byte").
 *
 * @example
 * describeX87(0xd8, 0xc1); // { mnemonic: "fadd", operands: ["st0", "st1"] }
 */
export function describeX87(
  esc: number,
  modrm: number,
): { mnemonic: string; operands: string[] } | undefined {
  const e = entryAt(esc, modrm);
  if (e === undefined) return undefined;
  const sti = `st${modrm & 7}`;
  return {
    mnemonic: e.mnemonic,
    operands: e.operands.map((o) => (o === "sti" ? sti : o)),
  };
}

/** Bytes of each memory operand token (the environment and state images by operand size: 16-bit, 32-bit). */
const OPERAND_BYTES: Record<string, number | [number, number]> = {
  m16int: 2, m32int: 4, m64int: 8, m32fp: 4, m64fp: 8, m80fp: 10, m80bcd: 10, m2byte: 2,
  "m14/28byte": [14, 28], "m94/108byte": [94, 108],
};
/** The memory forms that write their operand. */
const STORES = new Set(["fst", "fstp", "fist", "fistp", "fbstp", "fnstenv", "fnstcw", "fnsave", "fnstsw"]);

/**
 * The memory an x87 memory form accesses: its operand's size in bytes and
 * whether it writes it (the stores, FNSTENV and FNSAVE) or only reads it.
 * Undefined for register forms and undefined encodings.
 *
 * @example
 * x87MemoryAccess(0xdd, 0x1d, false); // { bytes: 8, writes: true } (fstp m64fp)
 */
export function x87MemoryAccess(
  esc: number,
  modrm: number,
  o16: boolean,
): { bytes: number; writes: boolean } | undefined {
  if (modrm >= 0xc0) return undefined;
  const d = describeX87(esc, modrm);
  const size = d && OPERAND_BYTES[d.operands[0]];
  if (size === undefined) return undefined;
  return { bytes: typeof size === "number" ? size : size[o16 ? 0 : 1], writes: STORES.has(d!.mnemonic) };
}
