/**
 * The engine's backends, for the conformance tests: every test that
 * compares stops, counts or states runs each of them (core/cpu/engine.ts).
 */
import type { Backend } from "../../core/cpu/engine.ts";

export const BACKENDS: readonly Backend[] = ["tiered", "templates", "compiled", "single", "regions"];
