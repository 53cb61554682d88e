import { GuestFault } from "../../fault.ts";
import { CS } from "../state.ts";
import { describeX87 } from "../x87/x87.ts";
import type { Instr, OpDef } from "./instr.ts";
import { immediateBytes, usesModrm } from "./operands.ts";
import { ONE_BYTE, type Slot, TWO_BYTE, X87_DEF } from "./table.ts";

/** Reads one instruction byte; throws a GuestFault if it cannot be fetched. */
export type Fetch = (addr: number) => number;

const MAX_LENGTH = 15;

/**
 * Decodes the instruction at `addr`. Undefined encodings throw a
 * GuestFault of kind "undefined-opcode"; fetch faults propagate.
 *
 * @example
 * const i = decode((a) => bytes[a], 0); // bytes = [0x01, 0xd8] -> add eax, ebx
 * i.len === 2 && i.def.mnemonic === "add";
 */
export function decode(fetch: Fetch, addr: number): Instr {
  // Addresses arrive signed or unsigned (EIP is kept signed); count bytes
  // instead of subtracting addresses, which breaks across 0x80000000.
  let p = addr >>> 0, len = 0;
  const next = (): number => {
    if (len === MAX_LENGTH) {
      throw undefinedOpcode(addr, "instruction longer than 15 bytes");
    }
    const b = fetch(p);
    p = (p + 1) >>> 0;
    len++;
    return b;
  };

  let opsize: 16 | 32 = 32, adsize: 16 | 32 = 32;
  let seg = -1, rep = 0, lock = false;
  let b = next();
  for (;;) {
    if (b === 0x66) opsize = 16;
    else if (b === 0x67) adsize = 16;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2 || b === 0xf3) rep = b;
    else if (b === 0x26) seg = 0;
    else if (b === 0x2e) seg = 1;
    else if (b === 0x36) seg = 2;
    else if (b === 0x3e) seg = 3;
    else if (b === 0x64) seg = 4;
    else if (b === 0x65) seg = 5;
    else break;
    b = next();
  }

  let twoByte = false;
  let slot: Slot;
  if (b === 0x0f) {
    twoByte = true;
    b = next();
    slot = TWO_BYTE[b];
  } else {
    slot = ONE_BYTE[b];
  }
  if (slot?.kind === "prefixed") {
    // F2/F3 select before 66; the prefix then is part of the opcode, not REP or an operand size.
    slot = rep === 0xf3 ? slot.pf3 : rep === 0xf2 ? slot.pf2 : opsize === 16 ? slot.p66 : slot.none;
  }
  if (slot === undefined) {
    throw undefinedOpcode(addr, `opcode ${opcodeName(twoByte, b)}${rep || opsize === 16 ? " with this prefix" : ""}`);
  }

  const needsModrm = slot.kind !== "op" ||
    slot.def.operands.some(usesModrm);
  if (slot.kind === "prefixed") throw new Error("prefixed slots do not nest");
  let modrm = -1, mod = 0, reg = 0, rm = 0;
  if (needsModrm) {
    modrm = next();
    mod = modrm >> 6;
    reg = (modrm >> 3) & 7;
    rm = modrm & 7;
  }

  let def: OpDef | undefined;
  if (slot.kind === "op") def = slot.def;
  else if (slot.kind === "group") {
    def = mod === 3 && slot.registerForm ? slot.registerForm[reg] : slot.ops[reg];
  } else if (slot.kind === "split") {
    def = mod === 3 ? slot.register : slot.memory;
  } else {
    def = describeX87(b, modrm) ? X87_DEF : undefined;
  }
  if (def === undefined) {
    throw undefinedOpcode(
      addr,
      `opcode ${opcodeName(twoByte, b)} /${reg}${mod === 3 ? " (register form)" : ""}`,
    );
  }

  const i: Instr = {
    addr: addr | 0,
    len: 0,
    def,
    opcode: b,
    twoByte,
    opsize,
    adsize,
    seg,
    rep,
    lock,
    modrm,
    mod,
    reg,
    rm,
    base: -1,
    index: -1,
    scale: 0,
    disp: 0,
    imm: 0,
    imm2: 0,
  };

  // MOV to/from CRn and DRn ignore ModRM.mod: r/m always names a register.
  if (def.operands.includes("Rd")) i.mod = 3;
  if (needsModrm && i.mod !== 3) {
    if (adsize === 32) decodeAddress32(i, next);
    else decodeAddress16(i, next);
  }
  checkOperandForms(i);

  let nImm = 0;
  for (const spec of def.operands) {
    const n = immediateBytes(spec, opsize, adsize);
    if (n === 0) continue;
    let v = readLE(next, spec === "Ap" ? n - 2 : n);
    if (spec === "Ibs" || spec === "Jb") v = (v << 24) >> 24;
    else if (spec === "Jz" && opsize === 16) v = (v << 16) >> 16;
    if (spec === "Ap") i.imm2 = readLE(next, 2); // the selector
    if (nImm++ === 0) i.imm = v;
    else i.imm2 = v;
  }
  i.len = len;
  return i;
}

/** The control registers a 32-bit x86 has (CR1 and CR5..CR7 are reserved). */
const CONTROL_REGISTERS = [0, 2, 3, 4];

/** Rejects encodings the table's operand kinds forbid (e.g. LEA with a register). */
function checkOperandForms(i: Instr): void {
  const ops = i.def.operands;
  const memOnly = ops.some((s) => s[0] === "M");
  if (memOnly && i.mod === 3) {
    throw undefinedOpcode(i.addr, `${mnemonicOf(i)} needs a memory operand`);
  }
  if (i.mod !== 3 && ops.some((s) => s === "Ux" || s === "Nq")) {
    throw undefinedOpcode(i.addr, `${mnemonicOf(i)} needs a register operand`);
  }
  if (ops.includes("Sw") && i.reg > 5) {
    throw undefinedOpcode(i.addr, `segment register ${i.reg} does not exist`);
  }
  if (ops[0] === "Sw" && i.reg === CS) {
    throw undefinedOpcode(i.addr, "MOV cannot load CS");
  }
  if (ops.includes("Cd") && !CONTROL_REGISTERS.includes(i.reg)) {
    throw undefinedOpcode(i.addr, `control register CR${i.reg} does not exist`);
  }
  if (i.lock && (!i.def.lockable || i.mod === 3)) {
    throw undefinedOpcode(i.addr, `LOCK prefix on ${mnemonicOf(i)}`);
  }
}

function decodeAddress32(i: Instr, next: () => number): void {
  let dispBytes = i.mod === 1 ? 1 : i.mod === 2 ? 4 : 0;
  if (i.rm === 4) {
    const sib = next();
    i.scale = sib >> 6;
    const index = (sib >> 3) & 7;
    i.index = index === 4 ? -1 : index;
    i.base = sib & 7;
    if (i.base === 5 && i.mod === 0) {
      i.base = -1;
      dispBytes = 4;
    }
  } else if (i.rm === 5 && i.mod === 0) {
    dispBytes = 4;
  } else {
    i.base = i.rm;
  }
  if (dispBytes === 1) i.disp = (next() << 24) >> 24;
  else if (dispBytes === 4) i.disp = readLE(next, 4) | 0;
}

/** 16-bit ModRM addressing: base/index are BX, BP, SI, DI combinations. */
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, -1, -1, -1, -1];

function decodeAddress16(i: Instr, next: () => number): void {
  if (i.mod === 0 && i.rm === 6) {
    i.disp = readLE(next, 2);
    return;
  }
  i.base = BASE16[i.rm];
  i.index = INDEX16[i.rm];
  if (i.mod === 1) i.disp = (next() << 24) >> 24;
  else if (i.mod === 2) i.disp = (readLE(next, 2) << 16) >> 16;
}

function readLE(next: () => number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) v |= next() << (8 * k);
  return n === 4 ? v | 0 : v;
}

/** The mnemonic for the instruction's operand (or address) size. */
export function mnemonicOf(i: Instr): string {
  const m = i.def.mnemonic;
  if (typeof m === "string") return m;
  const size = i.def.namedByAddressSize ? i.adsize : i.opsize;
  return size === 16 ? m[0] : m[1];
}

function opcodeName(twoByte: boolean, b: number): string {
  return (twoByte ? "0f " : "") + b.toString(16).padStart(2, "0");
}

function undefinedOpcode(addr: number, what: string): GuestFault {
  return new GuestFault(
    "undefined-opcode",
    0,
    `undefined ${what} at 0x${(addr >>> 0).toString(16).padStart(8, "0")}`,
  );
}
