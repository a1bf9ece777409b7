import fs from 'node:fs';
import path from 'node:path';
import type { Io } from '../lib/io.ts';
import type { Env } from '../lib/process.ts';
import { Status } from '../lib/status.ts';
import type { ImageBuild } from '../model/runbook.ts';
import type { BrowserKube, BrowserStep, BrowserStepResult } from './browser-step.ts';
import { keptLogs, type KeptLogs } from './kept-logs.ts';
import { clusterCommand, DEFAULT_SANDBOX, readSandbox, sandboxDir, sandboxEnv, type SandboxState } from './state.ts';

export { DEFAULT_SANDBOX, type KeptLogs };
/** The Kubernetes a page is verified on when its frontmatter names none (the scaffold writes it). */
export { DEFAULT_KUBERNETES } from './versions.ts';

/**
 * The one face a sandbox shows the runner, `verify` and `bench`: code outside scripts/cluster/ never reads a
 * provider's files, never behaves differently by provider (`name` is for reports and messages), and never
 * names a component (images come from the runbook: `provideImages`).
 */
export interface Provider extends Readonly<
  Pick<SandboxState, 'context' | 'server' | 'kubeconfig' | 'kubernetes' | 'binDir'>
> {
  /** For reports, badges and messages only. */
  readonly name: SandboxState['provider'];
  /** The sandbox's name (`--sandbox`, `--name`). */
  readonly sandbox: string;
  /** Environment every kubectl against it gets: its kubeconfig and its own discovery cache. */
  env(): { KUBECONFIG: string; KUBECACHEDIR: string };
  /** What the provider itself simulates and what is real, in Korean. */
  readonly simulation: Simulation;
  /** Whether pods really run (containers, a pod network): false where the provider only marks them Running. */
  readonly runsPods: boolean;
  /** Container logs the provider keeps where the API has none (kwok's small kubelet), else undefined. */
  readonly containerLogs: KeptLogs | undefined;
  /**
   * Objects the provider made itself for the page to find, and why a step that only reads or changes
   * them proves nothing about a real cluster (the verdict marks such steps as stand-ins).
   */
  readonly seeded: SeededObject[];
  /**
   * Makes the runbook's images runnable here and says what that simulates: kwok registers binaries with the
   * small kubelet; pods imports OCI images into the node's containerd; kind lets the nodes pull, else loads
   * them like pods, and always loads the stand-in web server's image, which no registry has.
   */
  provideImages(images: readonly ImageBuild[], io: Io, status?: Status): Promise<Simulation>;
  /**
   * A host on the page's network that can open a Service's documented address (pods: the client network
   * namespace; kind: the runner host on the kind network), or undefined: a browser step stays a person's.
   */
  readonly clientHost: ClientHost | undefined;
  /** `npm run cluster -- VERB` for this sandbox, for hints. */
  command(verb: 'up' | 'down' | 'status'): string;
}

export type Simulation = NonNullable<SandboxState['simulation']>;

export interface ClientHost {
  /** Starts these Services' stand-in backends without waiting: they run before the steps, as earlier chapters leave them. */
  prepare(kube: BrowserKube, services: ReadonlyArray<{ namespace: string; name: string }>): Promise<void>;
  /** Gives the Service a stand-in backend, requests the address from the client host and saves a screenshot there. */
  open(
    kube: BrowserKube,
    check: BrowserStep,
    screenshot: string,
    opts: { signal?: AbortSignal; show?: (command: string) => string },
  ): Promise<Omit<BrowserStepResult, 'url' | 'backend' | 'screenshot'>>;
}

export interface SeededObject {
  kind: string;
  namespace: string;
  name: string;
  /** In Korean, for the stand-in mark. */
  why: string;
}

/**
 * What each provider seeds: kwok and pods write `kube-system/kube-proxy` as kubeadm would, but no kube-proxy
 * reads it (kwok runs none; pods' reads its own file). On kind it is kubeadm's own, the DaemonSet's: real.
 */
const seededKubeProxy = (why: string) => [{ kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy', why }];
const SEEDED: Record<SandboxState['provider'], SeededObject[]> = {
  kwok: seededKubeProxy(
    'kube-system/kube-proxy ConfigMap 은 kwok 샌드박스가 kubeadm 과 같은 모양으로 미리 만들어 둔 것이고, 이 샌드박스에는 그 ConfigMap 을 읽는 kube-proxy 가 없습니다. 이 단계는 샌드박스가 만든 객체를 읽거나 바꿨을 뿐, 실제 클러스터의 kube-proxy 설정을 확인한 것이 아닙니다.',
  ),
  pods: seededKubeProxy(
    'kube-system/kube-proxy ConfigMap 은 pods 샌드박스가 페이지를 위해 kubeadm 과 같은 모양으로 만들어 둔 것입니다. 이 샌드박스의 kube-proxy 는 노드의 프로세스로 자신의 설정 파일을 읽기 때문에, 이 ConfigMap 을 바꿔도 실행 중인 kube-proxy 에는 반영되지 않습니다.',
  ),
  kind: [],
};

/** What a provider's own client host gives: `open`, and `warm` to start its browser ahead of the first browser step. */
export type ClientHostParts = Pick<ClientHost, 'open'> & { warm(): void };

/** Which providers really run pods (kwok only marks them Running; its small kubelet runs a few images as local processes). */
export const RUNS_PODS: Record<SandboxState['provider'], boolean> = { kwok: false, pods: true, kind: true };

export function mergeSimulation(...parts: Simulation[]): Simulation {
  return { simulated: parts.flatMap((p) => p.simulated), real: parts.flatMap((p) => p.real) };
}

/** The sandbox `name` as a Provider, or undefined when there is none. */
export function openSandbox(name: string, env: Env): Provider | undefined {
  const state = readSandbox(name, env);
  return state && sandboxProvider(state, env);
}

export function sandboxProvider(state: SandboxState, env: Env = process.env): Provider {
  const dir = sandboxDir(state.name, env);
  const provideImages = async (images: readonly ImageBuild[], io: Io, status = new Status(io)): Promise<Simulation> => {
    // kind: the nodes pull the runbook's images; only the stand-in web server's image is put into them.
    if (state.provider === 'kind') {
      const kindImages = await import('./kind/images.ts');
      await kindImages.loadStandinImage(state, io, status);
      return kindImages.provideKindImages(state, images, io, status);
    }
    if (images.length === 0) return { simulated: [], real: [] };
    if (state.provider === 'kwok')
      return (await import('./kubelet/provide.ts')).provideKwokImages(dir, images, io, status);
    return (await import('./pods/images.ts')).providePodsImages(state.name, images, io, status);
  };
  return {
    name: state.provider,
    sandbox: state.name,
    context: state.context,
    server: state.server,
    kubeconfig: state.kubeconfig,
    kubernetes: state.kubernetes,
    binDir: state.binDir,
    env: () => sandboxEnv(state),
    simulation: state.simulation ?? { simulated: [], real: [] },
    runsPods: RUNS_PODS[state.provider],
    containerLogs: keptLogs(state.containerLogs),
    seeded: SEEDED[state.provider],
    provideImages,
    clientHost: clientHost(state, env),
    command: (verb) => clusterCommand(verb, state.name),
  };
}

/** Another host on the page's network: the client namespace (pods), the runner host on the kind network (kind); none on kwok. */
function clientHost(state: SandboxState, env: Env): ClientHost | undefined {
  if (state.provider === 'kwok') return undefined;
  const host = async (): Promise<ClientHostParts> =>
    state.provider === 'pods'
      ? (await import('./pods/browser-step.ts')).podsClientHost
      : (await import('./kind/client.ts')).kindClientHost(state, env);
  return {
    prepare: async (kube, services) => {
      (await host()).warm();
      const { ensureBackend } = await import('./pods/backend.ts');
      // Best effort: a browser step that finds no ready backend makes and waits for one itself, and says why.
      await Promise.all(
        services.map(async (s) => ensureBackend(kube, await kube.core.readNamespacedService(s)).catch(() => undefined)),
      );
    },
    open: async (kube, check, screenshot, opts) => {
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      return (await host()).open(kube, check, screenshot, opts);
    },
  };
}

/**
 * For a page whose pods must really run: the provider this machine can offer for it (`pods` where it
 * can run, else `kind` when a container engine answers), or why there is none.
 */
export async function providerRunningPods(env: Env): Promise<{ provider: SandboxState['provider'] } | { why: string }> {
  const { cannotRun } = await import('./pods/host.ts');
  const reasons = cannotRun(env);
  if (reasons.length === 0) return { provider: 'pods' };
  const { dockerAnswers } = await import('./kind/engine.ts');
  if (await dockerAnswers(env)) return { provider: 'kind' };
  return {
    why: `pods 프로바이더를 쓸 수 없고(${reasons.join('; ')}), kind 에 필요한 컨테이너 엔진도 응답하지 않습니다`,
  };
}
