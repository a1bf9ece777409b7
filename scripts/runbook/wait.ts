import type { Kube } from './kube.ts';
import { watchChanges } from './kube.ts';

interface WaitOptions {
  withinMs: number;
  kube: Kube;
  /** The objects the command reads; their changes trigger a re-check at once. */
  watch: { path: string; query: Record<string, string> } | undefined;
  signal: AbortSignal;
  /** Safety net when no event arrives (or nothing can be watched). */
  fallbackMs?: number;
  /**
   * A cheap read of what the attempt also requires (its object check): a change that leaves it false starts no
   * command. The command still runs every `ungatedMs`, so a predicate wrongly false only slows the wait down.
   */
  ready?: () => Promise<boolean>;
  /** With `ready`: the longest time without an attempt (default 5 s). */
  ungatedMs?: number;
  /** Where changes come from (default: a watch on `watch`); returns how to stop listening. */
  changes?: (onChange: () => void) => () => void;
}

/** Re-checks until `attempt` matches or the limit passes, woken by a watch on what the command reads (else an interval). */
export async function eventually<T extends { ok: boolean }>(
  attempt: () => Promise<T>,
  first: T | undefined,
  options: WaitOptions,
): Promise<{ result: T; attempts: number }> {
  const deadline = performance.now() + options.withinMs;
  const fallback = options.fallbackMs ?? (options.watch ? 1000 : 500);
  let pending = false;
  let wake: (() => void) | undefined;
  const trigger = () => {
    pending = true;
    wake?.();
  };
  const { watch } = options;
  const stop = options.changes
    ? options.changes(trigger)
    : watch
      ? watchChanges(options.kube, watch.path, watch.query, trigger)
      : () => undefined;
  options.signal.addEventListener('abort', trigger);
  let result = first;
  let attempts = first ? 1 : 0;
  /** Changes seen since the last attempt that the predicate said were not worth one. */
  let skipped = false;
  const ungated = options.ungatedMs ?? 5000;
  let lastAttempt = performance.now();
  try {
    while (!result?.ok && !options.signal.aborted) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      let byEvent = pending;
      if (!pending) {
        byEvent = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), Math.min(fallback, remaining));
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        wake = undefined;
      }
      if (options.signal.aborted || performance.now() >= deadline) break;
      pending = false;
      // Events arrive in bursts (a pod is created, scheduled, started, made ready): most leave the
      // page's state false, and a command started for one would delay the one that sees it true.
      const due = !byEvent && performance.now() - lastAttempt >= ungated;
      if (options.ready && !due && !(await options.ready().catch(() => true))) {
        skipped = true;
        continue;
      }
      skipped = false;
      lastAttempt = performance.now();
      result = await attempt();
      attempts++;
    }
    // A failure shows the cluster as it is at the end, not as the last attempt before skipped changes
    // saw it (or as nothing, when the command never ran).
    if (!result || (!result.ok && skipped && !options.signal.aborted)) {
      result = await attempt();
      attempts++;
    }
  } finally {
    stop();
    options.signal.removeEventListener('abort', trigger);
  }
  return { result, attempts };
}
