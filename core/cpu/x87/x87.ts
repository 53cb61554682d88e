import type { Cpu } from "../state.ts";
import type { Memory } from "../../memory/memory.ts";
import { GuestFault } from "../../fault.ts";

/** Placeholder until the x87 unit lands: every x87 instruction is undefined. */
export class X87 {
  exec(
    _c: Cpu,
    _m: Memory,
    esc: number,
    modrm: number,
    _ea: number,
    _o16: boolean,
    _eip: number,
  ): void {
    throw new GuestFault(
      "undefined-opcode",
      0,
      `x87 ${esc.toString(16)} ${modrm.toString(16)}`,
    );
  }
  fwait(): void {}
}
