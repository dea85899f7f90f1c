/**
 * OpenSSH known_hosts verification, so easy-kube refuses a changed host key exactly where `ssh`
 * would: plain and hashed (`|1|salt|hash`) host entries, `[host]:port` for non-standard ports,
 * wildcards and negation, `@revoked` keys. `@cert-authority` lines are not supported and skipped.
 */
import { createHash, createHmac } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export interface KnownHostKey {
  readonly type: string;
  readonly base64: string;
  readonly line: number;
  readonly revoked: boolean;
}

export type HostKeyVerdict =
  | { readonly status: "trusted" }
  | { readonly status: "unknown" }
  | { readonly status: "revoked"; readonly line: number }
  | { readonly status: "changed"; readonly known: KnownHostKey };

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Type name inside an SSH public key blob (a length-prefixed string at the start). */
export function keyTypeOfBlob(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("latin1");
}

/** `SHA256:...` as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

export class KnownHosts {
  constructor(readonly file: string) {}

  /** Keys listed for `name` (already in known_hosts form), in file order. */
  keysFor(name: string): KnownHostKey[] {
    if (!existsSync(this.file)) return [];
    const keys: KnownHostKey[] = [];
    readFileSync(this.file, "utf8")
      .split("\n")
      .forEach((raw, index) => {
        const fields = raw.trim().split(/\s+/);
        if (!fields[0] || fields[0].startsWith("#")) return;
        let revoked = false;
        if (fields[0].startsWith("@")) {
          if (fields[0] !== "@revoked") return;
          revoked = true;
          fields.shift();
        }
        const [patterns, type, base64] = fields;
        if (!patterns || !type || !base64) return;
        if (hostMatches(patterns, name)) keys.push({ type, base64, line: index + 1, revoked });
      });
    return keys;
  }

  verify(name: string, blob: Buffer): HostKeyVerdict {
    const presented = blob.toString("base64");
    const keys = this.keysFor(name);
    const revoked = keys.find((k) => k.revoked && k.base64 === presented);
    if (revoked) return { status: "revoked", line: revoked.line };
    const listed = keys.filter((k) => !k.revoked);
    if (listed.some((k) => k.base64 === presented)) return { status: "trusted" };
    const sameType = listed.find((k) => k.type === keyTypeOfBlob(blob));
    if (sameType) return { status: "changed", known: sameType };
    // A different key type than we know is also a change: OpenSSH refuses it the same way.
    if (listed[0]) return { status: "changed", known: listed[0] };
    return { status: "unknown" };
  }

  /** Host key algorithms ordered so the server offers a key type we already know (as OpenSSH does). */
  preferredAlgorithms(name: string): string[] | undefined {
    const types = [...new Set(this.keysFor(name).filter((k) => !k.revoked).map((k) => k.type))];
    if (types.length === 0) return undefined;
    return types.flatMap((type) => (type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type]));
  }

  add(name: string, blob: Buffer): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, `${name} ${keyTypeOfBlob(blob)} ${blob.toString("base64")}\n`, { mode: 0o600 });
  }
}

/** A known_hosts host field: comma-separated patterns, `!` negates, `|1|` entries are hashed. */
function hostMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  let matched = false;
  for (const pattern of field.split(",")) {
    const negated = pattern.startsWith("!");
    const glob = negated ? pattern.slice(1) : pattern;
    const re = new RegExp("^" + glob.replace(/[.+^${}()|\\[\]]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "i");
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
