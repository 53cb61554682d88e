/**
 * The opcode table's `wasm` column: instruction semantics as WebAssembly,
 * for regions (core/cpu/wasm/region.ts). Each mirrors the JavaScript
 * emitter of its row (core/cpu/isa/semantics) and leaves the same state,
 * lazy flags included; the CPU differential runs both. A row without a
 * wasm emitter, or a form its `accepts` refuses, runs on the host.
 */
import { hasMemoryOperand, type Instr } from "../isa/instr.ts";
import { CS, FS, GS } from "../state.ts";
import { repString } from "./rep.ts";
import { emitX87, x87Translatable } from "./x87.ts";
import { Op } from "./encoder.ts";
import { Local, mask, scratchSet, Slot, type WasmGen } from "./gen.ts";

/** A wasm emitter: the forms it translates, and how. */
export interface WasmEmitter {
  accepts(i: Instr): boolean;
  emit(g: WasmGen): void;
}

const { A, B, V, X, Y, REG } = Local;
const ESP = REG + 4;

/** Memory operands through CS are left to the host (writes fault: a code segment is not writable). */
const notThroughCs = (i: Instr) =>
  !(i.seg === CS && (hasMemoryOperand(i) || i.def.operands.some((o) => o === "Ob" || o === "Ov")));
const always = () => true;

function emitter(emit: (g: WasmGen) => void, accepts: (i: Instr) => boolean = notThroughCs): WasmEmitter {
  return { accepts, emit };
}

/** Masks the value on the stack to `size` bits (8 and 16; 32-bit values are already i32). */
function fit(g: WasmGen, size: number): void {
  if (size !== 32) g.code.i32Const(mask(size)).op(Op.i32_and);
}

/** Sign-extends the `size`-bit value on the stack to 32 bits. */
function signExtend(g: WasmGen, size: number): void {
  if (size === 8) g.code.op(Op.i32_extend8_s);
  else if (size === 16) g.code.op(Op.i32_extend16_s);
}

// ---- data movement -----------------------------------------------------------

export const mov = emitter((g) => {
  g.get(1);
  g.set(0);
});

export const movzx = mov;

export const movsx = emitter((g) => {
  g.get(1);
  signExtend(g, g.sizeOf(1));
  g.set(0);
});

export const lea = emitter((g) => {
  g.offset();
  g.set(0);
}, always);

export const push = emitter((g) => {
  g.get(0);
  g.code.localSet(Local.VAL);
  g.push(g.i.opsize);
});

/** POP of a register (a memory destination computes its address with ESP incremented: the host does it). */
export const pop = emitter((g) => {
  g.pop(g.i.opsize);
  g.set(0);
}, (i) => !hasMemoryOperand(i));

export const xchg = emitter((g) => {
  g.update(0);
  g.code.localSet(A);
  g.get(1);
  g.set(0);
  g.code.localGet(A);
  g.set(1);
});

/** CBW/CWDE. */
export const extendAccumulator = emitter((g) => {
  const size = g.i.opsize;
  g.reg(0, size / 2);
  signExtend(g, size / 2);
  g.setReg(0, size);
}, always);

/** CWD/CDQ. */
export const extendIntoDx = emitter((g) => {
  const size = g.i.opsize;
  g.reg(0, size);
  signExtend(g, size);
  g.code.i32Const(31).op(Op.i32_shr_s);
  g.setReg(2, size);
}, always);

export const bswap = emitter((g) => {
  const code = g.code, r = REG + (g.i.opcode & 7);
  // (v << 24) | ((v << 8) & 0xff0000) | ((v >>> 8) & 0xff00) | (v >>> 24)
  code.localGet(r).i32Const(24).op(Op.i32_shl)
    .localGet(r).i32Const(8).op(Op.i32_shl).i32Const(0xff0000).op(Op.i32_and).op(Op.i32_or)
    .localGet(r).i32Const(8).op(Op.i32_shr_u).i32Const(0xff00).op(Op.i32_and).op(Op.i32_or)
    .localGet(r).i32Const(24).op(Op.i32_shr_u).op(Op.i32_or).localSet(r);
}, (i) => i.opsize === 32);

export const nop = emitter(() => {}, always);

export const setcc = (cc: number) =>
  emitter((g) => {
    g.condition(cc);
    g.set(0);
  });

/** CMOVcc: the source is read (and may fault) whatever the condition. */
export const cmov = (cc: number) =>
  emitter((g) => {
    const code = g.code;
    g.get(1);
    code.localSet(A);
    g.condition(cc);
    g.if();
    code.localGet(A);
    g.set(0);
    g.end();
  });

// ---- arithmetic ----------------------------------------------------------------

/** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP and TEST (`write` false for the last two). */
export const alu = (fn: "add" | "or" | "adc" | "sbb" | "and" | "sub" | "xor", write = true) =>
  emitter((g) => {
    const code = g.code, size = g.size;
    if (write) g.update(0);
    else g.get(0);
    code.localSet(X);
    g.get(1);
    code.localSet(Y);
    switch (fn) {
      case "add": case "sub": case "adc": case "sbb": {
        const add = fn === "add" || fn === "adc";
        code.localGet(X).localGet(Y).op(add ? Op.i32_add : Op.i32_sub);
        if (fn === "adc" || fn === "sbb") {
          g.flag("cf");
          code.op(add ? Op.i32_add : Op.i32_sub);
        }
        fit(g, size);
        code.localTee(V);
        g.arithmeticFlags(add ? "add" : "sub", size);
        // With a carry in, the conditions are no longer those of X op Y.
        if (fn === "adc" || fn === "sbb") g.flagsUnknown();
        break;
      }
      default:
        code.localGet(X).localGet(Y).op(fn === "and" ? Op.i32_and : fn === "or" ? Op.i32_or : Op.i32_xor)
          .localTee(V);
        g.logicFlags(size);
    }
    if (write) {
      code.localGet(V);
      g.set(0);
    }
  });

/** INC and DEC keep CF: the flags are set from explicit bits as core/cpu/runtime/alu.ts does. */
export const incDec = (fn: "inc" | "dec") =>
  emitter((g) => {
    const code = g.code, size = g.size;
    g.update(0);
    code.localSet(A);
    g.flag("cf");
    code.localGet(A).i32Const(1).op(fn === "inc" ? Op.i32_add : Op.i32_sub);
    fit(g, size);
    code.localTee(V);
    // overflow: the result is the sign bit alone (inc) or the largest positive value (dec)
    const edge = fn === "inc" ? (size === 32 ? -0x80000000 : 1 << (size - 1)) : (size === 32 ? 0x7fffffff : (1 << (size - 1)) - 1);
    code.i32Const(edge).op(Op.i32_eq);
    // aux: the low nibble was 0xf (inc) or 0 (dec)
    code.localGet(A).i32Const(15).op(Op.i32_and).i32Const(fn === "inc" ? 15 : 0).op(Op.i32_eq);
    g.flagsFrom(size);
    code.localGet(V);
    g.set(0);
  });

export const neg = emitter((g) => {
  const code = g.code, size = g.size;
  g.update(0);
  code.localSet(Y).i32Const(0).localSet(X);
  code.localGet(X).localGet(Y).op(Op.i32_sub);
  fit(g, size);
  code.localTee(V);
  g.arithmeticFlags("sub", size);
  code.localGet(V);
  g.set(0);
});

export const not = emitter((g) => {
  g.update(0);
  g.code.i32Const(-1).op(Op.i32_xor);
  fit(g, g.size);
  g.set(0);
});

/** SHL/SAL, SHR, SAR, ROL and ROR by 1, CL or an immediate; nothing changes when the count (mod 32) is 0. */
export const shift = (fn: "shl" | "shr" | "sar" | "rol" | "ror") =>
  emitter((g) => {
    const code = g.code, size = g.size;
    g.update(0);
    code.localSet(A);
    g.get(1);
    code.i32Const(31).op(Op.i32_and).localTee(B);
    g.if();
    if (fn === "rol" || fn === "ror") rotate(g, fn, size);
    else shiftBy(g, fn, size);
    g.else();
    code.localGet(A).localSet(V);
    g.end();
    g.flagsUnknown();
    code.localGet(V);
    g.set(0);
  }, (i) => notThroughCs(i));

/** Shifts A by B (1..31) into V, with flags as core/cpu/runtime/shift.ts sets them. */
function shiftBy(g: WasmGen, fn: "shl" | "shr" | "sar", size: number): void {
  const code = g.code;
  const msb = (l: number) => code.localGet(l).i32Const(size - 1).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and);
  if (fn === "shl") {
    code.localGet(A).localGet(B).op(Op.i32_shl);
    fit(g, size);
    code.localSet(V);
    // carry: the last bit shifted out (0 when the count exceeds the size)
    if (size === 32) code.localGet(A).i32Const(32).localGet(B).op(Op.i32_sub).op(Op.i32_shr_u);
    else {
      code.localGet(B).i32Const(size).op(Op.i32_gt_u);
      g.ifI32();
      code.i32Const(0);
      g.else();
      code.localGet(A).i32Const(size).localGet(B).op(Op.i32_sub).op(Op.i32_shr_u);
      g.end();
    }
    code.i32Const(1).op(Op.i32_and).localTee(X);
    msb(V);
    code.localGet(X).op(Op.i32_xor);
  } else {
    // SHR: A is already unsigned for 8/16 bits; SAR works on the sign-extended value.
    code.localGet(A);
    if (fn === "sar") signExtend(g, size);
    code.localTee(Y).localGet(B).op(fn === "sar" ? Op.i32_shr_s : Op.i32_shr_u);
    fit(g, size);
    code.localSet(V);
    code.localGet(Y).localGet(B).i32Const(1).op(Op.i32_sub).op(fn === "sar" ? Op.i32_shr_s : Op.i32_shr_u)
      .i32Const(1).op(Op.i32_and);
    if (fn === "shr") {
      code.localGet(B).i32Const(1).op(Op.i32_eq);
      g.ifI32();
      msb(A);
      g.else();
      code.i32Const(0);
      g.end();
    } else code.i32Const(0);
  }
  code.i32Const(0); // aux
  g.flagsFrom(size);
}

/** ROL/ROR of A by B (1..31) into V: only CF and OF change, as core/cpu/flags.ts setCfOf does. */
function rotate(g: WasmGen, fn: "rol" | "ror", size: number): void {
  const code = g.code;
  const msb = (l: number, bit = size - 1) => code.localGet(l).i32Const(bit).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and);
  if (size === 32) code.localGet(A).localGet(B).op(fn === "rol" ? Op.i32_rotl : Op.i32_rotr).localSet(V);
  else {
    // n = count % size; u << n | u >>> (size - n) within size bits
    code.localGet(B).i32Const(size - 1).op(Op.i32_and).localSet(Y);
    const [left, right] = fn === "rol" ? [Op.i32_shl, Op.i32_shr_u] : [Op.i32_shr_u, Op.i32_shl];
    code.localGet(A).localGet(Y).op(left).localGet(A).i32Const(size).localGet(Y).op(Op.i32_sub).op(right)
      .op(Op.i32_or).i32Const(mask(size)).op(Op.i32_and).localSet(V);
  }
  // carry in X, overflow in Y
  if (fn === "rol") {
    code.localGet(V).i32Const(1).op(Op.i32_and).localTee(X);
    msb(V);
    code.op(Op.i32_xor).localSet(Y);
  } else {
    msb(V);
    code.localTee(X);
    msb(V, size - 2);
    code.op(Op.i32_xor).localSet(Y);
  }
  g.setCarryOverflow();
}

/** IMUL Gv, Ev and IMUL Gv, Ev, imm: CF = OF = the product does not fit. */
export const imul = (first: number) =>
  emitter((g) => {
    const code = g.code, size = g.size;
    g.get(first);
    code.localSet(X);
    g.get(first + 1);
    code.localSet(Y);
    if (size === 32) {
      // The product is computed twice: i64 values do not fit the region's i32 locals.
      const product = () =>
        code.localGet(X).op(Op.i64_extend_i32_s).localGet(Y).op(Op.i64_extend_i32_s).op(Op.i64_mul);
      product();
      code.op(Op.i32_wrap_i64).localSet(V);
      product();
      code.i64Const(32).op(Op.i64_shr_s).op(Op.i32_wrap_i64).localGet(V).i32Const(31).op(Op.i32_shr_s).op(Op.i32_ne);
    } else {
      code.localGet(X).op(Op.i32_extend16_s).localGet(Y).op(Op.i32_extend16_s).op(Op.i32_mul).localTee(A)
        .i32Const(65535).op(Op.i32_and).localSet(V);
      code.localGet(A).localGet(A).op(Op.i32_extend16_s).op(Op.i32_ne);
    }
    code.localTee(B).localGet(B).i32Const(0);
    g.flagsFrom(size);
    code.localGet(V);
    g.set(0);
  }, (i) => i.opsize === 32 || i.opsize === 16);

/** MUL Ev (32-bit): EDX:EAX = EAX * src, CF = OF = EDX is not 0. */
export const mul32 = emitter((g) => {
  const code = g.code;
  g.get(0);
  code.localSet(Y);
  code.localGet(REG).op(Op.i64_extend_i32_u).localGet(Y).op(Op.i64_extend_i32_u).op(Op.i64_mul)
    .op(Op.i32_wrap_i64).localSet(V);
  code.localGet(REG).op(Op.i64_extend_i32_u).localGet(Y).op(Op.i64_extend_i32_u).op(Op.i64_mul)
    .i64Const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).localSet(REG + 2);
  code.localGet(V).localSet(REG);
  code.localGet(REG + 2).i32Const(0).op(Op.i32_ne).localTee(B).localGet(B).i32Const(0);
  g.flagsFrom(32);
}, (i) => i.opcode === 0xf7 && i.opsize === 32);

/**
 * BT, BTS, BTR and BTC with an immediate bit offset or a register
 * operand (a memory operand with a register offset addresses another word:
 * the host runs it). Only CF changes.
 */
export const bitTest = (op: 0 | 1 | 2 | 3) =>
  emitter((g) => {
    const code = g.code, size = g.size;
    if (op === 0) g.get(0);
    else g.update(0);
    code.localSet(A);
    g.get(1);
    code.i32Const(size - 1).op(Op.i32_and).localSet(B);
    code.localGet(A).localGet(B).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).localSet(X);
    g.flag("of");
    code.localSet(Y);
    g.setCarryOverflow();
    if (op === 0) return;
    const bit = () => code.i32Const(1).localGet(B).op(Op.i32_shl);
    code.localGet(A);
    bit();
    if (op === 1) code.op(Op.i32_or);
    else if (op === 2) code.i32Const(-1).op(Op.i32_xor).op(Op.i32_and);
    else code.op(Op.i32_xor);
    g.set(0);
  }, (i) => notThroughCs(i) && (i.def.operands[1] === "Ib" || !hasMemoryOperand(i)));

/** CLC, STC and CMC: CF replaced, OF kept. */
export const carry = (fn: "clc" | "stc" | "cmc") =>
  emitter((g) => {
    const code = g.code;
    if (fn === "cmc") {
      g.flag("cf");
      code.op(Op.i32_eqz);
    } else code.i32Const(fn === "stc" ? 1 : 0);
    code.localSet(X);
    g.flag("of");
    code.localSet(Y);
    g.setCarryOverflow();
  }, always);

/** SAHF: SF, ZF, AF, PF and CF from AH; OF kept. */
export const sahf = emitter((g) => {
  const code = g.code;
  // The OF bit is read before FL is replaced.
  g.flag("of");
  code.localSet(Local.A);
  scratchSet(code, Slot.FL, () => {
    code.localGet(Local.A).i32Const(11).op(Op.i32_shl).localGet(REG).i32Const(8).op(Op.i32_shr_u).i32Const(0xd5)
      .op(Op.i32_and).op(Op.i32_or);
  });
  code.i32Const(0).localSet(Local.FSZ);
  g.flagsUnknown();
}, always);

/** LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. */
export const lahf = emitter((g) => {
  const code = g.code;
  code.i32Const(2);
  for (const [flag, bit] of [["cf", 0], ["pf", 2], ["af", 4], ["zf", 6], ["sf", 7]] as const) {
    g.flag(flag);
    if (bit) code.i32Const(bit).op(Op.i32_shl);
    code.op(Op.i32_or);
  }
  g.setReg(4, 8);
}, always);

/** The x87 escapes: a call of the host's x87 unit (core/cpu/wasm/x87.ts). */
export const x87 = emitter(emitX87, (i) => notThroughCs(i) && x87Translatable(i));

/** CLD and STD: the direction is a word of the scratch frame (Slot.DIR), which the host reads when the region leaves. */
export const direction = (step: 1 | -1) => emitter((g) => scratchSet(g.code, Slot.DIR, () => g.code.i32Const(step)), always);

/**
 * DIV and IDIV with a 32-bit divisor: EDX:EAX divided, quotient to EAX and
 * remainder to EDX, flags unchanged. A zero divisor or a quotient that does
 * not fit leaves the region, and the host raises the fault (as does IDIV by
 * -1, whose one overflowing case would trap the wasm division).
 */
export const divide = (signed: boolean) =>
  emitter((g) => {
    const code = g.code;
    g.get(0);
    code.localTee(B).op(Op.i32_eqz);
    if (signed) code.localGet(B).i32Const(-1).op(Op.i32_eq).op(Op.i32_or);
    else code.localGet(REG + 2).localGet(B).op(Op.i32_ge_u).op(Op.i32_or);
    g.leaveIf();
    const dividend = () =>
      code.localGet(REG + 2).op(Op.i64_extend_i32_u).i64Const(32).op(Op.i64_shl)
        .localGet(REG).op(Op.i64_extend_i32_u).op(Op.i64_or);
    const divisor = () => code.localGet(B).op(signed ? Op.i64_extend_i32_s : Op.i64_extend_i32_u);
    dividend();
    divisor();
    code.op(signed ? Op.i64_div_s : Op.i64_div_u).op(Op.i32_wrap_i64).localSet(A);
    if (signed) {
      // The quotient must fit in 32 bits: compare it with its own sign extension.
      code.localGet(A).op(Op.i64_extend_i32_s);
      dividend();
      divisor();
      code.op(Op.i64_div_s).op(Op.i64_ne);
      g.leaveIf();
    }
    dividend();
    divisor();
    code.op(signed ? Op.i64_rem_s : Op.i64_rem_u).op(Op.i32_wrap_i64).localSet(REG + 2);
    code.localGet(A).localSet(REG);
  }, (i) => i.opcode === 0xf7 && i.opsize === 32 && notThroughCs(i));

// ---- strings (without REP: a REP string instruction is a block of its own on the host) ----

/** MOVS, STOS, LODS, CMPS and SCAS: loads and stores first, then ESI/EDI move by the element size. */
export const string = (fn: "movs" | "stos" | "lods" | "cmps" | "scas") =>
  emitter((g) => {
    if (g.i.rep !== 0) return repString(g, fn as "movs" | "stos");
    const code = g.code, size = g.size;
    const destination = () => code.localGet(REG + 7);
    switch (fn) {
      case "movs":
        g.stringSource();
        g.load(size);
        code.localSet(Local.VAL);
        destination();
        g.store(size);
        break;
      case "stos":
        g.reg(0, size);
        code.localSet(Local.VAL);
        destination();
        g.store(size);
        break;
      case "lods":
        g.stringSource();
        g.load(size);
        g.setReg(0, size);
        break;
      case "cmps":
        g.stringSource();
        g.load(size);
        code.localSet(A);
        destination();
        g.load(size);
        code.localSet(Y).localGet(A).localSet(X);
        break;
      case "scas":
        destination();
        g.load(size);
        code.localSet(Y);
        g.reg(0, size);
        code.localSet(X);
    }
    if (fn === "cmps" || fn === "scas") {
      code.localGet(X).localGet(Y).op(Op.i32_sub);
      fit(g, size);
      g.arithmeticFlags("sub", size);
    }
    if (fn === "movs" || fn === "lods" || fn === "cmps") g.advance(6, size);
    if (fn !== "lods") g.advance(7, size);
  }, (i) => i.rep === 0 || fn === "stos" || (fn === "movs" && i.seg !== FS && i.seg !== GS));

// ---- control -------------------------------------------------------------------

/** Target of a relative branch (16-bit operand size truncates EIP). */
function target(i: Instr): number {
  const t = (i.addr + i.len + i.imm) | 0;
  return i.opsize === 16 ? t & 0xffff : t;
}

export const jcc = (cc: number) =>
  emitter((g) => {
    g.condition(cc);
    g.if();
    g.jumpTo(target(g.i));
    g.end();
    g.jumpTo(g.next);
  }, always);

export const jmp = emitter((g) => g.jumpTo(target(g.i)), always);

export const call = emitter((g) => {
  g.code.i32Const(g.next).localSet(Local.VAL);
  g.push(32);
  g.jumpTo(target(g.i));
}, (i) => i.opsize === 32);

export const ret = emitter((g) => {
  g.pop(32);
  if (g.i.def.operands.length) {
    g.code.localGet(ESP).i32Const(g.i.imm & 0xffff).op(Op.i32_add).localSet(ESP);
  }
  g.jumpToValue();
}, (i) => i.opsize === 32);

export const jmpIndirect = emitter((g) => {
  g.get(0);
  g.jumpToValue();
}, (i) => i.opsize === 32);

export const callIndirect = emitter((g) => {
  g.get(0);
  g.code.localSet(A).i32Const(g.next).localSet(Local.VAL);
  g.push(32);
  g.code.localGet(A);
  g.jumpToValue();
}, (i) => i.opsize === 32);
