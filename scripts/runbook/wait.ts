import type { Kube } from './kube.ts';
import { watchChanges } from './kube.ts';

export interface WaitOptions {
  withinMs: number;
  kube: Kube;
  /** The objects the command reads; their changes trigger a re-check at once. */
  watch: { path: string; query: Record<string, string> } | undefined;
  signal: AbortSignal;
  /** Safety net when no event arrives (or nothing can be watched). */
  fallbackMs?: number;
}

/**
 * Re-checks until `attempt` matches or the limit passes. A watch on the objects the command reads
 * wakes the check as soon as anything changes; a short interval covers what cannot be watched.
 */
export async function eventually<T extends { ok: boolean }>(attempt: () => Promise<T>, first: T, options: WaitOptions): Promise<{ result: T; attempts: number }> {
  const deadline = performance.now() + options.withinMs;
  const fallback = options.fallbackMs ?? (options.watch ? 1000 : 500);
  let pending = false;
  let wake: (() => void) | undefined;
  const trigger = () => {
    pending = true;
    wake?.();
  };
  const stop = options.watch ? watchChanges(options.kube, options.watch.path, options.watch.query, trigger) : () => undefined;
  options.signal.addEventListener('abort', trigger);
  let result = first;
  let attempts = 1;
  try {
    while (!result.ok && !options.signal.aborted) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      if (!pending) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(fallback, remaining));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (options.signal.aborted || performance.now() >= deadline) break;
      pending = false;
      result = await attempt();
      attempts++;
    }
  } finally {
    stop();
    options.signal.removeEventListener('abort', trigger);
  }
  return { result, attempts };
}
