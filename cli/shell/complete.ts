/**
 * Applies the session's completions (candidates for the last word of the
 * line) to the command line.
 */

/**
 * The line after Tab: the last word replaced by the one candidate (and a
 * space, unless it is a directory), or by the longest prefix the
 * candidates share; `choices` lists them when several remain.
 * @example completeLine("tree ls c", ["cpu/"]) // { line: "tree ls cpu/", choices: [] }
 */
export function completeLine(line: string, candidates: string[]): { line: string; choices: string[] } {
  const head = line.slice(0, line.length - (line.match(/\S*$/)?.[0].length ?? 0));
  if (candidates.length === 0) return { line, choices: [] };
  if (candidates.length === 1) {
    const word = candidates[0];
    return { line: head + word + (word.endsWith("/") ? "" : " "), choices: [] };
  }
  let prefix = candidates[0];
  for (const c of candidates) {
    while (!c.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  const completed = head + prefix;
  return { line: completed.length > line.length ? completed : line, choices: candidates };
}
