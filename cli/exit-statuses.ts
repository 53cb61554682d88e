/**
 * The exit statuses of fx86, as `fx86 --help` and the man page list them:
 * one entry a line (continuations indented), names then meaning.
 *
 * @example
 * console.log(`Exit statuses:\n${EXIT_STATUSES}`);
 */
export const EXIT_STATUSES = `  exec, resume  the guest's exit status; 124 when --budget ran out; for a
                guest fault 128 + the signal Linux would send (139 page or
                protection fault, 132 undefined or privileged instruction,
                136 divide or floating-point error, 133 breakpoint, 137
                deadlock); 130/143 after SIGINT/SIGTERM with --save
  run           0 expectations met, 1 not met, 2 bad manifest
  verify, fsck  0 verified / no problems, 1 mismatch / problems
  repl          0, or 1 when a script's command fails
  any           2 bad usage or input (one line on stderr), 141 when the
                reader of the output went away
`;
