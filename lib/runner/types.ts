/**
 * What playbooks and roles are made of. A role is data: typed defaults, tasks and handlers. A task
 * builds operations from its context (host, typed vars, facts, loop item, earlier results); the
 * runner decides when, where and how often it runs.
 */
import type { HostFacts } from "../facts/host-facts.js";
import type { Vars } from "../inventory/model.js";
import type { Operation } from "../ops/operation.js";
import type { Schema, VarsOf } from "../vars/schema.js";

/** What a task registered: Ansible's `register`. */
export interface TaskOutcome {
  readonly changed: boolean;
  readonly failed: boolean;
  readonly skipped: boolean;
  /** Data from the operations (a command's rc/stdout/stderr, ...), merged. */
  readonly data: Readonly<Record<string, unknown>>;
  /** One outcome per loop item, for looped tasks. */
  readonly results?: readonly TaskOutcome[];
}

/** Other hosts, as a task may need them (peer lists, the first master's address). */
export interface InventoryView {
  /** Hosts of a group in this run (after --limit is NOT applied: peers outside the limit still count). */
  groupHosts(group: string): string[];
  /** Another host's merged variables. */
  hostVars(host: string): Vars;
  /** Groups the host is in. */
  groupNames(host: string): string[];
}

export interface TaskContext<V = Vars> {
  readonly host: string;
  readonly vars: V & Vars;
  /** System facts; reading them in a play with gatherFacts: false is an error. */
  readonly facts: HostFacts;
  /** The current loop item (undefined outside loops). */
  readonly item: any;
  readonly results: Readonly<Record<string, TaskOutcome>>;
  readonly inventory: InventoryView;
  readonly check: boolean;
}

export interface Task<V = Vars> {
  readonly name: string;
  /** The operation(s) to run; none means the task has nothing to do on this host (ok). */
  readonly action?: (ctx: TaskContext<V>) => Operation | readonly Operation[] | undefined;
  readonly when?: (ctx: TaskContext<V>) => boolean;
  readonly loop?: (ctx: TaskContext<V>) => readonly unknown[];
  /** How a loop item is shown in output. */
  readonly loopLabel?: (item: any) => string;
  readonly register?: string;
  /** Handler names to notify when this task changed something. */
  readonly notify?: readonly string[];
  readonly tags?: readonly string[];
  /** Run on the first host of the batch only; its outcome is given to every host. */
  readonly runOnce?: boolean;
  /** Run on the control machine instead of the host (vars and facts stay the host's). */
  readonly delegateTo?: "localhost";
  /** Try again until `until` holds (or the task succeeds), up to `retries` more times. */
  readonly retries?: number;
  readonly delaySeconds?: number;
  readonly until?: (outcome: TaskOutcome) => boolean;
  readonly ignoreErrors?: boolean;
  /** Overrides the play's become for this task. */
  readonly become?: boolean;
  /**
   * At most this many hosts run the task at once (Ansible's `throttle`): 1 gives a rolling change.
   * A function reads it from the hosts' variables (the smallest value of the hosts wins).
   */
  readonly throttle?: number | ((ctx: { readonly vars: V & Vars }) => number);
  /** Marks the special task that runs notified handlers now (see `flushHandlers`). */
  readonly flushHandlers?: boolean;
}

/** Runs the handlers notified so far, at this point of the play, as Ansible's `meta: flush_handlers`. */
export const flushHandlers: Task<any> = { name: "flush handlers", flushHandlers: true, tags: ["always"] };

/** A check across hosts that needs the whole inventory (e.g. an odd number of etcd members). */
export type RoleCheck = (view: {
  hosts: readonly string[];
  inventory: InventoryView;
  /** A host's variables as the role sees them (typed, defaults applied). */
  vars: (host: string) => Vars;
  /** Any inventory host's variables as another schema sees them (typed, that schema's defaults applied). */
  varsOf: <S extends Schema>(host: string, schema: S) => VarsOf<S>;
}) => string[];

export interface Role<S extends Schema = Schema> {
  readonly name: string;
  readonly schema: S;
  readonly tasks: readonly Task<VarsOf<S>>[];
  readonly handlers?: readonly Task<VarsOf<S>>[];
  /** The role's folder: its templates/*.hbs are checked for syntax before any host is touched. */
  readonly dir?: string;
  readonly checks?: readonly RoleCheck[];
}

export function defineRole<const S extends Schema>(role: Role<S>): Role<S> {
  return role;
}

export interface Play {
  readonly name: string;
  /** A host pattern, as `ansible-playbook`'s `hosts:`. */
  readonly hosts: string;
  readonly roles?: readonly Role<any>[];
  readonly tasks?: readonly Task[];
  readonly handlers?: readonly Task[];
  readonly vars?: Vars;
  /** @default true */
  readonly gatherFacts?: boolean;
  /** Batch sizes: a number, a percentage ("30%"), or a list of them for successive batches. */
  readonly serial?: number | string | readonly (number | string)[];
  /** One failed host stops the play for every host. */
  readonly anyErrorsFatal?: boolean;
  /** Stop the play when more than this percentage of a batch failed. */
  readonly maxFailPercentage?: number;
  readonly become?: boolean;
  readonly tags?: readonly string[];
}

export interface Playbook {
  readonly name: string;
  readonly plays: readonly Play[];
}

export function definePlaybook(playbook: Playbook): Playbook {
  return playbook;
}
