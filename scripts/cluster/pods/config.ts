import { stringify } from 'yaml';
import { atLeast } from '../../model/version.ts';
import { NET, NODE_NAME, PAUSE_IMAGE, type PodsPaths } from './layout.ts';

// Configuration files of the pods node, as text. Every path points into the sandbox folder; what still lands
// outside it is listed in HOST_PATHS.

/**
 * containerd 1.6 (config version 2): its own root, state and socket; CRI with runc on cgroupfs. No
 * CAP_SYS_RESOURCE here: never try to lower an oom_score_adj. Pod network namespaces under the state
 * folder, not /var/run/netns.
 */
export function containerdConfig(pp: PodsPaths): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${pp.containerd}/root"
state = "${pp.containerd}/state"
oom_score = 0

[grpc]
  address = "${pp.containerdSock}"
[ttrpc]
  address = "${pp.containerdSock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  tolerate_missing_hugetlb_controller = true
  disable_hugetlb_controller = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
[${cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "${pp.cniConf}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${pp.containerd}/opt"
`;
}

export function cniConflist(pp: PodsPaths): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'vdocs-pods',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: NET.podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: pp.cniIpam,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** A kubeconfig with a client certificate from the sandbox's PKI. */
export function kubeconfigYaml(server: string, pki: string, user: string, context: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server, 'certificate-authority': `${pki}/ca.crt` } }],
    users: [{ name: user, user: { 'client-certificate': `${pki}/${user}.crt`, 'client-key': `${pki}/${user}.key` } }],
    contexts: [{ name: context, context: { cluster: context, user } }],
    'current-context': context,
  });
}

/**
 * KubeletConfiguration. cgroup v1 needs `failCgroupV1: false` from 1.31 on; the runtime endpoint
 * is a config field from 1.27 on (a flag before, see kubeletArgs). Image GC and disk eviction are
 * effectively off: the images were imported, nothing can pull them again.
 */
export function kubeletConfig(pp: PodsPaths, kubernetes: string): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    ...(atLeast(kubernetes, '1.31') ? { failCgroupV1: false } : {}),
    ...(atLeast(kubernetes, '1.27') ? { containerRuntimeEndpoint: `unix://${pp.containerdSock}` } : {}),
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    oomScoreAdj: 0,
    address: NET.nodeIp,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: `${pp.pki}/ca.crt` },
    },
    authorization: { mode: 'Webhook' },
    protectKernelDefaults: false,
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    serializeImagePulls: false,
    volumePluginDir: `${pp.kubeletRoot}-plugins`,
    ...(atLeast(kubernetes, '1.29') ? { podLogsDir: `${pp.root}/pod-logs` } : {}),
    resolvConf: `${pp.root}/resolv.conf`,
  });
}

export function kubeletArgs(pp: PodsPaths, kubernetes: string): string[] {
  return [
    `--config=${pp.kubeletConfig}`,
    `--kubeconfig=${pp.kubeconfigs}/kubelet`,
    `--root-dir=${pp.kubeletRoot}`,
    `--cert-dir=${pp.pki}/kubelet-serving`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NET.nodeIp}`,
    ...(!atLeast(kubernetes, '1.27')
      ? [`--container-runtime=remote`, `--container-runtime-endpoint=unix://${pp.containerdSock}`]
      : []),
    '--v=1',
  ];
}

/** kube-proxy in iptables mode (no IPVS in this kernel); it must not set machine-wide conntrack limits. */
export function kubeProxyConfig(pp: PodsPaths): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: `${pp.kubeconfigs}/kube-proxy` },
    hostnameOverride: NODE_NAME,
    clusterCIDR: NET.clusterCidr,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    oomScoreAdj: 0,
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    // kubeadm's default (and 0, which means the same) is 1 s: a Service's new EXTERNAL-IP answered a
    // second after MetalLB announced it, in every browser step (measured). One node, a few Services:
    // rules written 0.1 s after a change cost nothing.
    iptables: { minSyncPeriod: '100ms' },
  });
}

export function etcdArgs(pp: PodsPaths): string[] {
  return [
    '--name=vdocs',
    `--data-dir=${pp.etcdData}`,
    '--listen-client-urls=http://127.0.0.1:2379',
    '--advertise-client-urls=http://127.0.0.1:2379',
    '--listen-peer-urls=http://127.0.0.1:2380',
    '--initial-advertise-peer-urls=http://127.0.0.1:2380',
    '--initial-cluster=vdocs=http://127.0.0.1:2380',
    '--listen-metrics-urls=http://127.0.0.1:2381',
    '--unsafe-no-fsync',
    '--quota-backend-bytes=2147483648',
  ];
}

/** The API server listens inside the node namespace only; the host reaches it through netns-forward. */
export function apiserverArgs({ pki }: PodsPaths): string[] {
  return [
    '--etcd-servers=http://127.0.0.1:2379',
    '--bind-address=0.0.0.0',
    '--secure-port=6443',
    `--advertise-address=${NET.nodeIp}`,
    `--service-cluster-ip-range=${NET.serviceCidr}`,
    `--tls-cert-file=${pki}/apiserver.crt`,
    `--tls-private-key-file=${pki}/apiserver.key`,
    `--client-ca-file=${pki}/ca.crt`,
    `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`,
    `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-key-file=${pki}/sa.pub`,
    `--service-account-signing-key-file=${pki}/sa.key`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
  ];
}

/** kube-controller-manager and kube-scheduler: their own kubeconfig for everything, local only, no leader election. */
export function componentArgs(pp: PodsPaths, user: 'controller-manager' | 'scheduler'): string[] {
  const kubeconfig = `${pp.kubeconfigs}/${user}`;
  return [
    ...['kubeconfig', 'authentication-kubeconfig', 'authorization-kubeconfig'].map((f) => `--${f}=${kubeconfig}`),
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export function controllerManagerArgs(pp: PodsPaths): string[] {
  return [
    ...componentArgs(pp, 'controller-manager'),
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pp.pki}/sa.key`,
    `--root-ca-file=${pp.pki}/ca.crt`,
    `--cluster-signing-cert-file=${pp.pki}/ca.crt`,
    `--cluster-signing-key-file=${pp.pki}/ca.key`,
    `--service-cluster-ip-range=${NET.serviceCidr}`,
  ];
}
