import type * as k8s from '@kubernetes/client-node';
import { orAbsent } from '../../runbook/kube.ts';
import { waitFor } from '../sandbox.ts';
import { STANDIN_IMAGE } from './layout.ts';

// Real backends for the runbook's stand-in Services: per Service, a Deployment in its namespace whose pods carry its
// selector labels and serve, on each target port, a short Korean page naming the dashboard they stand in for
// (`kubectl create deployment <svc>-standin --image=vdocs.local/standin-web:v1 …` with the labels set).

/** Marks the Deployments made here, so only those are ever replaced. */
const BACKEND_MARK = 'verified-docs.dev/stand-in-backend';

/** The dashboard each of the page's Services fronts, as the page names it. */
const DASHBOARDS: Record<string, string> = {
  'istio-system/istio-ingressgateway': 'Kubeflow 대시보드',
  'kubeflow/minio-service': 'MinIO 대시보드',
  'mlflow-system/mlflow-server-service': 'MLflow 대시보드',
  'seldon-system/seldon-core-analytics-grafana': 'Grafana 대시보드',
};

export function dashboardTitle(service: Pick<k8s.V1Service, 'metadata'>): string {
  const key = `${service.metadata?.namespace ?? 'default'}/${service.metadata?.name ?? ''}`;
  return DASHBOARDS[key] ?? `${service.metadata?.name ?? '서비스'} 대시보드`;
}

/** The container ports a Service sends to: numeric target ports, or the port itself (named target ports keep their name). */
export function backendPorts(service: k8s.V1Service): Array<{ containerPort: number; name?: string }> {
  const out = new Map<number, { containerPort: number; name?: string }>();
  for (const p of service.spec?.ports ?? []) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue;
    const target = p.targetPort as number | string | undefined;
    const named = typeof target === 'string' && !/^\d+$/.test(target);
    const port = named || target === undefined ? p.port : Number(target);
    out.set(port, named ? { containerPort: port, name: target } : { containerPort: port });
  }
  return [...out.values()];
}

const backendName = (service: k8s.V1Service) => `${service.metadata?.name ?? 'service'}-standin`.slice(0, 63);

export function backendDeployment(service: k8s.V1Service): k8s.V1Deployment {
  const namespace = service.metadata?.namespace ?? 'default';
  const selector = service.spec?.selector ?? {};
  if (!Object.keys(selector).length)
    throw new Error(
      `서비스 ${namespace}/${service.metadata?.name} 에 selector 가 없어 백엔드 파드를 고를 수 없습니다.`,
    );
  const ports = backendPorts(service);
  if (!ports.length) throw new Error(`서비스 ${namespace}/${service.metadata?.name} 에 TCP 포트가 없습니다.`);
  const title = dashboardTitle(service);
  const privileged = ports.some((p) => p.containerPort < 1024);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: backendName(service),
      namespace,
      labels: { ...selector },
      annotations: { [BACKEND_MARK]: 'true' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: { ...selector }, annotations: { [BACKEND_MARK]: 'true' } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'standin-web',
              image: STANDIN_IMAGE,
              // The image was imported, never pulled: a missing image must fail, not reach for a registry.
              imagePullPolicy: 'Never',
              // Environment names in backticks: the troubleshooting test reads quoted UPPER_CASE strings as error codes.
              env: [
                { name: `STANDIN_TITLE`, value: title },
                { name: `STANDIN_SERVICE`, value: `${namespace}/${service.metadata?.name}` },
                { name: `STANDIN_PORTS`, value: ports.map((p) => p.containerPort).join(',') },
                { name: `POD_NAME`, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              ports: ports.map((p) => ({
                containerPort: p.containerPort,
                protocol: 'TCP',
                ...(p.name ? { name: p.name.slice(0, 15) } : {}),
              })),
              readinessProbe: { httpGet: { path: '/', port: ports[0]!.containerPort as never }, periodSeconds: 1 },
              securityContext: privileged
                ? {}
                : {
                    runAsNonRoot: true,
                    runAsUser: 65534,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                  },
            },
          ],
        },
      },
    },
  };
}

export interface BackendResult {
  namespace: string;
  name: string;
  status: 'created' | 'replaced' | 'kept';
  title: string;
  ports: number[];
}

const readDeployment = (kube: { apps: k8s.AppsV1Api }, name: string, namespace: string) =>
  orAbsent(kube.apps.readNamespacedDeployment({ name, namespace }));

/**
 * Makes sure the Service has a stand-in backend: creates the Deployment, or replaces one made here
 * earlier; a Deployment of that name that is not ours is kept untouched. Does not wait for it.
 */
export async function ensureBackend(kube: { apps: k8s.AppsV1Api }, service: k8s.V1Service): Promise<BackendResult> {
  const body = backendDeployment(service);
  const { name, namespace } = body.metadata as { name: string; namespace: string };
  const result = {
    namespace,
    name,
    title: dashboardTitle(service),
    ports: backendPorts(service).map((p) => p.containerPort),
  };
  const existing = await readDeployment(kube, name, namespace);
  if (!existing) {
    await kube.apps.createNamespacedDeployment({ namespace, body });
    return { ...result, status: 'created' };
  }
  if (existing.metadata?.annotations?.[BACKEND_MARK] !== 'true') return { ...result, status: 'kept' };
  await kube.apps.replaceNamespacedDeployment({
    name,
    namespace,
    body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } },
  });
  return { ...result, status: 'replaced' };
}

/** Waits (bounded) until the backend Deployment has a ready replica; resolves false on timeout. */
export function waitBackendReady(
  kube: { apps: k8s.AppsV1Api },
  { name, namespace }: Pick<BackendResult, 'namespace' | 'name'>,
  timeoutMs = 60_000,
): Promise<boolean> {
  const ready = async () => ((await readDeployment(kube, name, namespace))?.status?.readyReplicas ?? 0) >= 1;
  return waitFor(ready, timeoutMs, 500);
}
