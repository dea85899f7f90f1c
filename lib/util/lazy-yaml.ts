/**
 * The `yaml` package (about 70 modules), loaded when YAML is first read or written: a run whose
 * inventory is INI and that writes no kubeconfig or manifest never loads it.
 */
import type * as Yaml from "yaml";
import { lazyRequire } from "./lazy-require.js";

export const yaml = lazyRequire<typeof Yaml>("yaml");
