/**
 * Docker CE's package repository for install_method packages: a yum .repo file on CentOS/RHEL, an
 * apt source with its signing key on Debian/Ubuntu (the key fetched on the host, once; the source
 * written from facts, so a changed docker_repo_baseurl reaches it).
 */
import { command, copy, type HostFacts, type Operation } from "easy-kube";

export interface RepoVars {
  readonly docker_repo_baseurl: string;
  readonly docker_repo_gpgkey: string;
}

export function dockerRepo(facts: HostFacts, vars: RepoVars): Operation[] {
  if (facts.osFamily === "RedHat") {
    const baseurl = vars.docker_repo_baseurl || "https://download.docker.com/linux/centos/$releasever/$basearch/stable";
    const gpgkey = vars.docker_repo_gpgkey || "https://download.docker.com/linux/centos/gpg";
    return [
      copy({
        dest: "/etc/yum.repos.d/docker-ce.repo",
        mode: "0644",
        content: `# Managed by easy-kube (role prepare)\n[docker-ce-stable]\nname=Docker CE Stable - $basearch\nbaseurl=${baseurl}\nenabled=1\ngpgcheck=1\ngpgkey=${gpgkey}\n`,
      }),
    ];
  }
  const distribution = facts.distribution === "ubuntu" ? "ubuntu" : "debian";
  const baseurl = vars.docker_repo_baseurl || `https://download.docker.com/linux/${distribution}`;
  const gpgkey = vars.docker_repo_gpgkey || `https://download.docker.com/linux/${distribution}/gpg`;
  const keyring = "/etc/apt/keyrings/docker.asc";
  return [
    command({ cmd: `install -d -m 0755 /etc/apt/keyrings && curl -fsSL --retry 3 -o ${keyring}.tmp '${gpgkey}' && chmod 0644 ${keyring}.tmp && mv ${keyring}.tmp ${keyring}`, creates: keyring }),
    copy({
      dest: "/etc/apt/sources.list.d/docker-ce.list",
      mode: "0644",
      content: `# Managed by easy-kube (role prepare)\ndeb [arch=${facts.goArch} signed-by=${keyring}] ${baseurl} ${facts.codename} stable\n`,
    }),
  ];
}
