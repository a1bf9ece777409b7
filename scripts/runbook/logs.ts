import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { writeAtomic } from '../lib/fs.ts';
import type { ComponentLogs } from '../model/runbook.ts';
import type { RunContext } from './context.ts';
import { apiErrorText, type Kube } from './kube.ts';
import type { KeptLogs } from '../cluster/provider.ts';
import { parseSelector } from '../lib/selector.ts';

// The logs of the components a runbook names, through the API (every container of every matching pod, and the instance
// before the last restart), else where the provider keeps them (Provider.containerLogs), else one line saying so.

/** Lines per container instance and pods per component (a big DaemonSet must not flood a failure or a report): under a failed step, and kept with the report. */
const DIAGNOSTIC = { tailLines: 30, pods: 3 };
const KEPT = { tailLines: 2000, pods: 20 };
/** Where a log read through the API comes from (the API server asks the node's kubelet). */
const API_ORIGIN = 'API 서버를 거쳐 kubelet 에서';

/** The two API reads the logs need (faked in tests). */
export interface PodLogApi {
  /** `kubectl get pods -n NAMESPACE -l SELECTOR` */
  listPods(namespace: string, selector: string): Promise<V1Pod[]>;
  /** `kubectl logs POD -c CONTAINER -n NAMESPACE --tail N [--previous]` */
  readLog(
    namespace: string,
    pod: string,
    container: string,
    options: { tailLines: number; previous: boolean },
  ): Promise<string>;
}

function podLogApi(kube: Pick<Kube, 'core'>): PodLogApi {
  return {
    listPods: async (namespace, labelSelector) =>
      (await kube.core.listNamespacedPod({ namespace, labelSelector })).items,
    readLog: (namespace, name, container, { tailLines, previous }) =>
      kube.core.readNamespacedPodLog({ name, namespace, container, tailLines, previous, limitBytes: 1 << 20 }),
  };
}

/** One container instance's last lines and where they came from (the API request or the provider's file), said for people. */
interface InstanceLog {
  previous: boolean;
  origin: 'api' | 'provider';
  source: string;
  text: string;
}

interface ContainerLog {
  /** `namespace/name` */
  pod: string;
  container: string;
  /** The instance before the last restart first, then the current one. */
  instances: InstanceLog[];
  /** Why the API did not give it (when the text came from the provider, or from nowhere). */
  apiError?: string;
  /** Set when no text was found anywhere: the one honest line. */
  missing?: string;
}

interface ComponentLogResult {
  component: ComponentLogs;
  containers: ContainerLog[];
  /** Lines about the component as a whole: no pods, the API not answering, pods left out. */
  notes: string[];
}

interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  /** Containers with their restart counts (init containers first, as `--all-containers`). */
  containers: { name: string; restarts: number }[];
  /** Listed by the API (so its log can be asked for), or found in the provider's files only. */
  listed: boolean;
}

function fromApi(pod: V1Pod): PodRef {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const restarts = (name: string) => statuses.find((s) => s.name === name)?.restartCount ?? 0;
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    containers: names.map((name) => ({ name, restarts: restarts(name) })),
    listed: true,
  };
}

/** The API's own sentence for a refused log read (`no logs found for container …`), else the transport error. */
function logErrorText(error: unknown): string {
  const e = error as { code?: number; body?: unknown };
  let body = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not a Status object
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `${message} (HTTP ${e.code})` : apiErrorText(error);
}

async function readContainer(
  pod: PodRef,
  container: PodRef['containers'][number],
  api: PodLogApi | undefined,
  provider: KeptLogs | undefined,
  tailLines: number,
): Promise<ContainerLog> {
  const out: ContainerLog = { pod: `${pod.namespace}/${pod.name}`, container: container.name, instances: [] };
  if (api && pod.listed) {
    const read = async (previous: boolean): Promise<InstanceLog> => {
      const text = await api.readLog(pod.namespace, pod.name, container.name, { tailLines, previous });
      const source = `${API_ORIGIN} (GET /api/v1/namespaces/${pod.namespace}/pods/${pod.name}/log?container=${container.name}&tailLines=${tailLines}${previous ? '&previous=true' : ''})`;
      return { previous, origin: 'api', source, text };
    };
    try {
      const current = await read(false);
      // The instance that exited is often the one that explains a restart; not worth failing over.
      const previous = container.restarts > 0 ? await read(true).catch(() => undefined) : undefined;
      out.instances = previous ? [previous, current] : [current];
      return out;
    } catch (error) {
      out.apiError = logErrorText(error);
    }
  }
  if (provider) {
    out.instances = provider.instances(pod, container.name, tailLines).map((i) => ({
      previous: i.previous,
      origin: 'provider',
      source: `${provider.writer} 파일 ${i.file}`,
      text: i.text,
    }));
    if (out.instances.length > 0) return out;
  }
  const viaApi = out.apiError ? `API 서버가 주지 못했습니다: ${out.apiError}` : 'API 서버가 답하지 않습니다';
  const kept = provider
    ? `${provider.writer} 파일에도 없습니다: ${provider.absent}`
    : '이 클러스터에는 API 말고 로그를 읽을 곳이 없습니다';
  out.missing = `로그 없음 — ${viaApi}. ${kept}.`;
  return out;
}

/** Reads one component's logs: through the API when `api` is given, else (and where it fails) from the provider's files. */
export async function readComponentLogs(
  component: ComponentLogs,
  sources: { api: PodLogApi | undefined; provider: KeptLogs | undefined },
  limits: { tailLines: number; pods: number },
): Promise<ComponentLogResult> {
  const { api, provider } = sources;
  const notes: string[] = [];
  let pods: PodRef[] | undefined;
  if (api) {
    try {
      pods = (await api.listPods(component.namespace, component.selector))
        .map(fromApi)
        .sort((a, b) => a.name.localeCompare(b.name));
    } catch (error) {
      notes.push(`API 에서 파드 목록을 읽지 못했습니다: ${logErrorText(error)}`);
    }
  }
  const listedByApi = pods !== undefined;
  if (!pods && provider) {
    pods = provider
      .pods(component)
      .map((p) => ({ ...p, containers: p.containers.map((name) => ({ name, restarts: 0 })), listed: false }));
    notes.push(`API 없이 ${provider.writer} 파일에서, 그 파일에 적힌 라벨로 파드를 골랐습니다.`);
  }
  if (!pods) {
    notes.push(
      `${api ? '' : 'API 서버가 답하지 않고, '}이 클러스터에는 API 말고 로그를 읽을 곳이 없어 로그를 읽지 못했습니다.`,
    );
    return { component, containers: [], notes };
  }
  if (pods.length === 0) {
    notes.push(
      listedByApi
        ? `${component.namespace} 에 ${component.selector} 인 파드가 없습니다.`
        : `${provider?.writer} 파일에는 ${component.namespace} 의 ${component.selector} 파드가 없습니다. 클러스터의 파드 목록은 API 로 읽지 못했습니다.`,
    );
  }
  if (pods.length > limits.pods) {
    notes.push(`파드 ${pods.length}개 중 ${limits.pods}개만 보였습니다.`);
    pods = pods.slice(0, limits.pods);
  }
  const containers: ContainerLog[] = [];
  for (const pod of pods)
    for (const c of pod.containers) containers.push(await readContainer(pod, c, api, provider, limits.tailLines));
  return { component, containers, notes };
}

/** The text of one component's logs: a title, its notes, then each container instance under its source. */
function renderComponentLog(result: ComponentLogResult, tailLines: number, title = true): string {
  const { name, namespace, selector } = result.component;
  const out = [
    ...(title ? [`--- ${name} 로그 (${namespace} 의 ${selector} 파드, 컨테이너마다 마지막 ${tailLines}줄)`] : []),
    ...result.notes,
  ];
  for (const c of result.containers) {
    const who = `${c.pod} ${c.container}`;
    if (c.missing) out.push(`[${who}] ${c.missing}`); // with no instances
    for (const i of c.instances) {
      const why = c.apiError && i.origin === 'provider' ? ` (API 서버가 주지 못함: ${c.apiError})` : '';
      out.push(
        `[${who}${i.previous ? ', 재시작 전 인스턴스' : ''} — 출처: ${i.source}${why}]`,
        i.text === '' ? '(출력 없음)' : i.text,
      );
    }
  }
  return out.join('\n');
}

type LogContext = Pick<RunContext, 'binding' | 'target' | 'kube' | 'redactor'>;

/** Each component's logs of the runbook, in order. */
async function readAll(ctx: LogContext, apiAnswers: boolean, limits: typeof KEPT): Promise<ComponentLogResult[]> {
  const sources = { api: apiAnswers ? podLogApi(ctx.kube) : undefined, provider: ctx.target.sandbox?.containerLogs };
  const results: ComponentLogResult[] = [];
  for (const component of ctx.binding.runbook.logs ?? [])
    results.push(await readComponentLogs(component, sources, limits));
  return results;
}

/** Under a failed step: the last 30 lines of each component's containers (redacted). */
export async function diagnosticLogs(ctx: LogContext, apiAnswers: boolean): Promise<string[]> {
  const results = await readAll(ctx, apiAnswers, DIAGNOSTIC);
  return results.map((r) => ctx.redactor.apply(renderComponentLog(r, DIAGNOSTIC.tailLines)));
}

/**
 * At the end of a run: each component's logs, redacted, in `<dir>/<name>.log` (the CLI copies them
 * beside the report). Returns name → file. A component with no log anywhere still gets its file,
 * saying so.
 */
export async function keepLogs(ctx: LogContext, apiAnswers: boolean, dir: string): Promise<Record<string, string>> {
  const kept: Record<string, string> = {};
  for (const result of await readAll(ctx, apiAnswers, KEPT)) {
    const { component } = result;
    const origins = new Set(result.containers.flatMap((c) => c.instances.map((i) => i.origin)));
    const sources = [...origins].map((o) =>
      o === 'api' ? API_ORIGIN : `${ctx.target.sandbox?.containerLogs?.writer} 파일`,
    );
    const header = [
      `# ${component.name}: ${component.namespace} 의 ${component.selector} 파드 로그, 컨테이너마다 마지막 ${KEPT.tailLines}줄, 실행이 끝날 때 (${new Date().toISOString()}) 읽음`,
      `# 출처: ${sources.length ? sources.join(', ') : '없음 (아래 줄이 이유를 말합니다)'}`,
      `# 컨텍스트: ${ctx.target.context} (${ctx.target.provider})`,
    ];
    const file = path.join(dir, `${component.name}.log`);
    writeAtomic(
      file,
      ctx.redactor.apply(`${header.join('\n')}\n${renderComponentLog(result, KEPT.tailLines, false)}\n`),
    );
    kept[component.name] = file;
  }
  return kept;
}

/** What is wrong with a runbook's `logs` (file-safe unique names, namespace, a selector we can read). */
export function componentLogProblems(logs: readonly ComponentLogs[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of logs) {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(c.name))
      problems.push(`logs 의 이름 "${c.name}" 은 파일 이름(<이름>.log)이 됩니다: 소문자, 숫자, . _ - 만 쓰세요.`);
    if (seen.has(c.name)) problems.push(`logs 에 이름 "${c.name}" 이 두 번 있습니다.`);
    seen.add(c.name);
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(c.namespace))
      problems.push(`logs "${c.name}" 의 네임스페이스 "${c.namespace}" 가 올바른 이름이 아닙니다.`);
    const selector = parseSelector(c.selector);
    if (typeof selector === 'string') problems.push(`logs "${c.name}" 의 selector: ${selector}`);
  }
  return problems;
}
