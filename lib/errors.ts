/**
 * Errors the user can act on. Each says what was expected, what was found and where, and the CLI
 * prints it without a stack trace.
 */
export class EasyKubeError extends Error {
  override readonly name: string = "EasyKubeError";
}

/** A problem in an input file; `where` is `file:line` (or just `file` when no line applies). */
export class InputError extends EasyKubeError {
  override readonly name = "InputError";
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

/** Location text for errors: `file:line`, or `file` when the line is unknown. */
export function locate(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}
