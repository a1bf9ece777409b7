/**
 * The pods provider for real: a kubelet, containerd and runc in network namespaces of this machine.
 * Skips (saying why) only where it cannot run at all: not root, or no cgroup v1 hierarchy.
 * Everything else must hold: pods run, an unknown image fails like a real cluster, a stand-in
 * backend answers from the client namespace, `down` leaves nothing, no host sysctl changes, and a
 * capture on the host's own interfaces sees no packet to or from 192.168.35.0/24 (ARP included).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { clusterMain } from '../scripts/cluster/main.ts';
import { ensureBackend, waitBackendReady } from '../scripts/cluster/pods/backend.ts';
import { cannotRun, liveClaim, readClaim } from '../scripts/cluster/pods/host.ts';
import { CGROUP_ROOTS, HOST_PATHS, NET, STANDIN_IMAGE } from '../scripts/cluster/pods/layout.ts';
import { netnsFile, readSysctls } from '../scripts/cluster/pods/namespaces.ts';
import { httpFromClient } from '../scripts/cluster/pods/probe.ts';
import { hostMountsOf } from '../scripts/cluster/pods/teardown.ts';
import { sandboxPaths } from '../scripts/cluster/sandbox.ts';
import { processesNaming } from './helpers/sandbox.ts';
import { readSandbox, type SandboxState } from '../scripts/cluster/state.ts';
import { memoryIo } from '../scripts/lib/io.ts';
import { MACHINE_LOCK, skipReason } from './helpers/machine.ts';
import { acquireLock } from '../scripts/cluster/lock.ts';

const NAME = 'pods-test';
const MINOR = process.env.VDOCS_PODS_KUBERNETES ?? '1.37';

const skip = skipReason('pods', 'cluster-pods');

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * Why uid 65534 cannot start this checkout's CLI, or undefined. A checkout in a private folder
 * (root's home is 0700 on Debian, and so is a `mktemp -d`) cannot be read by that user, and the CLI
 * would fail for that, not for the refusal under test; the refusal itself is checked without it
 * (cluster-pods-unit.test.ts, `cannotRun` with uid 65534).
 */
function nobodyCannotReadReason(): string | undefined {
  if (skip) return undefined;
  const root = path.resolve(import.meta.dirname, '..');
  const probe = spawnSync('setpriv', [
    ...NOBODY,
    'sh',
    '-c',
    'test -r "$1" && test -r "$2" && test -x "$3" && test -x "$4"',
    'probe',
    path.join(root, 'scripts/cluster.ts'),
    path.join(root, 'node_modules/citty/package.json'),
    process.execPath,
    os.tmpdir(),
  ]);
  return probe.status === 0
    ? undefined
    : `uid 65534 가 이 체크아웃(${root})이나 node, ${os.tmpdir()} 를 읽을 수 없습니다 (위의 폴더가 비공개: root 의 홈, mktemp -d)`;
}
const nobodyCannotRead = nobodyCannotReadReason();
if (nobodyCannotRead)
  console.warn(`cluster-pods: root 가 아닌 사용자로 CLI 를 실행하는 확인만 건너뜀 — ${nobodyCannotRead}`);

function io(onErr?: (text: string) => void) {
  const m = memoryIo({ ...process.env, NO_COLOR: '1' });
  return {
    ...m,
    err: (t: string) => {
      process.stderr.write(t);
      onErr?.(t);
    },
  };
}

/** Everything on the host that belongs to a pods sandbox; all empty after `down`. */
function leftovers(dir: string) {
  return {
    processes: processesNaming(dir),
    mounts: hostMountsOf(dir),
    netns: [NET.nodeNetns, NET.clientNetns].filter((n) => fs.existsSync(netnsFile(n))),
    cgroups: fs
      .readdirSync('/sys/fs/cgroup')
      .flatMap((c) => CGROUP_ROOTS.map((r) => `/sys/fs/cgroup/${c}/${r}`))
      .filter((d) => fs.existsSync(d)),
    hostPaths: [
      HOST_PATHS.containerdRun,
      HOST_PATHS.cniState,
      HOST_PATHS.kubeletDefault,
      HOST_PATHS.containerLogs,
      HOST_PATHS.podLogs,
      HOST_PATHS.claim,
    ].filter((p) => fs.existsSync(p)),
    hostIptables: hostIptablesRules(),
  };
}

/** Rules in the host namespace's iptables (kube-proxy's chains must never appear there). */
function hostIptablesRules(): string[] {
  const r = spawnSync('iptables-save', [], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => /KUBE-|CNI-|192\.168\.35\./.test(l));
}

/** tcpdump on every interface of the host's namespace, for the page's subnet (IPv4 and ARP). */
function startCapture(file: string): ChildProcess {
  return spawn('tcpdump', ['-i', 'any', '-n', '-U', '-w', file, 'net', '192.168.35.0/24'], { stdio: 'ignore' });
}

/** The capture's packets; throws when the file is not a readable capture (so an empty list means something). */
function capturedPackets(file: string): string[] {
  const r = spawnSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcpdump -r ${file} 실패: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

describe.skipIf(Boolean(skip))('pods provider: refusals and a failed up', () => {
  let release: () => void;
  beforeAll(async () => {
    release = await acquireLock(MACHINE_LOCK, new AbortController().signal);
    expect(
      liveClaim(),
      '이 머신에 다른 pods 샌드박스가 떠 있습니다: 그 체크아웃에서 npm run cluster -- down',
    ).toBeUndefined();
  }, 1_800_000);
  afterAll(() => release?.());

  it.skipIf(Boolean(nobodyCannotRead))(
    'explains in one message why it cannot run without root, before touching anything',
    () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-nonroot-'));
      fs.chmodSync(cache, 0o777);
      const r = spawnSync('setpriv', [...NOBODY, process.execPath, 'scripts/cluster.ts', 'up', '--provider', 'pods'], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', VDOCS_CACHE_DIR: cache },
      });
      fs.rmSync(cache, { recursive: true, force: true });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        '✗ 이 머신에서는 pods 프로바이더(실제 kubelet·containerd)를 실행할 수 없습니다: root 권한이 아닙니다',
      );
      expect(r.stderr).toContain('[PODS_CANNOT_RUN]');
      expect(r.stderr).toContain('--provider kwok');
      expect(fs.existsSync(netnsFile(NET.nodeNetns))).toBe(false);
    },
  );

  it('refuses to start next to another runtime owning its paths, and leaves them alone', async () => {
    const existed = fs.existsSync(HOST_PATHS.kubeletDefault);
    expect(existed, `${HOST_PATHS.kubeletDefault} already exists on this machine`).toBe(false);
    fs.mkdirSync(HOST_PATHS.kubeletDefault);
    fs.writeFileSync(path.join(HOST_PATHS.kubeletDefault, 'someone-elses'), 'x');
    try {
      await expect(clusterMain(['up', '--provider', 'pods', '--name', `${NAME}-foreign`], io())).rejects.toMatchObject({
        code: 'PODS_MACHINE_BUSY',
      });
      expect(fs.readFileSync(path.join(HOST_PATHS.kubeletDefault, 'someone-elses'), 'utf8')).toBe('x');
      expect(fs.existsSync(sandboxPaths(`${NAME}-foreign`, process.env).dir)).toBe(false);
      expect(fs.existsSync(netnsFile(NET.nodeNetns))).toBe(false);
    } finally {
      fs.rmSync(HOST_PATHS.kubeletDefault, { recursive: true, force: true });
    }
  });

  it('an up interrupted half-way (SIGINT) removes everything it had made', async () => {
    const before = readSysctls();
    const name = `${NAME}-aborted`;
    const dir = sandboxPaths(name, process.env).dir;
    const cio = io((t) => {
      if (t.includes('containerd 시작')) cio.controller.abort(new Error('SIGINT'));
    });
    await expect(clusterMain(['up', '--provider', 'pods', '--kubernetes', MINOR, '--name', name], cio)).rejects.toThrow(
      'SIGINT',
    );
    expect(leftovers(dir)).toEqual({
      processes: [],
      mounts: [],
      netns: [],
      cgroups: [],
      hostPaths: [],
      hostIptables: [],
    });
    expect(fs.existsSync(dir)).toBe(false);
    expect(readSysctls()).toEqual(before);
  }, 300_000);
});

describe.skipIf(Boolean(skip))(`pods provider, Kubernetes ${MINOR}`, () => {
  const p = sandboxPaths(NAME, process.env);
  const capture = path.join(os.tmpdir(), `vdocs-pods-capture-${process.pid}.pcap`);
  let tcpdump: ChildProcess;
  let sysctlsBefore: Record<string, string | null>;
  let state: SandboxState;
  let kc: KubeConfig;

  let release: () => void;

  beforeAll(async () => {
    release = await acquireLock(MACHINE_LOCK, new AbortController().signal);
    expect(
      liveClaim(),
      '이 머신에 다른 pods 샌드박스가 떠 있습니다: 그 체크아웃에서 npm run cluster -- down',
    ).toBeUndefined();
    expect(
      cannotRun(process.env),
      '필요한 패키지: apt-get install containerd runc containernetworking-plugins iptables conntrack',
    ).toEqual([]);
    sysctlsBefore = readSysctls();
    tcpdump = startCapture(capture);
    await new Promise((r) => setTimeout(r, 1000));
    const code = await clusterMain(['up', '--provider', 'pods', '--kubernetes', MINOR, '--name', NAME], io());
    expect(code).toBe(0);
    state = readSandbox(NAME)!;
    kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
  }, 1_800_000);

  afterAll(async () => {
    await clusterMain(['down', '--name', NAME], io());
    tcpdump?.kill('SIGINT');
    fs.rmSync(capture, { force: true });
    release?.();
  }, 120_000);

  it('records the provider, a loopback API server and the real components', () => {
    expect(state.provider).toBe('pods');
    expect(state.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(state.processes.map((x) => x.name)).toEqual(
      expect.arrayContaining(['etcd', 'kube-apiserver', 'containerd', 'kubelet', 'kube-proxy']),
    );
    expect(readClaim()?.dir).toBe(p.dir);
  });

  it('refuses a second pods sandbox on the same machine, without touching the first', async () => {
    await expect(clusterMain(['up', '--provider', 'pods', '--name', `${NAME}-second`], io())).rejects.toMatchObject({
      code: 'PODS_MACHINE_BUSY',
    });
    expect(fs.existsSync(sandboxPaths(`${NAME}-second`, process.env).dir)).toBe(false);
    expect(readClaim()?.dir).toBe(p.dir);
  });

  it('runs a pod as a real container, and an unknown image fails to pull', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'real' },
        spec: {
          containers: [
            {
              name: 'web',
              image: STANDIN_IMAGE,
              imagePullPolicy: 'Never',
              env: [{ name: 'STANDIN_PORTS', value: '8080' }],
            },
          ],
        },
      },
    });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'unknown' },
        spec: { containers: [{ name: 'x', image: 'example.invalid/nothing:v1' }] },
      },
    });
    const deadline = Date.now() + 90_000;
    let real = '';
    let unknown = '';
    while (Date.now() < deadline && !(real === 'Running' && /ErrImagePull|ImagePullBackOff/.test(unknown))) {
      const a = await core.readNamespacedPod({ name: 'real', namespace: 'default' });
      const b = await core.readNamespacedPod({ name: 'unknown', namespace: 'default' });
      real = a.status?.phase ?? '';
      unknown = b.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '';
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(real).toBe('Running');
    expect(unknown).toMatch(/ErrImagePull|ImagePullBackOff/);
    const pod = await core.readNamespacedPod({ name: 'real', namespace: 'default' });
    expect(pod.status?.podIP).toMatch(/^10\.244\.0\./);
    await core.deleteNamespacedPod({ name: 'real', namespace: 'default', gracePeriodSeconds: 0 });
    await core.deleteNamespacedPod({ name: 'unknown', namespace: 'default', gracePeriodSeconds: 0 });
  }, 120_000);

  it('gives a stand-in Service a real backend that answers from the client namespace', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'mlflow-system' } } });
    const service = await core.createNamespacedService({
      namespace: 'mlflow-system',
      body: {
        metadata: { name: 'mlflow-server-service', namespace: 'mlflow-system' },
        spec: {
          type: 'NodePort',
          selector: { app: 'mlflow-server' },
          ports: [{ port: 5000, targetPort: 5000 as never, protocol: 'TCP' }],
        },
      },
    });
    const backend = await ensureBackend({ apps }, service);
    expect(backend).toMatchObject({
      status: 'created',
      namespace: 'mlflow-system',
      ports: [5000],
      title: 'MLflow 대시보드',
    });
    expect(await waitBackendReady({ apps }, backend, 90_000)).toBe(true);
    expect((await ensureBackend({ apps }, service)).status).toBe('replaced');
    const nodePort = service.spec!.ports![0]!.nodePort!;
    const answer = await httpFromClient(`http://${NET.nodeIp}:${nodePort}/`, { timeoutMs: 30_000 });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('MLflow 대시보드 대역 (stand-in)');
    expect(answer.body).toContain('mlflow-system/mlflow-server-service');
  }, 150_000);

  it('a sandbox whose kube-proxy died is recreated as a pods sandbox by a plain up', async () => {
    const kubeProxy = state.processes.find((x) => x.name === 'kube-proxy')!;
    process.kill(kubeProxy.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect(await clusterMain(['up', '--name', NAME], io())).toBe(0);
    state = readSandbox(NAME)!;
    expect(state.provider).toBe('pods');
    expect(state.processes.find((x) => x.name === 'kube-proxy')!.pid).not.toBe(kubeProxy.pid);
    kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
  }, 180_000);

  it('keeps every machine-wide setting and the host namespace untouched while up', () => {
    expect(readSysctls()).toEqual(sysctlsBefore);
    expect(hostIptablesRules()).toEqual([]);
    expect(spawnSync('ip', ['-o', 'addr'], { encoding: 'utf8' }).stdout).not.toContain('192.168.35.');
  });

  it('down removes every process, mount, cgroup, namespace and host path; nothing crossed the host interfaces', async () => {
    expect(await clusterMain(['down', '--name', NAME], io())).toBe(0);
    expect(leftovers(p.dir)).toEqual({
      processes: [],
      mounts: [],
      netns: [],
      cgroups: [],
      hostPaths: [],
      hostIptables: [],
    });
    expect(fs.existsSync(p.dir)).toBe(false);
    expect(readSysctls()).toEqual(sysctlsBefore);
    await new Promise((r) => setTimeout(r, 500));
    expect(tcpdump.exitCode, 'tcpdump ran for the whole test').toBeNull();
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump.once('exit', r));
    expect(capturedPackets(capture)).toEqual([]);
  }, 120_000);
});
