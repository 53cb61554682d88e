/**
 * Processes under fx86, compared with the reference (tests/support/
 * reference.ts: natively where the kernel runs i386 code, else
 * qemu-i386): Debian's busybox-static sh runs pipelines, command
 * substitution, subshells, here-documents, xargs, find -exec, time and
 * compressors that fork, each in child processes (fork, vfork, execve of
 * /proc/self/exe, pipes, wait4), and stdout, stderr and exit status must be
 * byte-identical.
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { assert, test } from "../harness.ts";
import { busybox, BUSYBOX, type Outcome, runFx86, runReference, type RunSpec } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";

const REFERENCE = i386Runner();

const script = readFileSync(new URL("./scripts/report.sh", import.meta.url), "utf8");

/** [name, sh -c script] */
const cases: [string, string][] = [
  ["a pipeline of three", "seq 1000 | sort -r | head -3"],
  ["a pipeline's byte count", "echo a | wc -c"],
  ["command substitution", 'x=$(echo hi; echo there); echo "[$x]" $(seq 3)'],
  ["a subshell's status", "(echo sub; exit 3); echo $?"],
  ["a here-document", "cat <<EOF\nhome $HOME\n$(echo nested)\nEOF"],
  ["xargs", "seq 5 | xargs -n2 echo pair"],
  ["find -exec", "mkdir -p d/e; echo 1 > d/x; echo 22 > d/e/y; find d -type f -exec wc -c {} \\; | sort"],
  ["zcat of gzip", "seq 100 | gzip -c > n.gz; zcat n.gz | tail -2"],
  ["tar -czf and tar -xzf", "mkdir t; echo data > t/f; tar -czf t.tgz t; rm -r t; tar -xzf t.tgz; cat t/f"],
  ["exit status of a pipeline", "true | false; echo $?; false | true; echo $?"],
  ["a missing command", "no-such-command; echo $?"],
  ["env runs a command", "env -i A=1 env"],
  ["timeout of a quick command", "timeout 5 echo hi; echo $?"],
  // time forks, execs and reads the child's status and rusage; its figures are scrubbed, its format is not.
  ["time -f of a failing command", "time -f '%C: status %x' sh -c 'echo timed; exit 2'; echo $?"],
  ["time -p", "{ time -p sh -c 'echo in; exit 0'; } 2>&1 | sed 's/[0-9]/N/g'"],
  ["a sleeping subshell in a pipeline", "(sleep 1; echo late) | cat; echo after"],
  ["a fifo between a background writer and cat", "mkfifo f; (echo hi > f &); cat f"],
  ["mknod p, and what ls and test say of it", "mknod q p; ls -l q | cut -c1; test -p q && echo is a fifo; mkfifo q; echo $?"],
  ["a #! script", "printf '#!/bin/sh\\necho script says $1\\nexit 4\\n' > s; chmod +x s; ./s hello; echo $?"],
  ["a background job and wait", "sleep 1 & echo started; wait; echo done $?"],
  ["background jobs ending in turn", "(sleep 1; echo a) & (echo b) & wait; echo both"],
  ["wait for one job's status", "(exit 5) & p=$!; sleep 1 & wait $p; echo $?; wait; echo all"],
  ["a stopped and continued background job", "sleep 2 & p=$!; kill -STOP $p; kill -CONT $p; wait $p; echo $?"],
  ["kill -TSTP then -CONT of a background job", "sleep 1 & p=$!; kill -TSTP $p; kill -CONT $p; wait $p; echo $?"],
  // (stderr discarded: whether the shell reports "Terminated" depends on when the job dies, before its wait or in it.)
  ["SIGTERM and SIGKILL of stopped jobs", "exec 2>/dev/null; sleep 2 & p=$!; kill -STOP $p; kill $p; kill -CONT $p; wait $p; echo $?; sleep 2 & q=$!; kill -STOP $q; kill -9 $q; wait $q; echo $?"],
  ["a trap on TSTP runs instead of stopping", 'trap "echo caught TSTP" TSTP; kill -TSTP $$; echo went on'],
  ["a script of functions, traps and pipes", script],
];

function show(o: Outcome): string {
  const d = new TextDecoder();
  return `status ${o.status}\nstdout ${d.decode(o.stdout.subarray(0, 600))}\nstderr ${d.decode(o.stderr.subarray(0, 400))}`;
}

/** sh -c SCRIPT on the reference and under fx86: the same bytes and status. */
export function compareShell(source: string): void {
  const spec: RunSpec = { argv: ["busybox", "sh", "-c", source], standardLayout: true, execs: true };
  const ref = runReference(BUSYBOX, spec);
  // tar -z runs "gzip" from PATH and #! scripts /bin/sh: busybox's applets here, the host's there.
  const fx = runFx86(busybox(), { ...spec, exe: "/bin/busybox", links: { "/bin/gzip": "busybox", "/bin/sh": "busybox" } });
  if (fx.stop.status !== "exited") {
    assert.fail(`fx86 stopped with ${fx.stop.status} ${JSON.stringify(fx.stop.fault ?? "")}\n${show(fx)}`);
  }
  const both = `\n--- ${REFERENCE}\n${show(ref)}\n--- fx86\n${show(fx)}`;
  assert.equal(fx.status, ref.status, `exit status${both}`);
  assert.ok(Buffer.from(fx.stdout).equals(Buffer.from(ref.stdout)), `stdout differs${both}`);
  assert.ok(Buffer.from(fx.stderr).equals(Buffer.from(ref.stderr)), `stderr differs${both}`);
}

for (const [name, source] of cases) {
  test(`processes (${REFERENCE}): busybox sh -c, ${name}`, () => compareShell(source));
}
