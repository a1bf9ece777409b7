import { describe, expect, it } from 'vitest';
import type { Kube } from '../scripts/runbook/kube.ts';
import { eventually } from '../scripts/runbook/wait.ts';

/** A cluster whose state changes on cue, each change announced like a watch event. */
function cluster() {
  let state = 'Pending';
  let announce = () => {};
  return {
    set(next: string) {
      state = next;
      announce();
    },
    get: () => state,
    changes: (onChange: () => void) => ((announce = onChange), () => (announce = () => {})),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('eventually: a wait woken by changes', () => {
  it('starts the command again only for a change after which the object check holds', async () => {
    const c = cluster();
    const seen: string[] = [];
    const attempt = async () => (seen.push(c.get()), { ok: c.get() === 'Running' });
    const waiting = eventually(
      attempt,
      { ok: false },
      {
        withinMs: 5_000,
        fallbackMs: 60_000,
        kube: {} as Kube,
        watch: undefined,
        signal: new AbortController().signal,
        changes: c.changes,
        ready: async () => c.get() === 'Running',
      },
    );
    for (const s of ['Scheduled', 'ContainerCreating', 'Starting', 'Running']) {
      await sleep(20);
      c.set(s);
    }
    const r = await waiting;
    expect(r.result.ok).toBe(true);
    expect(seen).toEqual(['Running']);
    expect(r.attempts).toBe(2);
  });

  it('without a predicate every change starts the command again', async () => {
    const c = cluster();
    const seen: string[] = [];
    const attempt = async () => (seen.push(c.get()), { ok: c.get() === 'Running' });
    const waiting = eventually(
      attempt,
      { ok: false },
      {
        withinMs: 5_000,
        fallbackMs: 60_000,
        kube: {} as Kube,
        watch: undefined,
        signal: new AbortController().signal,
        changes: c.changes,
      },
    );
    for (const s of ['Scheduled', 'Running']) {
      await sleep(20);
      c.set(s);
    }
    await waiting;
    expect(seen).toEqual(['Scheduled', 'Running']);
  });

  it('a failed wait ends with one more attempt, so the failure shows the cluster as it is, not as it was', async () => {
    const c = cluster();
    const seen: string[] = [];
    const attempt = async () => (seen.push(c.get()), { ok: false, state: c.get() });
    const waiting = eventually(
      attempt,
      { ok: false, state: 'Pending' },
      {
        withinMs: 300,
        fallbackMs: 60_000,
        kube: {} as Kube,
        watch: undefined,
        signal: new AbortController().signal,
        changes: c.changes,
        ready: async () => false,
      },
    );
    await sleep(20);
    c.set('CrashLoopBackOff');
    const r = await waiting;
    expect(seen).toEqual(['CrashLoopBackOff']);
    expect(r.result).toEqual({ ok: false, state: 'CrashLoopBackOff' });
  });

  it('the safety net ticks are gated too, but the command runs every ungatedMs whatever the predicate says (a predicate wrongly false only slows the wait)', async () => {
    const times: number[] = [];
    let checks = 0;
    const t0 = performance.now();
    const r = await eventually(
      async () => (times.push(performance.now() - t0), { ok: times.length >= 2 }),
      { ok: false },
      {
        withinMs: 3_000,
        fallbackMs: 50,
        ungatedMs: 400,
        kube: {} as Kube,
        watch: undefined,
        signal: new AbortController().signal,
        ready: async () => (checks++, false),
      },
    );
    expect(r.result.ok).toBe(true);
    expect(times).toHaveLength(2);
    expect(times[0]).toBeGreaterThanOrEqual(380);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(380);
    expect(checks).toBeGreaterThan(5);
  });
});

describe('eventually, started before the command ever ran', () => {
  it('runs the command once, when a change makes the state hold', async () => {
    const c = cluster();
    const seen: string[] = [];
    const attempt = async () => (seen.push(c.get()), { ok: c.get() === 'Running' });
    const waiting = eventually(attempt, undefined, {
      withinMs: 5_000,
      fallbackMs: 60_000,
      kube: {} as Kube,
      watch: undefined,
      signal: new AbortController().signal,
      changes: c.changes,
      ready: async () => c.get() === 'Running',
    });
    await sleep(20);
    c.set('Running');
    const r = await waiting;
    expect([seen, r.attempts, r.result.ok]).toEqual([['Running'], 1, true]);
  });

  it('runs it at the end when nothing ever made the state hold, so there is an output to show', async () => {
    const seen: string[] = [];
    const r = await eventually(async () => (seen.push('ran'), { ok: false }), undefined, {
      withinMs: 100,
      fallbackMs: 60_000,
      kube: {} as Kube,
      watch: undefined,
      signal: new AbortController().signal,
      changes: () => () => undefined,
      ready: async () => false,
    });
    expect([seen, r.attempts, r.result.ok]).toEqual([['ran'], 1, false]);
  });
});
