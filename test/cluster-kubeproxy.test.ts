import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configMapChecksum, kubeProxyConfigMap, kubeProxyConfigMapYaml } from '../scripts/cluster/kubeproxy.ts';

const conf =
  'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nipvs:\n  strictARP: false\nkind: KubeProxyConfiguration\nmode: iptables\n';

describe('kube-proxy ConfigMap (kubeadm shape)', () => {
  const cm = kubeProxyConfigMap({ configConf: conf, server: 'https://127.0.0.1:6443' });
  it('is kube-system/kube-proxy labelled app: kube-proxy, with both kubeadm data keys', () => {
    expect(cm.metadata).toMatchObject({ name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } });
    expect(Object.keys(cm.data).sort()).toEqual(['config.conf', 'kubeconfig.conf']);
  });
  it('keeps config.conf as given minus the trailing newline (kubeadm embeds it with |-)', () => {
    expect(cm.data['config.conf']).toBe(conf.trimEnd());
  });
  it('kubeconfig.conf uses the in-pod ServiceAccount token and CA, and the API server URL', () => {
    expect(cm.data['kubeconfig.conf']).toContain('server: https://127.0.0.1:6443');
    expect(cm.data['kubeconfig.conf']).toContain('tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token');
  });
  it("carries kubeadm's component-config hash: sha256 over the values in key order", () => {
    const expected = crypto
      .createHash('sha256')
      .update(cm.data['config.conf'])
      .update(cm.data['kubeconfig.conf'])
      .digest('hex');
    expect(cm.metadata.annotations['kubeadm.kubernetes.io/component-config.hash']).toBe(`sha256:${expected}`);
    expect(configMapChecksum({ b: '2', a: '1' })).toBe(configMapChecksum({ a: '1', b: '2' }));
  });
  it('renders YAML that round-trips, with strictARP: false on its own line (the guide seds it)', () => {
    const yaml = kubeProxyConfigMapYaml({ configConf: conf, server: 'https://127.0.0.1:6443' });
    expect(parse(yaml)).toEqual(cm);
    expect(parse(yaml).data['config.conf'].split('\n')).toContain('  strictARP: false');
    expect(yaml).not.toContain('last-applied-configuration');
  });
});
