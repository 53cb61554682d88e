/**
 * Ink hands over a chunk of several characters (pasted text, or keys sent
 * faster than it reads, as tmux does) as one input: the shell splits it
 * back into keys so ":step 3⏎" works however it arrives.
 */
import type { Key } from "ink";

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * The keys in one input event: itself when it is a single key, else one
 * key per character (Enter, Tab and Backspace recognised).
 * @example splitKeys(":s\r", key).length === 3
 */
export function splitKeys(input: string, key: Key): [string, Key][] {
  const chars = Array.from(input);
  if (chars.length <= 1 || key.meta || key.ctrl || key.escape) return [[input, key]];
  return chars.map((c): [string, Key] => {
    if (c === "\r" || c === "\n") return ["", { ...NO_KEY, return: true }];
    if (c === "\t") return ["", { ...NO_KEY, tab: true }];
    if (c === "\x7f" || c === "\b") return ["", { ...NO_KEY, backspace: true }];
    return [c, { ...NO_KEY, shift: c !== c.toLowerCase() }];
  });
}
