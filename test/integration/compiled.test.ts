/**
 * The compiled form (npm run build; the engine one bundle): the sample playbook run by plain node
 * from the build against the real sshd converges, re-runs with changed=0, and a build older than
 * its sources refuses to run, naming the changed file.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BUILD_INFO_FILE, type BuildInfo } from "../../lib/cli/compiled-freshness.js";
import { sshdInventory } from "../helpers/inventory.js";

const sshd = inject("sshd");
const run = promisify(execFile);
const repo = join(import.meta.dirname, "../..");
// Inside the repository (its node_modules must resolve), in the ignored cache folder.
const out = join(repo, ".cache", `compiled-test-${process.pid}`);

beforeAll(async () => {
  await run(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), join(repo, "scripts/build-compiled.ts"), "--out", out], { cwd: repo });
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function compiled(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(out, "playbooks/sample.js"), ...args], { cwd: repo, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it("runs the sample playbook with plain node, then re-runs with changed=0", async () => {
  expect(existsSync(join(out, "playbooks/sample.ts"))).toBe(false);
  // The engine is one bundle: no compiled lib module is left to load as a second copy.
  expect(existsSync(join(out, "engine/index.js"))).toBe(true);
  expect(existsSync(join(out, "lib/index.js"))).toBe(false);
  const root = mkdtempSync(join(tmpdir(), "ek-compiled-"));
  const { file } = sshdInventory(sshd, { web: ["target"] });
  const vars = ["-e", `sample_root=${root}/app sample_user=ekcomp${process.pid % 1000}`];
  const first = await compiled(["-i", file, ...vars]);
  expect(first.code, first.stdout + first.stderr).toBe(0);
  // The role's template was found beside the compiled role and rendered.
  expect(readFileSync(`${root}/app/etc/app.conf`, "utf8")).toContain('greeting = "hello from easy-kube"');
  const second = await compiled(["-i", file, ...vars]);
  expect(second.code, second.stdout + second.stderr).toBe(0);
  expect(second.stdout).toMatch(/target\s+: ok=\d+\s+changed=0 /);
});

it("loads every role of site.ts, through all three entries of the bundled engine", async () => {
  const { file } = sshdInventory(sshd, { etcd: ["m1"], kube_master: ["m1"], kube_node: ["m1", "n1"] });
  const listed = await run(process.execPath, [join(out, "playbooks/site.js"), "-i", file, "--list-tasks"], { cwd: repo });
  for (const role of ["prepare", "pki", "etcd", "kube-master", "docker-ce", "kube-node"]) expect(listed.stdout).toContain(`${role} : `);
  // One copy of the engine's classes whichever entry a module imports: an error from the bundle
  // entry is an EasyKubeError of the main entry.
  const probe = [
    `const { EasyKubeError } = await import(${JSON.stringify(join(out, "engine/index.js"))});`,
    `const { bundledFiles } = await import(${JSON.stringify(join(out, "engine/bundle/index.js"))});`,
    `try { bundledFiles("/nonexistent-bundle", "etcd", "3.4.23", "amd64"); console.log("no error"); } catch (error) { console.log(error instanceof EasyKubeError); }`,
  ].join("\n");
  const same = await run(process.execPath, ["--input-type=module", "-e", probe], { cwd: repo });
  expect(same.stdout.trim()).toBe("true");
});

it("refuses to run when a source changed after the build, naming it", async () => {
  const infoFile = join(out, BUILD_INFO_FILE);
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as BuildInfo;
  // As if a file of the sample role had been edited since the build: its recorded stamp no longer matches.
  const edited = info.sources.find((s) => s.path.startsWith("roles/sample/"))!;
  writeFileSync(infoFile, JSON.stringify({ ...info, sources: info.sources.map((s) => (s === edited ? { ...s, stamp: `${s.stamp}0` } : s)) }));
  const { file } = sshdInventory(sshd, { web: ["target"] });
  const result = await compiled(["-i", file]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`was compiled before ${edited.path} changed: run \`npm run build\` again`);
});

it("builds only into a folder of its own: never over the sources", async () => {
  const refused = await run(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), join(repo, "scripts/build-compiled.ts"), "--out", "lib"], { cwd: repo }).then(
    () => "built",
    (error: { stderr: string }) => error.stderr,
  );
  expect(refused).toContain("the build replaces its folder whole");
  expect(existsSync(join(repo, "lib/index.ts"))).toBe(true);
});
