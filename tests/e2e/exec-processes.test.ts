/**
 * `fx86 exec busybox sh -c PIPELINE` with no root, as a user first tries it
 * (issue 11): the program is installed as /bin/busybox in a standard
 * layout, so busybox's shell finds itself through /proc/self/exe for the
 * applets it runs in child processes. Compared with the reference
 * (tests/support/reference.ts: qemu-i386 here) under both runtimes.
 */
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { BUSYBOX, runReference } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";

const runtimes: Runtime[] = ["deno", "bun"];
const decoder = new TextDecoder();

const scripts = [
  "echo a | wc -c",
  "seq 1000 | sort -r | head -3",
  'x=$(echo one two | wc -w); echo "words $x"; (echo sub; exit 2) | cat; echo $(seq 3) > /dev/null; echo done $?',
];

for (const rt of runtimes) {
  for (const source of scripts) {
    test(`exec (${rt}, ${i386Runner()}): busybox sh -c '${source.slice(0, 30)}…' without a root forks and finds itself`, () => {
      const ref = runReference(BUSYBOX, { argv: ["busybox", "sh", "-c", source], standardLayout: true, execs: true });
      const r = fx86(rt, ["exec", BUSYBOX, "sh", "-c", source]);
      assert.equal(r.stderr, decoder.decode(ref.stderr));
      assert.equal(r.stdout, decoder.decode(ref.stdout));
      assert.equal(r.status, ref.status);
    });
  }

  test(`exec (${rt}): "--" separates fx86's arguments from the guest's`, () => {
    const r = fx86(rt, ["exec", BUSYBOX, "--", "echo", "--", "x"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "-- x\n");
  });
}
