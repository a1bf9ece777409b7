import { spawn } from 'node:child_process';

/**
 * Runs a command and times it. Asynchronous, so the latency watches keep receiving events meanwhile.
 * An aborted `signal` interrupts it (SIGINT, as Ctrl-C would), so it can clean up what it started.
 */
export function timed(
  cmd: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<{ ms: number; status: number | null; stderr: string }> {
  const t0 = performance.now();
  const { signal, ...spawnOptions } = options;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const stop = () => child.kill('SIGINT');
    signal?.addEventListener('abort', stop, { once: true });
    child.on('close', (status) => {
      signal?.removeEventListener('abort', stop);
      resolve({ ms: performance.now() - t0, status, stderr });
    });
  });
}
