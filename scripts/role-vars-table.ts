/**
 * Prints a role's variables as the Markdown table its README carries (test/unit/role-docs.test.ts
 * checks every README against its schema): `npx tsx scripts/role-vars-table.ts ROLE`.
 */
import { join } from "node:path";
import type { Schema } from "../lib/vars/schema.ts";

const role = process.argv[2];
if (!role) throw new Error("usage: scripts/role-vars-table.ts ROLE");
const module = (await import(join(import.meta.dirname, "../roles", role, "defaults.ts"))) as Record<string, unknown>;
const schema = Object.entries(module).find(([name]) => name.endsWith("Defaults"))?.[1] as Schema | undefined;
if (!schema) throw new Error(`roles/${role}/defaults.ts exports no ...Defaults schema`);
const shown = (value: unknown) => (typeof value === "string" ? `\`${value === "" ? '""' : value}\`` : `\`${JSON.stringify(value)}\``);
console.log("| variable | default | meaning |\n| --- | --- | --- |");
for (const [name, spec] of Object.entries(schema)) console.log(`| \`${name}\` | ${shown(spec.default)} | ${spec.doc.replace(/\|/g, "\\|")} |`);
