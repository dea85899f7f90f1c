/**
 * The transfer benchmark (`npm run bench -- --transfer` alone; also part of the full run): a 100 MB
 * file, and the bundle's etcd and docker programs (filled from Debian's packages, as the lab's
 * bundle is), sent to 3 and 10 lab machines by easy-kube (`copy` in a playbook, through sudo, as
 * roles install programs) and by `scp -O` (the lab has no sftp-server) to the same machines in the
 * same run.
 *
 * Both are timed with their connections already open: scp through an OpenSSH ControlMaster opened
 * beforehand, easy-kube from its JSON events (the copy task's longest host; an earlier task opened
 * the connections). easy-kube's time includes what scp does not do: every file goes to a temporary
 * file and is renamed only once the control machine vouched for its bytes (remote-file.ts), with
 * root's owner and mode. Throughput is the bytes that reached all hosts per second. The
 * controller's peak memory is the whole process tree's (easy-kube: the Node process; scp: the scp
 * and ssh processes, the ControlMaster's not counted).
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { bundleCommand } from "../lib/cli/bundle-command.js";
import { LAB_USER, type LabConfig } from "../lib/lab/lab-config.js";
import type { Machine } from "../lib/lab/machine.js";
import { measure, median, type Measurement } from "./lib/measure.ts";
import { keptStartupSection, STARTUP_HEADING } from "./startup.ts";

export interface TransferResult {
  payload: string;
  hosts: number;
  /** Bytes sent to each host, in MB (10^6). */
  mb_per_host: number;
  scp_s: number;
  easykube_s: number;
  /** MB that reached all hosts per second. */
  scp_mb_per_s: number;
  easykube_mb_per_s: number;
  /** easy-kube's throughput over scp's (target: at least 0.8). */
  ratio: number;
  /** easy-kube's whole run (Node start-up, connections, the copy), for reference. */
  easykube_run_s: number;
  scp_peak_mb: number;
  easykube_peak_mb: number;
}

interface Payload {
  readonly name: string;
  readonly files: readonly string[];
}

const REPEATS = 3;
const HOST_DIR = "/tmp/easy-kube-transfer";

export async function transferBenchmark(lab: LabConfig, machines: readonly Machine[], inventoryFile: string, work: string, sizes: readonly number[], log: (line: string) => void): Promise<TransferResult[]> {
  mkdirSync(work, { recursive: true });
  const payloads = [{ name: "100 MB file", files: [randomFile(join(work, "transfer-100MB.bin"), 100_000_000)] }, ...(await bundlePayloads(inventoryFile, log))];
  const ssh = openSshMasters(lab, machines.slice(0, Math.max(...sizes)), work);
  try {
    const results: TransferResult[] = [];
    for (const hosts of sizes) {
      for (const payload of payloads) {
        const scp: Measurement[] = [];
        const easykube: { run: Measurement; seconds: number }[] = [];
        for (let i = 0; i < REPEATS; i++) {
          log(`transfer: ${payload.name} to ${hosts} hosts (${i + 1})`);
          scp.push(await ssh.scp(hosts, payload.files));
          easykube.push(await easykubeCopy(inventoryFile, hosts, payload.files, work));
        }
        const bytes = payload.files.reduce((n, f) => n + statSync(f).size, 0);
        const scp_s = median(scp.map((m) => m.seconds));
        const easykube_s = median(easykube.map((e) => e.seconds));
        const total = (bytes * hosts) / 1e6;
        results.push({
          payload: payload.name,
          hosts,
          mb_per_host: round(bytes / 1e6, 1),
          scp_s: round(scp_s),
          easykube_s: round(easykube_s),
          scp_mb_per_s: round(total / scp_s, 0),
          easykube_mb_per_s: round(total / easykube_s, 0),
          ratio: round(scp_s / easykube_s),
          easykube_run_s: round(median(easykube.map((e) => e.run.seconds))),
          scp_peak_mb: Math.max(...scp.map((m) => m.peakMemoryMb)),
          easykube_peak_mb: Math.max(...easykube.map((e) => e.run.peakMemoryMb)),
        });
      }
    }
    return results;
  } finally {
    ssh.close();
  }
}

/** The bundle's etcd and docker programs, filled from Debian's packages as the lab's bundle is. */
async function bundlePayloads(inventoryFile: string, log: (line: string) => void): Promise<Payload[]> {
  const versions = { etcd: "3.4.23", docker: "20.10.24" };
  const extraVars = ["bundle_source=debian", `etcd_version=${versions.etcd}`, `docker_version=${versions.docker}`];
  const exitCode = await bundleCommand(["-i", inventoryFile, "--components", "etcd,docker", ...extraVars.flatMap((v) => ["-e", v])], (line) => log(`bundle: ${line}`));
  const bundle = join(inventoryFile, "..", ".bundle");
  const programs = (component: "etcd" | "docker") => {
    const folder = join(bundle, component, versions[component], "amd64");
    return readdirSync(folder)
      .filter((name) => !name.startsWith(".") && !name.endsWith(".json"))
      .map((name) => join(folder, name));
  };
  if (exitCode !== 0) throw new Error(`easy-kube bundle failed (exit ${exitCode})`);
  return [
    { name: "etcd programs", files: programs("etcd") },
    { name: "docker programs", files: programs("docker") },
  ];
}

async function easykubeCopy(inventoryFile: string, hosts: number, files: readonly string[], work: string): Promise<{ run: Measurement; seconds: number }> {
  const events = join(work, "transfer-events.jsonl");
  const repo = join(import.meta.dirname, "..");
  const env = { ...process.env, TRANSFER_FILES: files.join(","), TRANSFER_DEST: HOST_DIR };
  const run = await measure(join(repo, "node_modules/.bin/tsx"), [join(repo, "bench/workload/easykube-transfer.ts"), "-i", inventoryFile, "-l", `lab[0:${hosts - 1}]`, "--json-events", events], env);
  if (run.exitCode !== 0) throw new Error(`easy-kube transfer to ${hosts} hosts failed (exit ${run.exitCode}):\n${run.output.slice(-3000)}`);
  const results = readFileSync(events, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; task?: string; status?: string; durationMs?: number })
    .filter((e) => e.type === "host_result");
  const copyTask = results.at(-1)!.task;
  const copies = results.filter((e) => e.task === copyTask);
  if (copies.length !== hosts || copies.some((e) => e.status !== "changed")) throw new Error(`easy-kube transfer: expected ${hosts} changed copies, got ${JSON.stringify(copies)}`);
  return { run, seconds: Math.max(...copies.map((e) => e.durationMs ?? 0)) / 1000 };
}

/** OpenSSH connections to the lab machines, opened once (ControlMaster), for scp and clean-ups. */
function openSshMasters(lab: LabConfig, machines: readonly Machine[], work: string): { scp: (hosts: number, files: readonly string[]) => Promise<Measurement>; close: () => void } {
  const control = join(work, "cm-%h");
  const options = ["-i", join(lab.stateDir, "id_ed25519"), "-o", `UserKnownHostsFile=${join(lab.stateDir, "known_hosts")}`, "-o", "BatchMode=yes", "-o", `ControlPath=${control}`];
  const target = (m: Machine) => `${LAB_USER}@${m.address}`;
  for (const machine of machines) {
    execFileSync("ssh", [...options, "-o", "ControlMaster=yes", "-o", "ControlPersist=600", "-f", "-N", target(machine)]);
  }
  const onAll = (hosts: number, command: string) => {
    for (const machine of machines.slice(0, hosts)) execFileSync("ssh", [...options, target(machine), command]);
  };
  return {
    async scp(hosts, files) {
      onAll(hosts, `rm -rf ${HOST_DIR}-scp && mkdir -p ${HOST_DIR}-scp`);
      const each = machines.slice(0, hosts).map((m) => ["scp", "-O", "-q", ...options, ...files, `${target(m)}:${HOST_DIR}-scp/`].map((w) => `'${w}'`).join(" "));
      const script = `pids=\n${each.map((c) => `${c} & pids="$pids $!"`).join("\n")}\nfail=0; for pid in $pids; do wait $pid || fail=1; done; exit $fail`;
      const result = await measure("/bin/sh", ["-c", script]);
      if (result.exitCode !== 0) throw new Error(`scp to ${hosts} hosts failed:\n${result.output.slice(-3000)}`);
      return result;
    },
    close() {
      for (const machine of machines) {
        try {
          execFileSync("ssh", [...options, "-O", "exit", target(machine)], { stdio: "ignore" });
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Random bytes (so no compression helps either tool), written once and kept for later runs. */
function randomFile(path: string, size: number): string {
  if (existsSync(path) && statSync(path).size === size) return path;
  const fd = openSync(path, "w");
  for (let written = 0; written < size; written += 1 << 20) writeSync(fd, randomBytes(Math.min(1 << 20, size - written)));
  closeSync(fd);
  return path;
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** The transfer section of latest.md (replaced, the rest kept) and transfer.json. */
export function transferSection(results: readonly TransferResult[]): string {
  const lines = [
    "| payload | hosts | MB per host | scp -O s | easy-kube s | scp MB/s | easy-kube MB/s | easy-kube / scp | easy-kube whole run s | peak MB scp / easy-kube |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.payload} | ${r.hosts} | ${r.mb_per_host} | ${r.scp_s} | ${r.easykube_s} | ${r.scp_mb_per_s} | ${r.easykube_mb_per_s} | ${Math.round(r.ratio * 100)}% | ${r.easykube_run_s} | ${r.scp_peak_mb} / ${r.easykube_peak_mb} |`),
  ];
  return lines.join("\n");
}

const TRANSFER_HEADING = "## Transfer";

/** Keeps this run's transfer rows in transfer.json, and as a section of latest.json and latest.md. */
export function writeTransferResults(resultsDir: string, results: readonly TransferResult[], measuredWith: string): void {
  writeFileSync(join(resultsDir, "transfer.json"), JSON.stringify({ measured: new Date().toISOString(), machine: measuredWith, results }, null, 2) + "\n");
  mergeSectionsIntoLatest(resultsDir);
}

/**
 * Adds the sections kept in startup.json and transfer.json to latest.md after the play table
 * (replacing older ones: the play benchmark rewrites the table), and the transfer rows to
 * latest.json (rows with workload "transfer").
 */
export function mergeSectionsIntoLatest(resultsDir: string): void {
  const file = join(resultsDir, "transfer.json");
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { measured: string; machine: string; results: TransferResult[] }) : undefined;
  if (kept) {
    const jsonFile = join(resultsDir, "latest.json");
    const rows = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, "utf8")) as { workload?: string }[]) : [];
    const others = rows.filter((r) => r.workload !== "transfer");
    writeFileSync(jsonFile, JSON.stringify([...others, ...kept.results.map((r) => ({ workload: "transfer", ...r }))], null, 2) + "\n");
  }
  const mdFile = join(resultsDir, "latest.md");
  const md = existsSync(mdFile) ? readFileSync(mdFile, "utf8") : "";
  const cuts = [STARTUP_HEADING, TRANSFER_HEADING].map((heading) => md.indexOf(heading)).filter((at) => at >= 0);
  const table = cuts.length > 0 ? md.slice(0, Math.min(...cuts)) : md;
  const transfer = kept ? `${TRANSFER_HEADING}\n\nMeasured ${kept.measured} (${kept.machine}); medians of ${REPEATS}.\n\n${transferSection(kept.results)}\n` : undefined;
  const sections = [keptStartupSection(resultsDir), transfer].filter((section): section is string => section !== undefined);
  writeFileSync(mdFile, [table.trimEnd(), ...sections].join("\n\n"));
}
