/**
 * gdb-style expressions over a guest, for `print`, breakpoint conditions
 * (`break main if eax == 3`) and `x`: 32-bit integers, registers (`eax`,
 * `$eax`, `$pc`, `$sp`, `$fp`), symbols (their address), `*ADDR` (the 32-bit
 * word there), C's operators with C's precedence, parentheses. Values are
 * unsigned 32-bit, as the registers are; comparisons give 0 or 1.
 */
import { CommandError } from "./errors.ts";

/** What names and memory mean to an expression. */
export interface ExprScope {
  /** A register's or symbol's value, or undefined for an unknown name. */
  name(name: string): number | undefined;
  /** The 32-bit word at `addr`, or undefined if it is not mapped. */
  word(addr: number): number | undefined;
}

/** Binary operators by precedence, loosest first, as in C. */
const BINARY: string[][] = [
  ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<=", ">=", "<", ">"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
];

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case "||": return +(a !== 0 || b !== 0);
    case "&&": return +(a !== 0 && b !== 0);
    case "|": return a | b;
    case "^": return a ^ b;
    case "&": return a & b;
    case "==": return +(a === b);
    case "!=": return +(a !== b);
    case "<": return +(a < b);
    case "<=": return +(a <= b);
    case ">": return +(a > b);
    case ">=": return +(a >= b);
    case "<<": return a << (b & 31);
    case ">>": return a >>> (b & 31);
    case "+": return a + b;
    case "-": return a - b;
    case "*": return Math.imul(a, b);
    case "/":
    case "%":
      if (b === 0) throw new CommandError("division by zero");
      return op === "/" ? Math.floor(a / b) : a % b;
  }
  throw new CommandError(`unknown operator ${op}`);
}

const TOKEN = /\s*(0x[0-9a-f]+|\d+|\$?[a-z_.][\w.@]*|\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%&|^!~()<>])/iy;

/** gdb's register aliases. */
const ALIASES: Record<string, string> = { pc: "eip", sp: "esp", fp: "ebp", ps: "eflags" };

/**
 * Evaluates an expression to an unsigned 32-bit value; CommandError for
 * bad syntax, unknown names or unmapped memory.
 *
 * @example
 * evaluate("$eax + 4 == *($esp)", scope); // 1 or 0
 */
export function evaluate(text: string, scope: ExprScope): number {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new CommandError(`cannot read the expression at "${text.slice(at).trim()}"`);
    tokens.push(m[1]);
    at = TOKEN.lastIndex;
  }
  if (tokens.length === 0) throw new CommandError("an expression is expected");
  let i = 0;
  const peekTok = () => tokens[i];
  const unary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw new CommandError(`the expression "${text}" ends too soon`);
    if (t === "-") return -unary() >>> 0;
    if (t === "+") return unary();
    if (t === "!") return +(unary() === 0);
    if (t === "~") return ~unary() >>> 0;
    if (t === "*") {
      const addr = unary();
      const w = scope.word(addr);
      if (w === undefined) throw new CommandError(`cannot read memory at 0x${addr.toString(16)}`);
      return w >>> 0;
    }
    if (t === "(") {
      const v = binary(0);
      if (tokens[i++] !== ")") throw new CommandError(`a ")" is missing in "${text}"`);
      return v;
    }
    if (/^(0x|\d)/i.test(t)) return Number(t) >>> 0;
    const bare = t.replace(/^\$/, "");
    const name = ALIASES[bare.toLowerCase()] ?? bare;
    const v = scope.name(name);
    if (v === undefined) throw new CommandError(`no register or symbol "${t}"`);
    return v >>> 0;
  };
  const binary = (level: number): number => {
    if (level === BINARY.length) return unary();
    let a = binary(level + 1);
    while (BINARY[level].includes(peekTok())) {
      const op = tokens[i++];
      a = apply(op, a, binary(level + 1)) >>> 0;
    }
    return a;
  };
  const v = binary(0);
  if (i < tokens.length) throw new CommandError(`unexpected "${tokens[i]}" in "${text}"`);
  return v >>> 0;
}
