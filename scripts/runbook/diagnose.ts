import type { RunContext } from './context.ts';
import { runScript } from './exec.ts';
import { healthSection } from './health.ts';
import { diagnosticLogs } from './logs.ts';
import { pasteable } from './paste.ts';
import { parseGet } from './kube.ts';

/**
 * What a person would look at next when a step fails: describe and events of what the command reads, the runbook's
 * controllers and the last lines of its components' logs; each command pasteable with the target's KUBECONFIG.
 */
export async function diagnose(ctx: RunContext, command: string, stdout: string): Promise<string> {
  const health = await ctx.health();
  // describe/events would wait on the same silent server; the runner puts the cause first.
  if (!health.ok) {
    const skipped = 'API 서버가 답하지 않아 객체 진단(describe, events)은 건너뛰었습니다.';
    return [healthSection(health, ctx.target), skipped, ...(await diagnosticLogs(ctx, false))].join('\n\n');
  }
  const sections: string[] = [];
  const run = async (title: string, script: string) => {
    const r = await runScript(script, { cwd: ctx.workDir, env: ctx.env, signal: ctx.signal, timeoutMs: 20_000 });
    sections.push(`$ ${pasteable(title, ctx.target)}\n${ctx.redactor.apply(`${r.stdout}${r.stderr}`).trimEnd()}`);
  };
  const get = parseGet(command);
  if (get) {
    const { kind, name, namespace: ns } = get;
    const object = name ? `${kind}/${name}` : kind;
    await run(`kubectl describe ${object} -n ${ns}`, `kubectl describe ${object} -n ${ns}`);
    const field = name ? ` --field-selector involvedObject.name=${name}` : '';
    // By creation time: the scheduler's events (events.k8s.io, with a series) often have no lastTimestamp
    // and would sort first, then fall out of the last 20 on a real node's busy event list.
    await run(
      `kubectl get events -n ${ns}${field}`,
      `kubectl get events -n ${ns}${field} --sort-by=.metadata.creationTimestamp | tail -n 20`,
    );
  }
  const versions = ctx.binding.runbook.versions ?? [];
  for (const v of versions) {
    const { deployment: name, namespace } = v;
    const d = await ctx.kube.apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined);
    const state = d ? `준비된 파드 ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}` : '없음';
    sections.push(`${v.name} Deployment ${namespace}/${name}: ${state}`);
  }
  const controllers = versions.map((v) => `${v.namespace}/${v.deployment}`).join(', ') || '없음';
  if (/<pending>/.test(stdout))
    sections.push(
      `EXTERNAL-IP 가 <pending> 입니다: IP 를 할당할 컨트롤러(${controllers})가 없거나 동작하지 않습니다. 위 Deployment 상태와 로그를 확인하세요.`,
    );
  sections.push(...(await diagnosticLogs(ctx, true)));
  return sections.join('\n\n');
}
