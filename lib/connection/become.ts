/**
 * Privilege escalation with sudo for the local connection, as Ansible's `become`. The command runs
 * under `/bin/sh -c` as the become user; a password is written to sudo's stdin (never on a command
 * line) ahead of the command's own input, so callers pass one only when sudo asks for it, and
 * sudo's prompt is removed from stderr. (SSH connections run a long-lived shell: see ShellSession.)
 */
import { Readable } from "node:stream";
import { shellCommand } from "./quote.js";

export interface BecomeSettings {
  readonly user: string;
  readonly password?: string;
}

export const SUDO_PROMPT = "[easy-kube sudo password]";

export interface WrappedCommand {
  readonly command: string;
  readonly stdin?: string | Buffer | Readable;
}

export function wrapWithSudo(command: string, become: BecomeSettings, stdin?: string | Buffer | Readable): WrappedCommand {
  if (become.password === undefined) {
    return { command: shellCommand("sudo", "-H", "-n", "-u", become.user, "/bin/sh", "-c", command), stdin };
  }
  const password = Buffer.from(become.password + "\n");
  const input = stdin instanceof Readable ? Readable.from(passwordThen(password, stdin)) : Buffer.concat([password, Buffer.from(stdin ?? "")]);
  return { command: shellCommand("sudo", "-H", "-S", "-p", SUDO_PROMPT, "-u", become.user, "/bin/sh", "-c", command), stdin: input };
}

export function stripSudoPrompt(stderr: string): string {
  return stderr.split(SUDO_PROMPT).join("");
}

async function* passwordThen(password: Buffer, stream: Readable): AsyncGenerator<Buffer> {
  yield password;
  for await (const chunk of stream) yield chunk as Buffer;
}
