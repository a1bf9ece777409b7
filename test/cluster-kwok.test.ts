/**
 * End to end on a real kwok sandbox: real etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler built from the module proxy (cached in .cache/bin), kwok nodes, and the real
 * MetalLB v0.11.0 controller run by the small kubelet. A cold cache builds everything first.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../scripts/lib/io.ts';
import { isAlive, run } from '../scripts/lib/process.ts';
import { atLeast } from '../scripts/model/version.ts';
import { clusterMain } from '../scripts/cluster/main.ts';
import { kwokctlCreateArgs, kwokctlEnv, plannedDownloads, type KwokBinaries } from '../scripts/cluster/kwok.ts';
import { sandboxProcesses } from '../scripts/cluster/procs.ts';
import { isPortOpen, sandboxPaths } from '../scripts/cluster/sandbox.ts';
import { readSandbox, type SandboxState } from '../scripts/cluster/state.ts';
import { binDirOf, ensureBuilt } from '../scripts/cluster/build.ts';
import { etcdTarget, kubernetesTarget, kwokTarget } from '../scripts/cluster/targets.ts';
import { sandboxProvider } from '../scripts/cluster/provider.ts';
import { readRegisteredImages } from '../scripts/cluster/kubelet/images.ts';
import metallbRunbook from '../runbooks/metallb.ts';
import { KUBERNETES_RELEASES, resolveKubernetes } from '../scripts/cluster/versions.ts';
import { mirrored, processesNaming } from './helpers/sandbox.ts';
import { EnvironmentError, UsageError } from '../scripts/lib/errors.ts';

/** Minors to run end to end (`VDOCS_E2E_KUBERNETES=1.37,1.24`); the default version only by default. */
const MINORS = (process.env.VDOCS_E2E_KUBERNETES ?? '1.37').split(',').map((m) => m.trim());
/** The guide's MetalLB manifests: the offline mirror's copies when there is one, else the URLs. */
const mirror = mirrored('https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests');

function testIo(): Io & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => void out.push(t),
    // Progress goes to the test log too: a cold build takes minutes.
    err: (t) => {
      err.push(t);
      process.stderr.write(t);
    },
    env: { ...process.env, NO_COLOR: '1' },
    cwd: process.cwd(),
    interactive: false,
    signal: new AbortController().signal,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const userKubeconfig = path.join(os.homedir(), '.kube', 'config');
const checksum = (file: string) =>
  fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'absent';

let state: SandboxState;
let kubeconfigBefore: string;
let ourPids = new Set<number>();

async function kubectl(args: string[], input?: string) {
  return run(
    path.join(state.binDir!, 'kubectl'),
    ['--kubeconfig', state.kubeconfig, ...args],
    input === undefined ? {} : { input },
  );
}

describe.each(MINORS)('kwok sandbox, Kubernetes %s', (minor) => {
  const release = resolveKubernetes(minor);
  const NAME = `e2e-${minor.replace('.', '-')}`;
  const postPsp = atLeast(minor, '1.25');
  beforeAll(async () => {
    kubeconfigBefore = checksum(userKubeconfig);
    ourPids = new Set<number>();
    const io = testIo();
    await clusterMain(['down', '--name', NAME], io); // a previous interrupted run
    const code = await clusterMain(['up', '--provider', 'kwok', '--kubernetes', minor, '--name', NAME], io);
    expect(code).toBe(0);
    state = readSandbox(NAME)!;
    expect(io.stdout()).toContain(`context: ${state.context}`);
    expect(io.stdout()).toContain(`kubeconfig: ${state.kubeconfig}`);
  }, 60 * 60_000);

  afterAll(async () => {
    await clusterMain(['down', '--name', NAME], testIo());
  }, 120_000);

  it('answers on the project kubeconfig with the built version, on loopback', async () => {
    expect(state.provider).toBe('kwok');
    expect(state.kubernetes).toBe(release.kubernetes);
    expect(state.context).toBe(`kwok-${NAME}`);
    expect(state.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(state.kubeconfig.startsWith(sandboxPaths(NAME, process.env).dir)).toBe(true);
    const v = await kubectl(['version', '-o', 'json']);
    expect(v.code).toBe(0);
    const parsed = JSON.parse(v.stdout) as {
      serverVersion: { gitVersion: string };
      clientVersion: { gitVersion: string };
    };
    expect(parsed.serverVersion.gitVersion).toBe(release.kubernetes);
    expect(parsed.clientVersion.gitVersion).toBe(release.kubernetes);
  });

  it('never touched ~/.kube/config', () => {
    expect(checksum(userKubeconfig)).toBe(kubeconfigBefore);
  });

  it('has one node labelled kubernetes.io/os=linux', async () => {
    const r = await kubectl(['get', 'nodes', '-l', 'kubernetes.io/os=linux', '-o', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it("serves Services from kubeadm's range 10.96.0.0/12", async () => {
    const r = await kubectl(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(r.stdout).toBe('10.96.0.1');
  });

  it("has kube-system/kube-proxy shaped like kubeadm's, with strictARP: false and no last-applied annotation", async () => {
    const r = await kubectl(['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'json']);
    expect(r.code).toBe(0);
    const cm = JSON.parse(r.stdout) as {
      metadata: { annotations?: Record<string, string> };
      data: Record<string, string>;
    };
    const conf = cm.data['config.conf']!;
    expect(conf).toContain('kind: KubeProxyConfiguration');
    expect(conf).toMatch(/^ipvs:\n(?: {2}.*\n)*? {2}strictARP: false$/m);
    expect(cm.data['kubeconfig.conf']).toContain('tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token');
    expect(cm.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    expect(cm.metadata.annotations?.['kubeadm.kubernetes.io/component-config.hash']).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('kwokctl --dry-run with our binaries plans no download', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-dry-'));
    const env = { ...process.env, VDOCS_CACHE_DIR: tmp };
    const p = sandboxPaths('dry', env);
    const kwokBin = binDirOf(kwokTarget(), process.env);
    const b: KwokBinaries = {
      kubeBin: state.binDir!,
      etcd: path.join(binDirOf(etcdTarget(), process.env), 'etcd'),
      kwok: path.join(kwokBin, 'kwok'),
      kwokctl: path.join(kwokBin, 'kwokctl'),
    };
    fs.mkdirSync(p.dir, { recursive: true });
    fs.writeFileSync(
      p.kwokConfig,
      'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n  bindAddress: 127.0.0.1\n',
    );
    const r = await run(b.kwokctl, kwokctlCreateArgs('dry', p, b, { dryRun: true }), {
      env: kwokctlEnv(env, p, path.join(state.binDir!, 'kubectl')),
    });
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(r.code).toBe(0);
    const planned = plannedDownloads(r.stdout + r.stderr);
    expect(planned.urls).toEqual([]);
    expect(planned.local).toHaveLength(5);
  });

  it('a second `up` is a no-op that says so', async () => {
    const io = testIo();
    expect(await clusterMain(['up', '--provider', 'kwok', '--kubernetes', minor, '--name', NAME], io)).toBe(0);
    expect(io.stderr()).toContain('이미 실행 중');
    expect(readSandbox(NAME)!.createdAt).toBe(state.createdAt);
    // Without --kubernetes it is also a no-op; asking for another version says to `down` first.
    expect(await clusterMain(['up', '--name', NAME], testIo())).toBe(0);
    const other = KUBERNETES_RELEASES.find((r) => r.minor !== minor)!;
    const error = (await clusterMain(['up', '--kubernetes', other.minor, '--name', NAME], testIo()).catch(
      (e: unknown) => e,
    )) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.code).toBe('CLUSTER_ALREADY_UP');
    expect(error.hint).toContain(`npm run cluster -- down --name ${NAME}`);
    expect(readSandbox(NAME)!.createdAt).toBe(state.createdAt);
  });

  it('status shows provider, version, context, API and live processes; kubeconfig prints the path alone', async () => {
    const io = testIo();
    expect(await clusterMain(['status', '--name', NAME], io)).toBe(0);
    expect(io.stdout()).toContain('provider: kwok');
    expect(io.stdout()).toContain('(응답함)');
    for (const p of state.processes) expect(io.stdout()).toContain(`${p.name}: pid ${p.pid} 실행 중`);
    const io2 = testIo();
    expect(await clusterMain(['kubeconfig', '--name', NAME], io2)).toBe(0);
    expect(io2.stdout()).toBe(`${state.kubeconfig}\n`);
  });

  it('MetalLB v0.11.0 from the manifests assigns EXTERNAL-IP 192.168.35.100 (API data only)', async () => {
    // What the runner does before a page's steps: the runbook's images, the provider's way (kwok: the
    // controller registered with the small kubelet, the speaker left to kwok's simulation).
    const provided = await sandboxProvider(state).provideImages(metallbRunbook.images!, testIo());
    expect(provided.simulated).toEqual([
      expect.stringMatching(
        /^MetalLB controller \(quay\.io\/metallb\/controller:v0\.11\.0\): 컨테이너가 아니라 같은 태그의 소스\(go\.universe\.tf\/metallb v0\.11\.0\)/,
      ),
      'MetalLB speaker (quay.io/metallb/speaker:v0.11.0): 실행되지 않습니다 (kwok 이 파드를 Running 으로 표시할 뿐입니다)',
    ]);
    expect(Object.keys(readRegisteredImages(sandboxPaths(NAME, process.env).dir))).toEqual([
      'quay.io/metallb/controller:v0.11.0',
    ]);
    const ns = await kubectl(['apply', '-f', `${mirror}/namespace.yaml`]);
    expect(ns.code).toBe(0);
    // On 1.25+ the two PodSecurityPolicy objects fail (real drift); everything else is created.
    const apply = await kubectl(['apply', '-f', `${mirror}/metallb.yaml`]);
    if (postPsp) {
      expect(apply.code).not.toBe(0);
      expect(apply.stderr.match(/no matches for kind "PodSecurityPolicy" in version "policy\/v1beta1"/g)).toHaveLength(
        2,
      );
    } else {
      expect(apply.code).toBe(0);
      expect(apply.stdout).toContain('podsecuritypolicy.policy/controller created');
    }
    expect(apply.stdout).toContain('deployment.apps/controller created');
    expect(apply.stdout).toContain('daemonset.apps/speaker created');
    const pool = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  namespace: metallb-system',
      '  name: config',
      'data:',
      '  config: |',
      '    address-pools:',
      '    - name: default',
      '      protocol: layer2',
      '      addresses:',
      '      - 192.168.35.100-192.168.35.110',
      '',
    ].join('\n');
    expect((await kubectl(['apply', '-f', '-'], pool)).code).toBe(0);
    const svc = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: e2e-lb',
      '  namespace: default',
      'spec:',
      '  type: LoadBalancer',
      '  selector: { app: e2e }',
      '  ports: [{ port: 80, targetPort: 80 }]',
      '',
    ].join('\n');
    expect((await kubectl(['apply', '-f', '-'], svc)).code).toBe(0);
    const wait = await kubectl([
      'wait',
      'service/e2e-lb',
      '-n',
      'default',
      '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.168.35.100',
      '--timeout=180s',
    ]);
    // The small kubelet keeps each container's output in the kubelet's layout, named in state.json.
    const controllerLog = () => {
      const dir = state.containerLogs?.dir ?? '';
      const pod = fs.existsSync(dir)
        ? fs.readdirSync(dir).find((d) => d.startsWith('metallb-system_controller-'))
        : undefined;
      const file = pod ? path.join(dir, pod, 'controller', '0.log') : '';
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(no log)';
    };
    if (wait.code !== 0) {
      throw new Error(
        `no EXTERNAL-IP: ${wait.stderr}\n--- controller/0.log\n${controllerLog().slice(-3000)}\n--- kubelet.log\n${fs.readFileSync(state.logs['small-kubelet']!, 'utf8').slice(-3000)}`,
      );
    }
    expect(state.containerLogs?.dir).toBe(sandboxPaths(NAME, process.env).podLogs);
    const log = controllerLog();
    expect(log).toContain('MetalLB controller starting');
    expect(log).toMatch(/"service":"default\/e2e-lb"|e2e-lb/);
  }, 240_000);

  it('the controller runs with a ServiceAccount token that appears in no log, from a 0600 file', () => {
    const status = JSON.parse(
      fs.readFileSync(path.join(sandboxPaths(NAME, process.env).kubelet, 'status.json'), 'utf8'),
    ) as { containers: Array<{ pod: string; pid: number }> };
    expect(status.containers).toHaveLength(1);
    expect(status.containers[0]!.pod).toMatch(/^metallb-system\/controller-/);
    const podsDir = path.join(sandboxPaths(NAME, process.env).kubelet, 'pods');
    const [uid] = fs.readdirSync(podsDir);
    const tokenFile = path.join(podsDir, uid!, 'token');
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(podsDir, uid!, 'kubeconfig')).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(tokenFile, 'utf8');
    expect(token.length).toBeGreaterThan(100);
    const logs = sandboxPaths(NAME, process.env).logs;
    const files = fs
      .readdirSync(logs, { recursive: true })
      .map((f) => path.join(logs, String(f)))
      .filter((f) => fs.statSync(f).isFile());
    expect(files.some((f) => f.endsWith(path.join('controller', '0.log')))).toBe(true);
    for (const file of files) expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
    ourPids.add(status.containers[0]!.pid);
  });

  it('deleting the controller Deployment stops the local controller, as on a real cluster', async () => {
    const [pid] = [...ourPids];
    expect((await kubectl(['delete', 'deployment', 'controller', '-n', 'metallb-system', '--wait=true'])).code).toBe(0);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && isAlive(pid!)) await new Promise((r) => setTimeout(r, 250));
    expect(isAlive(pid!)).toBe(false);
  }, 90_000);

  it('down stops every process it started, frees the API port and removes the sandbox; twice is fine', async () => {
    const dir = sandboxPaths(NAME, process.env).dir;
    for (const p of state.processes) ourPids.add(p.pid);
    for (const pid of [...sandboxProcesses(dir), ...processesNaming(dir)]) ourPids.add(pid);
    const port = Number(new URL(state.server).port);
    expect(await isPortOpen(port)).toBe(true);
    const io = testIo();
    expect(await clusterMain(['down', '--name', NAME], io)).toBe(0);
    // Zombies (exited, not yet reaped by init) are not running processes: isAlive reads /proc/<pid>/stat.
    for (const pid of ourPids) expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
    const ps = await run('ps', ['-eo', 'pid,args']);
    expect(ps.stdout.split('\n').filter((l) => l.includes(dir))).toEqual([]);
    expect(await isPortOpen(port)).toBe(false);
    for (const p of state.ports ?? []) expect(await isPortOpen(p), `port ${p}`).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
    expect(await clusterMain(['down', '--name', NAME], testIo())).toBe(0);
    expect(checksum(userKubeconfig)).toBe(kubeconfigBefore);
  }, 120_000);
});

/** A cache whose binaries are the real ones, except a kube-proxy-config helper that fails. */
function failingCache(): string {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vdocs-fail-'));
  const bin = path.join(cache, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const t of [etcdTarget(), kwokTarget()])
    fs.symlinkSync(binDirOf(t, process.env), path.join(bin, path.basename(binDirOf(t, process.env))));
  const real = binDirOf(kubernetesTarget(resolveKubernetes('1.37')), process.env);
  const kube = path.join(bin, path.basename(real));
  fs.mkdirSync(kube);
  for (const f of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'build.json'])
    fs.symlinkSync(path.join(real, f), path.join(kube, f));
  fs.writeFileSync(
    path.join(kube, 'kube-proxy-config'),
    '#!/bin/sh\necho "kube-proxy-config: simulated failure" >&2\nexit 3\n',
    { mode: 0o755 },
  );
  return cache;
}

describe('a failed up', () => {
  let cache: string;
  beforeAll(async () => {
    // The real binaries (built by the describe above, or now on a cold cache).
    const io = testIo();
    for (const t of [kubernetesTarget(resolveKubernetes('1.37')), etcdTarget(), kwokTarget()]) await ensureBuilt(t, io);
    cache = failingCache();
  }, 60 * 60_000);
  afterAll(async () => {
    await clusterMain(['down', '--name', 'broken'], {
      ...testIo(),
      env: { ...process.env, NO_COLOR: '1', VDOCS_CACHE_DIR: cache },
    });
    fs.rmSync(cache, { recursive: true, force: true });
  }, 120_000);

  const ioFor = () => ({ ...testIo(), env: { ...process.env, NO_COLOR: '1', VDOCS_CACHE_DIR: cache } });

  it('deletes the half-made cluster (no process, no port, no folder) and shows the failed command', async () => {
    const io = ioFor();
    const dir = sandboxPaths('broken', io.env).dir;
    const error = (await clusterMain(['up', '--provider', 'kwok', '--name', 'broken'], io).catch(
      (e: unknown) => e,
    )) as EnvironmentError;
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.code).toBe('KUBE_PROXY_SEED_FAILED');
    expect(error.message).toContain('종료 코드 3');
    expect(error.message).toContain('kube-proxy-config: simulated failure');
    expect(io.stderr()).toContain('만들다 만 샌드박스를 지웁니다');
    expect(fs.existsSync(dir)).toBe(false);
    expect(processesNaming(dir)).toEqual([]);
  }, 180_000);

  it('--retain keeps it running for debugging; down then cleans everything', async () => {
    const io = ioFor();
    const dir = sandboxPaths('broken', io.env).dir;
    await clusterMain(['up', '--provider', 'kwok', '--name', 'broken', '--retain'], io).catch(() => {});
    expect(io.stderr()).toContain('--retain');
    expect(fs.existsSync(dir)).toBe(true);
    const pids = sandboxProcesses(dir);
    expect(pids.length).toBeGreaterThanOrEqual(5);
    expect(await clusterMain(['down', '--name', 'broken'], ioFor())).toBe(0);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
  }, 180_000);
});
