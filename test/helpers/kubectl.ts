/**
 * Debian's kubectl (kubernetes-client), extracted by scripts/install-deps.sh into .cache/: the
 * tests use a known offline build, whatever `kubectl` on PATH happens to be.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export function kubectl(): string {
  const path = join(import.meta.dirname, "../../.cache/kubectl");
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/install-deps.sh (it extracts Debian's kubernetes-client)`);
  return path;
}
