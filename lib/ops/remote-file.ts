/**
 * Writes a whole file on a host atomically: the bytes go to a temporary file in the destination's
 * folder, get their mode and owner, pass an optional validation command, and are renamed over the
 * destination. A reader never sees half a file, and a failed write leaves the old file intact.
 */
import { shellQuote } from "../connection/quote.js";
import { runChecked, type Connection } from "../connection/types.js";

export interface WriteOptions {
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  /** Keep the previous version as `<dest>.<timestamp>~`. */
  readonly backup?: boolean;
  /** A command to check the new file before it is put in place; `%s` stands for its path. */
  readonly validate?: string;
}

/** New files get 0644 unless a mode is given; existing files keep their mode and owner. */
export function writeFileScript(dest: string, options: WriteOptions): string {
  const q = shellQuote;
  const lines = [
    "set -e",
    `dest=${q(dest)}`,
    `dir=$(dirname -- "$dest")`,
    `[ -d "$dir" ] || { echo "folder $dir does not exist" >&2; exit 1; }`,
    `tmp=$(mktemp "$dir/.easy-kube.XXXXXX")`,
    `trap 'rm -f -- "$tmp"' EXIT`,
    `cat > "$tmp"`,
    options.mode ? `chmod ${q(options.mode)} "$tmp"` : `if [ -e "$dest" ]; then chmod --reference="$dest" "$tmp"; else chmod 0644 "$tmp"; fi`,
    `if [ -e "$dest" ]; then chown --reference="$dest" "$tmp" 2>/dev/null || true; fi`,
  ];
  if (options.owner || options.group) lines.push(`chown ${q(`${options.owner ?? ""}${options.group ? ":" + options.group : ""}`)} "$tmp"`);
  if (options.validate) lines.push(options.validate.split("%s").join('"$tmp"'));
  if (options.backup) lines.push(`if [ -f "$dest" ]; then cp -p -- "$dest" "$dest.$(date +%Y%m%d%H%M%S)~"; fi`);
  lines.push(`mv -f -- "$tmp" "$dest"`, "trap - EXIT");
  return lines.join("\n");
}

export async function writeRemoteFile(connection: Connection, dest: string, content: Buffer | string, options: WriteOptions = {}): Promise<void> {
  await runChecked(connection, writeFileScript(dest, options), { stdin: content });
}
