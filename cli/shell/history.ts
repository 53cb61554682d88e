/**
 * Command-line history: Up walks back through earlier lines, Down forward
 * again to the line being typed.
 */
export class History {
  #lines: string[] = [];
  #at = 0;
  #draft = "";

  /**
   * Records an executed line (not blank, not a repeat of the last one)
   * and goes back to the end.
   * @example h.add("step 3")
   */
  add(line: string): void {
    if (line.trim() !== "" && this.#lines.at(-1) !== line) this.#lines.push(line);
    this.#at = this.#lines.length;
    this.#draft = "";
  }

  /**
   * The line before the current one; `current` is kept as the draft when
   * leaving the end.
   * @example h.up("") === "step 3"
   */
  up(current: string): string {
    if (this.#at === this.#lines.length) this.#draft = current;
    if (this.#at > 0) this.#at--;
    return this.#lines[this.#at] ?? current;
  }

  /**
   * The line after the current one, or the draft at the end.
   * @example h.down() === ""
   */
  down(): string {
    if (this.#at < this.#lines.length) this.#at++;
    return this.#at === this.#lines.length ? this.#draft : this.#lines[this.#at];
  }
}
