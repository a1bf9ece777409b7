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

export interface ExecOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  /** Upper bound for one command; a command that hangs is stopped and reported. */
  timeoutMs?: number;
}

/**
 * Runs a page block as bash would from a terminal, with `pipefail` so a failing `kubectl get`
 * in a pipeline is not hidden by the commands after it.
 */
export async function runScript(script: string, options: ExecOptions): Promise<CommandResult> {
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timedOut = false;
  // Own process group, so an interrupt stops bash and everything it started (kubectl, the editor).
  const child = $({
    cwd: options.cwd,
    // Node's pipes are sockets: bash then takes itself for an ssh login and sources ~/.bashrc
    // unless a shell level is set (cron, systemd and bare test environments have none). A page
    // block must not run the user's rc file (its PATH could pick another kubectl).
    env: { SHLVL: '1', ...options.env } as NodeJS.ProcessEnv,
    nothrow: true,
    quiet: true,
    detached: true,
    prefix: '',
    postfix: '',
  })`bash --norc --noprofile -o pipefail -c ${script}`;
  // The whole group, not only bash: a kubectl waiting on a silent API server must stop too.
  const stop = () => killGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs);
  if (options.signal.aborted) stop();
  options.signal.addEventListener('abort', stop, { once: true });
  const result = await child.finally(() => {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  });
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut,
    durationMs: performance.now() - t0,
  };
}

/** `1 (명령이 실패함)`, `- (40초 안에 끝나지 않아 멈춤)`: a command's end, for failure messages. */
export function describeExit(r: Pick<CommandResult, 'exitCode' | 'signal' | 'timedOut' | 'durationMs'>): string {
  if (r.timedOut) return `${r.exitCode ?? '-'} (${Math.round(r.durationMs / 1000)}초 안에 끝나지 않아 멈춤)`;
  return formatExit(r.exitCode, r.signal);
}
