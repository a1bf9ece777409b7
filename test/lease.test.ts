import os from 'node:os';
/**
 * The run lease (scripts/runbook/lease.ts) against an in-memory API with the Lease calls it makes,
 * on vitest's fake clock. As client-go's leader election: a reader judges a lease expired by how long
 * IT has seen it unchanged, on its own clock, never by the holder's renewTime against its clock (two
 * machines' clocks differ); and a holder that cannot renew for the lease's duration stops its run,
 * since another may take the cluster from then on.
 */
import type * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireRunLease, LEASE, LEASE_SECONDS, type LeaseOutcome, type RunLease } from '../scripts/runbook/lease.ts';
import type { Kube } from '../scripts/runbook/kube.ts';

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

/** One cluster's Lease objects, shared by the runs (each its own client) that talk to it. */
class FakeCluster {
  lease: k8s.V1Lease | undefined;
  private version = 0;

  write(body: k8s.V1Lease): k8s.V1Lease {
    this.lease = structuredClone({
      ...body,
      metadata: { ...body.metadata, uid: 'lease-uid', resourceVersion: String(++this.version) },
    });
    return structuredClone(this.lease);
  }

  /** Another machine's run holding the lease; its clock is `skewMs` off ours. */
  heldElsewhere(skewMs: number): void {
    const now = Date.now() + skewMs;
    this.write({
      metadata: { ...LEASE },
      spec: {
        holderIdentity: 'other-host/4242/metallb',
        leaseDurationSeconds: LEASE_SECONDS,
        acquireTime: microTime(now - 600_000) as never,
        renewTime: microTime(now) as never,
      },
    });
  }

  /** That run renewing, as it does every 10 s. */
  renewElsewhere(skewMs: number): void {
    this.write({ ...this.lease!, spec: { ...this.lease!.spec, renewTime: microTime(Date.now() + skewMs) as never } });
  }

  /** A client of one run; `down()` cuts it off the API (an outage, or a partition of that machine). */
  client(): { kube: Kube; down: (isDown: boolean) => void } {
    let isDown = false;
    const reach = () => {
      if (isDown) throw Object.assign(new Error('connect ECONNREFUSED'), { cause: { code: 'ECONNREFUSED' } });
    };
    const coordination = {
      createNamespacedLease: async ({ body }: { body: k8s.V1Lease }) => {
        reach();
        if (this.lease) throw apiError(409);
        return this.write(body);
      },
      readNamespacedLease: async () => {
        reach();
        if (!this.lease) throw apiError(404);
        return structuredClone(this.lease);
      },
      replaceNamespacedLease: async ({ body }: { body: k8s.V1Lease }) => {
        reach();
        if (!this.lease) throw apiError(404);
        if (body.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) throw apiError(409);
        return this.write(body);
      },
      deleteNamespacedLease: async ({ body }: { body: k8s.V1DeleteOptions }) => {
        reach();
        if (body.preconditions?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw apiError(409);
        this.lease = undefined;
        return {};
      },
    };
    return { kube: { coordination } as unknown as Kube, down: (d) => (isDown = d) };
  }
}

/** Settles `promise` while the fake clock runs `ms`; its outcome or its error. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | Error | 'pending'> {
  let settled: T | Error | 'pending' = 'pending';
  promise.then(
    (v) => (settled = v),
    (e: Error) => (settled = e),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

const held = (outcome: LeaseOutcome | Error | 'pending'): RunLease => {
  if (outcome === 'pending' || outcome instanceof Error || !('held' in outcome))
    throw new Error(`not held: ${String(outcome)}`);
  return outcome.held;
};

beforeEach(() => vi.useFakeTimers({ now: new Date('2025-06-01T00:00:00Z') }));
afterEach(() => vi.useRealTimers());

describe('a run finding the lease held', () => {
  it('refuses, naming the holder, when the holder renews it, even with its renewTime 60 s behind our clock', async () => {
    const cluster = new FakeCluster();
    cluster.heldElsewhere(-60_000);
    const trying = acquireRunLease(cluster.client().kube, 'metallb', 'https://api');
    const soon = await within(trying, 5_000);
    expect(soon, 'a live lease is never taken over').toBe('pending');
    cluster.renewElsewhere(-60_000);
    const outcome = await within(trying, 5_000);
    expect(outcome).toMatchObject({ code: 'CLUSTER_BUSY' });
    expect((outcome as Error).message).toContain('other-host/4242/metallb');
    expect(cluster.lease?.spec?.holderIdentity).toBe('other-host/4242/metallb');
  });

  it('refuses at once a live holder on this machine (its process answers), without watching', async () => {
    const cluster = new FakeCluster();
    cluster.write({
      metadata: { ...LEASE },
      spec: {
        holderIdentity: `${os.hostname()}/${process.pid}/metallb`,
        leaseDurationSeconds: LEASE_SECONDS,
        renewTime: microTime(Date.now()) as never,
      },
    });
    const outcome = await within(acquireRunLease(cluster.client().kube, 'metallb', 'https://api'), 10);
    expect(outcome).toMatchObject({ code: 'CLUSTER_BUSY' });
  });

  it('takes it over once it has stayed unchanged for the lease duration on its own clock, even with a renewTime 60 s ahead', async () => {
    const cluster = new FakeCluster();
    cluster.heldElsewhere(60_000);
    const trying = acquireRunLease(cluster.client().kube, 'metallb', 'https://api');
    expect(await within(trying, (LEASE_SECONDS - 3) * 1000)).toBe('pending');
    const lease = held(await within(trying, 6_000));
    expect(cluster.lease?.spec?.holderIdentity).toBe(lease.holder);
    await lease.release();
    expect(cluster.lease).toBeUndefined();
  });
});

describe('the holder', () => {
  it('renews while the API answers, and keeps the lease through an outage shorter than the lease (tried again every 2 s)', async () => {
    const cluster = new FakeCluster();
    const run = cluster.client();
    const lease = held(await within(acquireRunLease(run.kube, 'metallb', 'https://api'), 0));
    await vi.advanceTimersByTimeAsync(25_000);
    const renewedAt = cluster.lease?.spec?.renewTime;
    run.down(true); // 5 s after the renewal at 20 s, until 45 s: 25 s without a renewal at most
    await vi.advanceTimersByTimeAsync(20_000);
    expect(cluster.lease?.spec?.renewTime).toEqual(renewedAt);
    run.down(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(lease.lost.aborted).toBe(false);
    expect(cluster.lease?.spec?.renewTime).not.toEqual(renewedAt);
    await lease.release();
    expect(cluster.lease).toBeUndefined();
  });

  it('stops its run with an error naming the lease when renewing has failed for longer than the lease duration', async () => {
    const cluster = new FakeCluster();
    const run = cluster.client();
    const lease = held(await within(acquireRunLease(run.kube, 'metallb', 'https://api'), 0));
    run.down(true);
    await vi.advanceTimersByTimeAsync(LEASE_SECONDS * 1000 - 1_000);
    expect(lease.lost.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lease.lost.aborted).toBe(true);
    expect(lease.lost.reason).toMatchObject({ code: 'LEASE_LOST' });
    expect((lease.lost.reason as Error).message).toContain(`Lease ${LEASE.namespace}/${LEASE.name}`);
    await lease.release();
  });

  it('an API outage longer than the lease: a second run takes the cluster only after the first has stopped', async () => {
    const cluster = new FakeCluster();
    const first = cluster.client();
    // Two machines: the first run's identity is not this process's.
    const firstLease = held(
      await within(
        acquireRunLease(first.kube, 'metallb', 'https://api', { identity: { host: 'first-machine', pid: 1 } }),
        0,
      ),
    );
    await vi.advanceTimersByTimeAsync(15_000);
    first.down(true); // the first run's machine loses the API; the second one reaches it
    const second = acquireRunLease(cluster.client().kube, 'metallb-v0-16', 'https://api');
    let secondHeldAt: number | undefined;
    void second.then(
      () => (secondHeldAt = Date.now()),
      () => undefined,
    );
    let firstLostAt: number | undefined;
    firstLease.lost.addEventListener('abort', () => (firstLostAt = Date.now()));
    const outcome = await within(second, 60_000);
    const secondLease = held(outcome);
    expect(firstLostAt, 'the first run stopped').toBeDefined();
    expect(firstLostAt!).toBeLessThanOrEqual(secondHeldAt!);
    expect(cluster.lease?.spec?.holderIdentity).toBe(secondLease.holder);
    await secondLease.release();
    await firstLease.release();
  });
});
