import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  kindConfig,
  kindCreateArgs,
  kindDeleteArgs,
  pageNetworkArgs,
  parseKindVersion,
} from '../scripts/cluster/kind/cluster.ts';
import { componentOf } from '../scripts/cluster/kind/node-image.ts';
import { kwokctlConfiguration, kwokctlCreateArgs, kwokctlEnv, plannedDownloads } from '../scripts/cluster/kwok.ts';
import { sandboxPaths } from '../scripts/cluster/sandbox.ts';
import { resolveKubernetes } from '../scripts/cluster/versions.ts';

const env = { VDOCS_CACHE_DIR: '/c', PATH: '/usr/bin', HOME: '/root' };
const p = sandboxPaths('vdocs', env);
const bins = {
  kubeBin: '/c/bin/kubernetes-v1.37.0',
  etcd: '/c/bin/etcd-v3.6.16/etcd',
  kwok: '/c/bin/kwok-v0.8.0/kwok',
  kwokctl: '/c/bin/kwok-v0.8.0/kwokctl',
  metallbController: '/c/bin/metallb-v0.11.0/controller',
};

describe('kind provider command lines', () => {
  it('creates with the given image and configuration, into the project kubeconfig, waiting for the control plane', () => {
    expect(
      kindCreateArgs(
        'vdocs',
        resolveKubernetes('1.37').kindNodeImage,
        p.kubeconfig,
        '/c/sandbox/vdocs/kind.yaml',
        false,
      ),
    ).toEqual([
      'create',
      'cluster',
      '--name',
      'vdocs',
      '--image',
      'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
      '--config',
      '/c/sandbox/vdocs/kind.yaml',
      '--kubeconfig',
      '/c/sandbox/vdocs/kubeconfig',
      '--wait',
      '5m',
    ]);
  });
  it('passes --retain through, and pins the 1.24 image for 1.24', () => {
    expect(kindCreateArgs('x', 'img', '/k', '/c', true)).toContain('--retain');
    expect(resolveKubernetes('1.24').kindNodeImage).toBe(
      'kindest/node:v1.24.17@sha256:bad10f9b98d54586cba05a7eaa1b61c6b90bfc4ee174fdc43a7b75ca75c95e51',
    );
  });
  it('configures only what the machine needs: failCgroupV1 on a cgroup v1 engine (kubelet 1.31+), oomScoreAdj 0 without CAP_SYS_RESOURCE, the forwarded API port; kube-proxy syncs 0.1 s after a change everywhere', () => {
    expect(parse(kindConfig(resolveKubernetes('1.37'), { cgroupV1: false, noSysResource: false }))).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      kubeadmConfigPatches: ['kind: KubeProxyConfiguration\niptables:\n  minSyncPeriod: 100ms\n'],
    });
    const here = parse(
      kindConfig(resolveKubernetes('1.37'), { apiServerPort: 41234, cgroupV1: true, noSysResource: true }),
    ) as { networking: unknown; kubeadmConfigPatches: string[] };
    expect(here.networking).toEqual({ apiServerAddress: '127.0.0.1', apiServerPort: 41234 });
    expect(here.kubeadmConfigPatches.map((x) => parse(x) as unknown)).toEqual([
      { kind: 'KubeletConfiguration', failCgroupV1: false, oomScoreAdj: 0 },
      { kind: 'KubeProxyConfiguration', iptables: { minSyncPeriod: '100ms' }, oomScoreAdj: 0 },
    ]);
    // kubelet 1.24 has no failCgroupV1 field (strict decoding would refuse it).
    expect(kindConfig(resolveKubernetes('1.24'), { cgroupV1: true, noSysResource: false })).not.toContain(
      'failCgroupV1',
    );
  });
  it("puts the page network on the page subnet with the gateway on .1 and Docker's own addresses below .64", () => {
    expect(pageNetworkArgs('kind')).toEqual([
      'network',
      'create',
      '--subnet',
      '192.168.35.0/24',
      '--gateway',
      '192.168.35.1',
      '--ip-range',
      '192.168.35.0/26',
      'kind',
    ]);
  });
  it.each([
    ['registry.k8s.io/kube-apiserver:v1.37.0', { kind: 'kube', command: 'kube-apiserver' }],
    ['registry.k8s.io/kube-proxy:v1.37.0', { kind: 'kube', command: 'kube-proxy' }],
    ['registry.k8s.io/etcd:3.7.0-0', { kind: 'etcd', version: 'v3.7.0' }],
    ['registry.k8s.io/coredns/coredns:v1.14.6', { kind: 'coredns', version: 'v1.14.6' }],
    ['registry.k8s.io/pause:3.10.2', { kind: 'pause', version: '3.10.2' }],
    ['registry.k8s.io/etcd:latest', undefined],
    ['docker.io/library/nginx:1.27', undefined],
  ])('the offline node image builds %s as %j', (name, expected) => {
    expect(componentOf(name)).toEqual(expected);
  });
  it('deletes from the same kubeconfig (never ~/.kube/config)', () => {
    expect(kindDeleteArgs('vdocs', '/k')).toEqual(['delete', 'cluster', '--name', 'vdocs', '--kubeconfig', '/k']);
  });
  it.each([
    ['kind v0.33.0 go1.26.8 linux/amd64', 'v0.33.0'],
    ['kind v0.22.0 go1.20.13 linux/amd64', 'v0.22.0'],
    ['command not found', undefined],
  ])('kind version %j → %s', (out, v) => {
    expect(parseKindVersion(out)).toBe(v);
  });
});

describe('kwok provider command lines', () => {
  const args = kwokctlCreateArgs('vdocs', p, bins);
  it.each([
    ['--runtime', 'binary'],
    ['--kubeconfig', '/c/sandbox/vdocs/kubeconfig'],
    ['-c', '/c/sandbox/vdocs/kwokctl.yaml'],
    ['--etcd-binary', '/c/bin/etcd-v3.6.16/etcd'],
    ['--kube-apiserver-binary', '/c/bin/kubernetes-v1.37.0/kube-apiserver'],
    ['--kube-controller-manager-binary', '/c/bin/kubernetes-v1.37.0/kube-controller-manager'],
    ['--kube-scheduler-binary', '/c/bin/kubernetes-v1.37.0/kube-scheduler'],
    ['--kwok-controller-binary', '/c/bin/kwok-v0.8.0/kwok'],
  ])('%s %s', (flag, value) => {
    expect(args[args.indexOf(flag) + 1]).toBe(value);
  });
  it('dry run only adds --dry-run', () => {
    expect(kwokctlCreateArgs('vdocs', p, bins, { dryRun: true })).toEqual([...args, '--dry-run']);
  });
  it("binds to 127.0.0.1 and sets kubeadm's service range through the configuration file", () => {
    const cfg = parse(kwokctlConfiguration('/c/bin/kubernetes-v1.37.0/kubectl'));
    expect(cfg.kind).toBe('KwokctlConfiguration');
    expect(cfg.options.bindAddress).toBe('127.0.0.1');
    expect(cfg.options.kubectlBinary).toBe('/c/bin/kubernetes-v1.37.0/kubectl');
    expect(cfg.componentsPatches).toEqual([
      { name: 'kube-apiserver', extraArgs: [{ key: 'service-cluster-ip-range', value: '10.96.0.0/12' }] },
      { name: 'kube-controller-manager', extraArgs: [{ key: 'leader-elect', value: 'false' }] },
      { name: 'kube-scheduler', extraArgs: [{ key: 'leader-elect', value: 'false' }] },
    ]);
  });
  it('runs kwokctl with its work folder in the sandbox and drops inherited KWOK_* and KUBECONFIG', () => {
    const e = kwokctlEnv(
      { ...env, KWOK_KUBE_APISERVER_BINARY: 'https://dl.k8s.io/x', KUBECONFIG: '/root/.kube/config' },
      p,
      '/k/kubectl',
    );
    expect(e.KWOK_KUBE_APISERVER_BINARY).toBeUndefined();
    expect(e.KWOK_WORKDIR).toBe('/c/sandbox/vdocs/kwok');
    expect(e.KWOK_KUBECTL_BINARY).toBe('/k/kubectl');
    expect(e.KUBECONFIG).toBe('/c/sandbox/vdocs/kubeconfig');
    expect(e.PATH).toBe('/usr/bin');
  });
});

describe('plannedDownloads (kwokctl --dry-run)', () => {
  it('local copies are fine; URLs are downloads; loopback URLs in flags are not', () => {
    const out = [
      '# Download /c/bin/etcd-v3.6.16/etcd to /c/sandbox/vdocs/kwok/clusters/vdocs/bin/etcd',
      '# Download https://dl.k8s.io/release/v1.37.0/bin/linux/amd64/kube-apiserver to /x/bin/kube-apiserver',
      'cd /x && etcd --listen-client-urls=http://127.0.0.1:32765 --initial-cluster=node0=http://127.0.0.1:32766 &',
      'kube-apiserver --service-account-issuer=https://kubernetes.default.svc.cluster.local &',
      'wget -O /tmp/x https://example.com/x',
    ].join('\n');
    expect(plannedDownloads(out)).toEqual({
      urls: [
        'https://dl.k8s.io/release/v1.37.0/bin/linux/amd64/kube-apiserver',
        'wget -O /tmp/x https://example.com/x',
      ],
      local: ['/c/bin/etcd-v3.6.16/etcd'],
    });
  });
});
