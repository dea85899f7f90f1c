/**
 * Writes a whole file on a host atomically: the bytes go to a temporary file in the destination's
 * folder, get their mode and owner, pass an optional validation command, and are renamed over the
 * destination. A reader never sees half a file, and a failed write leaves the old file intact.
 *
 * Files from the control machine and large contents are streamed (see streamed-exec.ts); their
 * size and sha256 are checked on the host before the rename, so a transfer cut short (a lost
 * connection, a source that shrank after it was hashed) never replaces anything. Whatever stops
 * the script, the temporary file goes with it.
 */
import { createHash } from "node:crypto";
import { shellQuote } from "../connection/quote.js";
import { INLINE_STDIN, runChecked, type Connection } from "../connection/types.js";

export interface WriteOptions {
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  /** Keep the previous version as `<dest>.<timestamp>~`. */
  readonly backup?: boolean;
  /** A command to check the new file before it is put in place; `%s` stands for its path. */
  readonly validate?: string;
}

/** A file on the control machine to send, and what it must arrive as. */
export interface LocalSource {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** What the received bytes must be before they replace anything. */
interface Expected {
  readonly size: number;
  readonly sha256: string;
}

/**
 * New files get 0644 unless a mode is given; existing files keep their mode and owner.
 *
 * Every program the script starts costs a host a millisecond or more (openssl about 5: it loads its
 * configuration and providers), and a component's programs are sent one script each: the folder
 * comes from the shell itself, and openssl hashes without a probe first (sha256sum if it fails).
 */
export function writeFileScript(dest: string, options: WriteOptions, expected?: Expected): string {
  const q = shellQuote;
  // Both go into the script unquoted: a digest from a cache file must be a digest, nothing else.
  if (expected && (!/^[0-9a-f]{64}$/.test(expected.sha256) || !Number.isSafeInteger(expected.size) || expected.size < 0)) {
    throw new Error(`writing ${dest}: expected size ${expected.size} and sha256 ${JSON.stringify(expected.sha256)} are not a size and a sha256 digest`);
  }
  const lines = [
    "set -e",
    `dest=${q(dest)}`,
    `case $dest in */*) dir=\${dest%/*}; dir=\${dir:-/} ;; *) dir=. ;; esac`,
    `[ -d "$dir" ] || { echo "folder $dir does not exist" >&2; exit 1; }`,
    // mktemp, not the shell's noclobber: noclobber opens an existing FIFO or device, and a name
    // chosen here would be readable in the command line before the file exists.
    `tmp=$(mktemp "$dir/.easy-kube.XXXXXX")`,
    // A signal (the connection dropped: SIGHUP or SIGPIPE) ends the script through exit, so the
    // EXIT trap removes the temporary file then too.
    `trap 'rm -f -- "$tmp"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    `cat > "$tmp"`,
  ];
  if (expected) {
    lines.push(
      // Written, then hashed from the page cache: openssl uses the CPU's SHA instructions (about
      // 1 GB/s); without a working openssl, sha256sum.
      `sum=$(openssl dgst -sha256 -r < "$tmp" 2>/dev/null) || sum=$(sha256sum < "$tmp")`,
      `size=$(wc -c < "$tmp")`,
      `[ "$size" -eq ${expected.size} ] || { echo "received $size bytes of ${expected.size} for $dest: the transfer was cut short" >&2; exit 1; }`,
      `[ "\${sum%% *}" = ${expected.sha256} ] || { echo "received bytes for $dest have sha256 \${sum%% *}, expected ${expected.sha256}" >&2; exit 1; }`,
    );
  }
  lines.push(options.mode ? `chmod ${q(options.mode)} "$tmp"` : `if [ -e "$dest" ]; then chmod --reference="$dest" "$tmp"; else chmod 0644 "$tmp"; fi`);
  lines.push(`if [ -e "$dest" ]; then chown --reference="$dest" "$tmp" 2>/dev/null || true; fi`);
  if (options.owner || options.group) lines.push(`chown ${q(`${options.owner ?? ""}${options.group ? ":" + options.group : ""}`)} "$tmp"`);
  if (options.validate) lines.push(options.validate.split("%s").join('"$tmp"'));
  if (options.backup) lines.push(`if [ -f "$dest" ]; then cp -p -- "$dest" "$dest.$(date +%Y%m%d%H%M%S)~"; fi`);
  lines.push(`mv -f -- "$tmp" "$dest"`, "trap - EXIT");
  return lines.join("\n");
}

export async function writeRemoteFile(connection: Connection, dest: string, content: Buffer | string | LocalSource, options: WriteOptions = {}): Promise<void> {
  if (typeof content !== "string" && !Buffer.isBuffer(content)) {
    await runChecked(connection, writeFileScript(dest, options, content), { stdinFile: content.path });
    return;
  }
  // Bytes too many to travel inside the command are streamed, and checked on arrival as files are.
  const size = Buffer.byteLength(content);
  const expected = size > INLINE_STDIN ? { size, sha256: createHash("sha256").update(content).digest("hex") } : undefined;
  await runChecked(connection, writeFileScript(dest, options, expected), { stdin: content });
}
