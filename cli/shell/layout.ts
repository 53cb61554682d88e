/**
 * Where panels go for a terminal size. An 80x24 terminal shows the host
 * tree, registers, disassembly and one side panel (the last one focused
 * among memory, tree, timeline, output and console; Tab cycles); a wider
 * terminal adds the timeline on top and wider columns, a taller one a
 * third row with more side panels.
 */

/** The panels of the shell, in Tab order. */
export const PANELS = ["hosts", "registers", "disasm", "memory", "tree", "timeline", "output", "console"] as const;
export type PanelId = typeof PANELS[number];

/** Panels that take turns in the side slots. */
export const SIDE_PANELS: PanelId[] = ["memory", "tree", "timeline", "output", "console"];

/** A panel at a size. */
export interface Placement {
  id: PanelId;
  width: number;
  height: number;
}

/** Rows of panels, top to bottom; each row's widths add up to the terminal width. */
export type Layout = Placement[][];

/** Columns of a memory panel that shows 16 bytes a line with their characters (panels/memory.ts), border included. */
const MEMORY_WIDTH = 75;
/** The fewest columns another panel of the bottom row gets: words, not fragments, in the console. */
const SIDE_MIN = 30;
/** Which side panels the bottom row shows first when not all fit. */
const BOTTOM_ORDER: PanelId[] = ["memory", "console", "tree", "output", "timeline"];

/** The smallest terminal the panels fit in. */
export const MIN_COLUMNS = 64, MIN_ROWS = 16;

/** Lines below the panels: the status line and the help bar / command line. */
export const FOOTER_LINES = 2;

/**
 * Lays out the panels for `columns` x `rows` (one row is left free: ink
 * clears the whole screen when its output fills the terminal). A tall
 * terminal's bottom row gives memory room for 16 bytes a line with their
 * characters: at 120 columns it shows memory and the console (Tab brings
 * the data tree in), from 135 the data tree too.
 * `side` is the side panel to show first.
 * @example layout(80, 24, "output")[1].map((p) => p.id)  // ["disasm", "output"]
 */
export function layout(columns: number, rows: number, side: PanelId): Layout {
  const wide = columns >= 120, tall = rows >= 36;
  const height = Math.max(6, rows - 1 - FOOTER_LINES);
  const top = Math.min(wide ? 9 : 7, Math.floor(height / 3));
  const bottom = tall ? Math.floor((height - top) * 0.45) : 0;
  const middle = height - top - bottom;

  // The wide registers panel only where the host tree keeps 50 columns beside it and the timeline:
  // guest names and instruction counts must not be cut.
  const regs = columns >= (wide ? 148 : 100) ? 58 : 44;
  const topRow: Placement[] = wide
    ? [
      { id: "hosts", width: columns - regs - 40, height: top },
      { id: "registers", width: regs, height: top },
      { id: "timeline", width: 40, height: top },
    ]
    : [
      { id: "hosts", width: columns - regs, height: top },
      { id: "registers", width: regs, height: top },
    ];
  const shown = new Set<PanelId>(topRow.map((p) => p.id));
  const sides = [side, ...SIDE_PANELS.filter((p) => p !== side)].filter((p) => !shown.has(p));
  const disasmWidth = wide ? Math.min(76, Math.floor(columns * 0.45)) : Math.floor(columns * 0.55);
  const out: Layout = [
    topRow,
    [
      { id: "disasm", width: disasmWidth, height: middle },
      { id: sides[0], width: columns - disasmWidth, height: middle },
    ],
  ];
  if (tall) out.push(bottomRow(sides.slice(1), columns, bottom, wide ? 3 : 2));
  return out;
}

/**
 * The bottom row: as many of `ids` as fit (at most `most`), memory at its
 * full width (16 bytes a line and their characters), the others sharing
 * the rest.
 */
function bottomRow(ids: PanelId[], columns: number, height: number, most: number): Placement[] {
  const ordered = [...ids].sort((a, b) => BOTTOM_ORDER.indexOf(a) - BOTTOM_ORDER.indexOf(b));
  const want = (id: PanelId) => (id === "memory" ? MEMORY_WIDTH : SIDE_MIN);
  let n = 1;
  while (n < Math.min(most, ordered.length) && ordered.slice(0, n + 1).reduce((sum, id) => sum + want(id), 0) <= columns) n++;
  const chosen = ordered.slice(0, n);
  const others = chosen.filter((id) => id !== "memory");
  const memory = others.length < chosen.length && others.length > 0 ? MEMORY_WIDTH : 0;
  const share = others.length > 0 ? Math.floor((columns - memory) / others.length) : 0;
  let left = columns;
  return chosen.map((id, i) => {
    const width = i === chosen.length - 1 ? left : id === "memory" ? memory || columns : share;
    left -= width;
    return { id, width, height };
  });
}
