/**
 * Handlers that a run notified but never ran (a host failed after a change, or the run was cut)
 * are remembered beside the inventory and run by the next run; --force-handlers runs them on the
 * failed host at once. Against the real sshd on loopback, as the other runner tests.
 */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { command, copy } from "../../lib/ops/index.js";
import { defineRole, type Play, type Playbook, type Task } from "../../lib/runner/types.js";
import { defineSchema } from "../../lib/vars/schema.js";
import { sshdInventory } from "../helpers/inventory.js";
import { runCollecting, statuses } from "../helpers/run.js";

const sshd = inject("sshd");
let root: string;
let inventory: string;
let pendingDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ek-pending-"));
  inventory = sshdInventory(sshd, { web: ["h1", "h2"] }, `work=${root}`).file;
  pendingDir = join(dirname(inventory), ".easy-kube", "pending-handlers");
});

const hostFile = (name: string) => ({ vars }: { vars: Record<string, unknown> }) => `${vars["work"]}/${vars["inventory_hostname"]}-${name}`;
const restarts = (host: string) => (existsSync(join(root, `${host}-restarts`)) ? readFileSync(join(root, `${host}-restarts`), "utf8").split("\n").filter(Boolean).length : 0);

/** A config change notifies "restart"; then, when `failOn` is set, that host fails before the handlers. */
function playbook(content: string, failOn?: string, more: Partial<Play> = {}): Playbook {
  const tasks: Task[] = [
    { name: "config", action: (c) => copy({ dest: hostFile("conf")(c), content }), notify: ["restart"] },
    { name: "later step", action: (c) => command({ cmd: c.host === failOn ? "exit 3" : "true", readOnly: true }) },
  ];
  const handlers: Task[] = [{ name: "restart", action: (c) => command({ cmd: `echo restart >> ${hostFile("restarts")(c)}` }) }];
  return { name: "pending", plays: [{ name: "p", hosts: "web", gatherFacts: false, tasks, handlers, ...more }] };
}

describe("handlers pending from an earlier run", () => {
  it("a host that failed after a change restarts on the next run, which says why; then nothing is pending", async () => {
    const first = await runCollecting(playbook("v2\n", "h2"), inventory);
    expect(first.exitCode).toBe(2);
    expect(restarts("h1")).toBe(1);
    expect(restarts("h2")).toBe(0);
    // Remembered at once, privately, and ignored by git.
    expect(readdirSync(pendingDir)).toEqual(["h2.json"]);
    expect(statSync(join(pendingDir, "h2.json")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(pendingDir, "..", ".gitignore"), "utf8")).toContain("*");

    // The config is already there: only the remembered notification brings the restart.
    const check = await runCollecting(playbook("v2\n"), inventory, { check: true });
    expect(statuses(check.results, "restart")).toEqual(["h2:changed"]);
    expect(check.events).toContainEqual({ type: "warning", message: expect.stringMatching(/'restart' is pending from an earlier run on h2 .*would run.*stays pending/) });
    expect(restarts("h2")).toBe(0);
    expect(readdirSync(pendingDir)).toEqual(["h2.json"]);

    const second = await runCollecting(playbook("v2\n"), inventory);
    expect(second.exitCode).toBe(0);
    expect(statuses(second.results, "config")).toEqual(["h1:ok", "h2:ok"]);
    expect(statuses(second.results, "restart")).toEqual(["h2:changed"]);
    expect(second.events).toContainEqual({ type: "warning", message: expect.stringMatching(/'restart' is pending from an earlier run on h2 .*runs at the end of this play/) });
    expect(restarts("h2")).toBe(1);
    expect(readdirSync(pendingDir)).toEqual([]);

    const third = await runCollecting(playbook("v2\n"), inventory);
    expect(Object.values(third.stats).map((c) => c.changed)).toEqual([0, 0]);
  });

  it("a run cut short (Ctrl-C) keeps the notification: it is written when the handler is notified", async () => {
    // A playbook run as its own process, killed once the config changed, before the handlers.
    const script = join(root, "cut.mts");
    const lib = join(import.meta.dirname, "../../lib");
    writeFileSync(
      script,
      `import { command, copy } from ${JSON.stringify(`${lib}/ops/index.js`)};
import { runPlaybookCli } from ${JSON.stringify(`${lib}/cli/playbook-cli.js`)};
await runPlaybookCli({ name: "cut", plays: [{ name: "p", hosts: "web", gatherFacts: false,
  tasks: [
    { name: "config", action: (c) => copy({ dest: c.vars.work + "/" + c.host + "-conf", content: "v3\\n" }), notify: ["restart"] },
    { name: "slow", action: (c) => command({ cmd: (c.host === "h1" ? "kill -INT " + process.pid + "; " : "") + "sleep 30" }) },
  ],
  handlers: [{ name: "restart", action: (c) => command({ cmd: "echo restart >> " + c.vars.work + "/" + c.host + "-restarts" }) }] }] });
`,
    );
    let code = 0;
    try {
      // Node with tsx's loader in one process (the tsx command is a parent that reports a signal of its own).
      execFileSync(process.execPath, ["--import", "tsx", script, "-i", inventory], { cwd: join(import.meta.dirname, "../.."), stdio: "pipe", timeout: 60_000 });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(99);
    expect(restarts("h1") + restarts("h2")).toBe(0);
    expect(readdirSync(pendingDir).sort()).toEqual(["h1.json", "h2.json"]);
    const next = await runCollecting(playbook("v3\n"), inventory);
    expect(statuses(next.results, "restart")).toEqual(["h1:changed", "h2:changed"]);
    expect(readdirSync(pendingDir)).toEqual([]);
  });

  it("a pending handler waits for a run of its role; a handler that fails stays pending", async () => {
    const schema = defineSchema({});
    let failRestart = true;
    const role = defineRole({
      name: "svc",
      schema,
      tasks: [{ name: "svc config", tags: ["svc"], action: (c) => copy({ dest: hostFile("svc")(c), content: "1\n" }), notify: ["restart svc"] }],
      handlers: [{ name: "restart svc", action: (c) => command({ cmd: failRestart ? "exit 4" : `echo restart >> ${hostFile("restarts")(c)}` }) }],
    });
    const other: Task = { name: "other", tags: ["other"], action: () => command({ cmd: "true", readOnly: true }) };
    const site: Playbook = { name: "site", plays: [{ name: "svc play", hosts: "h1", gatherFacts: false, roles: [role], tasks: [other] }] };
    const failed = await runCollecting(site, inventory);
    expect(statuses(failed.results, "restart svc")).toEqual(["h1:failed"]);
    expect(readdirSync(pendingDir)).toEqual(["h1.json"]);
    failRestart = false;
    // The role's tasks are not selected: its handler stays pending.
    const otherOnly = await runCollecting(site, inventory, { tags: { only: ["other"], skip: [] } });
    expect(statuses(otherOnly.results, "restart svc")).toEqual([]);
    // Another playbook with the same role (site.ts and etcd.ts share roles) runs it.
    const alone = await runCollecting({ name: "svc", plays: [{ name: "svc alone", hosts: "h1", gatherFacts: false, roles: [role] }] }, inventory);
    expect(statuses(alone.results, "restart svc")).toEqual(["h1:changed"]);
    expect(restarts("h1")).toBe(1);
    expect(readdirSync(pendingDir)).toEqual([]);
  });

  it("--force-handlers runs the notified handlers on the host that failed, as Ansible does", async () => {
    const run = await runCollecting(playbook("v4\n", "h2"), inventory, { forceHandlers: true });
    expect(run.exitCode).toBe(2);
    expect(statuses(run.results, "restart")).toEqual(["h1:changed", "h2:changed"]);
    expect(restarts("h2")).toBe(1);
    expect(existsSync(pendingDir) ? readdirSync(pendingDir) : []).toEqual([]);
    // Also when the failure stops the whole play.
    const fatal = await runCollecting(playbook("v5\n", "h2", { anyErrorsFatal: true }), inventory, { forceHandlers: true });
    expect(statuses(fatal.results, "restart")).toEqual(["h1:changed", "h2:changed"]);
  });
});
