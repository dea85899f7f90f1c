/**
 * Streamed file writes to one host, gathered into one command: the files an operation sends
 * together (a component's programs, through `concurrently`) travel as one input to one script, run
 * through sudo once, instead of a sudo, a shell and a script each. Writes asked for in the same turn
 * of the event loop go together.
 *
 * Why: on the lab (2 cores for the controller and every machine), what a host spent per file (sudo
 * about 16 ms of CPU, a shell, mktemp, openssl to hash, wc, chmod, mv: about 3 ms per process) made
 * a component's programs arrive at half of scp's rate; docker's 9 programs to 3 machines used 5 s of
 * the hosts' CPU against scp's 2 s. One script per host, no hashing there (remote-file.ts says why
 * it is not needed), one dd per file and one chown, chmod and mv for all of them brought that to
 * 2.5 s.
 *
 * One script (up to FILES_PER_SCRIPT files) installs its files only once all of them arrived and
 * checked out, and stops at its first failure (a missing folder, a full disk, a source that
 * changed, a validation): every file of it then fails with that one error, and none of them was
 * installed (unless the failure is in the renames at the very end: a destination that became a
 * folder meanwhile).
 */
import { randomBytes } from "node:crypto";
import { CommandFailedError, type Connection, type InputPart } from "../connection/types.js";
import { checkUpload, uploadScript, type WriteOptions } from "./remote-file-script.js";

export interface FileUpload {
  readonly dest: string;
  readonly options: WriteOptions;
  /** The bytes, or the local file checked as it is read. */
  readonly part: InputPart;
}

function sizeOf(part: InputPart): number {
  return "bytes" in part ? part.bytes.length : part.file.size;
}

interface Waiting extends FileUpload {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * A script's length grows with its files (well under 1 KB each); this many keep it far below the
 * 128 KiB Linux allows one argument (`sh -c SCRIPT`). Atomicity holds per script: more files than
 * this go in several scripts, sent side by side.
 */
const FILES_PER_SCRIPT = 32;

const gathering = new WeakMap<Connection, Waiting[]>();

/** Resolves once `upload.dest` is in place on the host (with the other files of its script). */
export function uploadFile(connection: Connection, upload: FileUpload): Promise<void> {
  return new Promise((resolve, reject) => {
    // A path the script cannot take fails that file alone, not the others of its script.
    checkUpload(upload.dest, sizeOf(upload.part));
    let waiting = gathering.get(connection);
    if (!waiting) {
      waiting = [];
      gathering.set(connection, waiting);
      setImmediate(() => {
        gathering.delete(connection);
        for (let from = 0; from < waiting!.length; from += FILES_PER_SCRIPT) void send(connection, waiting!.slice(from, from + FILES_PER_SCRIPT));
      });
    }
    waiting.push({ ...upload, resolve, reject });
  });
}

async function send(connection: Connection, files: readonly Waiting[]): Promise<void> {
  // Unpredictable lines: whatever a file holds, its bytes cannot pass for the line vouching for it.
  const nonce = randomBytes(12).toString("hex");
  const received = files.map((file, index) => ({ ...file, received: { size: sizeOf(file.part), confirmation: `ok-${nonce}-${index}` } }));
  const parts = received.flatMap((file): InputPart[] => [file.part, { bytes: Buffer.from(`${file.received.confirmation}\n`) }]);
  try {
    const result = await connection.run(uploadScript(received), { stdinParts: parts });
    if (result.code !== 0) throw new CommandFailedError(`write ${files.map((file) => file.dest).join(", ")}`, result);
    for (const file of files) file.resolve();
  } catch (error) {
    for (const file of files) file.reject(error as Error);
  }
}
