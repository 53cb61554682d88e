/**
 * Rewrites the command list of docs/shell.md from the command table
 * (core/session/table.ts), between its markers. Run: `deno task docs`.
 * tests/session/language.test.ts fails while the two differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { reference } from "../core/session/mod.ts";

const file = new URL("../docs/shell.md", import.meta.url);
const BEGIN = "<!-- commands: generated from core/session/table.ts -->\n", END = "<!-- end of commands -->";
const doc = readFileSync(file, "utf8");
const i = doc.indexOf(BEGIN), j = doc.indexOf(END);
if (i < 0 || j < i) throw new Error("docs/shell.md has lost its command list markers");
writeFileSync(file, doc.slice(0, i + BEGIN.length) + reference() + doc.slice(j));
