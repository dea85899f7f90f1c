/**
 * The host's side of remote-file.ts: shell scripts that write files atomically (a temporary file in
 * the destination's folder, its mode, owner and validation, then a rename), from the whole input or,
 * several files to one input, from exactly each file's size followed by the line vouching for it.
 */
import { shellQuote } from "../connection/quote.js";

export interface WriteOptions {
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  /** Keep the previous version as `<dest>.<timestamp>~`. */
  readonly backup?: boolean;
  /** A command to check the new file before it is put in place; `%s` stands for its path. */
  readonly validate?: string;
}

/** A streamed file's place in an upload script: its size, and the line vouching for it. */
export interface Received {
  readonly size: number;
  readonly confirmation: string;
}

/**
 * The start of a script: stop at the first failure, and on any exit but a clean one say which step
 * failed (`step`, for commands that fail silently, as a validation may) and run `cleanUp`. A signal
 * (the connection dropped: SIGHUP or SIGPIPE) ends the script through exit, so the clean-up runs
 * then too.
 */
function scriptStart(variables: string, cleanUp: string): string[] {
  return [
    "set -e",
    `step= ${variables}`,
    `trap 'status=$?; [ "$status" -eq 0 ] || [ -z "$step" ] || printf "%s\\n" "$step" >&2; ${cleanUp}' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
  ];
}

/** The script writing `dest` from its whole standard input (contents small enough to travel inline). */
export function writeFileScript(dest: string, options: WriteOptions): string {
  return [...scriptStart("tmp=", `[ -z "$tmp" ] || rm -f -- "$tmp"`), ...fileLines(dest, options, [`cat > "$tmp"`]), "trap - EXIT"].join("\n");
}

export interface UploadedFile {
  readonly dest: string;
  readonly options: WriteOptions;
  readonly received: Received;
}

/**
 * The script writing several files from one input: each file's bytes, then its confirmation line.
 * A host's processes are what a file costs beyond its bytes (about 3 ms each on the lab), so the
 * files wait in a temporary folder beside their destination under their own names, and one chmod
 * per mode, one chown per owner and one mv per folder put them in place. Nothing is installed until
 * every file arrived and checked out; the script stops at its first failure.
 */
export function uploadScript(files: readonly UploadedFile[]): string {
  const q = shellQuote;
  const placed = files.map((file) => ({ ...file, ...splitDest(file.dest) }));
  // One temporary folder per destination folder (another where a name repeats in one script).
  const folders: { dir: string; names: Set<string> }[] = [];
  const tmp = placed.map(({ dir, name }) => {
    let index = folders.findIndex((folder) => folder.dir === dir && !folder.names.has(name));
    if (index < 0) index = folders.push({ dir, names: new Set() }) - 1;
    folders[index]!.names.add(name);
    return { folder: index, path: `"$t${index}"/${q(name)}` };
  });
  const all = folders.map((_, index) => `\${t${index}:+"$t${index}"}`).join(" ");
  const lines = scriptStart(folders.map((_, index) => `t${index}=`).join(" "), `rm -rf -- ${all}`);
  // Every folder is checked before the first byte is read.
  folders.forEach(({ dir }, index) => lines.push(`[ -d ${q(dir)} ] || { printf '%s\\n' ${q(`folder ${dir} does not exist`)} >&2; exit 1; }`, `t${index}=$(mktemp -d -- ${q(`${dir}/.easy-kube.XXXXXX`)})`));
  placed.forEach(({ dest, received }, index) => {
    checkUpload(dest, received.size);
    // It goes into the script unquoted: plain letters only.
    if (!/^[0-9a-z-]+$/.test(received.confirmation)) throw new Error(`writing ${dest}: confirmation ${JSON.stringify(received.confirmation)} is not a plain word`);
    lines.push(
      // Exactly the size and not a byte more (the line after it is read next), 128 KB at a time:
      // head -c reads 8 KB at a time, which cost a host 4 times the CPU (measured on the lab).
      `dd bs=131072 iflag=fullblock,count_bytes count=${received.size} of=${tmp[index]!.path} status=none`,
      "IFS= read -r confirmed || confirmed=",
      `[ "$confirmed" = ${received.confirmation} ] || { printf '%s\\n' ${q(`${dest}: the control machine did not vouch for the bytes received (the transfer was cut short, or the source changed): nothing was installed`)} >&2; exit 1; }`,
    );
  });
  const grouped = (key: (file: (typeof placed)[number]) => string | undefined, command: (key: string, paths: string) => string) => {
    const groups = new Map<string, string[]>();
    placed.forEach((file, index) => {
      const value = key(file);
      if (value !== undefined) groups.set(value, [...(groups.get(value) ?? []), tmp[index]!.path]);
    });
    for (const [value, paths] of groups) lines.push(command(value, paths.join(" ")));
  };
  // Owners before modes: a change of owner clears the setuid and setgid bits.
  placed.forEach(({ dest, options }, index) => lines.push(...keptOwner(q(dest), tmp[index]!.path, options)));
  grouped((file) => ownerSpec(file.options), (owner, paths) => `chown ${q(owner)} ${paths}`);
  grouped((file) => file.options.mode, (mode, paths) => `chmod ${q(mode)} ${paths}`);
  placed.forEach(({ dest, options }, index) => lines.push(...keptMode(q(dest), tmp[index]!.path, options)));
  placed.forEach(({ dest, options }, index) => lines.push(...checkAndBackUp(dest, tmp[index]!.path, options)));
  folders.forEach(({ dir, names }, index) => lines.push(`mv -f -- ${[...names].map((name) => `"$t${index}"/${q(name)}`).join(" ")} ${q(`${dir}/`)}`));
  lines.push(`rmdir -- ${folders.map((_, index) => `"$t${index}"`).join(" ")}`, "trap - EXIT");
  return lines.join("\n");
}

/** Refuses what an upload script cannot take: a path that names no file, a size that is not one (it goes into the script unquoted). */
export function checkUpload(dest: string, size: number): void {
  splitDest(dest);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`writing ${dest}: ${size} is not a size`);
}

function splitDest(dest: string): { dir: string; name: string } {
  const at = dest.lastIndexOf("/");
  const name = dest.slice(at + 1);
  if (!name || name === "." || name === "..") throw new Error(`cannot write ${dest}: it does not name a file`);
  return { dir: at < 0 ? "." : dest.slice(0, at) || "/", name };
}

/**
 * New files get 0644 unless a mode is given; existing files keep their mode and owner.
 *
 * Every program the script starts costs a host a millisecond or more: the folder comes from the
 * shell itself.
 */
function fileLines(dest: string, options: WriteOptions, receive: readonly string[]): string[] {
  const q = shellQuote;
  const lines = [
    `dest=${q(dest)}`,
    `case $dest in */*) dir=\${dest%/*}; dir=\${dir:-/} ;; *) dir=. ;; esac`,
    `[ -d "$dir" ] || { echo "folder $dir does not exist" >&2; exit 1; }`,
    // mktemp, not the shell's noclobber: noclobber opens an existing FIFO or device, and a name
    // chosen here would be readable in the command line before the file exists.
    `tmp=$(mktemp "$dir/.easy-kube.XXXXXX")`,
    ...receive,
  ];
  // Owners before modes: a change of owner clears the setuid and setgid bits.
  lines.push(...keptOwner('"$dest"', '"$tmp"', options));
  const owner = ownerSpec(options);
  if (owner) lines.push(`chown ${q(owner)} "$tmp"`);
  if (options.mode) lines.push(`chmod ${q(options.mode)} "$tmp"`);
  lines.push(...keptMode('"$dest"', '"$tmp"', options));
  lines.push(...checkAndBackUp(dest, "$tmp", options));
  lines.push(`mv -f -- "$tmp" "$dest"`, "tmp=");
  return lines;
}

/** `owner`, `owner:group` or `:group`, when either is given. */
function ownerSpec(options: WriteOptions): string | undefined {
  return options.owner || options.group ? `${options.owner ?? ""}${options.group ? ":" + options.group : ""}` : undefined;
}

/** A new version keeps the owner and group of the file it replaces unless both are given. `dest` and `tmp` are shell words. */
function keptOwner(dest: string, tmp: string, options: WriteOptions): string[] {
  return options.owner && options.group ? [] : [`if [ -e ${dest} ]; then chown --reference=${dest} ${tmp} 2>/dev/null || true; fi`];
}

/** A new version keeps the mode of the file it replaces unless one is given; a new file gets 0644. */
function keptMode(dest: string, tmp: string, options: WriteOptions): string[] {
  return options.mode ? [] : [`if [ -e ${dest} ]; then chmod --reference=${dest} ${tmp}; else chmod 0644 ${tmp}; fi`];
}

/**
 * The validation command and the backup of the previous version, as asked for. `tmp` is the new
 * version's path as a shell word; the command sees it as `"$f"` in place of `%s` or `"%s"` (its
 * folder and name may hold spaces).
 */
function checkAndBackUp(dest: string, tmp: string, options: WriteOptions): string[] {
  const q = shellQuote;
  const lines: string[] = [];
  if (options.validate) {
    lines.push(`f=${tmp}`, `step=${q(`${dest}: the validation command failed: nothing was installed`)}`, options.validate.split('"%s"').map((part) => part.split("%s").join('"$f"')).join('"$f"'), "step=");
  }
  if (options.backup) lines.push(`if [ -f ${q(dest)} ]; then cp -p -- ${q(dest)} ${q(dest)}.$(date +%Y%m%d%H%M%S)~; fi`);
  return lines;
}
