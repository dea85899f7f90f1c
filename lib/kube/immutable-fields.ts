/**
 * Fields the API server refuses to change once an object exists ("field is immutable"). A manifest
 * that changes one of them can only be had by deleting the object and creating it again, which the
 * objects operation does, and says so, only when such a field really differs.
 */
import type { FieldDifference } from "./compare.js";

/** By kind (the same in every API group version that serves it). */
const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Service: ["spec.clusterIP"],
  Job: ["spec.selector", "spec.template", "spec.completions"],
  Deployment: ["spec.selector"],
  ReplicaSet: ["spec.selector"],
  DaemonSet: ["spec.selector"],
  StatefulSet: ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
  RoleBinding: ["roleRef"],
  ClusterRoleBinding: ["roleRef"],
  Secret: ["type"],
  PersistentVolumeClaim: ["spec.accessModes", "spec.storageClassName", "spec.volumeName", "spec.selector", "spec.volumeMode"],
  StorageClass: ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
  // A pod's spec changes only in its images and a few scheduling details: replace it whole.
  Pod: ["spec"],
};

/** The immutable fields (as declared above) that a set of differences touches. */
export function immutableFieldsTouched(kind: string, differences: readonly FieldDifference[]): string[] {
  const fields = IMMUTABLE_FIELDS[kind] ?? [];
  return fields.filter((field) => differences.some((d) => d.path === field || d.path.startsWith(`${field}.`) || d.path.startsWith(`${field}[`)));
}
