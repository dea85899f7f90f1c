/**
 * Ansible's INI inventory turns every value into a Python object with `ast.literal_eval`, and keeps
 * the raw text when that fails. To read existing inventories exactly as Ansible does, this module
 * evaluates the same literal language: numbers, strings, True/False/None, lists, tuples and dicts.
 * Anything else (names, operators, sets, complex numbers) is "not a literal" and the text is kept.
 */

export type PythonValue = null | boolean | number | string | PythonValue[] | { [key: string]: PythonValue };

class NotALiteral extends Error {}

/** `ast.literal_eval(text)`, or the text itself when Python would raise ValueError/SyntaxError. */
export function parsePythonLiteral(text: string): PythonValue {
  try {
    return new LiteralParser(text.replace(/^[ \t]+/, "")).parseTop();
  } catch (error) {
    if (error instanceof NotALiteral) return text;
    throw error;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

class LiteralParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parseTop(): PythonValue {
    const first = this.parseExpression();
    this.skipSpace();
    if (this.peek() === ",") {
      // A bare `1, 2` is a tuple in Python's eval mode.
      const items = [first];
      while (this.eat(",")) {
        this.skipSpace();
        if (this.atEnd()) break;
        items.push(this.parseExpression());
        this.skipSpace();
      }
      this.expectEnd();
      return items;
    }
    this.expectEnd();
    return first;
  }

  private expectEnd(): void {
    this.skipSpace();
    if (!this.atEnd()) throw new NotALiteral();
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }

  private eat(char: string): boolean {
    if (this.peek() !== char) return false;
    this.pos++;
    return true;
  }

  /** Whitespace, newlines inside brackets, backslash continuations and `#` comments. */
  private skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.pos++;
      else if (c === "\\" && this.peek(1) === "\n") this.pos += 2;
      else if (c === "#") {
        while (!this.atEnd() && this.peek() !== "\n") this.pos++;
      } else return;
    }
  }

  private parseExpression(): PythonValue {
    this.skipSpace();
    const c = this.peek();
    if (c === "-" || c === "+") {
      this.pos++;
      this.skipSpace();
      const operand = this.parseExpression();
      if (typeof operand !== "number") throw new NotALiteral();
      return c === "-" ? -operand : operand;
    }
    const value = this.parseAtom();
    this.skipSpace();
    // Python allows only complex `a+bj` here, which we do not support either.
    if (this.peek() === "+" || this.peek() === "-") throw new NotALiteral();
    return value;
  }

  private parseAtom(): PythonValue {
    const c = this.peek();
    if (c === "[") return this.parseSequence("]");
    if (c === "(") return this.parseParenthesised();
    if (c === "{") return this.parseDict();
    if (/[0-9.]/.test(c)) return this.parseNumber();
    if (this.startsString()) return this.parseStrings();
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos))?.[0];
    if (name === "True" || name === "False" || name === "None") {
      this.pos += name.length;
      return name === "None" ? null : name === "True";
    }
    throw new NotALiteral();
  }

  /** `[...]` or `(...)`: the opening bracket is at `pos`. */
  private parseSequence(close: string): PythonValue[] {
    this.pos++;
    const items: PythonValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.eat(close)) return items;
      items.push(this.parseExpression());
      this.skipSpace();
      if (this.eat(close)) return items;
      if (!this.eat(",")) throw new NotALiteral();
    }
  }

  private parseParenthesised(): PythonValue {
    const start = this.pos;
    this.pos++;
    this.skipSpace();
    if (this.eat(")")) return [];
    const first = this.parseExpression();
    this.skipSpace();
    if (this.eat(")")) return first; // plain parentheses, not a tuple
    this.pos = start;
    return this.parseSequence(")");
  }

  private parseDict(): { [key: string]: PythonValue } {
    this.pos++;
    const result: { [key: string]: PythonValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.eat("}")) return result;
      const key = this.parseExpression();
      this.skipSpace();
      if (!this.eat(":")) throw new NotALiteral(); // a set, or not a literal
      if (typeof key === "object" && key !== null) throw new NotALiteral();
      result[pythonKeyText(key)] = this.parseExpression();
      this.skipSpace();
      if (this.eat("}")) return result;
      if (!this.eat(",")) throw new NotALiteral();
    }
  }

  private parseNumber(): number {
    const rest = this.src.slice(this.pos);
    const radix = /^0([xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)/.exec(rest);
    if (radix) {
      this.pos += radix[0].length;
      this.rejectTrailingNameChar();
      const digits = radix[1]!.slice(1);
      if (!validUnderscores(digits)) throw new NotALiteral();
      const base = { x: 16, o: 8, b: 2 }[radix[1]![0]!.toLowerCase() as "x" | "o" | "b"];
      return parseInt(digits.replace(/_/g, ""), base);
    }
    const decimal = /^(?:\d[\d_]*)?(?:\.(?:\d[\d_]*)?)?(?:[eE][+-]?\d[\d_]*)?/.exec(rest)![0];
    if (decimal === "" || decimal === "." || !/\d/.test(decimal.replace(/[eE].*/, ""))) throw new NotALiteral();
    this.pos += decimal.length;
    this.rejectTrailingNameChar();
    if (!decimal.split(/[.eE+-]/).every((part) => part === "" || validUnderscores(part))) throw new NotALiteral();
    const isInteger = /^[\d_]+$/.test(decimal);
    // Python 3 rejects integer literals with leading zeros (`0755`), so Ansible keeps them as text.
    if (isInteger && /^0+[1-9_]/.test(decimal)) throw new NotALiteral();
    return Number(decimal.replace(/_/g, ""));
  }

  /** `1j`, `12abc`: complex numbers and malformed numbers are not supported literals. */
  private rejectTrailingNameChar(): void {
    if (/[A-Za-z0-9_]/.test(this.peek())) throw new NotALiteral();
  }

  private startsString(): boolean {
    return /^(?:[rRbBuU]|[rR][bB]|[bB][rR])?['"]/.test(this.src.slice(this.pos, this.pos + 3));
  }

  /** Adjacent string literals concatenate, as in Python. */
  private parseStrings(): string {
    let text = this.parseString();
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      if (!this.startsString()) {
        this.pos = save;
        return text;
      }
      text += this.parseString();
    }
  }

  private parseString(): string {
    const prefix = /^[rRbBuU]*/.exec(this.src.slice(this.pos))![0];
    const raw = /r/i.test(prefix);
    this.pos += prefix.length;
    const quote = this.src.startsWith(this.peek().repeat(3), this.pos) ? this.peek().repeat(3) : this.peek();
    this.pos += quote.length;
    let out = "";
    for (;;) {
      if (this.atEnd()) throw new NotALiteral();
      if (this.src.startsWith(quote, this.pos)) {
        this.pos += quote.length;
        return out;
      }
      const c = this.peek();
      if (c === "\n" && quote.length === 1) throw new NotALiteral();
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      const next = this.peek(1);
      if (next === "") throw new NotALiteral();
      if (raw) {
        out += c + next;
        this.pos += 2;
        continue;
      }
      this.pos += 2;
      out += this.decodeEscape(next);
    }
  }

  private decodeEscape(kind: string): string {
    if (kind in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[kind]!;
    const hexLength = { x: 2, u: 4, U: 8 }[kind as "x" | "u" | "U"];
    if (hexLength) {
      const hex = this.src.slice(this.pos, this.pos + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw new NotALiteral();
      this.pos += hexLength;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (/[0-7]/.test(kind)) {
      const octal = kind + (/^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0] ?? "");
      this.pos += octal.length - 1;
      return String.fromCodePoint(parseInt(octal, 8));
    }
    return "\\" + kind; // unknown escapes keep the backslash
  }
}

function validUnderscores(digits: string): boolean {
  return !digits.startsWith("_") && !digits.endsWith("_") && !digits.includes("__");
}

/** How Python's `str()` would show a scalar dict key once JSON-encoded. */
function pythonKeyText(key: PythonValue): string {
  if (key === null) return "null";
  if (typeof key === "boolean") return key ? "true" : "false";
  return String(key);
}
