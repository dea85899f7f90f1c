/**
 * `easy-kube certs status -i INV [--hosts] [--warn-days N]`: every certificate of the cluster's
 * PKI with subject, names, issuer, expiry and days left, flagging what expires soon; with --hosts,
 * also the copies on each host (read over SSH), flagging copies that differ from the control copy.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openConnection } from "../connection/open.js";
import { connectionSettings } from "../connection/settings.js";
import { shellQuote } from "../connection/quote.js";
import { EasyKubeError } from "../errors.js";
import { loadInventory } from "../inventory/load.js";
import { hostVarsWithMagic } from "../inventory/magic-vars.js";
import { matchPattern } from "../inventory/patterns.js";
import { describeCertificate } from "../pki/certificate.js";
import { pkiFilesFor } from "../pki/cluster-pki.js";
import { readPkiFile } from "../pki/pki-folder.js";
import { mapLimited } from "../util/semaphore.js";

interface Row {
  readonly where: string;
  readonly file: string;
  readonly subject: string;
  readonly names: string;
  readonly issuer: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly note: string;
}

export async function certsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      inventory: { type: "string", short: "i", multiple: true },
      hosts: { type: "boolean" },
      limit: { type: "string", short: "l" },
      "warn-days": { type: "string" },
      "pki-dir": { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (positionals[0] !== "status") throw new EasyKubeError("usage: easy-kube certs status -i INV [--hosts] [--limit PATTERN] [--warn-days N] [--pki-dir DIR] [--json]");
  const sources = values.inventory ?? [];
  if (sources.length === 0) throw new EasyKubeError("certs status needs the inventory: -i PATH");
  const inventory = loadInventory(sources);
  const warnDays = Number(values["warn-days"] ?? 30);
  const firstHost = inventory.hostNames()[0];
  const hostVars = firstHost ? hostVarsWithMagic(inventory, firstHost).vars : {};
  const dir = values["pki-dir"] ?? (typeof hostVars["pki_dir"] === "string" && hostVars["pki_dir"] ? hostVars["pki_dir"] : join(inventory.baseDirs[0] ?? ".", ".pki"));

  const rows: Row[] = [];
  let certificates: string[];
  try {
    certificates = readdirSync(dir).filter((f) => f.endsWith(".pem") && !f.endsWith("-key.pem")).sort();
  } catch {
    throw new EasyKubeError(`no PKI at ${dir}: run playbooks/pki.ts first (or give --pki-dir)`);
  }
  const controlCopies = new Map<string, string>();
  for (const file of certificates) {
    const pem = readPkiFile(dir, file)!;
    controlCopies.set(file, pem);
    rows.push(row("control", file, pem, warnDays, ""));
  }

  if (values.hosts) {
    const hosts = values.limit ? matchPattern(inventory, values.limit).hosts : inventory.hostNames();
    const perHost = await mapLimited(hosts, 50, async (host) => {
      const vars = hostVarsWithMagic(inventory, host).vars;
      const sslDir = typeof vars["pki_remote_ssl_dir"] === "string" ? vars["pki_remote_ssl_dir"] : "/etc/kubernetes/ssl";
      const files = pkiFilesFor(inventory.groupNames(host), sslDir, "/etc/kubernetes").filter((f) => f.name.endsWith(".pem") && !f.secret);
      const connection = openConnection(connectionSettings(host, vars));
      const hostRows: Row[] = [];
      try {
        for (const file of files) {
          const result = await connection.run(`cat -- ${shellQuote(file.dest)}`);
          if (result.code !== 0) {
            hostRows.push({ where: host, file: file.dest, subject: "", names: "", issuer: "", notAfter: "", daysLeft: NaN, note: "MISSING" });
            continue;
          }
          const note = result.stdout === controlCopies.get(file.name) ? "" : "DIFFERS from the control copy";
          hostRows.push(row(host, file.dest, result.stdout, warnDays, note));
        }
      } catch (error) {
        hostRows.push({ where: host, file: "", subject: "", names: "", issuer: "", notAfter: "", daysLeft: NaN, note: `UNREACHABLE: ${(error as Error).message}` });
      } finally {
        await connection.close();
      }
      return hostRows;
    });
    rows.push(...perHost.flat());
  }

  if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else process.stdout.write(formatTable(rows) + "\n");
  return rows.some((r) => r.note) ? 1 : 0;
}

function row(where: string, file: string, pem: string, warnDays: number, note: string): Row {
  const info = describeCertificate(pem);
  const daysLeft = Math.floor((info.notAfter.getTime() - Date.now()) / 86_400_000);
  const notes = [note, daysLeft < 0 ? "EXPIRED" : daysLeft < warnDays ? `EXPIRES within ${warnDays} days` : ""].filter(Boolean);
  return {
    where,
    file,
    subject: `CN=${info.commonName}${info.organization ? ` O=${info.organization}` : ""}`,
    names: info.hosts.join(","),
    issuer: /CN=([^,]+)/.exec(info.issuer)?.[0] ?? info.issuer,
    notAfter: info.notAfter.toISOString().slice(0, 10),
    daysLeft,
    note: notes.join("; "),
  };
}

function formatTable(rows: Row[]): string {
  const header = ["WHERE", "FILE", "SUBJECT", "NAMES", "ISSUER", "NOT AFTER", "DAYS LEFT", "NOTE"];
  const cells = rows.map((r) => [r.where, r.file, r.subject, r.names, r.issuer, r.notAfter, Number.isNaN(r.daysLeft) ? "" : String(r.daysLeft), r.note]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (c: string[]) => c.map((text, i) => (text.length > widths[i]! ? text.slice(0, widths[i]! - 1) + "…" : text.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}
