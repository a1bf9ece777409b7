import type * as k8s from '@kubernetes/client-node';
import type { BoundFixture } from './bind.ts';
import { beforeEdit } from './edits.ts';
import { orAbsent, watchChanges, type Kube } from './kube.ts';

/** Marks objects the runner created as stand-ins, so it only ever resets its own. */
const STAND_IN = 'verified-docs.dev/stand-in';

interface FixtureResult {
  status: 'created' | 'reset' | 'kept' | 'existing';
  note: string;
}

/**
 * The Service as it was before the page's edit: the spec block without its marked lines, minus
 * fields the API server owns or that a page copy cannot carry (the truncated last-applied JSON).
 */
export function serviceBody(f: BoundFixture, standIn = true): k8s.V1Service {
  const object = beforeEdit(f.spec, f.changes);
  const metadata = { ...((object.metadata as Record<string, unknown> | undefined) ?? {}) };
  for (const key of ['creationTimestamp', 'resourceVersion', 'uid', 'managedFields']) delete metadata[key];
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const spec = { ...((object.spec as Record<string, unknown> | undefined) ?? {}) };
  delete spec.clusterIPs;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...metadata,
      name: f.name,
      namespace: f.namespace,
      annotations: standIn ? { ...annotations, [STAND_IN]: 'true' } : annotations,
    },
    spec: spec as k8s.V1ServiceSpec,
  };
}

async function ensureNamespace(kube: Kube, name: string): Promise<boolean> {
  if (await orAbsent(kube.core.readNamespace({ name }))) return false;
  await kube.core.createNamespace({ body: { metadata: { name, annotations: { [STAND_IN]: 'true' } } } });
  return true;
}

/** Creates the service the way it looked before the page's edit, keeping the page's cluster IP when the cluster's range allows it. */
async function create(kube: Kube, body: k8s.V1Service): Promise<string> {
  const namespace = body.metadata?.namespace ?? 'default';
  try {
    await kube.core.createNamespacedService({ namespace, body });
    return '';
  } catch (error) {
    if ((error as { code?: number }).code !== 422 || !body.spec?.clusterIP) throw error;
    const { clusterIP, ...spec } = body.spec;
    await kube.core.createNamespacedService({ namespace, body: { ...body, spec } });
    return ` 페이지의 CLUSTER-IP ${clusterIP} 는 이 클러스터의 서비스 대역 밖이라 자동 할당을 받았습니다.`;
  }
}

/** Waits, with a watch from the object's last resourceVersion, until a deleted Service is gone (at most 30 s). */
async function waitGone(kube: Kube, name: string, namespace: string): Promise<void> {
  const service = await orAbsent(kube.core.readNamespacedService({ name, namespace }));
  if (!service) return;
  const resourceVersion = service.metadata?.resourceVersion;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      stop();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`서비스 ${namespace}/${name} 가 30초 안에 지워지지 않았습니다.`)),
      30_000,
    );
    const stop = watchChanges(
      kube,
      `/api/v1/namespaces/${namespace}/services`,
      { fieldSelector: `metadata.name=${name}`, ...(resourceVersion ? { resourceVersion } : {}) },
      (type) => type === 'DELETED' && done(),
    );
  });
}

/**
 * Ensures a stand-in for a service the page takes from an earlier chapter. With `reset`, a stand-in
 * the runner made earlier is recreated in its before-edit state (so a second run sees what the page
 * shows); a real service, not made by the runner, is never touched.
 */
export async function ensureServiceFixture(kube: Kube, f: BoundFixture, reset: boolean): Promise<FixtureResult> {
  const body = serviceBody(f);
  const where = `${f.namespace}/${f.name}`;
  const nsCreated = await ensureNamespace(kube, f.namespace);
  const existing = await orAbsent(kube.core.readNamespacedService({ name: f.name, namespace: f.namespace }));
  const made = `페이지 ${f.spec.id} 블록에서 표시된 줄을 뺀 모양(type ClusterIP)으로 만든 대역입니다. 앞 장에서 설치되는 실제 서비스가 아닙니다.`;
  if (!existing) {
    const extra = await create(kube, body);
    return {
      status: 'created',
      note: `서비스 ${where} 를 만들었습니다${nsCreated ? ` (네임스페이스 ${f.namespace} 포함)` : ''}. ${made}${extra}`,
    };
  }
  if (existing.metadata?.annotations?.[STAND_IN] !== 'true') {
    return { status: 'existing', note: `서비스 ${where} 가 이미 있어 그대로 썼습니다 (이 런북이 만든 대역이 아님).` };
  }
  if (!reset) return { status: 'kept', note: `이전 실행에서 만든 대역 서비스 ${where} 를 그대로 썼습니다.` };
  await kube.core.deleteNamespacedService({ name: f.name, namespace: f.namespace });
  await waitGone(kube, f.name, f.namespace);
  const extra = await create(kube, body);
  return {
    status: 'reset',
    note: `이전 실행에서 만든 대역 서비스 ${where} 를 편집 전 상태로 다시 만들었습니다. ${made}${extra}`,
  };
}
