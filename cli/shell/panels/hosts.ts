import type { GuestRow } from "../../../core/session/view.ts";
import { bar, count, line, type Line } from "../line.ts";
import type { PanelContent } from "./content.ts";

const STATUS_COLOR: Record<string, string> = {
  running: "green",
  budget: "yellow",
  exited: "gray",
  fault: "red",
};

/**
 * The host tree: guests nested under the guest that RUNs them, with
 * status, a budget bar (used of the budget; for a sub-guest inside RUN,
 * what is left of the RUN's budget; ∞ for none) and instructions; ▶ marks the guest executing now
 * and the selected guest is drawn bold.
 * @example hostsPanel(view.guests, view.selected, 38).lines.length === view.guests.length
 */
export function hostsPanel(guests: GuestRow[], selected: string, width: number): PanelContent {
  const barWidth = width >= 44 ? 10 : 5;
  const countWidth = width >= 44 ? 8 : 6;
  const nameWidth = Math.max(8, width - 1 - 1 - 9 - barWidth - countWidth);
  const lines: Line[] = guests.map((g) => {
    const name = ("  ".repeat(g.depth) + g.label).slice(0, nameWidth).padEnd(nameWidth);
    const status = statusText(g).slice(0, 8).padEnd(9); // "exit 127" whole
    const used = g.budget === null || g.budgetLeft === null ? 0 : g.budget - g.budgetLeft;
    // A sub-guest inside RUN has no total to draw a bar against, but what is left of its RUN budget is known.
    const budget = g.budget !== null
      ? bar(used, g.budget, barWidth)
      : (g.budgetLeft === null ? "∞" : short(g.budgetLeft)).slice(0, barWidth - 1).padEnd(barWidth);
    const l = line(
      { text: g.active ? "▶" : " ", color: "green", bold: true },
      { text: name, bold: g.id === selected, inverse: g.id === selected },
      " ",
      { text: status, color: STATUS_COLOR[g.status] },
      { text: budget, color: "cyan" },
    );
    l.push({ text: (width >= 44 ? count(g.instructions) : short(g.instructions)).padStart(countWidth), dim: true });
    return l;
  });
  if (lines.length === 0) lines.push(line({ text: "no guests: load a manifest", dim: true }));
  return { title: "Host tree", lines, anchor: "top" };
}

/**
 * What a guest's status reads as: a budget stop is "paused" (it goes on
 * when run) unless its manifest budget is used up ("spent").
 */
function statusText(g: GuestRow): string {
  if (g.status === "exited" && g.exitCode !== null) return `exit ${g.exitCode}`;
  if (g.status === "budget") return g.budgetLeft === 0 ? "spent" : "paused";
  return g.status;
}

/** A count in at most 5 characters: 4242, 700K, 1.23M. */
function short(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1e6) return `${Math.floor(n / 1e3)}K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}
