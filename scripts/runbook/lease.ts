import os from 'node:os';
import type * as k8s from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { apiErrorText, apiStatus, type Kube } from './kube.ts';

/**
 * One run per cluster at a time. The lock lives in the cluster itself (a coordination.k8s.io Lease),
 * so it also holds between machines and CI jobs: two runs against one cluster would otherwise see
 * each other's objects and blame the page. A holder that dies stops renewing, and its lease expires;
 * one on this machine whose process is gone is taken over at once.
 */
export const LEASE = { namespace: 'default', name: 'vdocs-runbook' } as const;
export const LEASE_SECONDS = 30;
const RENEW_MS = 10_000;

export interface RunLease {
  holder: string;
  /** Stops renewing and deletes the lease (only if it is still ours). */
  release(): Promise<void>;
}

export type LeaseOutcome = { held: RunLease } | { unprotected: string };

/** `host/pid/runbook`, what a person needs to find the other run. */
export function holderIdentity(runbook: string, pid = process.pid, host = os.hostname()): string {
  return `${host}/${pid}/${runbook}`;
}

/** A holder on this machine whose process is gone (a run killed with SIGKILL, or ended while the API was silent). */
function holderDeadHere(lease: k8s.V1Lease): boolean {
  const [host, pid] = (lease.spec?.holderIdentity ?? '').split('/');
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function expired(lease: k8s.V1Lease, now: number): boolean {
  if (holderDeadHere(lease)) return true;
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  const seconds = lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS;
  return !renewed || new Date(renewed).getTime() + seconds * 1000 < now;
}

/** metav1.MicroTime wants six fractional digits; the client sends a Date as milliseconds, which the server rejects. */
function microTime(d: Date): k8s.V1MicroTime {
  return d.toISOString().replace(/Z$/, '000Z') as unknown as k8s.V1MicroTime;
}

function spec(holder: string, acquired: Date, now: Date): k8s.V1LeaseSpec {
  return { holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: microTime(acquired), renewTime: microTime(now) };
}

/**
 * Takes the cluster's run lease or refuses with who holds it. A cluster that does not allow this
 * user to write Leases runs unprotected (the caller says so); any other API error is not a reason
 * to refuse the run either, since the steps will report a silent API server themselves.
 */
export async function acquireRunLease(kube: Kube, runbook: string, server: string): Promise<LeaseOutcome> {
  const holder = holderIdentity(runbook);
  const acquired = new Date();
  const body = (resourceVersion?: string): k8s.V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE.name, namespace: LEASE.namespace, ...(resourceVersion ? { resourceVersion } : {}), labels: { 'app.kubernetes.io/managed-by': 'vdocs-runbook' } },
    spec: spec(holder, acquired, new Date()),
  });
  let current: k8s.V1Lease;
  try {
    current = await kube.coordination.createNamespacedLease({ namespace: LEASE.namespace, body: body() });
  } catch (error) {
    if (apiStatus(error) === 403) return { unprotected: `이 사용자는 ${LEASE.namespace} 네임스페이스에 Lease 를 만들 수 없어 동시 실행을 막지 못합니다 (${apiErrorText(error)}).` };
    if (apiStatus(error) !== 409) return { unprotected: `동시 실행을 막는 Lease 를 만들지 못했습니다: ${apiErrorText(error)}` };
    const existing = await kube.coordination.readNamespacedLease({ ...LEASE });
    if (!expired(existing, Date.now())) throw busy(existing, server);
    try {
      // Optimistic concurrency: of two runs taking over the same expired lease, exactly one succeeds.
      current = await kube.coordination.replaceNamespacedLease({ ...LEASE, body: body(existing.metadata?.resourceVersion) });
    } catch (replaceError) {
      if (apiStatus(replaceError) === 409) throw busy(await kube.coordination.readNamespacedLease({ ...LEASE }), server);
      throw replaceError;
    }
  }
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const renewed = { ...current, spec: spec(holder, acquired, new Date()) };
    kube.coordination.replaceNamespacedLease({ ...LEASE, body: renewed }).then((l) => (current = l), () => undefined);
  }, RENEW_MS);
  timer.unref();
  return {
    held: {
      holder,
      release: async () => {
        stopped = true;
        clearInterval(timer);
        try {
          const now = await kube.coordination.readNamespacedLease({ ...LEASE });
          if (now.spec?.holderIdentity !== holder) return;
          await kube.coordination.deleteNamespacedLease({ ...LEASE, body: { preconditions: { uid: now.metadata?.uid, resourceVersion: now.metadata?.resourceVersion } } });
        } catch {
          // Gone already, taken by another run after it expired (409), or the API is silent: then it expires by itself.
        }
      },
    },
  };
}

function busy(lease: k8s.V1Lease, server: string): EnvironmentError {
  const holder = lease.spec?.holderIdentity ?? '(알 수 없음)';
  const since = lease.spec?.acquireTime ? new Date(lease.spec.acquireTime).toISOString() : '?';
  const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : Date.now();
  const left = Math.max(0, Math.ceil((renewed + (lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 - Date.now()) / 1000));
  return new EnvironmentError(
    'CLUSTER_BUSY',
    `다른 실행이 이 클러스터(${server})를 쓰고 있습니다: ${holder} (${since} 부터). 두 실행이 한 클러스터에서 겹치면 서로 만든 객체 때문에 페이지가 틀린 것처럼 보이므로 실행하지 않았습니다.`,
    `그 실행이 끝난 뒤 다시 실행하세요. 그 프로세스가 이미 죽었다면 Lease ${LEASE.namespace}/${LEASE.name} 는 갱신이 멈춘 뒤 ${lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS}초면 만료됩니다 (지금부터 약 ${left}초).`,
  );
}
