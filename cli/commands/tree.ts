import { Command } from "@commander-js/extra-typings";
import { get, list, type TreeNode, TreeError } from "../../core/tree/mod.ts";
import { UserError, writeAll } from "../host.ts";
import { openStore, storeOption } from "./store-options.ts";
import { printJson } from "../json.ts";

const encoder = new TextEncoder();

/** Splits `SNAP:PATH` (PATH may be empty: the root). */
function parseRef(ref: string): { name: string; path: string } {
  const i = ref.indexOf(":");
  return i < 0 ? { name: ref, path: "" } : { name: ref.slice(0, i), path: ref.slice(i + 1) };
}

function lookup(storeOpt: string | undefined, ref: string): TreeNode {
  const { name, path } = parseRef(ref);
  const { tree } = openStore(storeOpt).openSnapshot(name);
  try {
    return get(tree, path);
  } catch (e) {
    if (e instanceof TreeError) throw new UserError(`${name}:${path}: ${e.message}`);
    throw e;
  }
}

/** `fx86 tree ls|cat SNAP:PATH`: read a snapshot's tree. */
export function treeCommand() {
  const cmd = new Command("tree").description("read the data tree of a snapshot");
  cmd.command("ls")
    .description("list a directory of a snapshot: kind (d/b), size (entries/bytes), hash, name")
    .argument("<ref>", "SNAPSHOT:PATH, e.g. s1:cpu (no path: the root)")
    .option("--json", "print an array of entries: name, kind (dir/blob), size, hash")
    .addOption(storeOption())
    .action((ref, opts) => {
      const node = lookup(opts.store, ref);
      const rows = node.kind === "dir"
        ? list(node, "").map((e) => ({ name: e.name, kind: e.kind, size: e.size, hash: node.get(e.name)!.hash }))
        : [{ name: parseRef(ref).path, kind: "blob", size: node.size, hash: node.hash }];
      if (opts.json) return printJson(rows);
      const out = rows.map((e) => `${e.kind === "dir" ? "d" : "b"} ${String(e.size).padStart(10)} ${e.hash.slice(0, 12)} ${e.name}\n`);
      writeAll(1, encoder.encode(out.join("")));
    });
  cmd.command("cat")
    .description("write a blob of a snapshot to stdout")
    .argument("<ref>", "SNAPSHOT:PATH, e.g. s1:stdout")
    .addOption(storeOption())
    .action((ref, opts) => {
      const node = lookup(opts.store, ref);
      if (node.kind !== "blob") throw new UserError(`${ref} is a directory; use fx86 tree ls.`);
      writeAll(1, node.bytes);
    });
  return cmd;
}
