import { spawn } from 'node:child_process';

/**
 * Runs a command and times it. Asynchronous, so the latency watches keep receiving events meanwhile.
 * An aborted `signal` interrupts it (SIGINT, as Ctrl-C would), so it can clean up what it started.
 * `echo`: the command's stdout and stderr are passed on as they come (otherwise stdout is dropped).
 */
export function timed(
  cmd: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; echo?: (text: string) => void },
): Promise<{ ms: number; status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const t0 = performance.now();
  const { signal, echo, ...spawnOptions } = options;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...spawnOptions, stdio: ['ignore', echo ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => echo?.(d.toString()));
    child.stderr?.on('data', (d: Buffer) => (echo ? echo(d.toString()) : (stderr += d.toString())));
    // Not spawn's `signal`: a command started after the abort (verify's sandbox `down`) must run to its end.
    const stop = () => child.kill('SIGINT');
    signal?.addEventListener('abort', stop, { once: true });
    child.on('close', (status, killed) => {
      signal?.removeEventListener('abort', stop);
      resolve({ ms: performance.now() - t0, status, signal: killed, stderr });
    });
  });
}
