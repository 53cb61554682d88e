/** Picks the content of a panel by id. */
import type { ShellView } from "../../../core/session/view.ts";
import type { PanelId } from "../layout.ts";
import type { PanelContent } from "./content.ts";
import { disasmPanel } from "./disasm.ts";
import { hostsPanel } from "./hosts.ts";
import { memoryPanel } from "./memory.ts";
import { registersPanel } from "./registers.ts";
import { textPanel } from "./text.ts";
import { timelinePanel } from "./timeline.ts";
import { treePanel } from "./tree.ts";

/**
 * The content of panel `id` for a view, `width` characters wide inside
 * its border; `consoleText` is the shell's own transcript of commands.
 * @example panelContent("disasm", view, 42, "").title === "Disassembly"
 */
export function panelContent(id: PanelId, view: ShellView, width: number, consoleText: string): PanelContent {
  switch (id) {
    case "hosts":
      return hostsPanel(view.guests, view.selected, width);
    case "registers":
      return registersPanel(view.registers, view.flags, width, view.vectors);
    case "disasm":
      return disasmPanel(view.disasm, width);
    case "memory":
      return memoryPanel(view.memory, width);
    case "tree":
      return treePanel(view.treePath, view.tree);
    case "timeline":
      return timelinePanel(view.timeline, view.breakpoints, width);
    case "output":
      return textPanel(`Output ${view.selected}`.trim(), view.output, width);
    case "console":
      return textPanel("Console", consoleText, width);
  }
}
