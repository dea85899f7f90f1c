/** The role check every group-bound role has: it runs only on the hosts of its group. */
import type { RoleCheck } from "./types.js";

export function onlyOnGroup(group: string): RoleCheck {
  return ({ hosts, inventory }) => {
    const members = new Set(inventory.groupHosts(group));
    const outside = hosts.filter((h) => !members.has(h));
    return outside.length > 0 ? [`runs only on hosts of the ${group} group; ${outside.join(", ")} are not in it`] : [];
  };
}
