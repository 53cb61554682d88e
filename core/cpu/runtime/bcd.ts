/**
 * BCD adjustments. Flags Intel leaves undefined are defined by fx86: OF is
 * 0 after all six; after AAA/AAS, SF/ZF/PF follow the final AL; after
 * AAM/AAD, CF and AF are 0.
 */
import { GuestFault } from "../../fault.ts";
import { af, cf, setFlagsFrom } from "../flags.ts";
import type { Cpu } from "../state.ts";

function setAL(c: Cpu, v: number): void {
  c.r[0] = (c.r[0] & -256) | (v & 0xff);
}

export function daa(c: Cpu): void {
  const old = c.r[0] & 0xff, oldCF = cf(c);
  let al = old, carry = 0, aux = 0;
  if ((al & 0xf) > 9 || af(c)) {
    carry = oldCF | (al + 6 > 0xff ? 1 : 0);
    al = (al + 6) & 0xff;
    aux = 1;
  }
  if (old > 0x99 || oldCF) {
    al = (al + 0x60) & 0xff;
    carry = 1;
  } else carry = 0;
  setAL(c, al);
  setFlagsFrom(c, 8, al, carry, 0, aux);
}

export function das(c: Cpu): void {
  const old = c.r[0] & 0xff, oldCF = cf(c);
  let al = old, carry = 0, aux = 0;
  if ((al & 0xf) > 9 || af(c)) {
    carry = oldCF | (al < 6 ? 1 : 0);
    al = (al - 6) & 0xff;
    aux = 1;
  }
  if (old > 0x99 || oldCF) {
    al = (al - 0x60) & 0xff;
    carry = 1;
  }
  setAL(c, al);
  setFlagsFrom(c, 8, al, carry, 0, aux);
}

export function aaa(c: Cpu): void {
  let ax = c.r[0] & 0xffff;
  const adjust = (ax & 0xf) > 9 || af(c) === 1;
  if (adjust) ax = (ax + 0x106) & 0xffff;
  ax &= 0xff0f;
  c.r[0] = (c.r[0] & -65536) | ax;
  setFlagsFrom(c, 8, ax & 0xff, adjust ? 1 : 0, 0, adjust ? 1 : 0);
}

/** AAS: AX = AX - 6 and AH = AH - 1 (the borrow from AL reaches AH, as on current processors). */
export function aas(c: Cpu): void {
  let ax = c.r[0] & 0xffff;
  const adjust = (ax & 0xf) > 9 || af(c) === 1;
  if (adjust) {
    ax = (ax - 6) & 0xffff;
    ax = (ax - 0x100) & 0xffff;
  }
  ax &= 0xff0f;
  c.r[0] = (c.r[0] & -65536) | ax;
  setFlagsFrom(c, 8, ax & 0xff, adjust ? 1 : 0, 0, adjust ? 1 : 0);
}

export function aam(c: Cpu, base: number): void {
  if (base === 0) throw new GuestFault("divide", 0, "AAM with base 0");
  const al = c.r[0] & 0xff;
  const res = ((Math.floor(al / base) & 0xff) << 8) | (al % base);
  c.r[0] = (c.r[0] & -65536) | res;
  setFlagsFrom(c, 8, res & 0xff, 0, 0, 0);
}

export function aad(c: Cpu, base: number): void {
  const al = c.r[0] & 0xff, ah = (c.r[0] >> 8) & 0xff;
  const res = (al + ah * base) & 0xff;
  c.r[0] = (c.r[0] & -65536) | res;
  setFlagsFrom(c, 8, res, 0, 0, 0);
}
