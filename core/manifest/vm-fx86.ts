/**
 * The real engine behind `GuestVm`: core/vm's guest subtrees.
 */
import { FileSystem } from "../linux/fs/filesystem.ts";
import { Guest, isGuestTree, newGuestTree, readStatus } from "../vm/guest.ts";
import type { GuestVm } from "./vm.ts";

/**
 * The fx86 engine, as the manifest code uses it. A manifest's file tree is
 * a plain data tree; it is grafted into a fresh Linux file system (O(1)
 * per top-level entry), whose metadata gives every node the defaults.
 */
export const fx86Vm: GuestVm = {
  newGuestTree(opts) {
    const fs = new FileSystem();
    if (opts.fs) for (const [name, node] of opts.fs.entries()) fs.setTree("/" + name, node);
    return newGuestTree({ ...opts, fs });
  },
  fromTree: (tree) => Guest.fromTree(tree),
  isGuestTree: (node) => isGuestTree(node),
  readStatus: (tree) => readStatus(tree),
};
