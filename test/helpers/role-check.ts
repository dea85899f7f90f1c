/** What a role check is given besides its own hosts' vars: any host's vars through a schema, as prepare-run builds them. */
import type { InventoryView } from "../../lib/runner/types.js";
import type { Schema, VarsOf } from "../../lib/vars/schema.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";

export function varsOfInventory(inventory: InventoryView): <S extends Schema>(host: string, schema: S) => VarsOf<S> {
  return <S extends Schema>(host: string, schema: S) => {
    const raw = inventory.hostVars(host);
    return { ...raw, ...resolveRoleVars(schema, raw, new Map(), host).values } as VarsOf<S>;
  };
}
