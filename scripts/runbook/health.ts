import type { RunContext } from './context.ts';
import { runScript } from './exec.ts';
import { pasteable, type CommandTarget } from './paste.ts';

/** What `kubectl get --raw '/readyz?verbose'` said, read the way a person would. */
export type ApiHealth = { ok: true } | { ok: false; command: string; cause: string; output: string };

const HEALTH_COMMAND = "kubectl get --raw '/readyz?verbose' --request-timeout=5s";

/** Whether the API server answers and is ready (asked after a failed step), with the run's kubectl and KUBECONFIG. */
export async function apiHealth(ctx: Pick<RunContext, 'workDir' | 'env' | 'signal' | 'redactor'>): Promise<ApiHealth> {
  // 8 s: the request's own 5 s, and kubectl's start.
  const r = await runScript(HEALTH_COMMAND, { cwd: ctx.workDir, env: ctx.env, signal: ctx.signal, timeoutMs: 8_000 });
  if (r.exitCode === 0 && /readyz check passed/.test(r.stdout)) return { ok: true };
  const output = ctx.redactor.apply(`${r.stdout}${r.stderr}`).trimEnd();
  return { ok: false, command: HEALTH_COMMAND, cause: healthCause(output, r.timedOut), output };
}

/** The readyz answer as diagnostics show it: the command a person can paste, then what it said. */
export function healthSection(health: Extract<ApiHealth, { ok: false }>, target: CommandTarget): string {
  return `$ ${pasteable(health.command, target)}\n${health.output}`;
}

/** The one-line cause: failing checks (`etcd`), a timeout, or a refused connection. */
function healthCause(output: string, timedOut: boolean): string {
  const failing = [...output.matchAll(/\[-\]([\w./-]+) failed/g)].map((m) => m[1]);
  if (failing.length > 0) return `readyz 검사 실패: ${[...new Set(failing)].join(', ')}`;
  if (timedOut || /Client\.Timeout|context deadline exceeded|timed out|\(Timeout\)/i.test(output))
    return '5초 안에 답하지 않음';
  if (/connection refused/i.test(output)) return '연결 거부 (API 서버가 꺼져 있음)';
  return output.split('\n').find((l) => l.trim()) || '알 수 없는 오류';
}
