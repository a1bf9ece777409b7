import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupGone, killGroup, stopOnExit } from '../lib/process.ts';
import { blockEnv } from './exec.ts';

/** A page command that keeps running (`kubectl port-forward`): one `bash -c` in its own process group. */
interface Started {
  /** Whether it became ready; when not, it has already been stopped. */
  ready: boolean;
  /** Its exit code when it ended before it was ready (null while it runs). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Stops the whole process group (SIGTERM, then SIGKILL after 3 s) and waits until it is gone. */
  stop: () => Promise<void>;
  /** Why it is not ready, when it never started. */
  why?: string;
}

interface Options {
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  /** 127.0.0.1 port that answers once the command is ready. */
  port?: number | undefined;
  withinMs: number;
}

async function answers(port: number): Promise<boolean> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const connected = await once(socket, 'connect').catch(() => undefined);
  socket.destroy();
  return connected !== undefined;
}

export async function startBackground(script: string, options: Options): Promise<Started> {
  // A port that answers before the command starts is another program's: "ready" would then prove
  // nothing, and the steps after it would talk to that program.
  if (options.port !== undefined && (await answers(options.port))) {
    const why = `127.0.0.1:${options.port} 에서 이미 다른 프로그램이 응답합니다. 그 프로그램(예: 앞서 실행한 port-forward)을 멈춘 뒤 다시 실행하세요`;
    return { ready: false, exitCode: null, stdout: '', stderr: `${why}.\n`, stop: async () => undefined, why };
  }
  const child = spawn('bash', ['-c', `set -o pipefail; ${script}`], {
    cwd: options.cwd,
    env: blockEnv(options.env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Stopped by the run at its end; by main.ts's exit handler if the runner itself is ended first.
  const release = stopOnExit(child.pid);
  const streams = { stdout: '', stderr: '' };
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) => {
    // `exit`, not `close`: a process it left running keeps the pipes open after bash ended.
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      resolve();
    });
    child.on('error', (error) => {
      streams.stderr += `${error.message}\n`;
      exitCode = 127;
      resolve();
    });
  });
  let line = false;
  for (const name of ['stdout', 'stderr'] as const) {
    child[name].on('data', (chunk: Buffer) => {
      streams[name] += chunk.toString();
      line ||= streams[name].includes('\n');
    });
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    // Whatever bash started and left in the group (a kubectl still running after bash itself ended).
    killGroup(child.pid, 'SIGKILL');
    if (child.pid) await groupGone(child.pid);
    release();
  };
  const deadline = performance.now() + options.withinMs;
  let ready = false;
  while (exitCode === null && !options.signal.aborted && performance.now() < deadline) {
    ready = options.port !== undefined ? await answers(options.port) : line;
    if (ready) break;
    await sleep(100);
  }
  // Ended before it was ready: nothing keeps running, whatever it printed says why.
  if (!ready || exitCode !== null) {
    await stop();
    await sleep(50); // what it printed last, still in the pipes
    return { ready: false, exitCode, ...streams, stop };
  }
  return { ready: true, exitCode: null, ...streams, stop };
}
