import os from 'node:os';
import { isAlive } from '../lib/process.ts';
import type * as k8s from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { apiErrorText, apiStatus, orAbsent, type Kube } from './kube.ts';

/**
 * One run per cluster at a time, through a Lease in the cluster (so across machines and CI jobs), as client-go's
 * leader election does it: a held lease is watched, and taken over once unchanged for its duration on the watcher's
 * OWN clock (never comparing another machine's renewTime with ours), at once when its holder here is dead. A holder
 * whose renewals failed for the lease's duration stops its run (`lost`): another run may hold the cluster since.
 */
export const LEASE = { namespace: 'default', name: 'vdocs-runbook' } as const;
export const LEASE_SECONDS = 30;
const RENEW_MS = 10_000;
/** How often a run waiting on another's lease reads it again. */
const RETRY_MS = 2_000;

export interface RunLease {
  holder: string;
  /** Aborted, with a LEASE_LOST error naming the lease, once renewing has failed past the renew deadline. */
  lost: AbortSignal;
  /** Stops renewing and deletes the lease (only if it is still ours). */
  release(): Promise<void>;
}

export type LeaseOutcome = { held: RunLease } | { unprotected: string };

interface LeaseOptions {
  /** Ctrl-C while waiting on another run's lease. */
  signal?: AbortSignal;
  /** Told once when the lease is held by another run and this one watches it (up to its duration). */
  onWait?: (message: string) => void;
  /** Who holds it (default: this machine and process); tests play runs on other machines with it. */
  identity?: { host: string; pid: number };
}

/** A holder on this machine is judged by its process at once: 'dead' (taken over), 'alive' (refused), or 'elsewhere' (watched). */
function holderHere(lease: k8s.V1Lease): 'dead' | 'alive' | 'elsewhere' {
  const [host, pid] = (lease.spec?.holderIdentity ?? '').split('/');
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return 'elsewhere';
  return isAlive(Number(pid)) ? 'alive' : 'dead';
}

const durationMs = (lease: k8s.V1Lease) => (lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;

/** The renewTime as written (the client gives a Date or the wire's string): compared with another renewTime only. */
const renewedMs = (lease: k8s.V1Lease) =>
  lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : undefined;

/** Whether the holder wrote it again: any write changes its resourceVersion (and a renewal its renewTime). */
function changed(seen: k8s.V1Lease, now: k8s.V1Lease): boolean {
  return now.metadata?.resourceVersion !== seen.metadata?.resourceVersion || renewedMs(now) !== renewedMs(seen);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads the lease every RETRY_MS: `renewed`, `gone` (released), or `expired` (unchanged for its duration on our clock). */
async function watchLease(
  kube: Kube,
  seen: k8s.V1Lease,
  signal: AbortSignal | undefined,
): Promise<{ renewed: k8s.V1Lease } | 'gone' | 'expired'> {
  const observedAt = performance.now();
  for (;;) {
    await sleep(RETRY_MS, signal);
    const now = await orAbsent(kube.coordination.readNamespacedLease({ ...LEASE }));
    if (!now) return 'gone';
    if (changed(seen, now)) return { renewed: now };
    if (performance.now() - observedAt >= durationMs(seen)) return 'expired';
  }
}

/** metav1.MicroTime wants six fractional digits; the client sends a Date as milliseconds, which the server rejects. */
function microTime(d: Date): k8s.V1MicroTime {
  return d.toISOString().replace(/Z$/, '000Z') as unknown as k8s.V1MicroTime;
}

/** Who takes the lease (`host/pid/runbook`) and since when, and the cluster it is for. */
type Holder = { holder: string; acquired: Date; server: string };

function spec({ holder, acquired }: Holder): k8s.V1LeaseSpec {
  return {
    holderIdentity: holder,
    leaseDurationSeconds: LEASE_SECONDS,
    acquireTime: microTime(acquired),
    renewTime: microTime(new Date()),
  };
}

/**
 * Takes the cluster's run lease or refuses with who holds it. Where this user may not write Leases, or on another
 * API error, the run goes on unprotected (the caller says so; the steps report a silent API server themselves).
 */
export async function acquireRunLease(
  kube: Kube,
  runbook: string,
  server: string,
  options: LeaseOptions = {},
): Promise<LeaseOutcome> {
  // `host/pid/runbook`, what a person needs to find the other run.
  const holder = `${options.identity?.host ?? os.hostname()}/${options.identity?.pid ?? process.pid}/${runbook}`;
  const who: Holder = { holder, acquired: new Date(), server };
  const body = (resourceVersion?: string): k8s.V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: LEASE.name,
      namespace: LEASE.namespace,
      ...(resourceVersion ? { resourceVersion } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'vdocs-runbook' },
    },
    spec: spec(who),
  });
  let current: k8s.V1Lease | undefined;
  let sentAt = 0; // when the request that wrote `current` was sent
  let announced = false;
  while (!current) {
    sentAt = performance.now();
    try {
      current = await kube.coordination.createNamespacedLease({ namespace: LEASE.namespace, body: body() });
      break;
    } catch (error) {
      if (apiStatus(error) === 403)
        return {
          unprotected: `이 사용자는 ${LEASE.namespace} 네임스페이스에 Lease 를 만들 수 없어 동시 실행을 막지 못합니다 (${apiErrorText(error)}).`,
        };
      if (apiStatus(error) !== 409)
        return { unprotected: `동시 실행을 막는 Lease 를 만들지 못했습니다: ${apiErrorText(error)}` };
    }
    const existing = await kube.coordination.readNamespacedLease({ ...LEASE });
    const here = holderHere(existing);
    if (here === 'alive') throw busy(existing, server);
    if (here === 'elsewhere') {
      if (!announced)
        options.onWait?.(
          `Lease ${LEASE.namespace}/${LEASE.name} 를 ${existing.spec?.holderIdentity ?? '(알 수 없음)'} 가 가지고 있습니다. 갱신되는지 최대 ${durationMs(existing) / 1000}초 지켜봅니다.`,
        );
      announced = true;
      const seen = await watchLease(kube, existing, options.signal);
      if (seen === 'gone') continue; // released meanwhile: create it again
      if (seen !== 'expired') throw busy(seen.renewed, server);
    }
    sentAt = performance.now();
    // Optimistic concurrency: of two runs taking over the same expired lease, exactly one succeeds.
    current = await kube.coordination
      .replaceNamespacedLease({ ...LEASE, body: body(existing.metadata?.resourceVersion) })
      .catch(async (error: unknown) => {
        throw apiStatus(error) === 409
          ? busy(await kube.coordination.readNamespacedLease({ ...LEASE }), server)
          : error;
      });
  }
  return { held: renewing(kube, who, current, sentAt) };
}

/**
 * Renews `lease` every RENEW_MS (RETRY_MS after a failure); failing for the lease's duration since `renewedAt` (when
 * the request that last wrote it was sent: the earliest another run can have seen it) aborts `lost`.
 */
function renewing(kube: Kube, who: Holder, lease: k8s.V1Lease, renewedAt: number): RunLease {
  const { holder, server } = who;
  const lost = new AbortController();
  let current = lease;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(fn, ms);
    t.unref?.(); // never what keeps the process alive
    return t;
  };
  const lose = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    lost.abort(
      new EnvironmentError(
        'LEASE_LOST',
        `Lease ${LEASE.namespace}/${LEASE.name} 를 ${LEASE_SECONDS}초 넘게 갱신하지 못해 실행을 멈췄습니다. 그 뒤로는 다른 실행이 이 클러스터(${server})를 가져갈 수 있어, 이 실행의 결과는 아무것도 증명하지 못합니다.`,
        'API 서버에 닿는지 확인한 뒤 다시 실행하세요.',
      ),
    );
  };
  const deadlineAfter = (sent: number) => later(lose, LEASE_SECONDS * 1000 - (performance.now() - sent));
  let deadline = deadlineAfter(renewedAt);
  const renew = () => {
    if (stopped) return;
    const sent = performance.now();
    kube.coordination.replaceNamespacedLease({ ...LEASE, body: { ...current, spec: spec(who) } }).then(
      (l) => {
        if (stopped) return;
        current = l;
        renewedAt = sent;
        clearTimeout(deadline);
        deadline = deadlineAfter(renewedAt);
        timer = later(renew, RENEW_MS);
      },
      () => {
        if (!stopped) timer = later(renew, RETRY_MS); // the deadline counts how long this lasts
      },
    );
  };
  timer = later(renew, RENEW_MS);
  return {
    holder,
    lost: lost.signal,
    release: async () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      try {
        const now = await kube.coordination.readNamespacedLease({ ...LEASE });
        if (now.spec?.holderIdentity !== holder) return;
        await kube.coordination.deleteNamespacedLease({
          ...LEASE,
          body: { preconditions: { uid: now.metadata?.uid, resourceVersion: now.metadata?.resourceVersion } },
        });
      } catch {
        // Gone already, taken by another run after it expired (409), or the API is silent: then it expires by itself.
      }
    },
  };
}

function busy(lease: k8s.V1Lease, server: string): EnvironmentError {
  const holder = lease.spec?.holderIdentity ?? '(알 수 없음)';
  // The holder's clock, as it wrote it: shown, never compared with ours.
  const since = lease.spec?.acquireTime ? new Date(lease.spec.acquireTime).toISOString() : '?';
  return new EnvironmentError(
    'CLUSTER_BUSY',
    `다른 실행이 이 클러스터(${server})를 쓰고 있습니다: ${holder} (${since} 부터). 두 실행이 한 클러스터에서 겹치면 서로 만든 객체 때문에 페이지가 틀린 것처럼 보이므로 실행하지 않았습니다.`,
    `그 실행이 끝난 뒤 다시 실행하세요. 그 프로세스가 이미 죽었다면 Lease ${LEASE.namespace}/${LEASE.name} 는 갱신이 멈춘 뒤 ${durationMs(lease) / 1000}초면 만료됩니다 (다음 실행이 그동안 바뀌지 않는 것을 보고 가져갑니다).`,
  );
}
