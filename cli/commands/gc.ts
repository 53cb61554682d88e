import { Command } from "@commander-js/extra-typings";
import { gc } from "../../core/store/mod.ts";
import { writeAll } from "../host.ts";
import { parseBudget } from "../options.ts";
import { openStore, storeOption } from "./store-options.ts";
import { printJson } from "../json.ts";

/** `fx86 gc`: delete objects no snapshot reaches. */
export function gcCommand() {
  return new Command("gc")
    .description("remove objects that no snapshot reaches")
    .option(
      "--grace <seconds>",
      "keep unreachable objects younger than this: a concurrent writer may still need them",
      parseBudget,
      3600,
    )
    .option("--json", "print one JSON object: removed, reachable, recent, temporary")
    .addOption(storeOption())
    .action((opts) => {
      const r = gc(openStore(opts.store, { write: true }), { graceMs: opts.grace * 1000 });
      if (opts.json) return printJson({ removed: r.removed, reachable: r.reachable, recent: r.recent, temporary: r.temporary });
      const kept = r.recent > 0 ? `, kept ${r.recent} recent unreachable objects` : "";
      const tmp = r.temporary > 0 ? `, removed ${r.temporary} temporary files` : "";
      writeAll(1, new TextEncoder().encode(`removed ${r.removed} objects, ${r.reachable} reachable${kept}${tmp}\n`));
    });
}
