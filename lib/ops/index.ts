/** Every operation a role can use. */
export { block, type BlockArgs } from "./block.js";
export { command, type CommandArgs, type CommandData } from "./command.js";
export { copy, type CopyArgs } from "./copy.js";
export { fetch, type FetchArgs } from "./fetch.js";
export { file, type FileArgs } from "./file.js";
export { hostname } from "./hostname.js";
export { installBinary, type InstallBinaryArgs } from "./install-binary.js";
export { kernelModule, type KernelModuleArgs } from "./kernel-module.js";
export { line, type LineArgs } from "./line.js";
export { packages, type PackagesArgs } from "./packages.js";
export { selinux } from "./selinux.js";
export { swapOff } from "./swap-off.js";
export { sysctl, type SysctlArgs } from "./sysctl.js";
export { firewalldOff, systemd, type SystemdArgs } from "./systemd.js";
export { template, type TemplateArgs } from "./template.js";
export { unarchive, type UnarchiveArgs } from "./unarchive.js";
export { group, user, type GroupArgs, type UserArgs } from "./users.js";
export { waitFor, type WaitForArgs } from "./wait-for.js";
