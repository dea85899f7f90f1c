/**
 * Runs a command and measures it: wall time, exit code, the peak memory of the whole process
 * tree (sampled every 50 ms from /proc and summed, so Ansible's forked workers count as well as
 * easy-kube's single process), the CPU time of that tree (the shell's `times` after it, which
 * counts every waited-for descendant), and the CPU time the lab's machines spent meanwhile (their
 * cgroup's cpu.stat): on one small host, the machines' work and the controller's share the cores.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

export interface Measurement {
  readonly seconds: number;
  readonly peakMemoryMb: number;
  readonly exitCode: number;
  readonly output: string;
  /** CPU seconds (user + system) of the command and its descendants. */
  readonly cpuSeconds: number;
  /** CPU seconds of the machines in `hostsCgroup` during the run (0 without one). */
  readonly hostsCpuSeconds: number;
}

const TIMES_MARKER = "--easy-kube-bench-times--";

export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, hostsCgroup?: string): Promise<Measurement> {
  const hostsBefore = cgroupCpuSeconds(hostsCgroup);
  const started = process.hrtime.bigint();
  const script = `"$@"; rc=$?; echo ${TIMES_MARKER} >&2; times >&2; exit $rc`;
  const child = spawn("/bin/sh", ["-c", script, "sh", command, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRssKb(child.pid!));
  }, 50);
  const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  clearInterval(sampler);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const hostsCpuSeconds = cgroupCpuSeconds(hostsCgroup) - hostsBefore;
  const at = output.lastIndexOf(TIMES_MARKER);
  const times = at < 0 ? "" : output.slice(at + TIMES_MARKER.length);
  return { seconds, peakMemoryMb: Math.round(peak / 1024), exitCode, output: at < 0 ? output : output.slice(0, at), cpuSeconds: childrenCpuSeconds(times), hostsCpuSeconds };
}

/** `times` prints the shell's own user/system times, then its children's: "0m1.234s 0m0.567s". */
export function childrenCpuSeconds(times: string): number {
  const values = [...times.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return values.length >= 4 ? values[2]! + values[3]! : 0;
}

function cgroupCpuSeconds(dir: string | undefined): number {
  if (!dir || !existsSync(`${dir}/cpu.stat`)) return 0;
  const usage = /^usage_usec (\d+)/m.exec(readFileSync(`${dir}/cpu.stat`, "utf8"));
  return usage ? Number(usage[1]) / 1e6 : 0;
}

function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      rss.set(Number(entry), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we read it
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
