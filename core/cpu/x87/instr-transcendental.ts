import type { Run } from "./x87.ts";
import { GuestFault } from "../../fault.ts";
const todo: Run = () => {
  throw new GuestFault("undefined-opcode", 0, "todo");
};
export const f2xm1 = todo, fyl2x = todo, fyl2xp1 = todo, fptan = todo,
  fpatan = todo, fsin = todo, fcos = todo, fsincos = todo;
