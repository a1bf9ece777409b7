import path from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import type { Status } from '../lib/status.ts';
import { binDirOf, ensureBuilt, isBuilt } from './build.ts';
import { kindTarget, kubectlTarget, kubernetesTarget } from './targets.ts';
import { run, runOrThrow, which, type Env } from '../lib/process.ts';
import type { SandboxPaths } from './sandbox.ts';
import type { KubernetesRelease } from './versions.ts';

/**
 * kind provider: real nodes in containers, for machines with a container engine (a laptop,
 * a GitHub runner). The cluster's kubeconfig goes to the project file via --kubeconfig, so kind
 * never edits ~/.kube/config or the current context there.
 */

/** Whether a container engine answers (`docker info` exits 0 within a few seconds). */
export async function containerEngineAnswers(env: Env): Promise<boolean> {
  const docker = which('docker', env);
  if (!docker) return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const res = await run(docker, ['info', '--format', '{{.ServerVersion}}'], { env, signal: controller.signal });
    return res.code === 0 && res.stdout.trim() !== '';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const kindContext = (name: string) => `kind-${name}`;

/** The Docker network kind puts its nodes on (`KIND_EXPERIMENTAL_DOCKER_NETWORK`, else `kind`). */
export const kindNetwork = (env: Env) => env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind';

export const networkInspectArgs = (network: string) => ['network', 'inspect', network, '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}'];

/** The kind network's subnets (`docker network inspect`), or why they could not be read. */
export async function kindNetworkSubnets(env: Env, signal?: AbortSignal): Promise<{ network: string; subnets: string[] } | { network: string; error: string }> {
  const network = kindNetwork(env);
  const r = await run(which('docker', env) ?? 'docker', networkInspectArgs(network), { env, ...(signal ? { signal } : {}) }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  if (r.code !== 0) return { network, error: r.stderr.trim() || `종료 코드 ${r.code}` };
  return { network, subnets: r.stdout.trim().split(/\s+/).filter(Boolean) };
}

/** `kind create cluster` for the pinned image; kind deletes a failed cluster itself unless --retain. */
export function kindCreateArgs(name: string, release: KubernetesRelease, kubeconfig: string, retain: boolean): string[] {
  return ['create', 'cluster', '--name', name, '--image', release.kindNodeImage, '--kubeconfig', kubeconfig, '--wait', '5m', ...(retain ? ['--retain'] : [])];
}

export function kindDeleteArgs(name: string, kubeconfig: string): string[] {
  return ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig];
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
    status.info(`PATH의 kind(${parseKindVersion(res.stdout) ?? '버전 모름'})는 이미지가 요구하는 ${release.kindRelease}가 아니라서 따로 빌드합니다.`);
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

export async function createKindCluster(name: string, release: KubernetesRelease, p: SandboxPaths, retain: boolean, io: Io, status: Status): Promise<void> {
  if (!(await containerEngineAnswers(io.env))) {
    throw new EnvironmentError(
      'KIND_NO_ENGINE',
      'kind 프로바이더에는 동작하는 컨테이너 엔진이 필요하지만 `docker info`가 응답하지 않습니다.',
      'Docker를 시작하거나, Docker 없이 쓰려면 --provider kwok 를 쓰세요.',
    );
  }
  const kind = await ensureKind(release, io, status);
  await status.step(`kind create cluster --image ${release.kindNodeImage}`, () =>
    runOrThrow('KIND_CREATE_FAILED', kind, kindCreateArgs(name, release, p.kubeconfig, retain), {
      env: { ...io.env, KUBECONFIG: p.kubeconfig },
      signal: io.signal,
      what: 'kind create cluster',
      hint: `kind 로그: ${kind} export logs --name ${name}`,
    }),
  );
}

export async function deleteKindCluster(name: string, p: SandboxPaths, release: KubernetesRelease | undefined, io: Io): Promise<void> {
  const kind = which('kind', io.env) ?? (release ? path.join(binDirOf(kindTarget(release.kindRelease), io.env), 'kind') : undefined);
  if (!kind) return;
  await runOrThrow('KIND_DELETE_FAILED', kind, kindDeleteArgs(name, p.kubeconfig), {
    env: { ...io.env, KUBECONFIG: p.kubeconfig },
    what: 'kind delete cluster',
  });
}
