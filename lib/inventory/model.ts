/**
 * The inventory graph as Ansible builds it: groups with ordered hosts and child groups, the implicit
 * `all` and `ungrouped`, group depth (for variable precedence) and cycle detection. Parsers fill it;
 * nothing here knows about file formats.
 */
import { EasyKubeError } from "../errors.js";

export type VarValue = unknown;
export type Vars = Record<string, VarValue>;

/** Where a variable was set, e.g. `inventory/prod/hosts:12`, for error messages. */
export type VarOrigins = Map<string, string>;

export class InventoryGroup {
  readonly hosts: InventoryHost[] = [];
  readonly children: InventoryGroup[] = [];
  readonly parents: InventoryGroup[] = [];
  readonly vars: Vars = {};
  readonly origins: VarOrigins = new Map();
  depth = 0;
  /** `ansible_group_priority`: orders groups of equal depth when merging their vars. */
  priority = 1;

  constructor(readonly name: string) {}

  /** Every group above this one, nearest first. */
  ancestors(): InventoryGroup[] {
    return walk(this, (g) => g.parents);
  }

  /** This group and every group below it, breadth first. */
  selfAndDescendants(): InventoryGroup[] {
    return [this, ...walk(this, (g) => g.children)];
  }

  /** All hosts of this group and its descendants, in inventory order, each once. */
  allHosts(): InventoryHost[] {
    const seen = new Set<InventoryHost>();
    for (const group of this.selfAndDescendants()) for (const host of group.hosts) seen.add(host);
    return [...seen];
  }

  raiseDepth(depth: number): void {
    if (depth <= this.depth) return;
    this.depth = depth;
    for (const child of this.children) child.raiseDepth(depth + 1);
  }
}

export class InventoryHost {
  /** The groups the host is directly in; see `groups()` for ancestors too. */
  readonly directGroups: InventoryGroup[] = [];
  readonly vars: Vars = {};
  readonly origins: VarOrigins = new Map();

  constructor(readonly name: string) {}

  /** Every group the host belongs to, directly or through a parent group (includes `all`). */
  groups(): InventoryGroup[] {
    const result = new Set<InventoryGroup>();
    for (const group of this.directGroups) {
      result.add(group);
      for (const ancestor of group.ancestors()) result.add(ancestor);
    }
    return [...result];
  }
}

function walk(start: InventoryGroup, next: (g: InventoryGroup) => InventoryGroup[]): InventoryGroup[] {
  const ordered: InventoryGroup[] = [];
  const seen = new Set<InventoryGroup>([start]);
  let frontier = next(start);
  while (frontier.length > 0) {
    const following: InventoryGroup[] = [];
    for (const group of frontier) {
      if (seen.has(group)) continue;
      seen.add(group);
      ordered.push(group);
      following.push(...next(group));
    }
    frontier = following;
  }
  return ordered;
}

export class InventoryData {
  readonly groups = new Map<string, InventoryGroup>();
  readonly hosts = new Map<string, InventoryHost>();

  constructor() {
    this.addGroup("all");
    this.addGroup("ungrouped");
    this.addChild("all", "ungrouped");
  }

  group(name: string): InventoryGroup {
    const group = this.groups.get(name);
    if (!group) throw new EasyKubeError(`'${name}' is not a known group`);
    return group;
  }

  addGroup(name: string): InventoryGroup {
    if (!name) throw new EasyKubeError("a group name must not be empty");
    let group = this.groups.get(name);
    if (!group) {
      group = new InventoryGroup(name);
      this.groups.set(name, group);
    }
    return group;
  }

  addHost(name: string, groupName?: string, port?: number): InventoryHost {
    if (!name) throw new EasyKubeError("a host name must not be empty");
    let host = this.hosts.get(name);
    if (!host) {
      host = new InventoryHost(name);
      this.hosts.set(name, host);
    }
    // Ansible sets the port from `host:port` every time the host is listed with one.
    if (port !== undefined) host.vars["ansible_port"] = port;
    if (groupName !== undefined) {
      const group = this.group(groupName);
      if (!group.hosts.includes(host)) {
        group.hosts.push(host);
        host.directGroups.push(group);
      }
    }
    return host;
  }

  addChild(parentName: string, childName: string): void {
    const parent = this.group(parentName);
    const child = this.groups.get(childName);
    if (!child) {
      const host = this.hosts.get(childName);
      if (!host) throw new EasyKubeError(`'${childName}' is not a known host nor group`);
      this.addHost(host.name, parentName);
      return;
    }
    if (parent === child) throw new EasyKubeError(`group '${parent.name}' cannot be a child of itself`);
    if (parent.children.includes(child)) return;
    if (parent.ancestors().includes(child)) {
      throw new EasyKubeError(`adding group '${child.name}' as child to '${parent.name}' creates a recursive dependency loop`);
    }
    parent.children.push(child);
    if (!child.parents.includes(parent)) child.parents.push(parent);
    child.raiseDepth(parent.depth + 1);
  }

  setVariable(entity: InventoryGroup | InventoryHost, name: string, value: VarValue, origin: string): void {
    // Like Ansible, the group priority is an attribute of the group, not a variable of its hosts.
    if (entity instanceof InventoryGroup && name === "ansible_group_priority") {
      const priority = Number(value);
      if (!Number.isInteger(priority)) throw new EasyKubeError(`${origin}: ansible_group_priority must be an integer, got '${String(value)}'`);
      entity.priority = priority;
      return;
    }
    entity.vars[name] = value;
    entity.origins.set(name, origin);
  }

  /** Ansible's reconcile_inventory: top-level groups under `all`, loose hosts in `ungrouped`. */
  reconcile(): void {
    const all = this.group("all");
    const ungrouped = this.group("ungrouped");
    for (const group of this.groups.values()) {
      if (group !== all && group.parents.length === 0) this.addChild("all", group.name);
    }
    for (const host of this.hosts.values()) {
      const groups = host.groups().filter((g) => g !== all);
      if (groups.includes(ungrouped) && groups.length > 1) {
        ungrouped.hosts.splice(ungrouped.hosts.indexOf(host), 1);
        host.directGroups.splice(host.directGroups.indexOf(ungrouped), 1);
      } else if (groups.length === 0) {
        this.addHost(host.name, "ungrouped");
      }
    }
  }
}
