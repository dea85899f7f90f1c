/** Mode, owner and group: how they are written by users and compared with a host's state. */
import { EasyKubeError } from "../errors.js";
import type { FileState } from "../facts/file-state.js";

export interface FileAttributes {
  /** Octal, as a string ("0644", "644") or a number as YAML 1.1 reads `0644` (420). */
  readonly mode?: string | number;
  readonly owner?: string;
  readonly group?: string;
}

/** "0644" form; numbers are taken as already-octal values (YAML's `0644` is the number 420). */
export function normalizeMode(mode: string | number): string {
  if (typeof mode === "number") return mode.toString(8).padStart(4, "0");
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new EasyKubeError(`mode '${mode}' is not an octal mode such as "0644"`);
  return mode.padStart(4, "0").slice(-4);
}

export function attributeChanges(state: FileState, wanted: FileAttributes): string[] {
  if (state.type === "absent") return [];
  const changes: string[] = [];
  if (wanted.mode !== undefined && normalizeMode(wanted.mode) !== state.mode) changes.push(`mode ${state.mode} -> ${normalizeMode(wanted.mode)}`);
  if (wanted.owner !== undefined && wanted.owner !== state.owner) changes.push(`owner ${state.owner} -> ${wanted.owner}`);
  if (wanted.group !== undefined && wanted.group !== state.group) changes.push(`group ${state.group} -> ${wanted.group}`);
  return changes;
}

/** `chmod`/`chown` commands that bring a path's attributes to what is wanted. */
export function attributeCommands(path: string, wanted: FileAttributes, quote: (s: string) => string): string[] {
  const commands: string[] = [];
  if (wanted.mode !== undefined) commands.push(`chmod ${normalizeMode(wanted.mode)} -- ${quote(path)}`);
  if (wanted.owner !== undefined || wanted.group !== undefined) {
    commands.push(`chown ${quote(`${wanted.owner ?? ""}${wanted.group !== undefined ? ":" + wanted.group : ""}`)} -- ${quote(path)}`);
  }
  return commands;
}
