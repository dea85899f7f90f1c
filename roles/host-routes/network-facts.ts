/** A node's IPv4 addresses (with their prefixes) and main routing table, in one round trip. */
import { defineFact } from "easy-kube";
import { parseRoutes, type LiveRoute } from "./routes.ts";
import { parseAddresses, type InterfaceAddress } from "./segment.ts";

export interface NetworkFacts {
  readonly addresses: readonly InterfaceAddress[];
  readonly routes: readonly LiveRoute[];
}

const SEPARATOR = "--- routes ---";

export const networkFacts = defineFact<null, NetworkFacts>({
  name: "host_routes_network",
  command: () => `ip -o -4 addr show && echo '${SEPARATOR}' && ip -4 route show table main`,
  parse({ stdout, stderr, code }) {
    if (code !== 0) throw new Error(`reading the addresses and routes failed: ${stderr.trim() || `exit code ${code}`}`);
    const [addresses = "", routes = ""] = stdout.split(`${SEPARATOR}\n`);
    return { addresses: parseAddresses(addresses), routes: parseRoutes(routes) };
  },
});
