/**
 * Keeps secrets out of everything the run prints or logs: each registered value (passwords,
 * tokens, secret variables) is replaced wherever it appears, in messages, command text and output,
 * and diffs, also in the form a shell-quoted command carries it.
 */
const MASK = "********";

export class SecretMasker {
  private readonly secrets = new Set<string>();

  add(value: unknown): void {
    if (typeof value === "string" && value.length >= 4) {
      this.secrets.add(value);
      // As a command's text carries it (shellQuote): each ' written '"'"'.
      if (value.includes("'")) this.secrets.add(value.split("'").join(`'"'"'`));
    } else if (typeof value === "number") this.add(String(value));
  }

  mask(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) result = result.split(secret).join(MASK);
    return result;
  }

  /** Masks every string inside a JSON-like value. */
  maskDeep<T>(value: T): T {
    if (typeof value === "string") return this.mask(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as T;
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.maskDeep(v)])) as T;
    return value;
  }
}
