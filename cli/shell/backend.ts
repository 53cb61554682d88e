/**
 * What the shell needs from a debugging session: core/session's `Session`
 * has this shape; tests pass small fakes.
 */
import type { CommandOutput, ExecuteOptions, ShellView, ViewOptions } from "../../core/session/view.ts";

/**
 * The session as the shell sees it.
 * @example const backend: ShellBackend = session;
 */
export interface ShellBackend {
  execute(line: string, opts?: ExecuteOptions): Promise<CommandOutput>;
  view(opts?: ViewOptions): ShellView;
  complete(line: string): string[];
}
