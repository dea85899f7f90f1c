/**
 * Ansible's tag rules: `--tags` (default "all") and `--skip-tags`; a task tagged `always` runs
 * unless `always` is skipped; one tagged `never` runs only when one of its tags is asked for;
 * `tagged` and `untagged` select by whether a task has tags at all.
 */
export interface TagSelection {
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

export const ALL_TAGS: TagSelection = { only: ["all"], skip: [] };

export function shouldRunTask(taskTags: readonly string[], selection: TagSelection): boolean {
  const tags = new Set(taskTags);
  const matches = (wanted: readonly string[]) =>
    wanted.some((t) => tags.has(t) || (t === "tagged" && tags.size > 0) || (t === "untagged" && tags.size === 0) || (t === "all" && !tags.has("never")));
  if (selection.skip.length > 0 && matches(selection.skip.filter((t) => t !== "all")) ) return false;
  if (selection.skip.includes("all") && !tags.has("always")) return false;
  if (tags.has("always") && !selection.skip.includes("always")) return true;
  if (tags.has("never")) return selection.only.some((t) => t !== "all" && tags.has(t));
  return matches(selection.only);
}
