import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Io } from '../../lib/io.ts';
import type { Status } from '../../lib/status.ts';
import { run, runOrThrow, which, type Env } from '../../lib/process.ts';
import { loadKubeConfig, serverOf, serverVersion } from '../api.ts';
import { binDirOf, ensureBuilt, isBuilt } from '../build.ts';
import { NET, STANDIN_IMAGE } from '../pods/layout.ts';
import { assertAlive, startDaemon } from '../pods/launch.ts';
import { netnsFile } from '../pods/namespaces.ts';
import { ownPids, type ProcessRecord } from '../procs.ts';
import { isPortOpen, stopProcesses, waitFor, type SandboxPaths } from '../sandbox.ts';
import type { SandboxState } from '../state.ts';
import { kindTarget, kubectlTarget, kubernetesTarget, podToolsTarget } from '../targets.ts';
import { KUBERNETES_RELEASES, type KubernetesRelease } from '../versions.ts';
import {
  acquireEngine,
  dockerAnswers,
  ENGINE_NETNS,
  enginePaths,
  ownEngineEnv,
  releaseEngine,
  withholdsSysResource,
  type Engine,
} from './engine.ts';
import { ensureNodeImage } from './node-image.ts';
import { atLeast } from '../../model/version.ts';

/**
 * kind provider: real nodes in containers. On a machine with Docker (a laptop, a GitHub runner) kind
 * boots the pinned `kindest/node`; where that image cannot be pulled, or on this project's own
 * Docker daemon (engine.ts), the node image is built here (node-image.ts) and the runbook's images
 * are built and loaded too (images.ts). The cluster's kubeconfig goes to the project file via
 * --kubeconfig, so kind never edits ~/.kube/config or the current context there.
 */

const kindContext = (name: string) => `kind-${name}`;

/** The Docker network kind puts its nodes on (`KIND_EXPERIMENTAL_DOCKER_NETWORK`, else `kind`). */
const kindNetwork = (env: Env) => env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind';

export const networkInspectArgs = (network: string) => [
  'network',
  'inspect',
  network,
  '--format',
  '{{range .IPAM.Config}}{{.Subnet}} {{end}}',
];

/** The environment docker and kind need for a sandbox: its engine's DOCKER_HOST when the project's daemon runs it. */
export const engineEnv = (state: Pick<SandboxState, 'docker'>, env: Env): Env =>
  state.docker ? { ...env, DOCKER_HOST: state.docker.host } : env;

/** The kind network's subnets (`docker network inspect`), or why they could not be read. */
export async function kindNetworkSubnets(
  env: Env,
  signal?: AbortSignal,
): Promise<{ network: string; subnets: string[] } | { network: string; error: string }> {
  const network = kindNetwork(env);
  const r = await run(which('docker', env) ?? 'docker', networkInspectArgs(network), {
    env,
    ...(signal ? { signal } : {}),
  }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  if (r.code !== 0) return { network, error: r.stderr.trim() || `종료 코드 ${r.code}` };
  return { network, subnets: r.stdout.trim().split(/\s+/).filter(Boolean) };
}

/** `docker network create` for the page's subnet: the gateway on .1, Docker's own addresses kept to .0–.63 (MetalLB's pool is .100 and up). */
export const pageNetworkArgs = (network: string, subnet: string = NET.subnet) => {
  const prefix = subnet.replace(/\.0\/24$/, '');
  return ['network', 'create', '--subnet', subnet, '--gateway', `${prefix}.1`, '--ip-range', `${prefix}.0/26`, network];
};

/** `kind create cluster` for an image; kind deletes a failed cluster itself unless --retain. */
export function kindCreateArgs(
  name: string,
  image: string,
  kubeconfig: string,
  config: string,
  retain: boolean,
): string[] {
  return [
    'create',
    'cluster',
    '--name',
    name,
    '--image',
    image,
    '--config',
    config,
    '--kubeconfig',
    kubeconfig,
    '--wait',
    '5m',
    ...(retain ? ['--retain'] : []),
  ];
}

export function kindDeleteArgs(name: string, kubeconfig: string): string[] {
  return ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig];
}

/**
 * The kind configuration (kind.x-k8s.io/v1alpha4) for this machine: the API server's port when the
 * host reaches it through a forwarder, kubelet settings a cgroup v1 host (`failCgroupV1: false`,
 * kubelet 1.31 and later) or one withholding CAP_SYS_RESOURCE (no lowering of oom_score_adj) needs,
 * and kube-proxy's minimum sync period.
 */
export function kindConfig(
  release: KubernetesRelease,
  opts: { apiServerPort?: number; cgroupV1: boolean; noSysResource: boolean },
): string {
  const kubelet: Record<string, unknown> = {};
  if (opts.cgroupV1 && atLeast(release.kubernetes, '1.31')) kubelet.failCgroupV1 = false;
  if (opts.noSysResource) kubelet.oomScoreAdj = 0;
  const patches = [
    ...(Object.keys(kubelet).length ? [stringify({ kind: 'KubeletConfiguration', ...kubelet })] : []),
    // kube-proxy writes a Service's new EXTERNAL-IP rules 0.1 s after the change, not kubeadm's 1 s
    // (the browser steps waited that second every time: scripts/cluster/pods/config.ts).
    stringify({
      kind: 'KubeProxyConfiguration',
      iptables: { minSyncPeriod: '100ms' },
      ...(opts.noSysResource ? { oomScoreAdj: 0 } : {}),
    }),
  ];
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    ...(opts.apiServerPort ? { networking: { apiServerAddress: '127.0.0.1', apiServerPort: opts.apiServerPort } } : {}),
    kubeadmConfigPatches: patches,
  });
}

/** kind release of a binary, from `kind version` ("kind v0.33.0 go1.26.8 linux/amd64"). */
export function parseKindVersion(output: string): string | undefined {
  return /\bkind (v\d+\.\d+\.\d+)/.exec(output)?.[1];
}

/**
 * A kind binary of the release the node image was built for: the one on PATH if it is that
 * release, else one built from the module proxy into the cache.
 */
export async function ensureKind(release: KubernetesRelease, io: Io, status: Status): Promise<string> {
  const onPath = which('kind', io.env);
  if (onPath) {
    const res = await run(onPath, ['version'], { env: io.env });
    if (parseKindVersion(res.stdout) === release.kindRelease) return onPath;
    status.info(
      `PATH의 kind(${parseKindVersion(res.stdout) ?? '버전 모름'})는 이미지가 요구하는 ${release.kindRelease}가 아니라서 따로 빌드합니다.`,
    );
  }
  return path.join(await ensureBuilt(kindTarget(release.kindRelease), io, status), 'kind');
}

/** kubectl's own version from `kubectl version --client -o json` (`{"clientVersion":{"gitVersion":"v1.37.0"}}`). */
export function parseKubectlClientVersion(output: string): string | undefined {
  try {
    return (JSON.parse(output) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}

/**
 * kubectl of the same version: the one on PATH if it is exactly that release (the nightly puts the
 * checksum-pinned release binary there), else the kwok build if present, else kubectl built alone.
 */
export async function ensureKubectlDir(release: KubernetesRelease, io: Io, status: Status): Promise<string> {
  const onPath = which('kubectl', io.env);
  if (onPath) {
    const res = await run(onPath, ['version', '--client', '-o', 'json'], { env: io.env });
    if (parseKubectlClientVersion(res.stdout) === release.kubernetes) return path.dirname(onPath);
  }
  const full = kubernetesTarget(release);
  if (isBuilt(full, io.env)) return binDirOf(full, io.env);
  return ensureBuilt(kubectlTarget(release), io, status);
}

/** The pinned node image when the engine has it or can pull it; else the one built here (and the runbook's images must be built too). */
async function nodeImage(
  release: KubernetesRelease,
  engine: Engine,
  io: Io,
  status: Status,
): Promise<{ image: string; pulls: boolean; differences: string[] }> {
  if (!engine.own) {
    const has =
      (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', release.kindNodeImage], { env: engine.env }))
        .code === 0;
    if (has) return { image: release.kindNodeImage, pulls: true, differences: [] };
    const pulled = await status
      .step(
        `docker pull ${release.kindNodeImage}`,
        async () =>
          (await run('docker', ['pull', release.kindNodeImage], { env: engine.env, signal: io.signal })).code === 0,
      )
      .catch(() => false);
    if (pulled) return { image: release.kindNodeImage, pulls: true, differences: [] };
    status.info(`${release.kindNodeImage} 를 내려받을 수 없습니다: 노드 이미지를 이 머신에서 만듭니다.`);
  }
  const built = await ensureNodeImage(release, engine, io, status);
  return { image: built.image, pulls: false, differences: built.differences };
}

/** The API server forwarder of a sandbox on the project's daemon, recorded as soon as it starts. */
const forwarderFile = (p: SandboxPaths) => path.join(p.dir, 'kind-forwarder.json');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * What the kind provider simulates and what is real, in Korean, copied into every report. `network`
 * is what `docker network inspect` said about kind's network at `up`: only on the page's subnet are
 * the page's addresses this cluster's.
 */
export function kindSimulationNotes(
  release: KubernetesRelease,
  image: { image: string; pulls: boolean; differences: string[] },
  own: boolean,
  network?: Awaited<ReturnType<typeof kindNetworkSubnets>>,
): NonNullable<SandboxState['simulation']> {
  const onPageSubnet = network !== undefined && 'subnets' in network && network.subnets.includes(NET.subnet);
  const where =
    network === undefined
      ? '알 수 없음'
      : 'subnets' in network
        ? network.subnets.join(', ') || '서브넷 없음'
        : network.error;
  const client = own
    ? `주소를 여는 "클라이언트 호스트"는 이 프로젝트의 Docker 데몬이 있는 네트워크 네임스페이스(${ENGINE_NETNS}, kind 네트워크의 게이트웨이 쪽)입니다: GitHub 러너라면 러너 호스트 자신이 서는 자리이며, 다른 호스트가 아닙니다`
    : `주소를 여는 "클라이언트 호스트"는 다른 호스트가 아니라 kind Docker 네트워크(${NET.subnet})에 붙은 러너 호스트 자신입니다`;
  return {
    simulated: [
      ...image.differences,
      ...(image.pulls
        ? []
        : [
            '런북이 밝힌 이미지(MetalLB 등)도 레지스트리에서 내려받지 않고, 같은 태그의 소스를 이 머신에서 빌드해 kind load image-archive 로 노드에 넣었습니다',
          ]),
      '대시보드의 서비스들은 런북이 페이지의 편집 블록에서 만든 대역입니다: 대시보드 자체는 설치되지 않습니다',
      `그 서비스들 뒤의 파드는 서비스의 selector 에 맞춰 만든 대역 웹 서버(${STANDIN_IMAGE}, 프로젝트의 Go 소스에서 빌드해 kind load image-archive 로 노드에 넣은 이미지)입니다: 웹 브라우저 단계의 스크린샷도 이 대역 페이지를 보여 줍니다`,
      onPageSubnet
        ? client
        : `kind Docker 네트워크가 페이지의 서브넷(${NET.subnet})이 아닙니다(${where}): 페이지의 주소는 이 클러스터에 닿지 않으므로 러너는 접속하지 않고, 웹 브라우저 단계는 실패합니다`,
    ],
    real: [
      `kind ${release.kindRelease} 가 만든 노드 컨테이너 안의 실제 Kubernetes ${release.kubernetes} (kubeadm, kubelet, containerd, kube-proxy, CoreDNS; 노드 이미지 ${image.image})`,
      `모든 파드가 실제 컨테이너로 실행됩니다${image.pulls ? ' (런북의 이미지는 레지스트리에서 내려받습니다)' : ''}`,
      ...(onPageSubnet
        ? [
            `kind Docker 네트워크(${NET.subnet}) 위의 실제 L2: 서비스 주소의 ARP 응답(로드밸런서의 speaker 파드)과, 클라이언트 호스트에서 그 주소를 거쳐 서비스의 파드에 닿는 HTTP 요청이 실제로 오갑니다`,
            '웹 브라우저 단계: 클라이언트 호스트에서 문서의 주소마다 HTTP 요청과 headless Chromium 스크린샷 (보고서 옆에 보관)',
          ]
        : []),
    ],
  };
}

/**
 * `up --provider kind`: the engine (the user's Docker, or the project's own), kubectl of the
 * release, the node image, the page's network (on the project's daemon), then `kind create cluster`.
 * On the project's daemon the API server is published in its namespace, and a forwarder (recorded,
 * stopped by `down`) brings it to the host's loopback at the same port.
 */
export async function upKind(
  name: string,
  release: KubernetesRelease,
  p: SandboxPaths,
  retain: boolean,
  io: Io,
  status: Status,
): Promise<SandboxState> {
  if (process.getuid?.() === 0 && !(await dockerAnswers(io.env))) await installKindPackages(io);
  const engine = await acquireEngine(name, io, status);
  const binDir = await ensureKubectlDir(release, io, status);
  const image = await nodeImage(release, engine, io, status);
  const kind = await ensureKind(release, io, status);
  const processes: SandboxState['processes'] = [];
  let apiServerPort: number | undefined;
  if (engine.own) {
    await preparePageNetwork(engine, io.env);
    apiServerPort = await startApiServerForwarder(p, processes, io, status);
  }
  const config = await writeKindConfig(release, engine, p, apiServerPort);
  await status.step(`kind create cluster --image ${image.image}`, () =>
    runOrThrow('KIND_CREATE_FAILED', kind, kindCreateArgs(name, image.image, p.kubeconfig, config, retain), {
      env: { ...engine.env, KUBECONFIG: p.kubeconfig },
      signal: io.signal,
      what: 'kind create cluster',
      hint: `kind 로그: ${engine.own ? `DOCKER_HOST=${engine.env.DOCKER_HOST} ` : ''}${kind} export logs --name ${name}`,
    }),
  );
  const context = kindContext(name);
  const server = serverOf(p.kubeconfig, context);
  if (!server)
    throw new EnvironmentError('KIND_NO_CONTEXT', `kind가 ${p.kubeconfig}에 컨텍스트 ${context}를 쓰지 않았습니다.`);
  const kc = loadKubeConfig(p.kubeconfig);
  kc.setCurrentContext(context);
  return {
    name,
    provider: 'kind',
    kubernetes: await serverVersion(kc),
    context,
    kubeconfig: p.kubeconfig,
    server,
    binDir,
    createdAt: new Date().toISOString(),
    processes,
    ...(apiServerPort ? { ports: [apiServerPort] } : {}),
    logs: engine.own
      ? {
          dockerd: enginePaths(io.env).log,
          ...Object.fromEntries(processes.map((x) => [x.name, path.join(p.logs, `${x.name}.log`)])),
        }
      : {},
    ...(engine.own ? { docker: { host: `unix://${enginePaths(io.env).socket}`, netns: ENGINE_NETNS } } : {}),
    pulls: image.pulls,
    simulation: kindSimulationNotes(release, image, engine.own, await kindNetworkSubnets(engine.env, io.signal)),
  };
}

/** `<sandbox>/kind.yaml` for this machine (the engine's cgroup version, the forwarder's port); its path. */
async function writeKindConfig(
  release: KubernetesRelease,
  engine: Engine,
  p: SandboxPaths,
  apiServerPort: number | undefined,
): Promise<string> {
  const cgroupV1 =
    (await run('docker', ['info', '--format', '{{.CgroupVersion}}'], { env: engine.env })).stdout.trim() === '1';
  const config = path.join(p.dir, 'kind.yaml');
  fs.writeFileSync(
    config,
    kindConfig(release, {
      ...(apiServerPort ? { apiServerPort } : {}),
      cgroupV1,
      noSysResource: engine.own && withholdsSysResource(),
    }),
  );
  return config;
}

/** As root with no Docker answering: the Debian packages the project's own daemon and node image need, installed as `npm test` does. */
async function installKindPackages(io: Io): Promise<void> {
  const [{ checkPrereqs, hostSystem }, { kind }] = await Promise.all([
    import('../../prereqs/main.ts'),
    import('../../prereqs/requirements.ts'),
  ]);
  if ((await checkPrereqs(io, hostSystem(io), [kind])) !== 0) {
    throw new EnvironmentError(
      'KIND_NO_ENGINE',
      'kind 에 필요한 Debian 패키지를 설치하지 못했습니다.',
      `apt-get install --no-install-recommends ${kind.debian.join(' ')}`,
    );
  }
}

/** On the project's daemon: kind's network on the page's subnet (made unless there), its ARP retried every 200 ms. */
async function preparePageNetwork(engine: Engine, env: Env): Promise<void> {
  const network = kindNetwork(env);
  if ((await run('docker', ['network', 'inspect', network], { env: engine.env })).code !== 0) {
    await runOrThrow('KIND_NETWORK_FAILED', 'docker', pageNetworkArgs(network), {
      env: engine.env,
      what: `kind 네트워크(${NET.subnet}) 만들기`,
    });
  }
  // The bridge side asks a new EXTERNAL-IP's ARP every 200 ms, not every second (a setting of our
  // namespace's own bridge): a browser step meets the address as soon as MetalLB's speaker answers.
  await runOrThrow(
    'KIND_NETWORK_FAILED',
    'nsenter',
    [
      `--net=${netnsFile(ENGINE_NETNS)}`,
      'sh',
      '-c',
      'for d in /proc/sys/net/ipv4/neigh/br-*; do echo 200 > "$d/retrans_time_ms"; done',
    ],
    { env: engine.env, what: 'kind 네트워크의 ARP 재시도 간격' },
  );
}

/** The API server forwarder from the host's loopback into the daemon's namespace, added to `processes` and recorded before it is awaited; its port. */
async function startApiServerForwarder(
  p: SandboxPaths,
  processes: SandboxState['processes'],
  io: Io,
  status: Status,
): Promise<number> {
  const port = await freePort();
  const tools = await ensureBuilt(podToolsTarget(), io, status);
  const forward = startDaemon(
    'apiserver-forward',
    [
      path.join(tools, 'netns-forward'),
      '--listen',
      `127.0.0.1:${port}`,
      '--netns',
      netnsFile(ENGINE_NETNS),
      '--target',
      `127.0.0.1:${port}`,
    ],
    p.logs,
    io.env,
  );
  const record = {
    name: forward.name,
    pid: forward.pid,
    ...(forward.start !== undefined ? { start: forward.start } : {}),
  };
  processes.push(record);
  // Before anything can fail: `down` of a half-made sandbox stops it from here (there is no state.json yet).
  fs.writeFileSync(forwarderFile(p), `${JSON.stringify(record)}\n`);
  if (!(await waitFor(() => (assertAlive(forward), isPortOpen(port)), 10_000, 100)))
    throw new EnvironmentError(
      'KIND_FORWARD_FAILED',
      `API 서버 포워더가 127.0.0.1:${port} 에서 듣지 않습니다. 로그: ${forward.log}`,
    );
  return port;
}

/** `kind delete cluster` (when a kind binary and the engine are there), then the sandbox's hold on the project's daemon. */
export async function deleteKindCluster(
  name: string,
  p: SandboxPaths,
  state: SandboxState | undefined,
  version: string | undefined,
  io: Io,
  status: Status,
): Promise<void> {
  const release = KUBERNETES_RELEASES.find((r) => r.kubernetes === version);
  const built = release ? path.join(binDirOf(kindTarget(release.kindRelease), io.env), 'kind') : undefined;
  const kind = which('kind', io.env) ?? (built && fs.existsSync(built) ? built : undefined);
  const ownUser = fs.existsSync(path.join(enginePaths(io.env).users, name));
  const env = state?.docker ? engineEnv(state, io.env) : ownUser ? ownEngineEnv(io.env) : io.env;
  // Nothing to delete where no kind binary was ever built or no engine answers (a refused `up`).
  if (
    kind &&
    (
      await run('docker', ['info', '--format', '{{.ServerVersion}}'], { env, signal: AbortSignal.timeout(5000) }).catch(
        () => ({ code: 1 }),
      )
    ).code === 0
  ) {
    await status.step(`kind delete cluster --name ${name}`, () =>
      runOrThrow('KIND_DELETE_FAILED', kind, kindDeleteArgs(name, p.kubeconfig), {
        env: { ...env, KUBECONFIG: p.kubeconfig },
        what: 'kind delete cluster',
      }),
    );
  }
  try {
    const forwarder = JSON.parse(fs.readFileSync(forwarderFile(p), 'utf8')) as ProcessRecord;
    await stopProcesses(ownPids([forwarder], p.dir));
  } catch {
    /* none was started */
  }
  await releaseEngine(name, io, status);
}
