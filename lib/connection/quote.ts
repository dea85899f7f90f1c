/** POSIX shell quoting: every value placed into a remote command goes through `shellQuote`. */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return "'" + text.replace(/'/g, `'"'"'`) + "'";
}

/** Quotes each argument and joins them into one command line. */
export function shellCommand(...args: (string | number)[]): string {
  return args.map(shellQuote).join(" ");
}
