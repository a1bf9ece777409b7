import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { EnvironmentError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import type { Status } from '../lib/status.ts';
import { binDirOf, ensureBuilt } from './build.ts';
import { etcdTarget, kubernetesTarget, kwokTarget } from './targets.ts';
import { runOrThrow, type Env } from '../lib/process.ts';
import { kubeProxyConfigMapYaml } from './kubeproxy.ts';
import { ownPids } from './procs.ts';
import { freePorts, kwokPids, type SandboxPaths } from './sandbox.ts';
import type { KubernetesRelease } from './versions.ts';
import { acquireLock } from './lock.ts';

/** The local binaries one kwok sandbox runs, built in this order. */
export async function buildKwokBinaries(release: KubernetesRelease, io: Io, status: Status) {
  const kubeBin = await ensureBuilt(kubernetesTarget(release), io, status);
  const etcd = path.join(await ensureBuilt(etcdTarget(), io, status), 'etcd');
  const kwokBin = await ensureBuilt(kwokTarget(), io, status);
  return { kubeBin, etcd, kwok: path.join(kwokBin, 'kwok'), kwokctl: path.join(kwokBin, 'kwokctl') };
}
export type KwokBinaries = Awaited<ReturnType<typeof buildKwokBinaries>>;

/**
 * kwokctl's configuration: everything on 127.0.0.1 (no flag exists for it), kubeadm's service range, and no
 * leader election for the single controller-manager and scheduler: with it, they exit when the API server is
 * away longer than the renew deadline (10 s), and nothing here restarts them as a kubelet restarts static pods.
 */
export function kwokctlConfiguration(kubectl: string, ports?: KwokPorts): string {
  return stringify({
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: { runtime: 'binary', bindAddress: '127.0.0.1', kubectlBinary: kubectl, ...ports },
    componentsPatches: [
      { name: 'kube-apiserver', extraArgs: [{ key: 'service-cluster-ip-range', value: '10.96.0.0/12' }] },
      { name: 'kube-controller-manager', extraArgs: [{ key: 'leader-elect', value: 'false' }] },
      { name: 'kube-scheduler', extraArgs: [{ key: 'leader-elect', value: 'false' }] },
    ],
  });
}

/** `kwokctl create cluster` arguments: every binary a local path, the project kubeconfig, no docker. */
export function kwokctlCreateArgs(name: string, p: SandboxPaths, b: KwokBinaries, opts: { dryRun?: boolean } = {}) {
  const flags = {
    '--name': name,
    '-c': p.kwokConfig,
    '--runtime': 'binary',
    '--kubeconfig': p.kubeconfig,
    '--etcd-binary': b.etcd,
    '--kube-apiserver-binary': path.join(b.kubeBin, 'kube-apiserver'),
    '--kube-controller-manager-binary': path.join(b.kubeBin, 'kube-controller-manager'),
    '--kube-scheduler-binary': path.join(b.kubeBin, 'kube-scheduler'),
    '--kwok-controller-binary': b.kwok,
    '--timeout': '5m',
    '--wait': '2m',
  };
  return ['create', 'cluster', ...Object.entries(flags).flat(), ...(opts.dryRun ? ['--dry-run'] : [])];
}

/**
 * Environment for kwokctl: its work folder inside the sandbox, our kubectl, and no inherited
 * KWOK_* or KUBECONFIG that could point it at a download or at ~/.kube/config.
 */
export function kwokctlEnv(env: Env, p: SandboxPaths, kubectl: string): Env {
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('KWOK_') && k !== 'KUBECONFIG'));
  return {
    ...clean,
    KWOK_WORKDIR: p.kwokWorkdir,
    KWOK_KUBECTL_BINARY: kubectl,
    KUBECONFIG: p.kubeconfig,
    KUBECACHEDIR: p.kubeCache,
  };
}

/**
 * The sources kwokctl's dry run would fetch (`# Download SRC to DST`) that are URLs.
 * Local sources are copies of our own builds; any URL means a download we do not allow.
 */
export function plannedDownloads(dryRunOutput: string): { urls: string[]; local: string[] } {
  const urls: string[] = [];
  const local: string[] = [];
  for (const line of dryRunOutput.split('\n')) {
    const m = /^#\s*Download\s+(\S+)\s+to\s+/.exec(line.trim());
    if (m) (/^https?:\/\//.test(m[1]!) ? urls : local).push(m[1]!);
    else if (/\b(curl|wget)\s/.test(line)) urls.push(line.trim());
  }
  return { urls, local };
}

/** Ports kwokctl chose, from the configuration it saved for the cluster. */
export function kwokPorts(workdir: string, cluster: string): number[] {
  const file = path.join(workdir, 'clusters', cluster, 'kwok.yaml');
  if (!fs.existsSync(file)) return [];
  const ports = parseAllDocuments(fs.readFileSync(file, 'utf8')).flatMap((doc) => {
    const obj = doc.toJS() as { kind?: string; options?: Record<string, unknown> } | null;
    if (obj?.kind !== 'KwokctlConfiguration' || !obj.options) return [];
    return Object.entries(obj.options).flatMap(([key, v]) =>
      /Port$/.test(key) && typeof v === 'number' && v > 0 ? [v] : [],
    );
  });
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** The ports kwokctl would otherwise pick itself (from the same range in every process). */
const KWOK_PORTS = [
  'kubeApiserverPort',
  'etcdPort',
  'etcdPeerPort',
  'kubeControllerManagerPort',
  'kubeSchedulerPort',
  'kwokControllerPort',
] as const;
type KwokPorts = Record<(typeof KWOK_PORTS)[number], number>;

/**
 * Proves nothing will be downloaded, then creates the cluster from the local binaries, on the kernel's free
 * ports: kwokctl's own choice starts from the same number in every process, so two sandboxes would share them.
 */
export async function createKwokCluster(name: string, p: SandboxPaths, b: KwokBinaries, io: Io, status: Status) {
  const kubectl = path.join(b.kubeBin, 'kubectl');
  fs.mkdirSync(p.kwokWorkdir, { recursive: true });
  // Held until the components listen, so a concurrent `up` cannot be handed the same ports.
  const release = await acquireLock(path.join(path.dirname(p.dir), '.ports.lock'), io.signal, (holder) =>
    status.info(`다른 샌드박스(pid ${holder})가 포트를 잡는 중입니다. 기다립니다.`),
  );
  try {
    const ports = await freePorts(KWOK_PORTS.length);
    const config = Object.fromEntries(KWOK_PORTS.map((key, i) => [key, ports[i]!])) as KwokPorts;
    fs.writeFileSync(p.kwokConfig, kwokctlConfiguration(kubectl, config));
    const kwokctl = (code: string, args: string[], what: string, hint?: string) =>
      runOrThrow(code, b.kwokctl, args, {
        env: kwokctlEnv(io.env, p, kubectl),
        signal: io.signal,
        what,
        envShown: { KWOK_WORKDIR: p.kwokWorkdir },
        hint,
      });
    await status.step('kwokctl --dry-run: 내려받는 것이 없는지 확인', async () => {
      const dryRun = kwokctlCreateArgs(name, p, b, { dryRun: true });
      const dry = await kwokctl('KWOK_DRY_RUN_FAILED', dryRun, 'kwokctl --dry-run');
      const { urls, local } = plannedDownloads(dry.stdout + dry.stderr);
      if (urls.length) {
        throw new EnvironmentError(
          'KWOK_WOULD_DOWNLOAD',
          `kwokctl이 다음을 내려받으려 합니다:\n  ${urls.join('\n  ')}`,
          '모든 구성요소는 로컬 빌드를 써야 합니다. KWOK_* 환경변수나 kwokctl 설정을 확인하세요.',
        );
      }
      status.info(`로컬 바이너리 ${local.length}개만 사용합니다 (다운로드 0개)`);
    });
    const logs = `구성요소 로그: ${path.join(p.kwokWorkdir, 'clusters', name, 'logs')}`;
    await status.step(`kwokctl create cluster --runtime binary (${name})`, () =>
      kwokctl('KWOK_CREATE_FAILED', kwokctlCreateArgs(name, p, b), 'kwokctl create cluster', logs),
    );
    await status.step('노드 1개 만들기 (kwokctl scale node --replicas 1)', () =>
      kwokctl('KWOK_SCALE_FAILED', ['scale', 'node', '--name', name, '--replicas', '1'], 'kwokctl scale node'),
    );
  } finally {
    release();
  }
}

/** Creates kube-system/kube-proxy with `kubectl create` (so the guide's later apply warns, as on kubeadm). */
export async function seedKubeProxy(p: SandboxPaths, kubeBin: string, server: string, io: Io, status: Status) {
  await status.step('kube-system/kube-proxy ConfigMap 만들기 (kubeadm 모양, strictARP: false)', async () => {
    const conf = await runOrThrow('KUBE_PROXY_SEED_FAILED', path.join(kubeBin, 'kube-proxy-config'), [], {
      what: 'kube-proxy-config',
    });
    const args = ['--kubeconfig', p.kubeconfig, 'create', '-f', '-'];
    await runOrThrow('KUBE_PROXY_SEED_FAILED', path.join(kubeBin, 'kubectl'), args, {
      env: { ...io.env, KUBECACHEDIR: p.kubeCache },
      input: kubeProxyConfigMapYaml({ configConf: conf.stdout, server }),
      signal: io.signal,
      what: 'kubectl create configmap kube-proxy',
    });
  });
}

/** Stops the kwok cluster with `kwokctl delete cluster`; returns the component pids that were ours. */
export async function deleteKwokCluster(name: string, p: SandboxPaths, io: Io): Promise<number[]> {
  // Read before kwokctl removes the pid files; only pids that are still those processes.
  const pids = ownPids(kwokPids(p.kwokWorkdir, name), p.dir);
  const kwokctl = path.join(binDirOf(kwokTarget(), io.env), 'kwokctl');
  if (fs.existsSync(kwokctl) && fs.existsSync(path.join(p.kwokWorkdir, 'clusters', name))) {
    const args = ['delete', 'cluster', '--name', name, '--kubeconfig', p.kubeconfig];
    // Not fatal: the caller stops whatever is still alive either way.
    const env = kwokctlEnv(io.env, p, 'kubectl');
    await runOrThrow('KWOK_DELETE_FAILED', kwokctl, args, { env, what: 'kwokctl delete cluster' }).catch((e: Error) =>
      io.err(`  ${e.message.split('\n')[0]}\n`),
    );
  }
  return pids;
}
