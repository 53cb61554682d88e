/**
 * The runtime library of generated code, passed to every compiled block as
 * `L`. Everything an emitter names as `L.x` lives here.
 */
import { GuestFault, type FaultKind } from "../../fault.ts";
import { af, cf, eflags, of, pf, setCF, setEflags, sf, zf } from "../flags.ts";
import * as access from "./access.ts";
import * as alu from "./alu.ts";
import * as bcd from "./bcd.ts";
import * as bits from "./bits.ts";
import * as muldiv from "./muldiv.ts";
import * as shift from "./shift.ts";
import * as string from "./string.ts";
import * as system from "./system.ts";
import { Fx86Call } from "../trap.ts";
import { simdRuntime } from "../sse/mod.ts";

function fault(kind: FaultKind, what: string): GuestFault {
  return new GuestFault(kind, 0, what);
}

export const runtime = {
  af, cf, of, pf, sf, zf, eflags, setCF, setEflags,
  add: alu.add, adc: alu.adc, sub: alu.sub, sbb: alu.sbb,
  and: alu.and, or: alu.or, xor: alu.xor,
  inc: alu.inc, dec: alu.dec, neg: alu.neg,
  rol: shift.rol, ror: shift.ror, rcl: shift.rcl, rcr: shift.rcr,
  shl: shift.shl, shr: shift.shr, sar: shift.sar,
  shld: shift.shld, shrd: shift.shrd,
  mul: muldiv.mul, imul1: muldiv.imul1, imul: muldiv.imul,
  div: muldiv.div, idiv: muldiv.idiv,
  daa: bcd.daa, das: bcd.das, aaa: bcd.aaa, aas: bcd.aas, aam: bcd.aam, aad: bcd.aad,
  bitOp: bits.bitOp, bsf: bits.bsf, bsr: bits.bsr,
  cmpxchg: bits.cmpxchg, cmpxchg8b: bits.cmpxchg8b,
  movs: string.movs, stos: string.stos, lods: string.lods,
  cmps: string.cmps, scas: string.scas,
  doCpuid: system.doCpuid, rdtsc: system.rdtsc, loadSegment: system.loadSegment,
  enter: system.enter, bound: system.bound,
  writable: access.writable, codeSegmentWrite: access.codeSegmentWrite,
  rmw8: access.rmw8, rmw16: access.rmw16, rmw32: access.rmw32,
  fault,
  Fx86Call,
  /** MMX/SSE (core/cpu/sse). */
  V: simdRuntime,
};

export type Runtime = typeof runtime;
