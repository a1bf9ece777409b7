import type * as k8s from '@kubernetes/client-node';
import { loadClient, type Client } from './client.ts';

/**
 * Typed API reads and watches for the runner, loaded lazily (the client library takes ~1 s to
 * import, and `--dry-run` must not pay for it). Each call names the kubectl command it stands for.
 */
export interface Kube {
  lib: Client;
  config: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  coordination: k8s.CoordinationV1Api;
}

/**
 * How long one API request may take. The runner's reads are small; an API server that does not
 * answer in this time is named as the cause (see health.ts) instead of holding the step past its limit.
 */
export const API_REQUEST_TIMEOUT_MS = 10_000;

export async function connect(kubeconfig: string): Promise<Kube> {
  const lib = await loadClient();
  const config = new lib.KubeConfig();
  config.loadFromFile(kubeconfig);
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error(`${kubeconfig} 의 현재 컨텍스트에 클러스터가 없습니다.`);
  // makeApiClient's configuration, plus a deadline on every request.
  const configuration = lib.createConfiguration({
    baseServer: new lib.ServerConfiguration(server, {}),
    authMethods: { default: config },
    promiseMiddleware: [{
      pre: async (context) => {
        context.setSignal(AbortSignal.timeout(API_REQUEST_TIMEOUT_MS));
        return context;
      },
      post: async (context) => context,
    }],
  });
  return { lib, config, core: new lib.CoreV1Api(configuration), apps: new lib.AppsV1Api(configuration), coordination: new lib.CoordinationV1Api(configuration) };
}

/** `kubectl version -o json | jq .serverVersion.gitVersion`. */
export async function serverVersion(kube: Kube): Promise<string> {
  // Not cluster/api.ts's helper: it imports the whole client package, which loadClient avoids.
  const info = await kube.config.makeApiClient(kube.lib.VersionApi).getCode();
  return info.gitVersion;
}

/** `kubectl get nodes` (schedulable ones), for "one speaker per node". */
export async function schedulableNodes(kube: Kube): Promise<number> {
  const nodes = await kube.core.listNode();
  return nodes.items.filter((n) => !n.spec?.unschedulable).length;
}

/** The image tag of a Deployment's first container (`quay.io/metallb/controller:v0.11.0` → `v0.11.0`). */
export async function deploymentImageTag(kube: Kube, namespace: string, name: string): Promise<string | undefined> {
  try {
    const d = await kube.apps.readNamespacedDeployment({ name, namespace });
    const image = d.spec?.template.spec?.containers[0]?.image;
    return image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : image;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as { code?: number })?.code === 404;
}

/**
 * Calls `onChange` on every event of the listed objects (kubectl get -w), re-opening the watch when
 * the connection drops (an API server restart). Returns a function that stops watching.
 */
export function watchChanges(kube: Kube, apiPath: string, query: Record<string, string>, onChange: (type?: string, object?: unknown) => void): () => void {
  const watch = new kube.lib.Watch(kube.config);
  let stopped = false;
  let current: AbortController | undefined;
  let backoff = 200;
  const open = () => {
    if (stopped) return;
    watch
      .watch(apiPath, query, (type: string, object: unknown) => {
        backoff = 200;
        onChange(type, object);
      }, () => {
        if (stopped) return;
        onChange();
        setTimeout(open, backoff).unref();
        backoff = Math.min(backoff * 2, 2000);
      })
      .then((c) => {
        current = c;
        if (stopped) c.abort();
      })
      .catch(() => {
        if (stopped) return;
        setTimeout(open, backoff).unref();
        backoff = Math.min(backoff * 2, 2000);
      });
  };
  open();
  return () => {
    stopped = true;
    current?.abort();
  };
}

/** What a simple `kubectl get KIND[/NAME] -n NAMESPACE` command reads. */
export interface GetCommand {
  kind: string;
  name: string | undefined;
  namespace: string;
}

export function parseGet(command: string): GetCommand | undefined {
  const m = /^kubectl get ([a-z]+)(?:\/([a-z0-9-]+))? -n ([a-z0-9-]+)\s*$/.exec(command.trim());
  return m ? { kind: m[1] ?? '', name: m[2], namespace: m[3] ?? '' } : undefined;
}

const CORE_RESOURCES: Record<string, string> = { po: 'pods', pod: 'pods', pods: 'pods', svc: 'services', service: 'services', services: 'services' };

/** The API path a simple `kubectl get` reads, so an eventual step can watch it instead of polling. */
export function watchPathFor(command: string): { path: string; query: Record<string, string> } | undefined {
  const get = parseGet(command);
  const resource = get && CORE_RESOURCES[get.kind];
  if (!get || !resource) return undefined;
  return { path: `/api/v1/namespaces/${get.namespace}/${resource}`, query: get.name ? { fieldSelector: `metadata.name=${get.name}` } : {} };
}
