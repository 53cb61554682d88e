/**
 * A mistake in a command line (bad syntax, unknown guest, out-of-range
 * value): the session turns it into `{ ok: false, text }`, one line, and
 * leaves its state as it was.
 *
 * @example
 * throw new CommandError(`no guest "foo"; see guests`);
 */
export class CommandError extends Error {
  override name = "CommandError";
}
