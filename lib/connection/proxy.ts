/**
 * Reaching a host through a bastion, as OpenSSH's ProxyJump and ProxyCommand do. A jump host is an
 * SSH host like any other (its key verified against known_hosts); the connection to the next hop
 * is a forwarded channel of it. A proxy command runs locally and its stdin/stdout carry the
 * connection, so `ssh -W %h:%p bastion` and site-specific helpers work unchanged.
 */
import { spawn } from "node:child_process";
import { Duplex } from "node:stream";
import { EasyKubeError } from "../errors.js";

export interface JumpHost {
  /** Undefined means the local user name, as OpenSSH does for a jump host. */
  readonly user?: string;
  readonly address: string;
  readonly port: number;
}

export type ProxySettings = { readonly kind: "jump"; readonly hops: readonly JumpHost[] } | { readonly kind: "command"; readonly command: string };

/** `[user@]host[:port]` hops, comma-separated (also `ssh://` URIs and `[v6]:port`); `none` is no proxy. */
export function parseProxyJump(spec: string): JumpHost[] | undefined {
  if (spec.trim().toLowerCase() === "none") return undefined;
  return spec.split(",").map((raw) => {
    const hop = raw.trim().replace(/^ssh:\/\//, "");
    const at = hop.lastIndexOf("@");
    const user = at >= 0 ? hop.slice(0, at) : undefined;
    const hostPort = hop.slice(at + 1);
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(hostPort);
    const port = Number(match?.[2] ?? 22);
    if (!match || user === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new EasyKubeError(`ProxyJump '${spec}': cannot read the jump host '${raw.trim()}'; expected [user@]host[:port]`);
    }
    return { user, address: match[1]!, port };
  });
}

/** `none` is no proxy; other commands are checked for %-tokens now, so a typo fails before any connection. */
export function parseProxyCommand(command: string): string | undefined {
  if (command.trim().toLowerCase() === "none") return undefined;
  expandProxyCommand(command, { address: "h", port: 1, user: "r", inventoryName: "n" });
  return command;
}

/** %h %p %r %n and %% substituted as OpenSSH does; any other token is an error, as in OpenSSH. */
export function expandProxyCommand(command: string, target: { readonly address: string; readonly port: number; readonly user: string; readonly inventoryName: string }): string {
  return command.replace(/%(.?)/g, (_, token: string) => {
    switch (token) {
      case "h":
        return target.address;
      case "p":
        return String(target.port);
      case "r":
        return target.user;
      case "n":
        return target.inventoryName;
      case "%":
        return "%";
      default:
        throw new EasyKubeError(`ProxyCommand '${command}': unknown token %${token} (easy-kube expands %h, %p, %r, %n and %%)`);
    }
  });
}

/** A running proxy command as a stream, and how it ended when the connection failed. */
export interface ProxyCommandSocket {
  readonly socket: Duplex;
  /** Its exit code (null while it runs, within a short wait, or when stopped by a signal) and the end of its stderr. */
  ended(): Promise<{ readonly code: number | null; readonly stderr: string }>;
}

/** Runs the (already expanded) command with the shell, as OpenSSH does (`exec` so signals reach it). */
export function spawnProxyCommand(command: string): ProxyCommandSocket {
  const child = spawn("/bin/sh", ["-c", `exec ${command}`], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let code: number | null = null;
  const exited = new Promise<void>((resolve) => {
    // Stopped by a signal (ours, when the connection closes) is no exit code: not the command's failure.
    child.once("exit", (exitCode) => {
      code = exitCode;
      resolve();
    });
    child.once("error", (error) => {
      stderr += error.message;
      code = 127;
      resolve();
    });
  });
  const socket = Duplex.from({ readable: child.stdout, writable: child.stdin });
  // The command's end ends the stream; a closed connection ends the command.
  socket.once("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });
  child.stdin.on("error", () => undefined); // writing to a command that exited: reported by ended()
  return {
    socket,
    ended: async () => {
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
      return { code, stderr: stderr.trim() };
    },
  };
}
