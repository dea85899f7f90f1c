/**
 * One SSH session per host for the whole run (ssh2), every command on a channel of it. Host keys
 * are verified against known_hosts before authentication; channels are limited below OpenSSH's
 * default MaxSessions (10); keepalives detect a host that went away mid-play.
 *
 * ssh2 is used directly: ssh2-promise (tried first) hands over a command's channel through a
 * promise, and for a fast command ssh2 has already emitted its exit status by then, so exit codes
 * were lost under load; it also opens a new connection per command unless its process-wide cache
 * is used. Here listeners are attached in ssh2's callback, before any event can fire.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Socket } from "node:net";
import { connectTcp } from "./tcp-connect.js";
import type { Duplex } from "node:stream";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { Client, type AgentAuthMethod, type ClientChannel, type PasswordAuthMethod, type PublicKeyAuthMethod } from "ssh2";
import { EasyKubeError } from "../errors.js";
import { SUDO_PROMPT } from "./become.js";
import { shellQuote } from "./quote.js";
import { ShellSession, shellStart } from "./shell-session.js";
import { runStreamed, type SudoStart } from "./streamed-exec.js";
import { feedBytes, feedFile, feedParts } from "./input-feed.js";
import { SendPacing } from "./send-pacing.js";
import { openRelay } from "./tcp-relay.js";
import { Semaphore } from "../util/semaphore.js";
import { fingerprint, keyTypeOfBlob, KnownHosts, knownHostsName, type HostKeyVerdict } from "./known-hosts.js";
import type { ConnectionSettings } from "./settings.js";
import { expandProxyCommand, spawnProxyCommand, type JumpHost, type ProxySettings } from "./proxy.js";
import { INLINE_STDIN, UnreachableError, type CommandResult, type Connection, type RunOptions } from "./types.js";

/**
 * Commands run in long-lived shells: up to 2 for each become mode, so at most 4 channels per host,
 * well below OpenSSH's MaxSessions default of 10.
 */
const SHELLS_PER_MODE = 2;

/**
 * sshd drops connections beyond MaxStartups (default 10 unauthenticated at once) before the
 * handshake; like OpenSSH's ConnectionAttempts, such a drop is retried after a short pause.
 */
const CONNECT_ATTEMPTS = 4;

/**
 * Streamed inputs at once per host (files of one operation go in one input: see ops/upload-batch.ts;
 * images to `docker load`, archives to tar each have their own). With the shells, at most 7 channels
 * per host, below MaxSessions.
 */
const STREAMS_PER_HOST = 3;

/** Relay commands' channels (tcp-relay.ts): with the shells and the streams, 10, OpenSSH's MaxSessions. */
const RELAYS_PER_HOST = 3;

/** sshd answered a forwarded channel with "administratively prohibited". */
class ForwardingProhibited extends Error {}

/**
 * Streamed inputs read the file in pieces of this size, into 3 buffers per stream (input-feed.ts):
 * large enough that reading costs little next to encryption; with 3 streams, about 2.3 MB per host.
 */
const STREAM_READ_BYTES = 256 * 1024;

export class SshConnection implements Connection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  /** Long-lived shells by become mode ("sudo" / "plain"), with the commands each has in hand. */
  private readonly shells = new Map<string, ShellEntry[]>();
  private lost: Error | undefined;
  /** Turns for streamed inputs (STREAMS_PER_HOST) and relay channels (RELAYS_PER_HOST): a finished one hands its turn to the next waiting. */
  private readonly streams = new Semaphore(STREAMS_PER_HOST);
  private readonly relays = new Semaphore(RELAYS_PER_HOST);
  /** sshd refused a forwarded channel once (AllowTcpForwarding no): relays from then on. */
  private forwardingProhibited = false;
  /** How far streamed inputs may run ahead of the host (send-pacing.ts), learned per connection. */
  readonly pacing = new SendPacing();
  commandCount = 0;

  constructor(readonly settings: ConnectionSettings) {}

  get host(): string {
    return this.settings.inventoryName;
  }

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    const needsSudo = (options.become ?? this.settings.becomeByDefault) && this.settings.become.user !== this.settings.user;
    const client = await this.connect();
    if (options.stdinFile !== undefined || options.stdinParts !== undefined || Buffer.byteLength(options.stdin ?? "") > INLINE_STDIN) return this.runWithStreamedInput(client, needsSudo, command, options);
    const shell = this.shell(client, needsSudo);
    shell.inFlight++;
    try {
      return await (await shell.opening).run(command, options.stdin, options.timeoutMs);
    } finally {
      shell.inFlight--;
    }
  }

  /**
   * The least busy shell of a become mode, opening another while there are fewer than allowed.
   * Chosen synchronously, so commands arriving together never open more shells than allowed.
   */
  private shell(client: Client, sudo: boolean): ShellEntry {
    const key = sudo ? "sudo" : "plain";
    const shells = (this.shells.get(key) ?? []).filter((s) => !s.session || s.session.usable);
    this.shells.set(key, shells);
    const idle = shells.find((s) => s.inFlight === 0);
    if (idle) return idle;
    if (shells.length < SHELLS_PER_MODE) {
      const entry: ShellEntry = { opening: this.openShell(client, sudo), inFlight: 0 };
      entry.opening.then(
        (session) => (entry.session = session),
        () => shells.splice(shells.indexOf(entry), 1),
      );
      shells.push(entry);
      return entry;
    }
    return shells.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  /**
   * A large input (a file, or bytes over INLINE_STDIN) goes to its command on an exec channel of its
   * own, streamed: one round trip, nothing left behind in the shells. At most STREAMS_PER_HOST at
   * once; the others wait for a turn.
   */
  private async runWithStreamedInput(client: Client, sudo: boolean, command: string, options: RunOptions): Promise<CommandResult> {
    const { stdin, stdinFile, stdinParts } = options;
    return this.streams.use(async () => {
      if (this.lost) throw this.lost; // gone while this one waited for its turn
      this.commandCount++;
      return await runStreamed(client, {
        command,
        input: stdinParts !== undefined ? feedParts(stdinParts, STREAM_READ_BYTES) : stdinFile !== undefined ? feedFile(stdinFile, STREAM_READ_BYTES) : feedBytes(Buffer.from(stdin ?? ""), STREAM_READ_BYTES),
        pacing: this.pacing,
        sudo: this.sudoStart(sudo),
        timeoutMs: options.timeoutMs,
        cannotOpen: (error) => this.lost ?? new UnreachableError(this.host, `cannot open a channel to ${this.settings.address}: ${error.message}`),
        lost: () => this.lost ?? new UnreachableError(this.host, `the connection to ${this.settings.address} closed while sending a command's input`),
      });
    });
  }

  /** sudo with -S and a known prompt when a password is set: it is sent only if sudo asks for it. */
  private sudoStart(sudo: boolean): SudoStart | undefined {
    if (!sudo) return undefined;
    const { become } = this.settings;
    const argv = ["sudo", "-H", ...(become.password === undefined ? ["-n"] : ["-S", "-p", SUDO_PROMPT]), "-u", become.user].map(shellQuote);
    return { argv, password: become.password, prompt: SUDO_PROMPT };
  }

  private openShell(client: Client, sudo: boolean): Promise<ShellSession> {
    const { become } = this.settings;
    const sudoArgv = this.sudoStart(sudo)?.argv;
    const start = shellStart(sudoArgv ? { argv: [...sudoArgv] } : undefined, randomBytes(8).toString("hex"));
    return new Promise((resolve, reject) => {
      client.exec(start.command, (error: Error | undefined, channel: ClientChannel) => {
        if (error) {
          reject(this.lost ?? new UnreachableError(this.host, `cannot open a channel to ${this.settings.address}: ${error.message}`));
          return;
        }
        const lostWhileRunning = () => this.lost ?? new UnreachableError(this.host, `the connection to ${this.settings.address} closed while running a command`);
        const countRoundTrip = () => void this.commandCount++;
        resolve(new ShellSession(channel, start, sudo ? { password: become.password, prompt: SUDO_PROMPT } : undefined, lostWhileRunning, countRoundTrip));
      });
    });
  }

  /**
   * A TCP stream to `host:port` as the host itself sees it (`ssh -L`, a direct-tcpip channel of the
   * same session): the Kubernetes API client reaches a master's 127.0.0.1:6443 this way when the
   * control machine cannot reach that port. Where sshd forbids forwarding, a relay command on the
   * host carries the stream instead (tcp-relay.ts), at most RELAYS_PER_HOST at once.
   */
  async forwardTcp(host: string, port: number): Promise<Duplex> {
    const client = await this.connect();
    if (!this.forwardingProhibited) {
      try {
        return await this.directTcpip(client, host, port);
      } catch (error) {
        if (!(error instanceof ForwardingProhibited)) throw error;
        this.forwardingProhibited = true;
      }
    }
    const release = await this.relays.acquire();
    try {
      const stream = await openRelay(client, this.host, host, port);
      stream.once("close", release);
      return stream;
    } catch (error) {
      release();
      throw this.lost ?? error;
    }
  }

  private directTcpip(client: Client, host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      client.forwardOut("127.0.0.1", 0, host, port, (error: Error | undefined, channel: ClientChannel) => {
        if (!error) resolve(channel);
        else if (this.lost) reject(this.lost);
        // OpenSSH says "open failed" with reason 1, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED (RFC 4254).
        else if ((error as Error & { reason?: unknown }).reason === 1 || /prohibited/i.test(error.message)) reject(new ForwardingProhibited());
        else reject(new EasyKubeError(`cannot reach ${host}:${port} from ${this.host} through its SSH connection: ${error.message}`));
      });
    });
  }

  async close(): Promise<void> {
    for (const shells of this.shells.values()) for (const shell of shells) shell.session?.close();
    this.shells.clear();
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    client?.end();
  }

  private connect(): Promise<Client> {
    if (this.lost) return Promise.reject(this.lost);
    this.connecting ??= this.openWithRetries().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async openWithRetries(): Promise<Client> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.open();
      } catch (error) {
        const droppedEarly = error instanceof DroppedBeforeHandshake;
        if (!droppedEarly || attempt >= CONNECT_ATTEMPTS) {
          throw new UnreachableError(this.host, droppedEarly ? `cannot connect to ${this.describeTarget()}: the server closed the connection before the SSH handshake, ${attempt} times` : (error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 150 * attempt + Math.random() * 200));
      }
    }
  }

  private describeTarget(): string {
    return describeEndpoint(this.settings) + (this.settings.proxy ? ` through ${describeProxy(this.settings.proxy)}` : "");
  }

  private async open(): Promise<Client> {
    markFirstConnection();
    const { settings } = this;
    // Jump hosts' connections live as long as the host's: each carries the next hop's.
    const jumps: Client[] = [];
    const closeJumps = () => jumps.splice(0).reverse().forEach((jump) => jump.end());
    let client: Client;
    try {
      const transport = await this.transport(jumps);
      client = await handshake(settings, transport.socket, this.describeTarget()).catch(async (error: unknown) => {
        throw (error instanceof DroppedBeforeHandshake && (await transport.failure?.())) || error;
      });
    } catch (error) {
      closeJumps();
      throw error;
    }
    client.removeAllListeners("error");
    client.removeAllListeners("close");
    client.on("error", () => undefined); // reported through "close" and the channels
    client.on("close", () => {
      closeJumps();
      if (this.client === client) this.lost ??= new UnreachableError(this.host, `the SSH connection to ${settings.address}:${settings.port} was lost`);
    });
    this.client = client;
    return client;
  }

  /** The stream the host's SSH session runs over: TCP, a proxy command's stdio, or a channel of the last jump host. */
  private async transport(jumps: Client[]): Promise<Transport> {
    const { settings } = this;
    const proxy = settings.proxy;
    if (proxy?.kind === "command") {
      const command = expandProxyCommand(proxy.command, settings);
      const proxied = spawnProxyCommand(command);
      return {
        socket: proxied.socket,
        // A command that failed says why on its stderr; that beats "connection closed".
        failure: async () => {
          const { code, stderr } = await proxied.ended();
          return code ? new Error(`cannot connect to ${this.describeTarget()}: the ProxyCommand '${command}' exited with code ${code}${stderr ? `: ${stderr}` : ""}`) : undefined;
        },
      };
    }
    const hops = proxy?.kind === "jump" ? proxy.hops.map((hop) => jumpHostSettings(settings, hop)) : [];
    const first = hops[0] ?? settings;
    let socket: Duplex;
    try {
      socket = await openTcp(first);
    } catch (error) {
      throw new Error(`cannot connect to ${hops[0] ? `jump host ${describeEndpoint(first)}` : this.describeTarget()}: ${describe(error)}`);
    }
    for (const [index, hop] of hops.entries()) {
      const jump = await handshake(hop, socket, `jump host ${describeEndpoint(hop)}`);
      jumps.push(jump);
      socket = await forwardThrough(jump, hop, hops[index + 1] ?? settings);
    }
    return { socket };
  }
}

/**
 * With EASYKUBE_MARK_FIRST_CONNECTION=1, the moment the run's first SSH connection starts is written
 * to stderr (milliseconds since the epoch, and the CPU time used so far), so the benchmark can
 * measure start-up from outside.
 */
let firstConnectionMarked = false;
function markFirstConnection(): void {
  if (firstConnectionMarked || process.env["EASYKUBE_MARK_FIRST_CONNECTION"] !== "1") return;
  firstConnectionMarked = true;
  const cpu = process.cpuUsage();
  process.stderr.write(`easy-kube-mark first-connection ${(performance.timeOrigin + performance.now()).toFixed(1)} cpu-ms ${((cpu.user + cpu.system) / 1000).toFixed(0)}\n`);
}

interface Transport {
  readonly socket: Duplex;
  /** Why the connection failed, when the transport knows better than the SSH client. */
  readonly failure?: () => Promise<Error | undefined>;
}

/**
 * A jump host is logged in to like the host behind it (the same known_hosts, key checking, key
 * file and timeouts) but as its own user (the local user by default, as OpenSSH does), and never
 * with the host's password.
 */
function jumpHostSettings(target: ConnectionSettings, hop: JumpHost): ConnectionSettings {
  const { proxy: _, password: __, ...rest } = target;
  return { ...rest, address: hop.address, port: hop.port, user: hop.user ?? userInfo().username };
}

/** A channel from a jump host to the next hop (what `ssh -W` asks for), within the connect timeout. */
function forwardThrough(jump: Client, hop: ConnectionSettings, next: ConnectionSettings): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jump host ${describeEndpoint(hop)} did not reach ${next.address}:${next.port} within ${hop.connectTimeoutMs / 1000} s`)), hop.connectTimeoutMs);
    jump.forwardOut("127.0.0.1", 0, next.address, next.port, (error, channel) => {
      clearTimeout(timer);
      if (error) reject(new Error(`jump host ${describeEndpoint(hop)} cannot reach ${next.address}:${next.port}: ${error.message}`));
      else resolve(channel);
    });
  });
}

/** The SSH handshake over an open stream: the host key verified against known_hosts, then login. */
async function handshake(settings: ConnectionSettings, sock: Duplex, target: string): Promise<Client> {
  const knownHosts = new KnownHosts(settings.knownHostsFile);
  const hostName = knownHostsName(settings.address, settings.port);
  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    let handshakeDone = false;
    client.once("handshake", () => (handshakeDone = true));
    client.once("ready", () => resolve());
    // `on`, not `once`: a stream that broke reports more than one error, in the same tick (a second
    // one with no listener left would be an uncaught exception); the first decides.
    client.on("error", (error: Error & { level?: string }) => {
      if (verdict && verdict.status !== "trusted" && presented) reject(new Error(hostKeyMessage(settings, hostName, verdict, presented)));
      // EPIPE: a ProxyCommand that exited before the handshake (its own exit code and stderr say why).
      else if (!handshakeDone && /before handshake|ECONNRESET|EPIPE/.test(error.message)) reject(new DroppedBeforeHandshake(error.message));
      else if (error.level === "client-authentication") reject(new Error(`cannot log in to ${target}: authentication failed (tried ${authMethods(settings).map((m) => m.type).join(", ")})`));
      else reject(new Error(`cannot connect to ${target}: ${error.message}`));
    });
    client.once("close", () => reject(new DroppedBeforeHandshake("closed")));
    client.connect({
      sock,
      host: settings.address,
      port: settings.port,
      username: settings.user,
      readyTimeout: settings.connectTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
      authHandler: authMethods(settings),
      algorithms: { serverHostKey: knownHosts.preferredAlgorithms(hostName) as never },
      hostVerifier: (key: Buffer) => {
        presented = key;
        if (settings.hostKeyPolicy === "off") return true;
        verdict = knownHosts.verify(hostName, key);
        if (verdict.status === "trusted") return true;
        if (verdict.status === "unknown" && settings.hostKeyPolicy === "accept-new") {
          knownHosts.add(hostName, key);
          return true;
        }
        return false;
      },
    });
  }).catch((error: unknown) => {
    // An abandoned client may still report the same failure again; it has been handled.
    client.on("error", () => undefined);
    client.end();
    sock.destroy();
    throw error;
  });
  client.removeAllListeners("error");
  client.removeAllListeners("close");
  client.on("error", () => undefined); // a jump host's failure reaches the host behind it as a closed stream
  return client;
}

function describeEndpoint(settings: ConnectionSettings): string {
  return `${settings.user}@${settings.address}:${settings.port}`;
}

function describeProxy(proxy: ProxySettings): string {
  return proxy.kind === "command" ? `ProxyCommand '${proxy.command}'` : `ProxyJump ${proxy.hops.map((h) => `${h.user ? `${h.user}@` : ""}${h.address}:${h.port}`).join(",")}`;
}

class DroppedBeforeHandshake extends Error {}

interface ShellEntry {
  readonly opening: Promise<ShellSession>;
  session?: ShellSession;
  inFlight: number;
}

/**
 * The TCP socket, opened here so TCP_NODELAY is set: ssh2 leaves Nagle's algorithm on, and every
 * small command then waits for a delayed ACK (about 200 ms per command on Linux).
 */
function openTcp(settings: ConnectionSettings): Promise<Socket> {
  return connectTcp(settings.address, settings.port, settings.connectTimeoutMs);
}

type AuthStep = PublicKeyAuthMethod | AgentAuthMethod | PasswordAuthMethod;

function authMethods(settings: ConnectionSettings): AuthStep[] {
  const methods: AuthStep[] = [];
  const username = settings.user;
  const keyFiles = settings.privateKeyFile
    ? [settings.privateKeyFile]
    : ["id_ed25519", "id_ecdsa", "id_rsa"].map((name) => join(homedir(), ".ssh", name)).filter((file) => existsSync(file));
  for (const file of keyFiles) methods.push({ type: "publickey", username, key: readPrivateKey(file, settings.inventoryName) });
  if (process.env["SSH_AUTH_SOCK"]) methods.push({ type: "agent", username, agent: process.env["SSH_AUTH_SOCK"] });
  if (settings.password !== undefined) methods.push({ type: "password", username, password: settings.password });
  if (methods.length === 0) {
    throw new UnreachableError(settings.inventoryName, "no way to authenticate: set ansible_ssh_private_key_file or ansible_password, or run an ssh-agent");
  }
  return methods;
}

/** Refuses keys others can read, as OpenSSH does ("UNPROTECTED PRIVATE KEY FILE"). */
function readPrivateKey(file: string, host: string): Buffer {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new EasyKubeError(`host ${host}: private key file ${file} does not exist`);
  }
  if ((mode & 0o077) !== 0) {
    throw new EasyKubeError(`host ${host}: private key file ${file} has mode 0${(mode & 0o777).toString(8)}; it must not be readable by others (chmod 600 ${file})`);
  }
  return readFileSync(file);
}

function hostKeyMessage(settings: ConnectionSettings, hostName: string, verdict: HostKeyVerdict, presented: Buffer): string {
  const file = settings.knownHostsFile;
  const offered = `${keyTypeOfBlob(presented)} ${fingerprint(presented)}`;
  switch (verdict.status) {
    case "changed":
      return (
        `HOST KEY CHANGED for ${hostName}: ${file}:${verdict.known.line} has a ${verdict.known.type} key ` +
        `${fingerprint(Buffer.from(verdict.known.base64, "base64"))}, the host now offers ${offered}. ` +
        `Someone may be intercepting the connection, or the host was rebuilt. If you know it was rebuilt: ` +
        `ssh-keygen -R '${hostName}' -f ${file}`
      );
    case "revoked":
      return `the host key of ${hostName} (${offered}) is marked @revoked in ${file}:${verdict.line}`;
    default:
      return (
        `the host key of ${hostName} (${offered}) is not in ${file}. Verify it and add it (ssh-keyscan), ` +
        `or run with --accept-new-host-keys to trust new hosts on first use`
      );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  return JSON.stringify(error) ?? String(error);
}
