/**
 * The benchmark's play, written once as data and rendered both as an easy-kube playbook and as an
 * Ansible playbook, so the two tools always do the same 40 tasks: folders, files, templates, line
 * and block edits, kernel parameters, systemd units, guarded commands, accounts, links and a probe.
 */
import { join } from "node:path";
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import { block, command, copy, definePlaybook, file, group, line, sysctl, systemd, template, user, type Playbook, type Task } from "easy-kube";

const ROOT = "/opt/easy-kube-bench";
const SYSCTL_FILE = "/etc/sysctl.d/90-easy-kube-bench.conf";
const templates = join(import.meta.dirname, "templates");

type Spec =
  | { kind: "dir"; path: string }
  | { kind: "copy"; dest: string; content: string }
  | { kind: "template"; name: string; dest: string }
  | { kind: "line"; path: string; regexp: string; line: string }
  | { kind: "block"; path: string; block: string }
  | { kind: "sysctl"; name: string; value: string }
  | { kind: "unit"; name: string }
  | { kind: "command"; cmd: string; creates: string }
  | { kind: "group"; name: string }
  | { kind: "user"; name: string; group: string }
  | { kind: "link"; path: string; src: string }
  | { kind: "probe"; cmd: string };

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export const TASKS: readonly Spec[] = [
  ...range(5).map((i): Spec => ({ kind: "dir", path: `${ROOT}/d${i}` })),
  ...range(5).map((i): Spec => ({ kind: "copy", dest: `${ROOT}/d${i}/static.txt`, content: `static file ${i}\n` })),
  ...range(5).map((i): Spec => ({ kind: "template", name: `config${i}.conf`, dest: `${ROOT}/d${i}/config.conf` })),
  ...range(5).map((i): Spec => ({ kind: "line", path: `${ROOT}/d${i}/options.conf`, regexp: "^option =", line: `option = ${i}` })),
  ...range(2).map((i): Spec => ({ kind: "block", path: `${ROOT}/d${i}/hosts`, block: `10.0.0.${i} peer${i}\n10.0.1.${i} other${i}` })),
  ...["net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.ipv4.tcp_keepalive_time", "net.core.somaxconn"].map(
    (name, i): Spec => ({ kind: "sysctl", name, value: ["1", "0", "600", "4096"][i]! }),
  ),
  ...range(2).map((i): Spec => ({ kind: "unit", name: `easy-kube-bench${i}` })),
  ...range(5).map((i): Spec => ({ kind: "command", cmd: `date +%s > ${ROOT}/d${i}/initialized`, creates: `${ROOT}/d${i}/initialized` })),
  { kind: "group", name: "ekbench" },
  { kind: "user", name: "ekbench", group: "ekbench" },
  ...range(2).map((i): Spec => ({ kind: "link", path: `${ROOT}/current${i}`, src: `${ROOT}/d${i}` })),
  { kind: "probe", cmd: "uname -r" },
];

/** A unit is two tasks (its file, then the service), as both tools write it. */
export const TASK_COUNT = TASKS.reduce((n, t) => n + (t.kind === "unit" ? 2 : 1), 0);

export const BENCH_VARS = { bench_greeting: "hello from the benchmark", bench_port: 8080 };

function easyKubeTasks(spec: Spec, index: number): Task[] {
  const name = `${index + 1} ${spec.kind}`;
  switch (spec.kind) {
    case "dir":
      return [{ name, action: () => file({ path: spec.path, state: "directory", mode: "0755" }) }];
    case "copy":
      return [{ name, action: () => copy({ dest: spec.dest, content: spec.content, mode: "0644" }) }];
    case "template":
      return [{ name, action: ({ vars }) => template({ src: join(templates, `${spec.name}.hbs`), dest: spec.dest, vars: { ...vars, ...BENCH_VARS }, mode: "0644" }) }];
    case "line":
      return [{ name, action: () => line({ path: spec.path, regexp: spec.regexp, line: spec.line, create: true }) }];
    case "block":
      return [{ name, action: () => block({ path: spec.path, block: spec.block, create: true }) }];
    case "sysctl":
      return [{ name, action: () => sysctl({ values: { [spec.name]: spec.value }, file: SYSCTL_FILE }) }];
    case "unit":
      return [
        { name: `${name} file`, action: ({ vars }) => template({ src: join(templates, `${spec.name.replace("easy-kube-", "")}.service.hbs`), dest: `/etc/systemd/system/${spec.name}.service`, vars }) },
        { name: `${name} service`, action: () => systemd({ name: spec.name, state: "started", enabled: true }) },
      ];
    case "command":
      return [{ name, action: () => command({ cmd: spec.cmd, creates: spec.creates }) }];
    case "group":
      return [{ name, action: () => group({ name: spec.name, system: true }) }];
    case "user":
      return [{ name, action: () => user({ name: spec.name, group: spec.group, system: true, shell: "/usr/sbin/nologin", createHome: false }) }];
    case "link":
      return [{ name, action: () => file({ path: spec.path, state: "link", src: spec.src }) }];
    case "probe":
      return [{ name, action: () => command({ cmd: spec.cmd, readOnly: true }), register: "probe" }];
  }
}

export function easyKubePlaybook(hosts: string): Playbook {
  return definePlaybook({
    name: "bench",
    plays: [{ name: "bench", hosts, become: true, gatherFacts: false, tasks: TASKS.flatMap(easyKubeTasks) }],
  });
}

function ansibleTasks(spec: Spec, index: number): Record<string, unknown>[] {
  const name = `${index + 1} ${spec.kind}`;
  switch (spec.kind) {
    case "dir":
      return [{ name, "ansible.builtin.file": { path: spec.path, state: "directory", mode: "0755" } }];
    case "copy":
      return [{ name, "ansible.builtin.copy": { dest: spec.dest, content: spec.content, mode: "0644" } }];
    case "template":
      return [{ name, "ansible.builtin.template": { src: join(templates, `${spec.name}.j2`), dest: spec.dest, mode: "0644" } }];
    case "line":
      return [{ name, "ansible.builtin.lineinfile": { path: spec.path, regexp: spec.regexp, line: spec.line, create: true } }];
    case "block":
      return [{ name, "ansible.builtin.blockinfile": { path: spec.path, block: spec.block, create: true, marker: "# {mark} EASY-KUBE MANAGED BLOCK" } }];
    case "sysctl":
      return [{ name, "ansible.posix.sysctl": { name: spec.name, value: spec.value, sysctl_file: SYSCTL_FILE, reload: true } }];
    case "unit":
      return [
        { name: `${name} file`, "ansible.builtin.template": { src: join(templates, `${spec.name.replace("easy-kube-", "")}.service.j2`), dest: `/etc/systemd/system/${spec.name}.service` } },
        { name: `${name} service`, "ansible.builtin.systemd": { name: spec.name, state: "started", enabled: true, daemon_reload: true } },
      ];
    case "command":
      return [{ name, "ansible.builtin.shell": { cmd: spec.cmd, creates: spec.creates } }];
    case "group":
      return [{ name, "ansible.builtin.group": { name: spec.name, system: true } }];
    case "user":
      return [{ name, "ansible.builtin.user": { name: spec.name, group: spec.group, system: true, shell: "/usr/sbin/nologin", create_home: false } }];
    case "link":
      return [{ name, "ansible.builtin.file": { path: spec.path, state: "link", src: spec.src } }];
    case "probe":
      return [{ name, "ansible.builtin.command": spec.cmd, register: "probe", changed_when: false }];
  }
}

export function ansiblePlaybookYaml(hosts: string): string {
  // Loaded here only: the easy-kube side of the benchmark must not pay for a YAML writer at start-up.
  return (createRequire(import.meta.url)("yaml") as typeof Yaml).stringify([{ name: "bench", hosts, become: true, gather_facts: false, vars: BENCH_VARS, tasks: TASKS.flatMap(ansibleTasks) }]);
}
