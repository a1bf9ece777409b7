import type * as k8s from '@kubernetes/client-node';
import type { OnePerNode } from '../model/runbook.ts';

/** The runner's API client, loaded lazily (it takes ~1 s to import; `--dry-run` must not pay for it). */
export type Kube = Awaited<ReturnType<typeof connect>>;

/** One API request's deadline: a server silent for longer is named as the cause (health.ts), not waited on. */
const API_REQUEST_TIMEOUT_MS = 10_000;

export async function connect(kubeconfig: string) {
  // Imported here, not at the top: the site build imports this module's pure helpers (through the
  // object checks the verdict runs again) and must not load the client's loader.
  const lib = await (await import('../lib/client.ts')).loadClient();
  const config = new lib.KubeConfig();
  config.loadFromFile(kubeconfig);
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error(`${kubeconfig} 의 현재 컨텍스트에 클러스터가 없습니다.`);
  // One connection for the whole run: client-node gives every request a new Agent (a TCP and TLS handshake each,
  // a fifth of the runner's CPU time); the first one's serves every later request. Headers are still per request.
  let dispatcher: ReturnType<k8s.RequestContext['getDispatcher']>;
  const auth: k8s.SecurityAuthentication = {
    getName: () => 'kubeconfig, one connection',
    applySecurityAuthentication: async (context) => {
      await config.applySecurityAuthentication(context);
      if (dispatcher === undefined) dispatcher = context.getDispatcher();
      else context.setDispatcher(dispatcher);
    },
  };
  // makeApiClient's configuration, plus a deadline on every request.
  const configuration = lib.createConfiguration({
    baseServer: new lib.ServerConfiguration(server, {}),
    authMethods: { default: auth },
    promiseMiddleware: [
      {
        pre: async (context) => {
          context.setSignal(AbortSignal.timeout(API_REQUEST_TIMEOUT_MS));
          return context;
        },
        post: async (context) => context,
      },
    ],
  });
  return {
    lib,
    config,
    core: new lib.CoreV1Api(configuration),
    apps: new lib.AppsV1Api(configuration),
    coordination: new lib.CoordinationV1Api(configuration),
    version: new lib.VersionApi(configuration),
  };
}

/** `kubectl version -o json | jq .serverVersion.gitVersion` (not cluster/api.ts's: it imports the whole client package). */
export const serverVersion = async (kube: Kube): Promise<string> => (await kube.version.getCode()).gitVersion;

type Taint = Pick<k8s.V1Taint, 'key' | 'value' | 'effect'>;
type Toleration = Pick<k8s.V1Toleration, 'key' | 'operator' | 'value' | 'effect'>;

/** Tolerations the DaemonSet controller adds to its pods (pkg/controller/daemon/util); the last only with hostNetwork. */
const DAEMONSET_TOLERATIONS = Object.entries({
  'not-ready': 'NoExecute',
  unreachable: 'NoExecute',
  'disk-pressure': 'NoSchedule',
  'memory-pressure': 'NoSchedule',
  'pid-pressure': 'NoSchedule',
  unschedulable: 'NoSchedule',
  'network-unavailable': 'NoSchedule',
}).map(([key, effect]): Toleration => ({ key: `node.kubernetes.io/${key}`, operator: 'Exists', effect }));

/** Whether a toleration tolerates a taint, as the scheduler decides (v1 helper ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  // An empty key with Exists matches every taint.
  if (toleration.operator === 'Exists') return true;
  return !toleration.key ? false : (toleration.value ?? '') === (taint.value ?? '');
}

/**
 * Nodes a DaemonSet's pod can run on: no NoSchedule/NoExecute taint its tolerations (and the defaults) leave
 * untolerated. `undefined` tolerations (no DaemonSet yet): schedulable nodes without such taints.
 */
export function nodesForDaemonSet(
  nodes: Pick<k8s.V1Node, 'spec'>[],
  tolerations: Toleration[] | undefined,
  hostNetwork = false,
): number {
  const defaults = DAEMONSET_TOLERATIONS.filter((t) => hostNetwork || !t.key?.endsWith('network-unavailable'));
  const all = tolerations === undefined ? [] : [...tolerations, ...defaults];
  return nodes.filter((n) => {
    if (tolerations === undefined && n.spec?.unschedulable) return false;
    return (n.spec?.taints ?? []).every(
      (taint) =>
        (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') || all.some((t) => tolerates(t, taint)),
    );
  }).length;
}

/**
 * `kubectl get nodes` counted the way a DaemonSet's pods are placed (a table key with one row per node): a kind
 * control-plane's taint keeps MetalLB v0.11's speaker off it (it tolerates only the old `master` taint).
 */
export async function schedulableNodes(kube: Kube, daemonSet?: { namespace: string; name: string }): Promise<number> {
  const nodes = await kube.core.listNode();
  const spec = daemonSet && (await orAbsent(kube.apps.readNamespacedDaemonSet(daemonSet)))?.spec?.template.spec;
  return nodesForDaemonSet(nodes.items, spec ? (spec.tolerations ?? []) : undefined, spec?.hostNetwork ?? false);
}

/** The HTTP status of a failed API call (the client's ApiException puts it in `code`). */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A read whose object may be absent: undefined on 404, any other failure thrown. */
export const orAbsent = <T>(read: Promise<T>): Promise<T | undefined> =>
  read.catch((error: unknown) => {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  });

/** An API call's failure in words: a request past its deadline, a refused connection, or the server's status. */
export function apiErrorText(error: unknown): string {
  const e = error as {
    name?: string;
    code?: number | string;
    message?: string;
    cause?: { code?: string; name?: string };
  };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || e.name === 'AbortError')
    return `API 서버가 ${API_REQUEST_TIMEOUT_MS / 1000}초 안에 답하지 않음`;
  return String(e.cause?.code ?? e.code ?? e.message ?? error);
}

/** Calls `onChange` on every event of the listed objects (kubectl get -w), re-opened when the connection drops. */
export function watchChanges(
  kube: Kube,
  apiPath: string,
  query: Record<string, string>,
  onChange: (type?: string, object?: unknown) => void,
): () => void {
  const watch = new kube.lib.Watch(kube.config);
  let stopped = false;
  let current: AbortController | undefined;
  let backoff = 200;
  const retry = () => {
    setTimeout(open, backoff).unref();
    backoff = Math.min(backoff * 2, 2000);
  };
  const open = () => {
    if (stopped) return;
    watch
      .watch(
        apiPath,
        query,
        (type: string, object: unknown) => {
          backoff = 200;
          onChange(type, object);
        },
        () => {
          if (stopped) return;
          onChange();
          retry();
        },
      )
      .then((c) => {
        current = c;
        if (stopped) c.abort();
      })
      .catch(() => {
        if (!stopped) retry();
      });
  };
  open();
  return () => {
    stopped = true;
    current?.abort();
  };
}

/** What a simple `kubectl get KIND[/NAME] -n NAMESPACE` command reads. */
export function parseGet(command: string): { kind: string; name: string | undefined; namespace: string } | undefined {
  const m = /^kubectl get ([a-z]+)(?:\/([a-z0-9-]+))? -n ([a-z0-9-]+)\s*$/.exec(command.trim());
  return m ? { kind: m[1] ?? '', name: m[2], namespace: m[3] ?? '' } : undefined;
}

/** The API path a simple `kubectl get` reads, so an eventual step can watch it instead of polling. */
export function watchPathFor(command: string): { path: string; query: Record<string, string> } | undefined {
  const get = parseGet(command);
  const resource = get && (/^(po|pods?)$/.test(get.kind) ? 'pods' : /^(svc|services?)$/.test(get.kind) && 'services');
  if (!get || !resource) return undefined;
  return {
    path: `/api/v1/namespaces/${get.namespace}/${resource}`,
    query: get.name ? { fieldSelector: `metadata.name=${get.name}` } : {},
  };
}

/** For each table key the rule counts per node: how many nodes its DaemonSet places a pod on, now. */
export async function perNodeCounts(
  kube: Kube,
  rule: { kind: string; rows?: Record<string, 'as-page' | OnePerNode> },
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (rule.kind !== 'table') return out;
  for (const [key, policy] of Object.entries(rule.rows ?? {})) {
    if (policy === 'as-page') continue;
    // Unread (the API did not answer): the table check names the missing count instead of skipping it.
    const { namespace, daemonSet: name } = policy.onePerNodeOf;
    const nodes = await schedulableNodes(kube, { namespace, name }).catch(() => undefined);
    if (nodes !== undefined) out[key] = nodes;
  }
  return out;
}
