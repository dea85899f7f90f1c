/**
 * The iptables rules of the pod network: forwarding accepted to and from the cluster CIDR (Docker
 * sets the FORWARD policy to DROP; the docker-ce role's optional fix accepts everything, these
 * rules accept only pod traffic, whatever docker_forward_accept says), and masquerading of pod
 * traffic that leaves the cluster CIDR. Each carries a comment, so it is found and removed exactly.
 */
export interface IptablesRule {
  readonly table: "filter" | "nat";
  readonly chain: string;
  /** The match and target, as iptables -C/-I/-A/-D take them. */
  readonly rule: string;
  /** Insert at the top (before a REJECT a host's own firewall may end the chain with) rather than append. */
  readonly insert: boolean;
}

const COMMENT = "-m comment --comment easy-kube-pod-network";

export function forwardRules(clusterCidr: string): IptablesRule[] {
  return [
    { table: "filter", chain: "FORWARD", rule: `-s ${clusterCidr} ${COMMENT} -j ACCEPT`, insert: true },
    { table: "filter", chain: "FORWARD", rule: `-d ${clusterCidr} ${COMMENT} -j ACCEPT`, insert: true },
  ];
}

export function masqueradeRule(clusterCidr: string): IptablesRule {
  return { table: "nat", chain: "POSTROUTING", rule: `-s ${clusterCidr} ! -d ${clusterCidr} ${COMMENT} -j MASQUERADE`, insert: false };
}

export function ruleCheck(rule: IptablesRule, iptables = "iptables"): string {
  return `${iptables} -t ${rule.table} -C ${rule.chain} ${rule.rule}`;
}

export function ruleAdd(rule: IptablesRule, iptables = "iptables"): string {
  return `${iptables} -t ${rule.table} ${rule.insert ? "-I" : "-A"} ${rule.chain} ${rule.rule}`;
}

export function ruleDelete(rule: IptablesRule, iptables = "iptables"): string {
  return `${iptables} -t ${rule.table} -D ${rule.chain} ${rule.rule}`;
}

/** Adds the rule only when missing, so the boot-time unit can run any number of times. */
export function ruleEnsure(rule: IptablesRule, iptables = "iptables"): string {
  return `${ruleCheck(rule, iptables)} 2>/dev/null || ${ruleAdd(rule, iptables)}`;
}
