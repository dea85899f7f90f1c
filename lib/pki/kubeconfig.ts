/** kubeconfig files with the CA and the credentials embedded, so each file works on its own. */
import { yaml } from "../util/lazy-yaml.js";

export interface KubeconfigInput {
  readonly server: string;
  readonly caPem: string;
  readonly user: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly token?: string;
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const credentials: Record<string, string> = {};
  if (input.clientCertPem) credentials["client-certificate-data"] = b64(input.clientCertPem);
  if (input.clientKeyPem) credentials["client-key-data"] = b64(input.clientKeyPem);
  if (input.token) credentials["token"] = input.token;
  return yaml.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "kubernetes", cluster: { "certificate-authority-data": b64(input.caPem), server: input.server } }],
    contexts: [{ name: "default", context: { cluster: "kubernetes", user: input.user } }],
    "current-context": "default",
    users: [{ name: input.user, user: credentials }],
    preferences: {},
  });
}

/** token.csv for kube-apiserver --token-auth-file: the kubelet bootstrap token. */
export function tokenCsvLine(token: string): string {
  return `${token},kubelet-bootstrap,10001,"system:kubelet-bootstrap"\n`;
}

export function parseTokenCsv(text: string): string | undefined {
  const token = /^([0-9a-f]{32}),kubelet-bootstrap,/m.exec(text)?.[1];
  return token;
}
