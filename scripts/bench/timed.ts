import { spawn } from 'node:child_process';

/** Runs a command and times it. Asynchronous, so the latency watches keep receiving events meanwhile. */
export function timed(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ ms: number; status: number | null; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ ms: performance.now() - t0, status, stderr }));
  });
}
