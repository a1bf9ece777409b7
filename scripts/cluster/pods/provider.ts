import fs from 'node:fs';
import path from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Io } from '../../lib/io.ts';
import type { Status } from '../../lib/status.ts';
import { apiReady, loadKubeConfig, serverVersion, waitForDefaultSA } from '../api.ts';
import { ensureBuilt } from '../build.ts';
import { runOrThrow } from '../../lib/process.ts';
import { seedKubeProxy } from '../kwok.ts';
import { waitFor, type SandboxPaths } from '../sandbox.ts';
import type { SandboxState } from '../state.ts';
import { etcdTarget, kubernetesNodeTarget, kubernetesTarget, podToolsTarget } from '../targets.ts';
import { COMPONENTS, type KubernetesRelease } from '../versions.ts';
import * as conf from './config.ts';
import { busyError, cannotRun, cannotRunError, ownersOf, takeClaim } from './host.ts';
import { importImages, localImages } from './images.ts';
import { assertAlive, startDaemon, type Daemon } from './launch.ts';
import { NET, NODE_NAME, podsPaths, type PodsPaths } from './layout.ts';
import { HOLDER, createNetwork, holderReady, holderScript, inNetns, netnsFile, prepareHolder } from './namespaces.ts';
import { recorder } from './record.ts';

/** The binaries one pods sandbox runs, built in this order. */
async function buildAll(release: KubernetesRelease, io: Io, status: Status) {
  return {
    kubeBin: await ensureBuilt(kubernetesTarget(release), io, status),
    nodeBin: await ensureBuilt(kubernetesNodeTarget(release), io, status),
    etcd: path.join(await ensureBuilt(etcdTarget(), io, status), 'etcd'),
    tools: await ensureBuilt(podToolsTarget(), io, status),
  };
}
type PodsBinaries = Awaited<ReturnType<typeof buildAll>>;

/** What this provider simulates and what is real, in Korean, for every report. */
function podsSimulationNotes(release: KubernetesRelease): NonNullable<SandboxState['simulation']> {
  return {
    simulated: [
      'kube-proxy는 DaemonSet 파드가 아니라 노드의 프로세스(iptables 모드)로 실행됩니다: kube-system/kube-proxy ConfigMap(strictARP)을 바꿔도 실행 중인 kube-proxy에는 반영되지 않습니다',
      '웹 브라우저 단계가 여는 화면은 실제 대시보드가 아니라, 그 서비스의 selector 에 맞춰 만든 대역 웹 서버 파드의 페이지입니다',
      '노드와 "다른 호스트"는 이 머신 안의 네트워크 네임스페이스 두 개입니다 (192.168.35.0/24 는 그 안에만 있습니다)',
    ],
    real: [
      `etcd ${COMPONENTS.etcd}, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy (Kubernetes ${release.kubernetes})`,
      'containerd + runc + CNI(bridge): 모든 파드가 실제 컨테이너로 실행됩니다',
      '노드와 클라이언트 호스트 사이의 실제 L2 네트워크(192.168.35.0/24): 서비스 주소의 ARP 응답과 그 주소로 가는 HTTP 요청이 실제로 오갑니다',
    ],
  };
}

/** What the phases of `upPods` share: every daemon is recorded for `down` as it starts; waits are bounded. */
function launcher(io: Io, rec: ReturnType<typeof recorder>, logs: string, bins: PodsBinaries) {
  const started: Daemon[] = [];
  const start = (name: string, argv: string[]) => {
    io.signal.throwIfAborted(); // SIGINT/SIGTERM: stop here; `up` then tears down what was recorded
    const d = startDaemon(name, argv, logs, io.env);
    rec((c) => c.daemons.push(d));
    started.push(d);
    return d;
  };
  return {
    rec,
    logs,
    bins,
    started,
    start,
    /** The binary `name` of folder `dir` under the namespace prefix `ns`, logged under its own name. */
    startIn: (ns: string[], dir: string, name: string, args: string[]) =>
      start(name, [...ns, path.join(dir, name), ...args]),
    tool: (name: string) => path.join(bins.tools, name),
    async waitUntil(what: string, check: () => boolean | Promise<boolean>, ms: number, watch: Daemon[]) {
      const ok = await waitFor(async () => {
        io.signal.throwIfAborted();
        for (const d of watch) assertAlive(d);
        return check();
      }, ms);
      if (!ok)
        throw new EnvironmentError(
          'PODS_NOT_READY',
          `${what}: ${Math.round(ms / 1000)}초 안에 준비되지 않았습니다.`,
          `로그: ${logs}`,
        );
    },
  };
}
type Launcher = ReturnType<typeof launcher>;

/** `up --provider pods`: checks, builds, then the node piece by piece, each recorded for `down`. */
export async function upPods(
  name: string,
  release: KubernetesRelease,
  p: SandboxPaths,
  io: Io,
  status: Status,
): Promise<SandboxState> {
  const reasons = cannotRun(io.env);
  if (reasons.length) throw cannotRunError(reasons);
  const owners = ownersOf(p.dir);
  if (owners.length) throw busyError(owners);
  const bins = await buildAll(release, io, status);
  const pp = podsPaths(p);
  fs.mkdirSync(pp.root, { recursive: true });
  takeClaim(p.dir);
  const l = launcher(io, recorder(pp), p.logs, bins);

  await status.step('인증서 만들기 (CA, API 서버, 구성요소별 클라이언트, ServiceAccount 키)', () =>
    runOrThrow(
      'PODS_PKI_FAILED',
      l.tool('pki'),
      ['--dir', pp.pki, '--node', NODE_NAME, '--ip', `127.0.0.1,${NET.nodeIp},${NET.serviceIp}`],
      { what: 'pki' },
    ),
  );
  await status.step(
    `네트워크 네임스페이스 ${NET.nodeNetns}(${NET.nodeIp}) ↔ ${NET.clientNetns}(${NET.clientIp}), 바깥으로 가는 경로 없음`,
    async () => createNetwork((x) => l.rec((c) => c.paths.push(x))),
  );
  const context = `pods-${name}`;
  const { kc, hostPort, controlPlane } = await startControlPlane(l, pp, p, context, status);
  const { nodeMnt, containerd } = await startRuntime(l, pp, io, status);
  await startNode(l, pp, kc, release.kubernetes, nodeMnt, [...controlPlane, containerd], status);
  await seedKubeProxy(p, bins.kubeBin, `https://${NET.nodeIp}:6443`, io, status);
  return {
    name,
    provider: 'pods',
    kubernetes: await serverVersion(kc),
    context,
    kubeconfig: p.kubeconfig,
    server: `https://127.0.0.1:${hostPort}`,
    binDir: bins.kubeBin,
    createdAt: new Date().toISOString(),
    processes: l.started.map((d) => ({ name: d.name, pid: d.pid })),
    ports: [hostPort],
    logs: Object.fromEntries(l.started.map((d) => [d.name, d.log])),
    simulation: podsSimulationNotes(release),
  };
}

/** etcd and the control plane inside the node namespace; the host reaches the API server through netns-forward. */
async function startControlPlane(l: Launcher, pp: PodsPaths, p: SandboxPaths, context: string, status: Status) {
  const node = inNetns(NET.nodeNetns);
  const etcd = l.start('etcd', [...node, l.bins.etcd, ...conf.etcdArgs(pp)]);
  const apiserver = l.startIn(node, l.bins.kubeBin, 'kube-apiserver', conf.apiserverArgs(pp));
  const forward = l.start('apiserver-forward', [
    l.tool('netns-forward'),
    '--listen=127.0.0.1:0',
    `--netns=${netnsFile(NET.nodeNetns)}`,
    '--target=127.0.0.1:6443',
    `--port-file=${pp.forwardPort}`,
  ]);
  await l.waitUntil('API 서버 포워더', () => fs.existsSync(pp.forwardPort), 10_000, [forward]);
  const hostPort = Number(fs.readFileSync(pp.forwardPort, 'utf8').trim());
  fs.mkdirSync(pp.kubeconfigs, { recursive: true });
  const kubeconfig = (file: string, server: string, user: string, ctx: string) =>
    fs.writeFileSync(file, conf.kubeconfigYaml(server, pp.pki, user, ctx), { mode: 0o600 });
  for (const user of ['kubelet', 'kube-proxy', 'controller-manager', 'scheduler', 'admin'])
    kubeconfig(path.join(pp.kubeconfigs, user), 'https://127.0.0.1:6443', user, 'node');
  kubeconfig(p.kubeconfig, `https://127.0.0.1:${hostPort}`, 'admin', context);
  const kc = loadKubeConfig(p.kubeconfig);
  await status.step(
    `etcd, kube-apiserver 시작 (노드 네임스페이스 안, 호스트에서는 127.0.0.1:${hostPort}) 최대 1분`,
    () => l.waitUntil('kube-apiserver /readyz', () => apiReady(kc, 2000), 60_000, [etcd, apiserver, forward]),
  );
  const controlPlane = [
    etcd,
    apiserver,
    l.startIn(node, l.bins.kubeBin, 'kube-controller-manager', conf.controllerManagerArgs(pp)),
    l.startIn(node, l.bins.kubeBin, 'kube-scheduler', conf.componentArgs(pp, 'scheduler')),
  ];
  return { kc, hostPort, controlPlane };
}

/** The node's own mount namespace (held by our pause), containerd in it, and the sandbox's images imported. */
async function startRuntime(l: Launcher, pp: PodsPaths, io: Io, status: Status) {
  prepareHolder(pp, (x) => l.rec((c) => c.paths.push(x)));
  const holder = l.start('node-mounts', [...HOLDER, holderScript(pp, l.tool('pause'))]);
  l.rec((c) => (c.holder = holder.pid));
  await l.waitUntil('노드 마운트 네임스페이스', () => holderReady(holder.pid, pp), 10_000, [holder]);
  const nodeMnt = inNetns(NET.nodeNetns, holder.pid);

  fs.mkdirSync(path.dirname(pp.containerdSock), { recursive: true });
  fs.mkdirSync(pp.cniConf, { recursive: true });
  fs.writeFileSync(path.join(pp.cniConf, '10-vdocs.conflist'), conf.cniConflist(pp));
  fs.writeFileSync(pp.containerdConfig, conf.containerdConfig(pp));
  const containerd = l.start('containerd', [...nodeMnt, 'containerd', '--config', pp.containerdConfig]);
  await status.step('containerd 시작 (노드 네임스페이스, 자기 마운트 네임스페이스)', () =>
    l.waitUntil('containerd 소켓', () => fs.existsSync(pp.containerdSock), 30_000, [containerd]),
  );
  await status.step('이미지 가져오기 (레지스트리 없이, 이 프로젝트가 빌드한 OCI 이미지)', async () => {
    const images = localImages({ pause: l.tool('pause'), standinWeb: l.tool('standin-web') });
    status.info((await importImages(images, l.tool('oci-image'), pp, holder.pid, io)).join(', '));
  });
  return { nodeMnt, containerd };
}

/** kubelet and kube-proxy in the node's namespaces, then the node Ready and the default ServiceAccount made. */
async function startNode(
  l: Launcher,
  pp: PodsPaths,
  kc: KubeConfig,
  kubernetes: string,
  nodeMnt: string[],
  running: Daemon[],
  status: Status,
): Promise<void> {
  fs.writeFileSync(path.join(pp.root, 'resolv.conf'), '# 노드 네임스페이스에는 DNS 서버가 없습니다\noptions ndots:1\n');
  fs.writeFileSync(pp.kubeletConfig, conf.kubeletConfig(pp, kubernetes));
  fs.writeFileSync(pp.kubeProxyConfig, conf.kubeProxyConfig(pp));
  const kubelet = l.startIn(nodeMnt, l.bins.nodeBin, 'kubelet', conf.kubeletArgs(pp, kubernetes));
  const kubeProxy = l.startIn(nodeMnt, l.bins.nodeBin, 'kube-proxy', [`--config=${pp.kubeProxyConfig}`]);
  const core = kc.makeApiClient(CoreV1Api);
  const ready = async () => {
    const node = await core.readNode({ name: NODE_NAME }).catch(() => undefined);
    return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  };
  await status.step(`kubelet, kube-proxy 시작: 노드 ${NODE_NAME} Ready 대기 (최대 2분)`, () =>
    l.waitUntil(`노드 ${NODE_NAME} Ready`, ready, 120_000, [...running, kubelet, kubeProxy]),
  );
  await waitForDefaultSA(kc, status, 1, 'PODS_NOT_READY', `로그: ${l.logs}/kube-controller-manager.log`);
}
