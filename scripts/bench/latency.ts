import type * as k8s from '@kubernetes/client-node';
import { connect, watchChanges } from '../runbook/kube.ts';

/**
 * Watches, started before run A, that note when each awaited condition was first seen true in a
 * watch event (no extra API read between the event and the timestamp):
 * every pod in metallb-system Running and Ready (controller and speaker present), and each
 * dashboard Service holding its documented EXTERNAL-IP. `seen`: epoch ms of each, by step.
 */
export async function watchConditions(
  kubeconfig: string,
  services: { namespace: string; name: string; ip: string; step: string }[],
): Promise<{ seen: Map<string, number>; stop(): void }> {
  const kube = await connect(kubeconfig);
  const seen = new Map<string, number>();
  const stops: (() => void)[] = [];

  const pods = new Map<string, k8s.V1Pod>();
  const checkPods = (type?: string, object?: unknown) => {
    const pod = object as k8s.V1Pod | undefined;
    const name = pod?.metadata?.name;
    if (!name) return;
    if (type === 'DELETED') pods.delete(name);
    else pods.set(name, pod);
    if (seen.has('install/get-pods')) return;
    const items = [...pods.values()];
    const ready = (p: k8s.V1Pod) =>
      p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready);
    const has = (prefix: string) => items.some((p) => p.metadata?.name?.startsWith(prefix));
    if (has('controller-') && has('speaker-') && items.every(ready)) seen.set('install/get-pods', Date.now());
  };
  stops.push(watchChanges(kube, '/api/v1/namespaces/metallb-system/pods', {}, checkPods));

  for (const s of services) {
    const path = `/api/v1/namespaces/${s.namespace}/services`;
    const watched = watchChanges(kube, path, { fieldSelector: `metadata.name=${s.name}` }, (_type, object) => {
      const svc = object as k8s.V1Service | undefined;
      const assigned = svc?.spec?.type === 'LoadBalancer' && svc.status?.loadBalancer?.ingress?.[0]?.ip === s.ip;
      if (assigned && !seen.has(s.step)) seen.set(s.step, Date.now());
    });
    stops.push(watched);
  }
  return { seen, stop: () => stops.forEach((s) => s()) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  // No values: NaN (undefined + undefined).
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
