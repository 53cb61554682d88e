/**
 * Writes docs/fx86.1, fx86's man page, from the command definitions
 * (cli/man-page.ts). Run: `deno task docs`.
 */
import { writeFileSync } from "node:fs";
import { program } from "../cli/main.ts";
import { manPage } from "../cli/man-page.ts";
import { VERSION } from "../mod.ts";

writeFileSync(new URL("../docs/fx86.1", import.meta.url), manPage(await program(), VERSION));
