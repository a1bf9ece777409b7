import { $ } from 'zx';
import { formatExit, killGroup } from '../lib/process.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** Signal that ended the command, if any (SIGTERM when the run was interrupted or timed out). */
  signal: string | null;
  /** The command was stopped because it ran past `timeoutMs`. */
  timedOut: boolean;
  durationMs: number;
}

interface ExecOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  /** Upper bound for one command; a command that hangs is stopped and reported. */
  timeoutMs?: number;
}

/** Runs a page block as bash would from a terminal, with `pipefail` (a failing `kubectl get | …` is not hidden). */
export async function runScript(script: string, options: ExecOptions): Promise<CommandResult> {
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timedOut = false;
  // Own process group, so an interrupt stops bash and everything it started (kubectl, the editor). One `bash -c`
  // runs the block as written: zx's quoting is off for this interpolation (the block is the whole command line).
  const child = $({
    cwd: options.cwd,
    env: blockEnv(options.env),
    nothrow: true,
    quiet: true,
    detached: true,
    shell: 'bash',
    quote: (block: string) => block,
    prefix: 'set -o pipefail; ',
    postfix: '',
  })`${script}`;
  // The whole group, not only bash: a kubectl waiting on a silent API server must stop too.
  const stop = () => killGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs);
  if (options.signal.aborted) stop();
  options.signal.addEventListener('abort', stop, { once: true });
  const { stdout, stderr, exitCode, signal } = await child.finally(() => {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  });
  return { stdout, stderr, exitCode, signal, timedOut, durationMs: performance.now() - t0 };
}

/**
 * The environment a page block runs in. A non-interactive `bash -c` reads no rc file, except:
 * Node's pipes are sockets, so bash takes itself for an ssh login and sources ~/.bashrc unless a
 * shell level is set (cron, systemd and bare test environments have none); and any shell reads
 * `$BASH_ENV`. A page block must run neither (their PATH could pick another kubectl).
 */
export function blockEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const { BASH_ENV: _bashEnv, ...rest } = env;
  return { SHLVL: '1', ...rest } as NodeJS.ProcessEnv;
}

/** `1 (명령이 실패함)`, `- (40초 안에 끝나지 않아 멈춤)`: a command's end, for failure messages. */
export function describeExit(r: Pick<CommandResult, 'exitCode' | 'signal' | 'timedOut' | 'durationMs'>): string {
  if (r.timedOut) return `${r.exitCode ?? '-'} (${Math.round(r.durationMs / 1000)}초 안에 끝나지 않아 멈춤)`;
  return formatExit(r.exitCode, r.signal);
}
