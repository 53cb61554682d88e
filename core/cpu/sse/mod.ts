/**
 * The MMX/SSE runtime generated code calls as `L.V` (core/cpu/sse/emit.ts):
 * the working vectors, register and memory moves, and every operation a
 * table row names.
 *
 * @example
 * L.V.pxor(c, L.V.A, L.V.B, 0, 16, 0);
 */
import * as control from "./control.ts";
import * as convert from "./convert.ts";
import * as float from "./float.ts";
import * as integer from "./integer.ts";
import * as shuffle from "./shuffle.ts";
import * as vec from "./vec.ts";

export const simdRuntime = { ...vec, ...control, ...integer, ...shuffle, ...float, ...convert };

/** The names rows may use as operations. */
export type SimdOp = keyof typeof simdRuntime;
