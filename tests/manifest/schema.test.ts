/**
 * The JSON Schema and the docs agree with the implementation: the schema
 * compiles in ajv's strict mode, sub-guests are guests without a budget,
 * and every YAML example in docs/manifest.md and examples/ is valid.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { MANIFEST_SCHEMA, parseManifestText, validateManifest } from "../../core/manifest/mod.ts";
import { assert, test } from "../harness.ts";

interface Obj {
  [key: string]: Obj;
}
const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const defs = (MANIFEST_SCHEMA as unknown as Obj).definitions;

test("manifest schema: compiles in strict mode (annotations registered)", () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: "errorMessage", schemaType: "string" });
  ajv.addKeyword({ keyword: "unknownKeyHints", schemaType: "object" });
  const validate = ajv.compile(MANIFEST_SCHEMA);
  assert.equal(validate({ guests: { a: { program: "p" } } }), true);
  assert.equal(validate({ guests: { a: { program: "p", bogus: 1 } } }), false);
});

test("manifest schema: a sub-guest is a guest without a budget", () => {
  const guest = Object.keys(defs.guest.properties);
  const sub = Object.keys(defs.subGuest.properties);
  assert.deepEqual(sub, guest.filter((k) => k !== "budget"));
  for (const k of sub) assert.deepEqual(defs.subGuest.properties[k], defs.guest.properties[k]);
});

test("manifest schema: the shipped file is the one the validator uses", () => {
  const file = JSON.parse(readFileSync(join(REPO, "core/manifest/manifest.schema.json"), "utf8"));
  assert.deepEqual(file, MANIFEST_SCHEMA);
  assert.equal(file.$schema, "http://json-schema.org/draft-07/schema#");
});

/** The YAML blocks of a markdown file, made whole manifests when they are fragments. */
function yamlBlocks(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const re = /```yaml\n([\s\S]*?)```/g;
  for (let m; (m = re.exec(markdown));) {
    const line = markdown.slice(0, m.index).split("\n").length + 1;
    let text = m[1];
    const indent = (s: string, n: number) => s.replace(/^(?=.)/gm, " ".repeat(n));
    if (/^files:/m.test(text) && !/^guests:/m.test(text)) text = `guests:\n  a:\n    program: p\n${indent(text, 4)}`;
    if (/^expect:/m.test(text) && !/^guests:/m.test(text)) text = `guests:\n  a:\n    program: p\n${indent(text, 4)}`;
    out.push({ line, text });
  }
  return out;
}

test("manifest docs: every YAML example in docs/manifest.md is a valid manifest", () => {
  const blocks = yamlBlocks(readFileSync(join(REPO, "docs/manifest.md"), "utf8"));
  assert.ok(blocks.length >= 5);
  for (const b of blocks) {
    try {
      validateManifest(parseManifestText(`docs/manifest.md@${b.line}`, b.text), "/nowhere");
    } catch (e) {
      assert.fail(`docs/manifest.md, block at line ${b.line}: ${(e as Error).message}`);
    }
  }
});

test("manifest examples: every examples/**/*.yaml is a valid manifest", () => {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".yaml")) found.push(join(dir, e.name));
    }
  };
  walk(join(REPO, "examples"));
  assert.ok(found.some((f) => f.endsWith("examples/hello/hello.yaml")));
  for (const f of found) validateManifest(parseManifestText(f, readFileSync(f, "utf8")), "/nowhere");
});
