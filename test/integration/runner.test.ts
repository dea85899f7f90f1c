/**
 * The runner's semantics against real hosts over SSH: three inventory hosts reach the test sshd,
 * each working in its own folder, plus one host whose port is closed (unreachable).
 */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { command, copy, file, line } from "../../lib/ops/index.js";
import { ValidationError } from "../../lib/runner/prepare-run.js";
import { defineRole, flushHandlers, type Play, type Playbook, type Task } from "../../lib/runner/types.js";
import { defineSchema, v } from "../../lib/vars/schema.js";
import { sshdInventory } from "../helpers/inventory.js";
import { runCollecting, statuses } from "../helpers/run.js";
import { SUDO_PASSWORD, SUDO_PASSWORD_USER } from "../helpers/sshd.js";

const sshd = inject("sshd");
let root: string;
let inventory: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ek-run-"));
  inventory = sshdInventory(sshd, { web: ["h1", "h2", "h3"], db: ["h3"] }, `work=${root}`).file;
});

const play = (tasks: Task[], more: Partial<Play> = {}): Playbook => ({ name: "test", plays: [{ name: "p", hosts: "web", gatherFacts: false, tasks, ...more }] });
const hostFile = (name: string) => ({ vars }: { vars: Record<string, unknown> }) => `${vars["work"]}/${vars["inventory_hostname"]}-${name}`;

describe("tasks", () => {
  it("reports changed then ok, with when, loops and registered results", async () => {
    const tasks: Task[] = [
      { name: "write", action: (c) => copy({ dest: hostFile("a")(c), content: "x\n" }) },
      { name: "only db", when: ({ vars }) => (vars["group_names"] as string[]).includes("db"), action: (c) => copy({ dest: hostFile("db")(c), content: "db\n" }) },
      { name: "loop", loop: () => ["p", "q"], when: ({ item }) => item !== "q", action: (c) => copy({ dest: `${hostFile("loop")(c)}-${c.item}`, content: "" }) },
      { name: "probe", action: () => command({ cmd: "echo 42", readOnly: true }), register: "probe" },
      { name: "use probe", action: (c) => copy({ dest: hostFile("probe")(c), content: String(c.results["probe"]?.data["stdout"]) }) },
    ];
    const first = await runCollecting(play(tasks), inventory);
    expect(first.exitCode).toBe(0);
    expect(statuses(first.results, "write")).toEqual(["h1:changed", "h2:changed", "h3:changed"]);
    expect(statuses(first.results, "only db")).toEqual(["h1:skipped", "h2:skipped", "h3:changed"]);
    expect(statuses(first.results, "loop")).toContain("h1:skipped(q)");
    expect(readFileSync(join(root, "h2-probe"), "utf8")).toBe("42\n");
    const second = await runCollecting(play(tasks), inventory);
    expect(Object.values(second.stats).map((c) => c.changed)).toEqual([0, 0, 0]);
  });

  it("runs handlers once per notified host at the end, or when flushed", async () => {
    const tasks: Task[] = [
      { name: "config", action: (c) => copy({ dest: hostFile("conf")(c), content: c.host === "h2" ? "same\nextra\n" : `${Date.now()}\n` }), notify: ["restart"] },
      { name: "config again", action: (c) => line({ path: hostFile("conf")(c), line: "extra" }), notify: ["restart"] },
      flushHandlers,
      { name: "after flush", action: (c) => command({ cmd: `cat ${hostFile("restarts")(c)} 2>/dev/null | wc -l`, readOnly: true }), register: "count" },
    ];
    const handlers: Task[] = [{ name: "restart", action: (c) => command({ cmd: `echo restart >> ${hostFile("restarts")(c)}` }) }];
    const first = await runCollecting(play(tasks, { handlers }), inventory);
    // Two notifying tasks changed, the handler ran once, and before the task after the flush.
    expect(readFileSync(join(root, "h1-restarts"), "utf8")).toBe("restart\n");
    const after = first.events.findIndex((e) => e.type === "task_start" && e.task === "after flush");
    const restart = first.events.findIndex((e) => e.type === "task_start" && e.task === "restart");
    expect(restart).toBeGreaterThan(0);
    expect(restart).toBeLessThan(after);
    const again = await runCollecting(play(tasks, { handlers }), inventory);
    // h1 and h3 rewrite their config (new timestamp) and restart again; h2's is unchanged.
    expect(statuses(again.results, "restart")).toEqual(["h1:changed", "h3:changed"]);
    expect(readFileSync(join(root, "h2-restarts"), "utf8")).toBe("restart\n");
  });

  it("runOnce runs on the first host and shares its result; delegateTo runs on the control machine", async () => {
    const tasks: Task[] = [
      { name: "once", runOnce: true, action: () => command({ cmd: "echo once" }), register: "once" },
      { name: "share", action: (c) => copy({ dest: hostFile("once")(c), content: String(c.results["once"]?.data["stdout"]) }) },
      { name: "local", delegateTo: "localhost", action: (c) => command({ cmd: `echo $PPID > ${hostFile("local")(c)}` }) },
    ];
    const run = await runCollecting(play(tasks), inventory);
    expect(statuses(run.results, "once")).toEqual(["h1:changed"]);
    expect(readdirSync(root).filter((f) => f.endsWith("-once"))).toHaveLength(3);
    expect(run.results.find((r) => r.task === "local")?.delegatedTo).toBe("localhost");
    expect(statSync(join(root, "h3-local")).uid).toBe(process.getuid!());
  });

  it("retries until a condition holds, and ignores errors when told", async () => {
    const counter = join(root, "tries");
    const tasks: Task[] = [
      {
        name: "flaky",
        action: () => command({ cmd: `echo x >> ${counter}-$(hostname); test $(wc -l < ${counter}-$(hostname)) -ge 3` }),
        retries: 5,
        delaySeconds: 0.01,
        runOnce: true,
      },
      { name: "broken", action: () => command({ cmd: "exit 9" }), ignoreErrors: true },
      { name: "still runs", action: () => command({ cmd: "true", readOnly: true }) },
    ];
    const run = await runCollecting(play(tasks), inventory);
    expect(statuses(run.results, "flaky")).toEqual(["h1:changed"]);
    expect(statuses(run.results, "broken")).toEqual(["h1:failed", "h2:failed", "h3:failed"]);
    expect(statuses(run.results, "still runs")).toEqual(["h1:ok", "h2:ok", "h3:ok"]);
    // Like Ansible: ok counts flaky, broken (ignored) and still runs.
    expect(run.stats["h1"]).toMatchObject({ ok: 3, ignored: 1, failed: 0 });
    expect(run.exitCode).toBe(0);
  });
});

describe("failures", () => {
  it("a failed host stops alone; the others finish; exit code 2", async () => {
    const tasks: Task[] = [
      { name: "fail on h2", action: (c) => command({ cmd: c.host === "h2" ? "echo nope >&2; exit 3" : "true" }) },
      { name: "next", action: (c) => copy({ dest: hostFile("next")(c), content: "" }) },
    ];
    const run = await runCollecting(play(tasks), inventory);
    expect(statuses(run.results, "next")).toEqual(["h1:changed", "h3:changed"]);
    expect(run.results.find((r) => r.host === "h2")?.message).toMatch(/rc=3.*\n.*nope/);
    expect(run.stats["h2"]).toMatchObject({ failed: 1 });
    expect(run.exitCode).toBe(2);
  });

  it("anyErrorsFatal stops every host; maxFailPercentage stops when too many failed", async () => {
    const tasks: Task[] = [
      { name: "fail on h1", action: (c) => command({ cmd: c.host === "h1" ? "false" : "true" }) },
      { name: "next", action: () => command({ cmd: "true" }) },
    ];
    expect(statuses((await runCollecting(play(tasks, { anyErrorsFatal: true }), inventory)).results, "next")).toEqual([]);
    expect(statuses((await runCollecting(play(tasks, { maxFailPercentage: 50 }), inventory)).results, "next")).toEqual(["h2:changed", "h3:changed"]);
    expect(statuses((await runCollecting(play(tasks, { maxFailPercentage: 20 }), inventory)).results, "next")).toEqual([]);
  });

  it("an unreachable host is reported; the others finish; exit code 4", async () => {
    const withDown = sshdInventory(sshd, { web: ["h1", "down ansible_port=1", "h3"] }, `work=${root}`).file;
    const run = await runCollecting(play([{ name: "touch", action: (c) => copy({ dest: hostFile("t")(c), content: "" }) }]), withDown);
    expect(statuses(run.results, "touch")).toEqual(["down:unreachable", "h1:changed", "h3:changed"]);
    expect(run.stats["down"]).toMatchObject({ unreachable: 1 });
    expect(run.exitCode).toBe(4);
  });
});

describe("batches, tags, limit and check mode", () => {
  it("serial runs every task on one batch before the next batch starts", async () => {
    const tasks: Task[] = [
      { name: "one", action: () => command({ cmd: "true" }) },
      { name: "two", action: () => command({ cmd: "true" }) },
    ];
    const run = await runCollecting(play(tasks, { serial: 2 }), inventory);
    const order = run.results.map((r) => `${r.task}:${r.host}`);
    expect(order.indexOf("two:h1")).toBeLessThan(order.indexOf("one:h3"));
  });

  it("tags and skip-tags select tasks; role names are tags; --limit narrows hosts", async () => {
    const tasks: Task[] = [
      { name: "a", tags: ["alpha"], action: () => command({ cmd: "true" }) },
      { name: "b", tags: ["beta"], action: () => command({ cmd: "true" }) },
      { name: "always", tags: ["always"], action: () => command({ cmd: "true" }) },
    ];
    const run = await runCollecting(play(tasks), inventory, { tags: { only: ["beta"], skip: [] }, limit: "h2" });
    expect(run.results.map((r) => `${r.task}:${r.host}`)).toEqual(["b:h2", "always:h2"]);
    const skipped = await runCollecting(play(tasks), inventory, { tags: { only: ["all"], skip: ["beta"] }, limit: "web:!h1" });
    expect(new Set(skipped.results.map((r) => r.task))).toEqual(new Set(["a", "always"]));
    expect(new Set(skipped.results.map((r) => r.host))).toEqual(new Set(["h2", "h3"]));
  });

  it("check mode reports the changes and changes nothing", async () => {
    const tasks: Task[] = [
      { name: "dir", action: (c) => file({ path: hostFile("dir")(c) }) },
      { name: "conf", action: (c) => copy({ dest: `${hostFile("dir")(c)}/x.conf`, content: "x\n" }), notify: ["h"] },
      { name: "cmd", action: (c) => command({ cmd: `touch ${hostFile("cmd")(c)}` }) },
    ];
    const handlers: Task[] = [{ name: "h", action: (c) => command({ cmd: `touch ${hostFile("handler")(c)}` }) }];
    const run = await runCollecting(play(tasks, { handlers }), inventory, { check: true });
    expect(statuses(run.results, "conf")).toEqual(["h1:changed", "h2:changed", "h3:changed"]);
    expect(statuses(run.results, "h")).toEqual(["h1:changed", "h2:changed", "h3:changed"]);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("checks before any host is touched", () => {
  const schema = defineSchema({ demo_port: v.port(80, "port"), demo_dir: v.path("/srv/demo", "folder") });
  const role = defineRole({
    name: "demo",
    schema,
    tasks: [{ name: "t", action: ({ vars }) => file({ path: vars.demo_dir }), notify: ["restart demo"] }],
    handlers: [{ name: "restart demo", action: () => command({ cmd: "true" }) }],
    checks: [({ hosts }) => (hosts.length % 2 === 0 ? [`needs an odd number of hosts, got ${hosts.length}`] : [])],
  });

  it("reports every bad variable with its file and line, and never connects", async () => {
    // The hosts' port is closed: had the runner connected, it would report them unreachable instead.
    const bad = sshdInventory(sshd, { web: ["h1 demo_port=http", "h2 demo_dir=relative"] }, "ansible_port=1").file;
    const error = await runCollecting({ name: "x", plays: [{ name: "p", hosts: "web", roles: [role] }] }, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems).toContain(`${bad}:2: host h1: demo_port = "http" must be a port number (1-65535)`);
    expect(problems).toContain(`${bad}:3: host h2: demo_dir = "relative" must be an absolute path`);
    expect(problems).toContain("role demo: needs an odd number of hosts, got 2");
  });

  it("rejects notifying a handler that does not exist, and a --limit that matches nothing", async () => {
    const tasks: Task[] = [{ name: "t", action: () => command({ cmd: "true" }), notify: ["no such handler"] }];
    await expect(runCollecting(play(tasks), inventory)).rejects.toThrow(/notifies 'no such handler', but no handler has that name/);
    await expect(runCollecting(play([]), inventory, { limit: "nosuchhost" })).rejects.toThrow(/--limit 'nosuchhost' matches no hosts/);
  });
});

describe("secrets", () => {
  it("the sudo password never appears in any event, even when a command prints it", async () => {
    const withPassword = sshdInventory(sshd, { web: ["h1"] }, `ansible_user=${SUDO_PASSWORD_USER}\nansible_become_password=${SUDO_PASSWORD}`).file;
    const run = await runCollecting(play([{ name: "leak", action: () => command({ cmd: `echo ${SUDO_PASSWORD}; exit 1` }) }]), withPassword);
    expect(run.results[0]?.status).toBe("failed");
    const printed = run.masker.maskDeep(JSON.stringify(run.events));
    expect(printed).not.toContain(SUDO_PASSWORD);
    expect(printed).toContain("********");
    expect(existsSync(root)).toBe(true);
  });

  it("a secret file's content reaches no reporter, also with --diff (found on the lab: etcd's minted discovery URL was in the events)", async () => {
    const content = "ETCD_DISCOVERY=http://discovery.invalid/0123456789abcdef\n";
    const run = await runCollecting(play([{ name: "secret file", action: (c) => copy({ dest: hostFile("secret")(c), content, mode: "0600", secret: true }) }]), inventory, { diff: true });
    expect(statuses(run.results, "secret file")).toEqual(["h1:changed", "h2:changed", "h3:changed"]);
    expect(run.results[0]?.diffs).toEqual([{ path: `${root}/${run.results[0]?.host}-secret`, before: "", after: "", secret: true }]);
    expect(JSON.stringify(run.events)).not.toContain("0123456789abcdef");
  });
});
