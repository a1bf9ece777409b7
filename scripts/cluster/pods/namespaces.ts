import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { HOST_PATHS, NET, RUNTIME_HOST_PATHS, type PodsPaths } from './layout.ts';
import { orElse } from '../procs.ts';

// The two network namespaces, the veth between them, and the node's private mount namespace.
// - Namespaces are persisted with `unshare --net=/run/netns/NAME` (one bind mount per file), not `ip netns add`,
//   which also turns /run/netns itself into a shared mount that outlives it.
// - The veth is created with both ends already inside the namespaces: it never exists on the host.
// - The mount namespace (held by our pause binary) bind-mounts files over the machine-wide /proc/sys entries kubelet
//   would rewrite, and sandbox folders over the fixed host paths containerd and kubelet write; containerd, kubelet
//   and kube-proxy all run in it, so those mounts, every container's rootfs and every volume vanish with it.

export const netnsFile = (name: string) => path.join(HOST_PATHS.netns, name);

/** The command prefix that runs something in a namespace: nsenter, never `ip netns exec` (it remounts /sys). */
export function inNetns(name: string, mountOf?: number): string[] {
  return ['nsenter', `--net=${netnsFile(name)}`, ...(mountOf ? [`--mount=/proc/${mountOf}/ns/mnt`] : []), '--'];
}

/** Runs `argv` (a namespace prefix and a command), failing with the step's name, the command and its stderr. */
function sh(what: string, argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new EnvironmentError(
      'PODS_NETWORK_FAILED',
      `${what}에 실패했습니다 (종료 코드 ${r.status}):\n  $ ${argv.join(' ')}\n    ${(r.stderr || r.error?.message || '').trim()}`,
    );
  }
}

/** `ip <args>` in a namespace; `args` is one string of words without spaces inside any of them. */
const ip = (ns: string[], what: string, args: string) => sh(what, [...ns, 'ip', ...args.split(' ')]);

/** Machine-wide sysctls kubelet sets (pkg/kubelet/cm setupKernelTunables) and the values it wants. */
export const KUBELET_SYSCTLS: Record<string, string> = {
  'vm/overcommit_memory': '1',
  'vm/panic_on_oom': '0',
  'kernel/panic': '10',
  'kernel/panic_on_oops': '1',
  'kernel/keys/root_maxkeys': '1000000',
  'kernel/keys/root_maxbytes': '25000000',
};

/** Set to 1 in the node namespace (createNetwork): that namespace's own files, never the host's. */
const FORWARDING_SYSCTLS = [
  'net/ipv4/ip_forward',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
];

/** The host's own values of every machine-wide setting the node could touch (for tests and `status`). */
const GUARDED_SYSCTLS = [
  ...Object.keys(KUBELET_SYSCTLS),
  ...FORWARDING_SYSCTLS,
  'net/bridge/bridge-nf-call-arptables',
  'net/netfilter/nf_conntrack_max',
];

export function readSysctls(): Record<string, string | null> {
  const read = (k: string) => orElse(() => fs.readFileSync(`/proc/sys/${k}`, 'utf8').trim(), null);
  return Object.fromEntries(GUARDED_SYSCTLS.map((k) => [k, read(k)]));
}

/** Creates both namespaces and the veth; records every created path in `created` as it goes. */
export function createNetwork(created: (what: string) => void): void {
  if (fs.mkdirSync(HOST_PATHS.netns, { recursive: true })) created(HOST_PATHS.netns);
  for (const name of [NET.nodeNetns, NET.clientNetns]) {
    const file = netnsFile(name);
    fs.writeFileSync(file, '', { flag: 'wx' });
    created(file);
    sh(`네트워크 네임스페이스 ${name} 만들기`, ['unshare', `--net=${file}`, 'true']);
  }
  const node = inNetns(NET.nodeNetns);
  const client = inNetns(NET.clientNetns);
  // Both ends are created inside the namespaces (ip's `netns` on each end): nothing appears on the host.
  ip(node, 'veth 만들기', `link add ${NET.nodeIf} type veth peer name ${NET.clientIf} netns ${NET.clientNetns}`);
  for (const [ns, dev, addr] of [
    [node, NET.nodeIf, NET.nodeIp],
    [client, NET.clientIf, NET.clientIp],
  ] as const) {
    ip(ns, '루프백 올리기', 'link set lo up');
    ip(ns, `${dev}에 ${addr} 주기`, `addr add ${addr}/24 dev ${dev}`);
    ip(ns, `${dev} 올리기`, `link set ${dev} up`);
  }
  // Host-network pods (the speaker) reach the API server at the `kubernetes` Service IP: connect()
  // needs a route before kube-proxy's DNAT can apply. There is no default route, on purpose.
  ip(node, '서비스 대역 경로', `route add ${NET.serviceCidr} dev ${NET.nodeIf} src ${NET.nodeIp}`);
  for (const key of FORWARDING_SYSCTLS.filter((k) => fs.existsSync(`/proc/sys/${k}`))) {
    const file = `/proc/sys/${key}`;
    sh(`노드 네임스페이스 ${key}=1`, [...node, 'sh', '-c', `test -e ${file} && echo 1 > ${file} || true`]);
  }
  // The client asks a new EXTERNAL-IP's ARP every 200 ms, not every second: a browser step meets the
  // address the moment MetalLB's speaker starts answering for it (still a real ARP reply).
  const retrans = `/proc/sys/net/ipv4/neigh/${NET.clientIf}/retrans_time_ms`;
  sh('클라이언트 ARP 재시도 간격', [...client, 'sh', '-c', `echo 200 > ${retrans}`]);
}

/** Removes a namespace file (its bind mount first). Missing files are fine. */
export function deleteNetns(file: string): void {
  spawnSync('umount', [file], { encoding: 'utf8' });
  fs.rmSync(file, { force: true });
}

/** The host directories bind-mounted from the sandbox in the node's mount namespace. */
function hostBinds(pp: PodsPaths): Array<{ host: string; sandbox: string }> {
  return Object.values(RUNTIME_HOST_PATHS).map((host) => ({
    host,
    sandbox: path.join(pp.root, 'host', host.replace(/^\//, '').replace(/\//g, '_')),
  }));
}

/** The mount-namespace holder's command before its script: a private mount namespace, nothing propagates to the host. */
export const HOLDER = ['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c'];

/**
 * The shell script the mount-namespace holder runs (under `unshare --mount --propagation private`):
 * sysctl stand-in files over /proc/sys, sandbox folders over the fixed host paths, then our pause.
 */
export function holderScript(pp: PodsPaths, pause: string): string {
  const lines = ['set -eu'];
  for (const key of Object.keys(KUBELET_SYSCTLS))
    lines.push(`mount --bind ${pp.sysctls}/${key.replace(/\//g, '.')} /proc/sys/${key}`);
  for (const b of hostBinds(pp)) lines.push(`mount --bind ${b.sandbox} ${b.host}`);
  // The sandbox folder as an argument, so ps shows whose it is (`down` stops it from its record in created.json).
  lines.push(`exec ${pause} ${pp.root}`);
  return lines.join('\n');
}

/** Writes the sysctl stand-in files and the bind sources; creates missing host mount points (recorded). */
export function prepareHolder(pp: PodsPaths, created: (what: string) => void): void {
  fs.mkdirSync(pp.sysctls, { recursive: true });
  for (const [key, value] of Object.entries(KUBELET_SYSCTLS))
    fs.writeFileSync(path.join(pp.sysctls, key.replace(/\//g, '.')), `${value}\n`);
  for (const b of hostBinds(pp)) {
    fs.mkdirSync(b.sandbox, { recursive: true });
    // Record the topmost folder we create (mkdir says which), so `down` removes exactly that.
    const top = fs.mkdirSync(b.host, { recursive: true });
    if (top) created(top);
  }
}

/** Whether the holder's namespace is ready: every bind of the script is in its mountinfo. */
export function holderReady(pid: number, pp: PodsPaths): boolean {
  const info = orElse(() => fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), '');
  return (
    Object.keys(KUBELET_SYSCTLS).every((k) => info.includes(`/proc/sys/${k} `)) &&
    hostBinds(pp).every((b) => info.includes(` ${b.host} `))
  );
}
