/**
 * Kubernetes manifests as the objects operation takes them: YAML text (one or several documents,
 * e.g. a rendered template) or objects, checked for what every object needs (apiVersion, kind,
 * metadata.name) with errors that name the source and the document's line. Fields only the server
 * writes (status, uid, resourceVersion, ...) are dropped, so a manifest exported from a live
 * cluster compares cleanly; a Secret's stringData becomes data, as the server stores it.
 */
import { yaml } from "../util/lazy-yaml.js";
import { InputError } from "../errors.js";

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string };
};

export interface KubeManifest {
  readonly object: KubeObject;
  /** Where it came from, for messages: "rbac.yaml document 2 (line 14)". */
  readonly origin: string;
}

/** Metadata the server writes; a manifest that carries them (an export) must not compare on them. */
const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"];

/**
 * Reads manifests. `source` names the text in errors (a template path); objects are taken as they
 * are, each checked the same way. A `kind: List` contributes its items.
 */
export function parseManifests(input: string | object | readonly (string | object)[], source = "manifest"): KubeManifest[] {
  const inputs = Array.isArray(input) ? input : [input];
  const manifests: KubeManifest[] = [];
  inputs.forEach((item, index) => {
    const name = inputs.length > 1 ? `${source} #${index + 1}` : source;
    if (typeof item === "string") manifests.push(...parseYaml(item, name));
    else manifests.push(...fromValue(item, name));
  });
  return manifests;
}

function parseYaml(text: string, source: string): KubeManifest[] {
  const lineCounter = new yaml.LineCounter();
  const documents = yaml.parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(documents)) return []; // an empty stream
  const manifests: KubeManifest[] = [];
  documents.forEach((document, index) => {
    const line = lineCounter.linePos(document.range[0]).line;
    const origin = documents.length > 1 ? `${source} document ${index + 1} (line ${line})` : source;
    const error = document.errors[0];
    if (error) throw new InputError(`${source}:${lineCounter.linePos(error.pos[0]).line}`, `not valid YAML: ${error.message.split("\n")[0]}`);
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // "---" separators around nothing
    manifests.push(...fromValue(value, origin));
  });
  return manifests;
}

function fromValue(value: unknown, origin: string): KubeManifest[] {
  if (!isPlainObject(value)) throw new InputError(origin, `a Kubernetes object must be a mapping, found ${describeType(value)}`);
  if (value["kind"] === "List" && Array.isArray(value["items"])) return value["items"].flatMap((item, i) => fromValue(item, `${origin} item ${i + 1}`));
  return [{ object: checkedObject(value, origin), origin }];
}

function checkedObject(value: Record<string, unknown>, origin: string): KubeObject {
  const problems: string[] = [];
  if (typeof value["apiVersion"] !== "string" || value["apiVersion"] === "") problems.push("apiVersion is missing");
  if (typeof value["kind"] !== "string" || value["kind"] === "") problems.push("kind is missing");
  const metadata = value["metadata"];
  if (!isPlainObject(metadata)) problems.push("metadata is missing");
  else {
    if (typeof metadata["name"] !== "string" || metadata["name"] === "") problems.push(metadata["generateName"] ? "metadata.generateName is not supported (the object could not be found again): give metadata.name" : "metadata.name is missing");
    if (metadata["namespace"] !== undefined && typeof metadata["namespace"] !== "string") problems.push("metadata.namespace must be a string");
  }
  if (problems.length > 0) {
    const name = isPlainObject(metadata) && typeof metadata["name"] === "string" ? ` ${String(value["kind"] ?? "object")}/${metadata["name"]}` : "";
    throw new InputError(origin, `${problems.join("; ")}${name}`);
  }
  return withoutServerFields(value) as KubeObject;
}

function withoutServerFields(value: Record<string, unknown>): Record<string, unknown> {
  const { status: _, ...object } = value;
  const metadata = Object.fromEntries(Object.entries(value["metadata"] as Record<string, unknown>).filter(([key]) => !SERVER_METADATA.includes(key)));
  const result: Record<string, unknown> = { ...object, metadata };
  if (result["kind"] === "Secret" && isPlainObject(result["stringData"])) {
    // The server merges stringData into data (base64) and never returns it: compare and send data.
    const encoded = Object.fromEntries(Object.entries(result["stringData"]).map(([key, text]) => [key, Buffer.from(String(text)).toString("base64")]));
    result["data"] = { ...(isPlainObject(result["data"]) ? result["data"] : {}), ...encoded };
    delete result["stringData"];
  }
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return `a ${typeof value}`;
}

/** "ClusterRoleBinding/kubelet-bootstrap", "Deployment kube-system/coredns". */
export function objectName(object: KubeObject, namespace?: string): string {
  return namespace ? `${object.kind} ${namespace}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`;
}
