/**
 * Writes a whole file on a host atomically: the bytes go to a temporary file in the destination's
 * folder, get their mode and owner, pass an optional validation command, and are renamed over the
 * destination. A reader never sees half a file, and a failed write leaves the old file intact.
 * Whatever stops the script, the temporary file goes with it.
 *
 * Small contents travel inside the command. Files from the control machine and large contents are
 * streamed, several to a host in one input (upload-batch.ts): the script takes exactly each file's
 * size (GNU dd's count_bytes, which reads no further), then waits for a line that only the control
 * machine sends, and only once the file's last byte checked out there (input-feed.ts: the bytes are
 * the ones the file was planned with). A transfer cut short, or a source that changed after it was
 * hashed, never gets that line and never replaces anything. The bytes are not hashed again on the
 * host: SSH's message authentication already guarantees they arrived as they were sent, and every
 * later plan hashes the installed file (facts/file-state.ts). Hosts need GNU coreutils' dd (every
 * distribution the roles support has it; elsewhere the upload fails, replacing nothing).
 */
import { INLINE_STDIN, runChecked, type Connection, type SentFile } from "../connection/types.js";
import { writeFileScript, type WriteOptions } from "./remote-file-script.js";
import { uploadFile } from "./upload-batch.js";

export type { WriteOptions } from "./remote-file-script.js";

export async function writeRemoteFile(connection: Connection, dest: string, content: Buffer | string | SentFile, options: WriteOptions = {}): Promise<void> {
  if (typeof content !== "string" && !Buffer.isBuffer(content)) return uploadFile(connection, { dest, options, part: { file: content } });
  if (Buffer.byteLength(content) <= INLINE_STDIN) {
    await runChecked(connection, writeFileScript(dest, options), { stdin: content });
    return;
  }
  // Bytes too many to travel inside the command are streamed as files are. Copied: the caller's
  // buffer could change while it is sent.
  return uploadFile(connection, { dest, options, part: { bytes: Buffer.from(content) } });
}
