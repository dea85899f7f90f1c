/**
 * `npm run bench [-- --quick | --startup | --transfer]`: easy-kube and Ansible on the same 40-task play, on the same lab
 * machines, in the same run. Ansible is tuned as its users tune it: pipelining, ControlPersist,
 * forks >= hosts, no fact gathering (the play needs none). First runs start from freshly reset
 * machines (and, for Ansible, no open ControlMaster); re-runs follow each tool's own first run.
 *
 * Workloads: 1) the play on 3 and 10 hosts, first run and no-change re-run; 2) (full run only) the
 * no-change re-run on 50 and 100 hosts; 3) the cost per task per host on a no-change run (the
 * re-run's wall time divided by tasks x hosts), and easy-kube's SSH round trips per task and host;
 * 4) start-up to the first connection for three launchers (startup.ts; alone with --startup);
 * 5) (full run only) files sent against scp (transfer.ts; alone with --transfer). Results: tables on
 * stdout, bench/results/latest.json, latest.md and latest.svg. Needs root (the lab) and installs
 * Debian's `ansible` if missing.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { labConfig } from "../lib/lab/lab-config.js";
import { labReset, labUp } from "../lib/lab/lab.js";
import { hasAnsibleModule } from "./lib/ansible-module.ts";
import { barChartSvg } from "./lib/chart.ts";
import { measure, median, type Measurement } from "./lib/measure.ts";
import { ansiblePlaybookYaml, TASK_COUNT } from "./workload/spec.ts";
import { startupToFirstConnection, writeStartupResults } from "./startup.ts";
import { mergeSectionsIntoLatest, transferBenchmark, transferSection, writeTransferResults } from "./transfer.ts";

interface Result {
  workload: string;
  hosts: number;
  run: "first" | "rerun";
  ansible_s: number;
  easykube_s: number;
  ratio: number;
  ansible_peak_mb?: number;
  easykube_peak_mb?: number;
  easykube_round_trips_per_task?: number;
  /** CPU seconds of the controller's process tree, and of the lab machines during the run. */
  ansible_cpu_s?: number;
  easykube_cpu_s?: number;
  ansible_hosts_cpu_s?: number;
  easykube_hosts_cpu_s?: number;
}

const quick = process.argv.includes("--quick");
/** `--transfer`: only the transfer benchmark (easy-kube's copy against scp -O), on 3 and 10 hosts. */
const transferOnly = process.argv.includes("--transfer");
/** `--startup`: only the start-up to the first connection (three launchers), on 3 hosts. */
const startupOnly = process.argv.includes("--startup");
const repo = join(import.meta.dirname, "..");
const work = join(repo, "bench", ".work");
const resultsDir = join(repo, "bench", "results");
const sizes = [3, 10];
const scaleSizes = quick ? [] : [50, 100];
const firstRuns = quick ? 1 : 2;
const reruns = 3;

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function ensureAnsible(): void {
  if (hasAnsibleModule("ansible.posix.sysctl")) return;
  log("installing Debian's ansible (ansible-core with the ansible.posix collection)");
  execFileSync("apt-get", ["install", "-y", "-qq", "ansible"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

function prepareAnsible(): NodeJS.ProcessEnv {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "playbook.yml"), ansiblePlaybookYaml("lab"));
  writeFileSync(
    join(work, "ansible.cfg"),
    [
      "[defaults]",
      "forks = 200",
      "gathering = explicit",
      "host_key_checking = True",
      "retry_files_enabled = False",
      "interpreter_python = /usr/bin/python3",
      "[ssh_connection]",
      "pipelining = True",
      "ssh_args = -o ControlMaster=auto -o ControlPersist=120s",
      "",
    ].join("\n"),
  );
  return { ...process.env, ANSIBLE_CONFIG: join(work, "ansible.cfg"), ANSIBLE_NOCOLOR: "1" };
}

/** Forgets Ansible's persistent SSH connections, so a first run starts cold like easy-kube's. */
function closeAnsibleConnections(): void {
  rmSync(join(homedir(), ".ansible", "cp"), { recursive: true, force: true });
  try {
    execFileSync("pkill", ["-f", "ssh: .*\\.ansible/cp"], { stdio: "ignore" });
  } catch {
    // none were open
  }
}

function changedTotal(output: string): number {
  return [...output.matchAll(/changed=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

function checked(tool: string, hosts: number, run: string, m: Measurement, expectNoChange: boolean): Measurement {
  if (m.exitCode !== 0) throw new Error(`${tool} ${run} on ${hosts} hosts failed (exit ${m.exitCode}):\n${m.output.slice(-3000)}`);
  if (expectNoChange && changedTotal(m.output) !== 0) throw new Error(`${tool} re-run on ${hosts} hosts reported changes:\n${m.output.slice(-3000)}`);
  return m;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the benchmark boots lab machines and needs root");
  ensureAnsible();
  const ansibleEnv = prepareAnsible();
  const lab = labConfig("bench", join(repo, "bench", ".lab"));
  const maxHosts = Math.max(...sizes, ...scaleSizes);
  log(`booting ${maxHosts} lab machines`);
  const { inventoryFile, machines } = await labUp(lab, maxHosts, log);
  const limit = (n: number) => `lab[0:${n - 1}]`;
  const machinesCgroup = "/sys/fs/cgroup/unified/easy-kube-bench";
  const ansible = (n: number) => measure("ansible-playbook", ["-i", inventoryFile, "-l", limit(n), join(work, "playbook.yml")], ansibleEnv, machinesCgroup);
  const eventsFile = join(work, "events.jsonl");
  const easykube = (n: number) =>
    measure(join(repo, "node_modules/.bin/tsx"), [join(repo, "bench/workload/easykube-play.ts"), "-i", inventoryFile, "-l", limit(n), "--json-events", eventsFile], process.env, machinesCgroup);

  const results: Result[] = [];
  for (const n of [...sizes, ...scaleSizes]) {
    const scaleOnly = !sizes.includes(n);
    const first = { ansible: [] as Measurement[], easykube: [] as Measurement[] };
    const again = { ansible: [] as Measurement[], easykube: [] as Measurement[] };
    for (const tool of ["ansible", "easykube"] as const) {
      for (let i = 0; i < (scaleOnly ? 1 : firstRuns); i++) {
        log(`${tool}: first run on ${n} hosts (${i + 1})`);
        await labReset(lab);
        if (tool === "ansible") closeAnsibleConnections();
        first[tool].push(checked(tool, n, "first run", await (tool === "ansible" ? ansible(n) : easykube(n)), false));
      }
      for (let i = 0; i < reruns; i++) {
        log(`${tool}: no-change re-run on ${n} hosts (${i + 1})`);
        again[tool].push(checked(tool, n, "re-run", await (tool === "ansible" ? ansible(n) : easykube(n)), true));
      }
    }
    const row = (workload: string, run: "first" | "rerun", a: Measurement[], e: Measurement[]): Result => {
      const ansible_s = median(a.map((m) => m.seconds));
      const easykube_s = median(e.map((m) => m.seconds));
      return {
        workload,
        hosts: n,
        run,
        ansible_s: round(ansible_s),
        easykube_s: round(easykube_s),
        ratio: round(ansible_s / easykube_s),
        ansible_peak_mb: Math.max(...a.map((m) => m.peakMemoryMb)),
        easykube_peak_mb: Math.max(...e.map((m) => m.peakMemoryMb)),
        ansible_cpu_s: round(median(a.map((m) => m.cpuSeconds))),
        easykube_cpu_s: round(median(e.map((m) => m.cpuSeconds))),
        ansible_hosts_cpu_s: round(median(a.map((m) => m.hostsCpuSeconds))),
        easykube_hosts_cpu_s: round(median(e.map((m) => m.hostsCpuSeconds))),
      };
    };
    if (!scaleOnly) results.push(row("play-40-tasks", "first", first.ansible, first.easykube));
    results.push(row(scaleOnly ? "scale-rerun" : "play-40-tasks", "rerun", again.ansible, again.easykube));
    const rerun = results.at(-1)!;
    results.push({
      workload: "per-task",
      hosts: n,
      run: "rerun",
      // Seconds per task per host: the re-run's wall time spread over every task on every host.
      ansible_s: round(rerun.ansible_s / (TASK_COUNT * n), 4),
      easykube_s: round(rerun.easykube_s / (TASK_COUNT * n), 4),
      ratio: rerun.ratio,
      easykube_round_trips_per_task: roundTripsPerTask(eventsFile),
    });
  }
  writeResults(results);
  await runStartup(inventoryFile, limit(3));
  if (!quick) await runTransfer(lab, machines, inventoryFile);
}

/**
 * Start-up to the first connection, three ways of launching the same playbook: the tsx command (as
 * the runs above), node with tsx's loader (one process), and the compiled form (npm run build).
 */
async function runStartup(inventoryFile: string, hosts: string): Promise<void> {
  const compiled = join(work, "compiled");
  log("easy-kube: compiling (npm run build) for the start-up of the compiled form");
  execFileSync(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), join(repo, "scripts/build-compiled.ts"), "--out", compiled], { stdio: "inherit" });
  const args = ["-i", inventoryFile, "-l", hosts];
  const play = [join(repo, "bench/workload/easykube-play.ts"), ...args];
  log("easy-kube: start-up to the first connection");
  const startup = [
    await startupToFirstConnection("tsx bench/workload/easykube-play.ts (as the runs above)", join(repo, "node_modules/.bin/tsx"), play),
    await startupToFirstConnection("node --import tsx bench/workload/easykube-play.ts", process.execPath, ["--import", "tsx", ...play]),
    await startupToFirstConnection("node dist/bench/workload/easykube-play.js (compiled: npm run build)", process.execPath, [join(compiled, "bench/workload/easykube-play.js"), ...args]),
  ];
  process.stdout.write(writeStartupResults(resultsDir, startup) + "\n");
  mergeSectionsIntoLatest(resultsDir);
}

/** `--startup`: only the start-up measurement, on 3 lab machines. */
async function startupMain(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the benchmark boots lab machines and needs root");
  const lab = labConfig("bench", join(repo, "bench", ".lab"));
  const { inventoryFile } = await labUp(lab, Math.min(...sizes), log);
  await runStartup(inventoryFile, `lab[0:${Math.min(...sizes) - 1}]`);
}

async function transferMain(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the benchmark boots lab machines and needs root");
  const lab = labConfig("bench", join(repo, "bench", ".lab"));
  log(`booting ${Math.max(...sizes)} lab machines`);
  const { inventoryFile, machines } = await labUp(lab, Math.max(...sizes), log);
  await runTransfer(lab, machines, inventoryFile);
}

async function runTransfer(lab: ReturnType<typeof labConfig>, machines: Parameters<typeof transferBenchmark>[1], inventoryFile: string): Promise<void> {
  const results = await transferBenchmark(lab, machines, inventoryFile, work, sizes, log);
  writeTransferResults(resultsDir, results, `${execFileSync("nproc", { encoding: "utf8" }).trim()} cores; ${execFileSync("sh", ["-c", "ssh -V 2>&1"], { encoding: "utf8" }).trim()}; Node ${process.version}`);
  process.stdout.write(transferSection(results) + "\n");
  log(`transfer results in ${resultsDir}/transfer.json and latest.{json,md}`);
}

/** Remote commands per task and host on the last easy-kube run (from its JSON events). */
function roundTripsPerTask(eventsFile: string): number {
  const results = readFileSync(eventsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; commands?: number })
    .filter((e) => e.type === "host_result");
  return round(results.reduce((n, e) => n + (e.commands ?? 0), 0) / results.length, 2);
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

function writeResults(results: Result[]): void {
  mkdirSync(resultsDir, { recursive: true });
  const header = "| workload | hosts | run | Ansible s | easy-kube s | ratio | peak MB Ansible / easy-kube | controller CPU s Ansible / easy-kube | hosts' CPU s Ansible / easy-kube | round trips per task |";
  const pair = (a: number | undefined, e: number | undefined) => (a === undefined ? "" : `${a} / ${e}`);
  const lines = [
    header,
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.workload} | ${r.hosts} | ${r.run} | ${r.ansible_s} | ${r.easykube_s} | ${r.ratio}x | ${pair(r.ansible_peak_mb, r.easykube_peak_mb)} | ${pair(r.ansible_cpu_s, r.easykube_cpu_s)} | ${pair(r.ansible_hosts_cpu_s, r.easykube_hosts_cpu_s)} | ${r.easykube_round_trips_per_task ?? ""} |`,
    ),
  ];
  const table = lines.join("\n");
  const stamp = new Date().toISOString();
  const machine = `${execFileSync("nproc", { encoding: "utf8" }).trim()} cores; ${execFileSync("ansible", ["--version"], { encoding: "utf8" }).split("\n")[0]}; Node ${process.version}`;
  writeFileSync(join(resultsDir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(resultsDir, "latest.md"), `Measured ${stamp} (${quick ? "--quick" : "full"}; ${machine}); medians of ${reruns} re-runs and ${firstRuns} first run(s).\n\n${table}\n`);
  writeFileSync(
    join(resultsDir, "latest.svg"),
    barChartSvg(
      `easy-kube vs Ansible, ${TASK_COUNT}-task play (seconds, lower is better)`,
      results.filter((r) => r.workload !== "per-task").map((r) => ({ label: `${r.hosts} hosts, ${r.run === "first" ? "first run" : "re-run"}`, ansible: r.ansible_s, easykube: r.easykube_s })),
    ),
  );
  mergeSectionsIntoLatest(resultsDir);
  process.stdout.write(table + "\n");
  log(`results in ${resultsDir}/latest.{json,md,svg}`);
}

await (transferOnly ? transferMain() : startupOnly ? startupMain() : main());
