import crypto from 'node:crypto';
import { stringify } from 'yaml';

/**
 * The `kube-system/kube-proxy` ConfigMap as kubeadm writes it, for a cluster where kubeadm never ran (kwok);
 * `configConf` comes from the kube-proxy-config helper built against the same Kubernetes, so its fields match.
 */
interface KubeProxyConfigMapInput {
  /** KubeProxyConfiguration YAML (data key `config.conf`). */
  configConf: string;
  /** Control plane endpoint written into `kubeconfig.conf` (kubeadm: the API server URL). */
  server: string;
}

/** kubeadm's `kubeconfig.conf` for kube-proxy (cmd/kubeadm/app/phases/addons/proxy/manifests.go), key for key. */
function kubeProxyKubeconfig(server: string): string {
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster: { 'certificate-authority': `${sa}/ca.crt`, server }, name: 'default' }],
    contexts: [{ context: { cluster: 'default', namespace: 'default', user: 'default' }, name: 'default' }],
    'current-context': 'default',
    users: [{ name: 'default', user: { tokenFile: `${sa}/token` } }],
  };
  return stringify(config, { indentSeq: false, lineWidth: 0 }).trimEnd();
}

/** kubeadm's ChecksumForConfigMap: sha256 over the values of the sorted data keys. */
export function configMapChecksum(data: Record<string, string>): string {
  const hash = crypto.createHash('sha256');
  for (const key of Object.keys(data).sort()) hash.update(data[key]!);
  return `sha256:${hash.digest('hex')}`;
}

export function kubeProxyConfigMap(input: KubeProxyConfigMapInput) {
  // kubeadm embeds both values as `|-` block scalars: no trailing newline.
  const data = {
    'config.conf': input.configConf.replace(/\n+$/, ''),
    'kubeconfig.conf': kubeProxyKubeconfig(input.server),
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'kube-proxy',
      namespace: 'kube-system',
      labels: { app: 'kube-proxy' },
      annotations: { 'kubeadm.kubernetes.io/component-config.hash': configMapChecksum(data) },
    },
    data,
  };
}

/** YAML for `kubectl create -f -` (create, not apply: no last-applied annotation, like kubeadm). */
export function kubeProxyConfigMapYaml(input: KubeProxyConfigMapInput): string {
  return stringify(kubeProxyConfigMap(input), { lineWidth: 0 });
}
