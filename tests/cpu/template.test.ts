/**
 * The template tier's canonical form (core/cpu/codegen/template.ts): over
 * the generated source of every instruction in busybox's code, the
 * template's text with its values put back is the instruction's plain
 * source, that source is valid JavaScript, no parameter sits inside a
 * string literal, and instructions that differ only in the numbers of
 * their encoding (registers, immediates, displacements, addresses) share
 * one template.
 */
import { assert, test } from "../harness.ts";
import { canonical } from "../../core/cpu/codegen/template.ts";
import { instructionSource } from "../../core/cpu/codegen/compile.ts";
import { MARK, plainSource } from "../../core/cpu/codegen/gen.ts";
import { decode } from "../../core/cpu/isa/decoder.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { busybox } from "../support/guests.ts";

const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;

/** The template's text with `K[j]` replaced by its value: what the template computes. */
function instantiate(text: string, values: readonly number[]): string {
  return text.replace(/K\[(\d+)\]/g, (_, j: string) => String(values[Number(j)]));
}

function at(bytes: number[], addr: number): Instr {
  return decode((a) => bytes[a - addr] ?? 0, addr);
}

test("template: busybox's instructions as templates and values give back their plain source", () => {
  const image = busybox();
  const fetch = (a: number) => image[a] ?? 0;
  const texts = new Set<string>();
  let sources = 0;
  for (let a = 0; a < image.length && sources < 60_000; a += 1 + (a % 7)) {
    let source: string;
    try {
      source = instructionSource(decode(fetch, a), a % 5);
    } catch {
      continue; // bytes that are no instruction
    }
    const plain = plainSource(source);
    const { text, values } = canonical(source);
    assert.equal(instantiate(text, values), plain, source);
    for (const s of source.match(STRING) ?? []) assert.ok(!s.includes(MARK), `a parameter inside ${s}`);
    new Function("L", "c", "r", "m", "left", "K", `let n = 1, $i, $o; ${text}`);
    texts.add(text);
    sources++;
  }
  assert.ok(sources > 10_000, `only ${sources} instructions decoded`);
  // When every literal was a parameter, this sample needed 1,073 templates; marking shares as well (939).
  assert.ok(texts.size < 1_200, `${texts.size} templates for ${sources} instructions`);
  console.log(`template: ${sources} instruction sources, ${texts.size} templates`);
});

test("template: instructions that differ only in encoded numbers share a template", () => {
  const pairs: [string, number[], number, number[], number][] = [
    ["mov r32, [base+disp8]", [0x8b, 0x43, 0x08], 0x1000, [0x8b, 0x4a, 0x10], 0x2000],
    ["mov r32, [base+index*scale+disp32]", [0x8b, 0x84, 0x8b, 0x78, 0x56, 0x34, 0x12], 0, [0x8b, 0x94, 0x46, 4, 0, 0, 0], 9],
    ["jz rel8", [0x74, 0x05], 0x1000, [0x74, 0xfd], 0x5000],
    ["call rel32", [0xe8, 1, 2, 3, 4], 0x8048000, [0xe8, 0xf0, 0xff, 0xff, 0xff], 0x8049000],
    ["add eax, imm32", [0x05, 0x78, 0x56, 0x34, 0x12], 0, [0x05, 7, 0, 0, 0], 0x10],
    ["push r32", [0x53], 0, [0x56], 0x40],
    ["fld m32", [0xd9, 0x43, 0x04], 0, [0xd9, 0x46, 0x08], 0x30],
    ["movdqa xmm, xmm", [0x66, 0x0f, 0x6f, 0xc1], 0, [0x66, 0x0f, 0x6f, 0xd3], 0x30],
  ];
  for (const [name, a, aAddr, b, bAddr] of pairs) {
    const ta = canonical(instructionSource(at(a, aAddr), 0)), tb = canonical(instructionSource(at(b, bAddr), 0));
    assert.equal(ta.text, tb.text, name);
    assert.notDeepEqual(ta.values, tb.values, name);
  }
});
