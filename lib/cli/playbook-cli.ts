/**
 * `npx tsx playbooks/X.ts [flags]`: ansible-playbook's flags (-i, -l, -t, --skip-tags, -C, -D, -f,
 * -e, -u, -b, -K, -v, --list-hosts, --list-tasks, --list-tags) over runPlaybook. Input errors are
 * printed without a stack trace; exit codes follow ansible-playbook's.
 */
import { createWriteStream, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EasyKubeError } from "../errors.js";
import { checkCompiledIsCurrent } from "./compiled-freshness.js";
import { packageRoot } from "../util/package-root.js";
import { loadInventory } from "../inventory/load.js";
import { matchPattern } from "../inventory/patterns.js";
import { ConsoleReporter } from "../output/console-reporter.js";
import { fanOut, type Reporter } from "../output/events.js";
import { JsonLinesReporter } from "../output/json-lines-reporter.js";
import { SecretMasker } from "../output/masker.js";
import { DEFAULT_FORKS, runPlaybook } from "../runner/run-playbook.js";
import { shouldRunTask, type TagSelection } from "../runner/tags.js";
import type { Playbook } from "../runner/types.js";
import { parseExtraVars } from "./extra-vars.js";
import { readSecretFromTerminal } from "./prompt.js";

export const EXIT = { ok: 0, error: 1, hostFailed: 2, unreachable: 4, badOptions: 5, interrupted: 99, unexpected: 250 } as const;

const USAGE = `usage: npx tsx playbooks/<name>.ts -i INVENTORY [options]

  -i, --inventory PATH      inventory file, folder or host list (repeatable; default $ANSIBLE_INVENTORY)
  -l, --limit PATTERN       only hosts matching PATTERN (groups, globs, ~regex, a:b, a:&b, a:!b)
  -t, --tags TAGS           only tasks with these tags (comma-separated; role names are tags)
      --skip-tags TAGS      skip tasks with these tags
  -C, --check               change nothing; report what would change
  -D, --diff                show the differences in files
  -f, --forks N             hosts worked on at once (default ${DEFAULT_FORKS})
  -e, --extra-vars VARS     key=value pairs, JSON/YAML text, or @file (repeatable; highest precedence)
  -u, --user USER           connect as USER (overrides ansible_user)
      --private-key FILE    SSH private key (overrides ansible_ssh_private_key_file)
  -b, --become              run commands through sudo
      --become-user USER    user to become (default root)
  -K, --ask-become-pass     ask for the sudo password
  -T, --timeout SECONDS     SSH connect timeout (default 10)
      --accept-new-host-keys  trust and record unknown SSH host keys (changed keys are still refused)
      --force-handlers      run notified handlers even on hosts that failed
      --json-events FILE    also write every event as a JSON line to FILE ("-": stdout; the console then uses stderr)
      --list-hosts          print the hosts each play would run on, and exit
      --list-tasks          print the tasks each play would run, and exit
      --list-tags           print the tags of the tasks, and exit
  -v, --verbose             more output (-v changes, -vv commands and timing)
  -h, --help                this help`;

/** True when the calling module is the script node was started with (playbooks run themselves). */
export function isMainModule(meta: ImportMeta): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(fileURLToPath(meta.url)) === realpathSync(script);
  } catch {
    return false;
  }
}

export async function runPlaybookCli(playbook: Playbook, argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  let exitCode: number;
  try {
    const root = packageRoot(import.meta.dirname);
    if (root) checkCompiledIsCurrent(root); // no package folder: not this project's compiled form
    exitCode = await runFromArgs(playbook, argv);
  } catch (error) {
    if (error instanceof EasyKubeError) {
      process.stderr.write(`ERROR! ${error.message}\n`);
      exitCode = error instanceof BadOptions ? EXIT.badOptions : EXIT.error;
    } else {
      process.stderr.write(`ERROR! unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      exitCode = EXIT.unexpected;
    }
  }
  process.exit(exitCode);
}

class BadOptions extends EasyKubeError {}

async function runFromArgs(playbook: Playbook, argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        inventory: { type: "string", short: "i", multiple: true },
        limit: { type: "string", short: "l" },
        tags: { type: "string", short: "t", multiple: true },
        "skip-tags": { type: "string", multiple: true },
        check: { type: "boolean", short: "C" },
        diff: { type: "boolean", short: "D" },
        forks: { type: "string", short: "f" },
        "extra-vars": { type: "string", short: "e", multiple: true },
        user: { type: "string", short: "u" },
        "private-key": { type: "string" },
        become: { type: "boolean", short: "b" },
        "become-user": { type: "string" },
        "ask-become-pass": { type: "boolean", short: "K" },
        timeout: { type: "string", short: "T" },
        "accept-new-host-keys": { type: "boolean" },
        "force-handlers": { type: "boolean" },
        "json-events": { type: "string" },
        "list-hosts": { type: "boolean" },
        "list-tasks": { type: "boolean" },
        "list-tags": { type: "boolean" },
        verbose: { type: "boolean", short: "v", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new BadOptions(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return EXIT.ok;
  }
  const sources = values.inventory ?? process.env["ANSIBLE_INVENTORY"]?.split(",").filter(Boolean) ?? [];
  if (sources.length === 0) throw new BadOptions(`no inventory given: use -i PATH (or set ANSIBLE_INVENTORY)\n\n${USAGE}`);
  const forks = values.forks === undefined ? DEFAULT_FORKS : Number(values.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new BadOptions(`--forks must be a whole number of at least 1, got '${values.forks}'`);
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new BadOptions(`--timeout must be a number of seconds, got '${values.timeout}'`);
  const splitTags = (list: string[] | undefined) => (list ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
  const tags: TagSelection = { only: splitTags(values.tags).length > 0 ? splitTags(values.tags) : ["all"], skip: splitTags(values["skip-tags"]) };

  const inventory = loadInventory(sources);
  const extraVars = parseExtraVars(values["extra-vars"] ?? []);

  if (values["list-hosts"] || values["list-tasks"] || values["list-tags"]) {
    process.stdout.write(describePlaybook(playbook, inventory, values.limit, tags, { hosts: !!values["list-hosts"], tasks: !!values["list-tasks"], tags: !!values["list-tags"] }));
    return EXIT.ok;
  }

  const becomePassword = values["ask-become-pass"] ? await readSecretFromTerminal("BECOME password: ") : undefined;
  const masker = new SecretMasker();
  masker.add(becomePassword);
  const eventsFile = values["json-events"];
  // With events on stdout, the console output moves to stderr so stdout stays pure JSON lines.
  const consoleOut = eventsFile === "-" ? process.stderr : process.stdout;
  const reporters: Reporter[] = [new ConsoleReporter({ out: consoleOut, verbosity: values.verbose?.length ?? 0, masker })];
  if (eventsFile) reporters.push(new JsonLinesReporter(eventsFile === "-" ? process.stdout : createWriteStream(eventsFile, { mode: 0o600 }), masker));
  const reporter = fanOut(...reporters);
  const interrupt = () => {
    process.stderr.write("\nERROR! interrupted by the user\n");
    process.exit(EXIT.interrupted);
  };
  process.once("SIGINT", interrupt);
  try {
    const summary = await runPlaybook(playbook, {
      inventory,
      limit: values.limit,
      tags,
      check: !!values.check,
      diff: !!values.diff,
      forks,
      extraVars,
      forceHandlers: !!values["force-handlers"],
      reporter,
      masker,
      connection: {
        user: values.user,
        privateKeyFile: values["private-key"],
        become: values.become ? true : undefined,
        becomeUser: values["become-user"],
        becomePassword,
        hostKeyPolicy: values["accept-new-host-keys"] ? "accept-new" : undefined,
        connectTimeoutSeconds: timeout,
      },
    });
    return summary.exitCode;
  } finally {
    process.off("SIGINT", interrupt);
    await reporter.close?.();
  }
}

function describePlaybook(
  playbook: Playbook,
  inventory: ReturnType<typeof loadInventory>,
  limit: string | undefined,
  selection: TagSelection,
  show: { hosts: boolean; tasks: boolean; tags: boolean },
): string {
  const limited = limit === undefined ? undefined : new Set(matchPattern(inventory, limit).hosts);
  const lines = [`playbook: ${playbook.name}`];
  for (const play of playbook.plays) {
    const hosts = matchPattern(inventory, play.hosts).hosts.filter((h) => !limited || limited.has(h));
    lines.push("", `  play: ${play.name} (${play.hosts})`);
    if (show.hosts) lines.push(`    hosts (${hosts.length}):`, ...hosts.map((h) => `      ${h}`));
    const tasks = [
      ...(play.roles ?? []).flatMap((role) => role.tasks.map((task) => ({ name: `${role.name} : ${task.name}`, tags: [...(task.tags ?? []), role.name, ...(play.tags ?? [])] }))),
      ...(play.tasks ?? []).map((task) => ({ name: task.name, tags: [...(task.tags ?? []), ...(play.tags ?? [])] })),
    ].filter((t) => shouldRunTask(t.tags, selection));
    if (show.tasks) lines.push("    tasks:", ...tasks.map((t) => `      ${t.name}\tTAGS: [${t.tags.join(", ")}]`));
    if (show.tags) lines.push(`    TASK TAGS: [${[...new Set(tasks.flatMap((t) => t.tags))].sort().join(", ")}]`);
  }
  return lines.join("\n") + "\n";
}
