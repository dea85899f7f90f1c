/** Every role's README lists each of its variables with the default the code really has (every role folder with a defaults.ts). */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Schema } from "../../lib/vars/schema.js";

const rolesDir = join(import.meta.dirname, "../../roles");
const roles = readdirSync(rolesDir).filter((name) => existsSync(join(rolesDir, name, "defaults.ts")));

describe("role READMEs document every variable and its default", () => {
  it("finds the roles", () => expect(roles).toEqual(expect.arrayContaining(["etcd", "kube-master", "kube-node", "coredns"])));
  for (const role of roles) {
    it(role, async () => {
      const module = (await import(join(rolesDir, role, "defaults.ts"))) as Record<string, unknown>;
      const schema = Object.entries(module).find(([name]) => name.endsWith("Defaults"))?.[1] as Schema | undefined;
      expect(schema, `roles/${role}/defaults.ts exports a ...Defaults schema`).toBeDefined();
      const readme = readFileSync(join(rolesDir, role, "README.md"), "utf8");
      for (const [name, spec] of Object.entries(schema!)) {
        const shown = typeof spec.default === "string" ? `\`${spec.default === "" ? '""' : spec.default}\`` : `\`${JSON.stringify(spec.default)}\``;
        expect(readme, `${name} in roles/${role}/README.md`).toContain(`| \`${name}\` | ${shown} |`);
      }
    });
  }
});
