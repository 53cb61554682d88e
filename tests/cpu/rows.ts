/**
 * Every row of fx86's opcode table, enumerated from ONE_BYTE/TWO_BYTE and
 * their group members, so the tests cover the table as it is rather than
 * a list someone keeps in sync by hand.
 */
import type { OpDef } from "../../core/cpu/isa/instr.ts";
import { usesModrm } from "../../core/cpu/isa/operands.ts";
import { ONE_BYTE, type Slot, TWO_BYTE } from "../../core/cpu/isa/table.ts";

export interface Row {
  def: OpDef;
  twoByte: boolean;
  opcode: number;
  /** ModRM.reg of a group member. */
  reg?: number;
  /** Which ModRM forms select this row. */
  modForms: "any" | "register" | "memory";
  /** e.g. "0f a4 shld Ev,Gv,Ib" or "c1 /4 shl Ev,Ib". */
  name: string;
  /** The mandatory prefix of an MMX/SSE row (0x66, 0xf3, 0xf2), 0 for none. */
  prefix?: number;
}

function rowName(twoByte: boolean, opcode: number, reg: number | undefined, def: OpDef): string {
  const code = (twoByte ? "0f " : "") + opcode.toString(16).padStart(2, "0");
  const m = typeof def.mnemonic === "string" ? def.mnemonic : def.mnemonic.join("/");
  return `${code}${reg !== undefined ? ` /${reg}` : ""} ${m} ${def.operands.join(",")}`.trim();
}

function slotRows(slot: Slot, twoByte: boolean, opcode: number): Row[] {
  if (slot === undefined || slot.kind === "x87" || slot.kind === "prefixed") return [];
  if (slot.kind === "split") {
    const name = (def: OpDef, form: string) => rowName(twoByte, opcode, undefined, def) + ` (${form})`;
    return [
      ...(slot.memory ? [{ def: slot.memory, twoByte, opcode, modForms: "memory" as const, name: name(slot.memory, "mem") }] : []),
      ...(slot.register ? [{ def: slot.register, twoByte, opcode, modForms: "register" as const, name: name(slot.register, "reg") }] : []),
    ];
  }
  if (slot.kind === "op") {
    return [{ def: slot.def, twoByte, opcode, modForms: "any", name: rowName(twoByte, opcode, undefined, slot.def) }];
  }
  const rows: Row[] = [];
  for (let reg = 0; reg < 8; reg++) {
    const mem = slot.ops[reg];
    const regForm = slot.registerForm ? slot.registerForm[reg] : mem;
    if (mem && mem === regForm) {
      rows.push({ def: mem, twoByte, opcode, reg, modForms: "any", name: rowName(twoByte, opcode, reg, mem) });
      continue;
    }
    if (mem) {
      rows.push({ def: mem, twoByte, opcode, reg, modForms: "memory", name: rowName(twoByte, opcode, reg, mem) + " (mem)" });
    }
    if (regForm) {
      rows.push({ def: regForm, twoByte, opcode, reg, modForms: "register", name: rowName(twoByte, opcode, reg, regForm) + " (reg)" });
    }
  }
  return rows;
}

const PREFIXES = [["none", 0], ["p66", 0x66], ["pf3", 0xf3], ["pf2", 0xf2]] as const;

/**
 * The MMX/SSE rows (two-byte opcodes selected by a mandatory prefix),
 * which tests/sse covers; `tableRows` leaves them out.
 */
export function simdRows(): Row[] {
  const rows: Row[] = [];
  TWO_BYTE.forEach((slot, code) => {
    if (slot?.kind !== "prefixed") return;
    for (const [key, prefix] of PREFIXES) {
      for (const row of slotRows(slot[key], true, code)) {
        const p = prefix ? prefix.toString(16) + " " : "";
        rows.push({ ...row, prefix, name: p + row.name });
      }
    }
  });
  return rows;
}

/** All rows of the integer table (MMX/SSE rows: `simdRows`), one-byte map first. */
export function tableRows(): Row[] {
  const rows: Row[] = [];
  ONE_BYTE.forEach((slot, code) => {
    if (code !== 0x0f) rows.push(...slotRows(slot, false, code));
  });
  TWO_BYTE.forEach((slot, code) => rows.push(...slotRows(slot, true, code)));
  return rows;
}

/** True if the row has a ModRM byte. */
export function hasModrm(row: Row): boolean {
  return row.reg !== undefined || row.def.operands.some(usesModrm);
}

/** True for the moffs rows (MOV AL/eAX <-> [imm]), which address memory without ModRM. */
export function usesMoffs(row: Row): boolean {
  return row.def.operands.some((s) => s === "Ob" || s === "Ov");
}

/** The forms a row can take: register and/or memory (moffs rows count as memory). */
export function modes(row: Row): ("register" | "memory")[] {
  if (usesMoffs(row)) return ["memory"];
  if (!hasModrm(row)) return ["register"];
  if (row.modForms !== "any") return [row.modForms];
  if (row.def.operands.some((s) => s[0] === "M")) return ["memory"];
  if (row.def.operands.includes("Rd")) return ["register"];
  return ["register", "memory"];
}

/** The x87 escape opcodes (D8..DF), which the x87 unit describes. */
export const X87_ESCAPES = [0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf];
