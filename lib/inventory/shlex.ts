/**
 * Python's `shlex.split(line, comments=True, posix=True)`, which Ansible uses to split an INI host
 * line into a host pattern and `key=value` words. Matching it exactly keeps quoting, escapes and
 * `#` comments (which start anywhere outside quotes, even inside a word) as Ansible reads them.
 * With `comments: false` it is plain `shlex.split(line)`, as Ansible splits ssh arguments.
 */
export function shlexSplit(line: string, { comments = true }: { readonly comments?: boolean } = {}): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false; // a word has started, even an empty quoted one
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i];
      else if (c === "\\" && i + 1 >= line.length) throw new Error("No escaped character");
      else word += c;
      continue;
    }
    if (c === "#" && comments) break;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("No escaped character");
      word += line[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error("No closing quotation");
  if (inWord) words.push(word);
  return words;
}
