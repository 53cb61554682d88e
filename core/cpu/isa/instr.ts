import type { FaultKind } from "../../fault.ts";
import type { OperandSpec } from "./operands.ts";
import type { Gen } from "../codegen/gen.ts";
import type { WasmEmitter } from "../wasm/semantics.ts";

/**
 * Produces the JavaScript source that executes one decoded instruction.
 * Emitters are the semantic column of the opcode table; both execution
 * backends (single-instruction interpreter and block compiler) run them.
 */
export type Emitter = (g: Gen) => string;

/** How an instruction affects the flow of control (for block building). */
export type Flow =
  | "next" // falls through
  | "jump" // may transfer control: ends a block
  | "stop"; // traps to the host (syscall, fault): ends a block

/** One row of the opcode table. */
export interface OpDef {
  /**
   * Intel mnemonic; a pair gives the 16-bit and 32-bit names, chosen by
   * operand size (or by address size when `namedByAddressSize`: JCXZ/JECXZ).
   */
  mnemonic: string | readonly [string, string];
  namedByAddressSize?: boolean;
  operands: readonly OperandSpec[];
  emit: Emitter;
  /** The same semantics as WebAssembly, for regions (core/cpu/wasm); without it the host runs the row. */
  wasm?: WasmEmitter;
  flow: Flow;
  /** LOCK is accepted (only with a memory destination). */
  lockable?: boolean;
  /** String instruction: "rep" honours F3 as REP, "repcc" as REPE and F2 as REPNE. */
  string?: "rep" | "repcc";
  /** The fault this row always raises: it exists only to stop the guest (IN, HLT, far CALL...). */
  fault?: FaultKind;
}

/** A decoded instruction. */
export interface Instr {
  /** Linear address of the first byte. */
  addr: number;
  len: number;
  def: OpDef;
  /** The opcode byte that selected `def` (after 0F for two-byte opcodes). */
  opcode: number;
  twoByte: boolean;
  opsize: 16 | 32;
  adsize: 16 | 32;
  /** Segment override (segment number), or -1. */
  seg: number;
  /** 0, 0xF2 (REPNE) or 0xF3 (REP/REPE). */
  rep: number;
  lock: boolean;
  /** The ModRM byte, or -1. */
  modrm: number;
  mod: number;
  reg: number;
  rm: number;
  /** Memory operand: base and index registers (-1 if absent), scale shift, displacement. */
  base: number;
  index: number;
  scale: number;
  disp: number;
  /** Immediates, as decoded (sign-extended where the spec says so). */
  imm: number;
  imm2: number;
}

/** True if the instruction has a memory operand encoded in ModRM. */
export function hasMemoryOperand(i: Instr): boolean {
  return i.modrm >= 0 && i.mod !== 3;
}
