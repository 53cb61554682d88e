/**
 * Debugging sessions (docs/shell.md): one command language over guests,
 * sub-guests, breakpoints and time travel, shared by `fx86 repl` and
 * `fx86 shell`.
 *
 * @example
 * import { Session } from "./core/session/mod.ts";
 * const s = new Session();
 * (await s.execute("load examples/hello/hello.yaml")).ok; // true
 * (await s.execute("step 10")).text;                      // "[10] hello 0x…: …"
 */
export { Session } from "./session.ts";
export { loadLine, type LoadOptions } from "./command.ts";
export type { SessionOptions } from "./state.ts";
export type * from "./view.ts";
export { COMMANDS, reference } from "./table.ts";
