/** One JSON object per event and line, for CI systems and log collectors; secrets masked. */
import type { Writable } from "node:stream";
import type { Reporter, RunEvent } from "./events.js";
import type { SecretMasker } from "./masker.js";

export class JsonLinesReporter implements Reporter {
  constructor(
    private readonly out: Writable,
    private readonly masker: SecretMasker,
  ) {}

  emit(event: RunEvent): void {
    const masked = this.masker.maskDeep(event);
    const withoutSecretDiffs =
      masked.type === "host_result" && masked.diffs
        ? { ...masked, diffs: masked.diffs.map((d) => (d.secret ? { path: d.path, secret: true } : d)) }
        : masked;
    this.out.write(JSON.stringify({ time: new Date().toISOString(), ...withoutSecretDiffs }) + "\n");
  }

  close(): Promise<void> {
    if (this.out === process.stdout || this.out === process.stderr) return Promise.resolve();
    return new Promise((resolve) => this.out.end(resolve));
  }
}
