/**
 * Debian's busybox-static (i386), unmodified, on the reference
 * (tests/support/reference.ts: natively where the kernel runs i386 code,
 * else under qemu-i386; test names say which) and under fx86: the same
 * applets, arguments, files and stdin must give byte-identical stdout,
 * stderr and exit status. Nothing here depends on what qemu-i386 does
 * differently from a kernel (auxv, stack addresses, /proc, uname), so the
 * comparison is the same on both.
 */
import { assert, test } from "../harness.ts";
import {
  busybox,
  BUSYBOX,
  type Outcome,
  pseudoRandom,
  pseudoText,
  runFx86,
  runReference,
  type RunSpec,
} from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";

const REFERENCE = i386Runner();

const text = pseudoText(200_000);
const lines = "pear\napple\nfig\napple\nbanana\nfig\nfig\nkiwi\n";
const csv = "id,name,score\n1,ann,3.5\n2,bob,4.25\n3,cy,1e3\n";
const files = {
  "a.txt": lines,
  "b.txt": "pear\napple\ngrape\napple\nbanana\nfig\n",
  "data.csv": csv,
  "dir/one": "1\n",
  "dir/two": "22\n",
  "dir/sub/three.txt": "333\n",
  "bin.dat": pseudoRandom(5000),
};

/** [applet args, stdin, "unordered" if the output follows host directory order] */
const cases: [string[], (Uint8Array | string)?, "unordered"?][] = [
  [["echo", "hello", "world"]],
  [["echo", "-e", "tab\\tnewline\\n"]],
  [["cat", "a.txt", "b.txt"]],
  [["cat"], text],
  [["wc"], text],
  [["wc", "-l", "a.txt", "b.txt"]],
  [["sort", "a.txt"]],
  [["sort", "-r", "-u", "a.txt"]],
  [["sort", "-t", ",", "-k", "3", "-n", "data.csv"]],
  [["uniq", "-c"], "a\na\nb\nc\nc\nc\n"],
  [["head", "-n", "3", "a.txt"]],
  [["tail", "-n", "2", "a.txt"]],
  [["tail", "-c", "100"], text],
  [["tr", "a-z", "A-Z"], lines],
  [["tr", "-d", "aeiou"], text],
  [["cut", "-d", ",", "-f", "2,3", "data.csv"]],
  [["sed", "-e", "s/fig/FIG/g", "-e", "2d", "a.txt"]],
  [["sed", "-n", "/^[ab]/p", "a.txt"]],
  [["grep", "-n", "fig", "a.txt"]],
  [["grep", "-c", "-v", "the"], text],
  [["grep", "-E", "^(ap|ba)", "a.txt", "b.txt"]],
  [["od", "-A", "x", "-t", "x1z", "bin.dat"]],
  [["od", "-c", "a.txt"]],
  [["base64"], pseudoRandom(3000, 3)],
  [["base64", "-d"], "aGVsbG8gZng4NiBndWVzdAo=\n"],
  [["md5sum"], text],
  [["sha1sum", "a.txt", "bin.dat"]],
  [["sha256sum"], text],
  [["sha512sum"], text],
  [["gzip", "-c"], text],
  [["gzip", "-9", "-c"], pseudoRandom(20_000, 9)],
  [["bzip2", "-c"], text.subarray(0, 50_000)],
  [["expr", "3", "*", "7", "+", "100"]],
  [["expr", "length", "fx86 guest"]],
  [["seq", "1", "3", "40"]],
  [["seq", "-w", "8", "12"]],
  [["printf", "%05.2f|%x|%s|%e\\n", "3.14159", "255", "str", "12345.678"]],
  [["awk", "BEGIN { printf \"%.10f %.6g %g\\n\", atan2(1,1)*4, exp(1), 1/3 }"]],
  [["awk", "-F,", "NR>1 { s += $3; print $2, $3 * 2 } END { print \"sum\", s, s/3 }", "data.csv"]],
  [["awk", "{ n[$1]++ } END { for (w in n) if (n[w] > 1) c++; print c, NR, length($0) }"], text],
  [["factor", "1234567890", "4294967291", "600851475143"]],
  [["cmp", "a.txt", "b.txt"]],
  [["cmp", "a.txt", "a.txt"]],
  [["diff", "a.txt", "b.txt"]],
  [["ls"]],
  [["ls", "-1a", "dir"]],
  [["ls", "-R", "dir"]],
  [["find", ".", "-name", "*.txt"], undefined, "unordered"],
  [["find", "dir", "-type", "f"], undefined, "unordered"],
  [["cat", "no-such-file"]],
  [["false"]],
];

/** Compressed data made on the reference, decompressed under fx86 (and vice versa via the cases above). */
function decompressionCases(): [string[], Uint8Array][] {
  const gz = runReference(BUSYBOX, { argv: ["busybox", "gzip", "-c"], stdin: text }).stdout;
  const bz = runReference(BUSYBOX, {
    argv: ["busybox", "bzip2", "-c"],
    stdin: text.subarray(0, 50_000),
  }).stdout;
  return [[["gunzip", "-c"], gz], [["bunzip2", "-c"], bz]];
}

function show(o: Outcome): string {
  const d = new TextDecoder();
  return `status ${o.status}\nstdout ${d.decode(o.stdout.subarray(0, 400))}\nstderr ${
    d.decode(o.stderr.subarray(0, 400))
  }`;
}

/** Sorts output lines: the reference's directory order is the host file system's hash order. */
function sortLines(o: Outcome): Outcome {
  const sorted = new TextDecoder().decode(o.stdout).split("\n").sort().join("\n");
  return { ...o, stdout: new TextEncoder().encode(sorted) };
}

function compare(spec: RunSpec, unordered = false): void {
  const ref = unordered ? sortLines(runReference(BUSYBOX, spec)) : runReference(BUSYBOX, spec);
  const run = runFx86(busybox(), spec);
  const fx = unordered ? { ...sortLines(run), stop: run.stop } : run;
  const what = spec.argv.slice(1).join(" ");
  if (fx.stop.status !== "exited") {
    assert.fail(`${what}: fx86 stopped with ${fx.stop.status} ${JSON.stringify(fx.stop.fault ?? "")}`);
  }
  assert.equal(fx.status, ref.status, `${what}: exit status\n${show(fx)}`);
  assert.ok(
    Buffer.from(fx.stdout).equals(Buffer.from(ref.stdout)),
    `${what}: stdout differs\n--- ${REFERENCE}\n${show(ref)}\n--- fx86\n${show(fx)}`,
  );
  assert.ok(
    Buffer.from(fx.stderr).equals(Buffer.from(ref.stderr)),
    `${what}: stderr differs\n--- ${REFERENCE}\n${show(ref)}\n--- fx86\n${show(fx)}`,
  );
}

for (const [args, stdin, order] of cases) {
  test(`busybox (${REFERENCE}) ${args.join(" ").slice(0, 60)}`, () => {
    compare({ argv: ["busybox", ...args], stdin, files }, order === "unordered");
  });
}

test(`busybox (${REFERENCE}) gunzip/bunzip2 of data compressed on the reference`, () => {
  for (const [args, stdin] of decompressionCases()) {
    compare({ argv: ["busybox", ...args], stdin, files });
  }
});

test(`busybox (${REFERENCE}) tar: created under fx86, listed on the reference and under fx86`, () => {
  const made = runFx86(busybox(), { argv: ["busybox", "tar", "-c", "-f", "-", "dir"], files });
  assert.equal(made.stop.status, "exited");
  const spec = { argv: ["busybox", "tar", "-t", "-f", "-"], stdin: made.stdout };
  const ref = runReference(BUSYBOX, spec);
  assert.equal(new TextDecoder().decode(ref.stdout).split("\n").sort().join("\n").trim(),
    "dir/\ndir/one\ndir/sub/\ndir/sub/three.txt\ndir/two");
  compare(spec);
});
