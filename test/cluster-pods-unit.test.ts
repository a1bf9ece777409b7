/** The pods provider's pure parts: configuration text, backends for the page's Services, probe guards, messages. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseClusterArgs } from '../scripts/cluster/cli.ts';
import { backendDeployment, backendPorts, dashboardTitle } from '../scripts/cluster/pods/backend.ts';
import { containerdConfig, kubeletArgs, kubeletConfig, kubeProxyConfig } from '../scripts/cluster/pods/config.ts';
import { busyError, cannotRun, cannotRunError, liveClaim, readClaim, takeClaim } from '../scripts/cluster/pods/host.ts';
import { podsPaths, STANDIN_IMAGE } from '../scripts/cluster/pods/layout.ts';
import { holderScript, KUBELET_SYSCTLS } from '../scripts/cluster/pods/namespaces.ts';
import { checkDocumentedUrl } from '../scripts/cluster/pods/probe.ts';
import { sandboxPaths } from '../scripts/cluster/sandbox.ts';
import { recordProcess, startTicks } from '../scripts/cluster/procs.ts';

const pp = podsPaths(sandboxPaths('unit', { VDOCS_CACHE_DIR: '/tmp/vdocs-unit-cache' }));

describe('pods configuration', () => {
  it('kubelet: cgroup v1 allowed from 1.31 on, runtime endpoint as a field from 1.27 on, a flag before', () => {
    const k137 = parse(kubeletConfig(pp, 'v1.37.0')) as Record<string, unknown>;
    expect(k137).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      failSwapOn: false,
      oomScoreAdj: 0,
      protectKernelDefaults: false,
      containerRuntimeEndpoint: `unix://${pp.containerdSock}`,
    });
    const k124 = parse(kubeletConfig(pp, 'v1.24.17')) as Record<string, unknown>;
    expect(k124).not.toHaveProperty('failCgroupV1');
    expect(k124).not.toHaveProperty('containerRuntimeEndpoint');
    expect(kubeletArgs(pp, 'v1.24.17')).toContain(`--container-runtime-endpoint=unix://${pp.containerdSock}`);
    expect(kubeletArgs(pp, 'v1.37.0').join(' ')).not.toContain('--container-runtime');
  });

  it('kube-proxy: iptables mode and no machine-wide conntrack settings', () => {
    expect(parse(kubeProxyConfig(pp))).toMatchObject({
      mode: 'iptables',
      oomScoreAdj: 0,
      conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    });
  });

  it('containerd: its own socket and folders, pod network namespaces under its state folder', () => {
    const c = containerdConfig(pp);
    expect(c).toContain(`address = "${pp.containerdSock}"`);
    expect(c).toContain('netns_mounts_under_state_dir = true');
    expect(c).toContain('restrict_oom_score_adj = true');
    expect(c).not.toContain('/var/lib/containerd');
    expect(pp.containerdSock.length).toBeLessThan(100);
  });

  it('the node mount namespace covers every machine-wide sysctl kubelet writes, then runs pause', () => {
    const script = holderScript(pp, '/bin/pause');
    for (const key of Object.keys(KUBELET_SYSCTLS)) expect(script).toContain(` /proc/sys/${key}\n`);
    expect(script.trim().split('\n').at(-1)).toBe(`exec /bin/pause ${pp.root}`);
  });
});

describe('stand-in backends', () => {
  const istio = {
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
    spec: {
      selector: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      ports: [
        { name: 'status-port', port: 15021, targetPort: 15021 },
        { name: 'http2', port: 80, targetPort: 8080 },
        { name: 'https', port: 443, targetPort: 8443 },
      ],
    },
  };

  it('serves on every target port, with the selector as labels, from the imported image only', () => {
    const d = backendDeployment(istio as never);
    expect(d.metadata).toMatchObject({ name: 'istio-ingressgateway-standin', namespace: 'istio-system' });
    expect(d.spec?.selector.matchLabels).toEqual(istio.spec.selector);
    expect(d.spec?.template.metadata?.labels).toEqual(istio.spec.selector);
    const c = d.spec!.template.spec!.containers[0]!;
    expect(c).toMatchObject({ image: STANDIN_IMAGE, imagePullPolicy: 'Never' });
    expect(c.ports?.map((p) => p.containerPort)).toEqual([15021, 8080, 8443]);
    expect(c.env).toContainEqual({ name: 'STANDIN_TITLE', value: 'Kubeflow 대시보드' });
  });

  it.each([
    ['kubeflow', 'minio-service', 'MinIO 대시보드'],
    ['mlflow-system', 'mlflow-server-service', 'MLflow 대시보드'],
    ['seldon-system', 'seldon-core-analytics-grafana', 'Grafana 대시보드'],
    ['default', 'other', 'other 대시보드'],
  ])('%s/%s stands in for %s', (namespace, name, title) => {
    expect(dashboardTitle({ metadata: { namespace, name } })).toBe(title);
  });

  it('keeps a named target port by name on the service port', () => {
    expect(backendPorts({ spec: { ports: [{ port: 80, targetPort: 'http' as never }] } })).toEqual([
      { containerPort: 80, name: 'http' },
    ]);
  });

  it('refuses a Service without a selector', () => {
    expect(() =>
      backendDeployment({ metadata: { name: 'x', namespace: 'y' }, spec: { ports: [{ port: 1 }] } }),
    ).toThrow(/selector/);
  });
});

describe('probe and messages', () => {
  it.each(['http://192.168.35.100', 'http://192.168.35.101:9000'])('accepts the documented address %s', (url) => {
    expect(checkDocumentedUrl(url).hostname).toMatch(/^192\.168\.35\./);
  });

  it.each(['http://127.0.0.1:6443', 'https://192.168.35.100', 'http://10.0.0.1', 'http://example.com'])(
    'refuses %s',
    (url) => {
      expect(() => checkDocumentedUrl(url)).toThrow(/대역 밖의 주소/);
    },
  );

  it('explains in one message why the provider cannot run, with the fix', () => {
    const e = cannotRunError(['root 권한이 아닙니다']);
    expect(e.message).toBe(
      '이 머신에서는 pods 프로바이더(실제 kubelet·containerd)를 실행할 수 없습니다: root 권한이 아닙니다.',
    );
    expect(e.hint).toContain('--provider kwok');
    expect(busyError(['x']).code).toBe('PODS_MACHINE_BUSY');
  });

  it('refuses a user other than root first, whatever else the machine has (uid 65534, nobody)', () => {
    const reasons = cannotRun(process.env, 65534);
    expect(reasons[0]).toBe('root 권한이 아닙니다 (네트워크 네임스페이스, 마운트, cgroup을 만들어야 합니다)');
    expect(cannotRunError(reasons).message).toMatch(
      /^이 머신에서는 pods 프로바이더\(실제 kubelet·containerd\)를 실행할 수 없습니다: root 권한이 아닙니다/,
    );
    expect(cannotRun(process.env, 0)).not.toContain(reasons[0]);
  });

  it('the CLI accepts --provider pods', async () => {
    expect(await parseClusterArgs(['up', '--provider', 'pods'])).toMatchObject({ kind: 'up', provider: 'pods' });
  });
});

describe('the machine-wide claim (/run/vdocs-pods.owner)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-claim-'));
  const claim = path.join(tmp, 'vdocs-pods.owner');
  // The claimed sandbox's folder is kept in every case, as a sandbox killed mid-run leaves it.
  const killed = path.join(tmp, 'sandbox', 'pods-killed');
  const next = path.join(tmp, 'sandbox', 'pods-next');
  fs.mkdirSync(killed, { recursive: true });
  fs.mkdirSync(next, { recursive: true });
  const children: ChildProcess[] = [];
  afterEach(() => {
    fs.rmSync(claim, { force: true });
    fs.rmSync(podsPaths({ dir: killed }).root, { recursive: true, force: true });
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const claimedBy = (c: object) => fs.writeFileSync(claim, JSON.stringify(c) + '\n');
  const deadPid = () => spawnSync('true').pid!;
  const busy = { code: 'PODS_MACHINE_BUSY' };

  it('a sandbox killed mid-run (folder kept, no daemon or up of its own running) no longer holds the machine', () => {
    claimedBy({ pid: deadPid(), dir: killed });
    expect(() => takeClaim(next, claim)).not.toThrow();
    expect(readClaim(claim)).toMatchObject({ pid: process.pid, dir: next });
  });

  it('nor does it when its up pid now belongs to another process (another start time)', () => {
    claimedBy({ pid: process.ppid, start: (startTicks(process.ppid) ?? 0) + 1, dir: killed });
    expect(() => takeClaim(next, claim)).not.toThrow();
  });

  it('an up still starting (alive, no daemon recorded yet) holds it', () => {
    claimedBy({ pid: process.pid, dir: killed });
    expect(() => takeClaim(next, claim)).toThrow(expect.objectContaining(busy));
    expect(readClaim(claim)?.dir).toBe(killed);
  });

  it('the pods tests ask for a live claim: a stale one left behind does not stop them', () => {
    claimedBy({ pid: deadPid(), dir: killed });
    expect(liveClaim(claim)).toBeUndefined();
    fs.rmSync(claim);
    takeClaim(next, claim);
    expect(liveClaim(claim)).toMatchObject({ pid: process.pid, start: startTicks(process.pid), dir: next });
  });

  it('a sandbox whose recorded daemon still runs holds it after its up has exited', () => {
    const daemon = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(daemon);
    const pp = podsPaths({ dir: killed });
    fs.mkdirSync(pp.root, { recursive: true });
    fs.writeFileSync(
      path.join(pp.root, 'created.json'),
      JSON.stringify({ daemons: [{ ...recordProcess('kubelet', daemon.pid!), log: '/dev/null' }], paths: [] }),
    );
    claimedBy({ pid: deadPid(), dir: killed });
    expect(() => takeClaim(next, claim)).toThrow(expect.objectContaining(busy));
  });
});
