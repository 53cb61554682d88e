/** Emitters for the string instructions (MOVS, CMPS, STOS, LODS, SCAS). */
import { param } from "../../codegen/gen.ts";
import { DS } from "../../state.ts";
import type { Emitter } from "../instr.ts";

/**
 * A string instruction calls its runtime helper with a site descriptor
 * fixed at code-generation time. With a REP prefix the helper's return
 * value (iterations run) is the instruction count the block reports.
 */
export const stringOp = (fn: string): Emitter => (g) => {
  const i = g.i;
  const site = `{ size: ${g.size}, rep: ${i.rep}, am: ${i.adsize === 16 ? 0xffff : -1}, ` +
    `seg: ${i.seg >= 0 ? i.seg : DS}, addr: ${param(i.addr | 0)}, next: ${param(g.next)} }`;
  return i.rep ? `n = L.${fn}(c, m, ${site}, left);` : `L.${fn}(c, m, ${site}, 1);`;
};
