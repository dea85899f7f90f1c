/**
 * The per-cluster PKI folder on the control machine: 0700, private keys and kubeconfigs 0600, a
 * .gitignore that keeps the whole folder out of git, and files replaced atomically (temp + rename).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The PKI folder of an inventory: pki_dir, or .pki/ beside the inventory (hidden, because Ansible
 * and easy-kube both read every other folder of an inventory folder).
 */
export function pkiDirOf(vars: { pki_dir?: unknown; inventory_dir?: unknown }): string {
  return typeof vars.pki_dir === "string" && vars.pki_dir ? vars.pki_dir : join(String(vars.inventory_dir), ".pki");
}

export const PKI_GITIGNORE = "# Private keys and tokens of this cluster: never commit them.\n*\n";

export function readPkiFile(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

export function writePkiFile(dir: string, name: string, content: string, secret: boolean): void {
  const path = join(dir, name);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: secret ? 0o600 : 0o644 });
  chmodSync(temporary, secret ? 0o600 : 0o644);
  renameSync(temporary, path);
}

/** What is wrong with the folder itself (missing, too open, no .gitignore). */
export function folderProblems(dir: string): string[] {
  if (!existsSync(dir)) return [`create ${dir} (0700)`];
  const problems: string[] = [];
  const mode = statSync(dir).mode & 0o777;
  if (mode !== 0o700) problems.push(`mode of ${dir} 0${mode.toString(8)} -> 0700`);
  if (readPkiFile(dir, ".gitignore") !== PKI_GITIGNORE) problems.push(`write ${join(dir, ".gitignore")}`);
  return problems;
}

export function fixFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writePkiFile(dir, ".gitignore", PKI_GITIGNORE, false);
}
