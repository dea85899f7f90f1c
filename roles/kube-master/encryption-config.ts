/**
 * The apiserver's encryption configuration for Secrets: aescbc with the PKI folder's key first
 * (what is written is encrypted), identity after it (Secrets written before encryption was on stay
 * readable until they are next written). Its format follows the version (see version-facts.ts).
 * Rendered on the control machine, copied as a secret: the key is never printed.
 */
import { kubeHas, OperationFailed, copy, type Operation } from "easy-kube";
import { pkiDirOf, readPkiFile, SECRETS_ENCRYPTION_KEY } from "easy-kube/pki";
import { stringify } from "yaml";
import { masterFiles } from "./files.ts";
import type { KubeMasterVars } from "./flag-context.ts";

export function encryptionConfiguration(kubeVersion: string, key: string): string {
  const header = kubeHas("encryptionConfigurationV1", kubeVersion) ? { apiVersion: "apiserver.config.k8s.io/v1", kind: "EncryptionConfiguration" } : { apiVersion: "v1", kind: "EncryptionConfig" };
  const providers = [{ aescbc: { keys: [{ name: "easy-kube-1", secret: key }] } }, { identity: {} }];
  return "# Managed by easy-kube (role kube-master): the key is the PKI folder's secrets-encryption.key.\n" + stringify({ ...header, resources: [{ resources: ["secrets"], providers }] });
}

export function encryptionConfigFile(vars: KubeMasterVars & { inventory_dir?: unknown }): Operation {
  const dest = masterFiles(vars).encryptionConfig;
  const key = readPkiFile(pkiDirOf(vars), SECRETS_ENCRYPTION_KEY)?.trim();
  if (key) return copy({ dest, content: encryptionConfiguration(vars.kube_version, key), mode: "0600", secret: true });
  return {
    title: `encryption configuration ${dest}`,
    async plan(target) {
      // A dry run before the PKI stage made the key: the real run writes the file.
      if (target.check) return { changes: [`write ${dest} once the PKI stage made ${SECRETS_ENCRYPTION_KEY}`] };
      throw new OperationFailed(`the PKI folder has no ${SECRETS_ENCRYPTION_KEY}: run playbooks/pki.ts (site.ts runs it before kube-master)`);
    },
  };
}
