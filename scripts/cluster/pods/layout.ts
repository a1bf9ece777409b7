import path from 'node:path';
import type { SandboxPaths } from '../sandbox.ts';

/** The pods provider's fixed facts. The page's subnet (192.168.35.0/24) exists only inside the two network
 * namespaces created here; nothing in the host namespace ever holds or sends to it. */
export const NET = {
  /** The node's namespace: etcd, control plane, containerd, kubelet, kube-proxy, every pod. */
  nodeNetns: 'vdocs-node',
  /** "Another host on the same network": where the browser steps run. */
  clientNetns: 'vdocs-client',
  nodeIf: 'vdocs-n0',
  clientIf: 'vdocs-c0',
  subnet: '192.168.35.0/24',
  nodeIp: '192.168.35.2',
  clientIp: '192.168.35.50',
  podCidr: '10.244.0.0/24',
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/12',
  serviceIp: '10.96.0.1',
} as const;

export const NODE_NAME = 'vdocs-node';

/** The sandbox (pause) image containerd runs for every pod; we build and import it. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** Built and imported by the provider; any other image is pulled, and pulling fails (no route out). */
export const STANDIN_IMAGE = 'vdocs.local/standin-web:v1';

/**
 * Paths outside the sandbox folder that containerd 1.6 and kubelet write no matter their configuration: the
 * node's mount namespace covers each with a sandbox folder (namespaces.ts hostBinds), and `up` refuses to start
 * while one holds anything (host.ts ownersOf). One pods sandbox per machine.
 */
export const RUNTIME_HOST_PATHS = {
  containerdRun: '/run/containerd',
  cniState: '/var/lib/cni',
  kubeletDefault: '/var/lib/kubelet',
  containerLogs: '/var/log/containers',
  podLogs: '/var/log/pods',
} as const;

/** Those, and the host paths of our own: the namespace files' folder and the claim. */
export const HOST_PATHS = {
  ...RUNTIME_HOST_PATHS,
  netns: '/run/netns',
  /** The machine-wide claim: which sandbox folder owns the pods runtime (pid and path). */
  claim: '/run/vdocs-pods.owner',
} as const;

/** Cgroups created at the root of every v1 controller (kubelet's QoS tree, containerd's namespace). */
export const CGROUP_ROOTS = ['kubepods', 'k8s.io'] as const;

/** Everything of the pods provider inside the sandbox folder (only its folder is needed: a claim names no more). */
export function podsPaths(p: Pick<SandboxPaths, 'dir'>) {
  const root = path.join(p.dir, 'pods');
  return {
    root,
    pki: path.join(root, 'pki'),
    etcdData: path.join(root, 'etcd'),
    containerd: path.join(root, 'containerd'),
    containerdConfig: path.join(root, 'containerd', 'config.toml'),
    /** Short on purpose: unix socket paths are limited to 107 bytes. */
    containerdSock: path.join(root, 'containerd', 'sock'),
    cniConf: path.join(root, 'cni', 'net.d'),
    cniIpam: path.join(root, 'cni', 'ipam'),
    kubeletRoot: path.join(root, 'kubelet'),
    kubeletConfig: path.join(root, 'kubelet.yaml'),
    kubeProxyConfig: path.join(root, 'kube-proxy.yaml'),
    sysctls: path.join(root, 'sysctl'),
    forwardPort: path.join(root, 'apiserver.port'),
    kubeconfigs: path.join(root, 'kubeconfig'),
  };
}
export type PodsPaths = ReturnType<typeof podsPaths>;
