/**
 * The template tier's canonical form (core/cpu/codegen/template.ts): the
 * scanner replaces exactly the numeric literals a regular expression of
 * JavaScript's literal syntax finds, over the generated source of every
 * instruction in busybox's code.
 */
import { assert, test } from "../harness.ts";
import { canonical } from "../../core/cpu/codegen/template.ts";
import { instructionSource } from "../../core/cpu/codegen/compile.ts";
import { decode } from "../../core/cpu/isa/decoder.ts";
import { busybox } from "../support/guests.ts";

/** The reference: string literals kept, numbers that are not part of a name replaced. */
const LITERAL = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?<![\w$.])(0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

function reference(source: string): { text: string; values: number[] } {
  const values: number[] = [];
  const text = source.replace(LITERAL, (whole, quoted: string | undefined, number: string | undefined) => {
    if (quoted !== undefined || number === undefined) return whole;
    values.push(Number(number));
    return `K[${values.length - 1}]`;
  });
  return { text, values };
}

test("template: canonical forms equal the reference on tricky text", () => {
  for (
    const s of [
      `r[3] = 0x1F + a1 + $2 + _3 + x.5 + 1.5e-3 + 2e + 0x + 7`,
      `throw new L.Fault("page 12", '3\\'4', 5)`,
      `m.w32(ea + 4, r[0] >>> 0); c.eip = -134512640;`,
    ]
  ) assert.deepEqual(canonical(s), reference(s), s);
});

test("template: canonical forms equal the reference over busybox's instructions", () => {
  const image = busybox();
  const fetch = (a: number) => image[a] ?? 0;
  let sources = 0;
  for (let a = 0; a < image.length && sources < 60_000; a += 1 + (a % 7)) {
    let source: string;
    try {
      const i = decode(fetch, a);
      source = instructionSource(i, a % 5);
    } catch {
      continue; // bytes that are no instruction
    }
    assert.deepEqual(canonical(source), reference(source), source);
    sources++;
  }
  assert.ok(sources > 10_000, `only ${sources} instructions decoded`);
  console.log(`template: ${sources} instruction sources canonicalised as the reference does`);
});
