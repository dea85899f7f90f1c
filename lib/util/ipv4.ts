/**
 * IPv4 arithmetic, in one place: pod CIDRs and node subnets (host-routes), the service network's
 * first address (the PKI's `kubernetes` service IP), the cluster DNS address inside the service
 * network (kube-node's checks).
 */

/** "10.213.0.3" -> its 32-bit value; undefined when it is not a dotted IPv4 address. */
export function ipv4Value(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

export function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export interface Ipv4Network {
  /** The network's first address as a number. */
  readonly base: number;
  readonly prefix: number;
}

/** "172.30.1.0/24" (or an interface's "10.213.0.3/24") -> its network; undefined when not IPv4 CIDR. */
export function ipv4Network(cidr: string): Ipv4Network | undefined {
  const [address = "", prefixText = "", extra] = cidr.split("/");
  const value = ipv4Value(address);
  if (value === undefined || extra !== undefined || !/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) return undefined;
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  return { base: value - (value % size), prefix };
}

export function networkContains(network: Ipv4Network, address: string): boolean {
  const value = ipv4Value(address);
  return value !== undefined && value - (value % 2 ** (32 - network.prefix)) === network.base;
}

/**
 * Whether an IPv4 address is inside an IPv4 CIDR; undefined when either is not IPv4 (an IPv6
 * service network, say), which the caller does not judge.
 */
export function cidrContains(cidr: string, address: string): boolean | undefined {
  const network = ipv4Network(cidr);
  if (!network || ipv4Value(address) === undefined) return undefined;
  return networkContains(network, address);
}

/** Whether two IPv4 CIDRs share an address; undefined when either is not IPv4. */
export function cidrsOverlap(a: string, b: string): boolean | undefined {
  const x = ipv4Network(a);
  const y = ipv4Network(b);
  if (!x || !y) return undefined;
  const wider = x.prefix <= y.prefix ? x : y;
  const narrower = wider === x ? y : x;
  return narrower.base - (narrower.base % 2 ** (32 - wider.prefix)) === wider.base;
}

/** The first usable address of a network: a pod bridge's gateway, the `kubernetes` service's ClusterIP. */
export function firstAddressOf(cidr: string): string {
  const network = ipv4Network(cidr);
  if (!network || network.prefix > 30) throw new Error(`${cidr} is not an IPv4 network with room for a gateway and pods`);
  return ipv4Text(network.base + 1);
}
