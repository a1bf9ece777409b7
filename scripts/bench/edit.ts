import { sandboxKubectl as kubectl, type SandboxState } from '../cluster/state.ts';
import type { Binding } from '../runbook/bind.ts';
import { startEditServer } from '../runbook/edit-server.ts';
import { serviceBody } from '../runbook/fixtures.ts';
import { timed } from '../lib/timed.ts';

/** One `kubectl edit` of the page, timed with the runner's editor and with sed (B's editor), alternately. */
export interface EditCost {
  command: string;
  runner: number[];
  sed: number[];
}

/**
 * The page's first `kubectl edit` block, run as is against its Service re-created as ClusterIP
 * before every try (untimed): KUBE_EDITOR is the runner's (edit-server.ts, the same call the edit
 * step makes, server start and stop included) or B's sed line making the same two-line change.
 */
export async function measureEdit(
  state: SandboxState,
  binding: Binding,
  env: NodeJS.ProcessEnv,
  cwd: string,
  tries: number,
): Promise<EditCost> {
  const bound = binding.steps.find((s) => s.step.kind === 'edit');
  const fixture = binding.fixtures[0];
  if (!bound?.block || !fixture) throw new Error('페이지에 kubectl edit 단계가 없습니다.');
  const ip = String(bound.changes.find((c) => c.path.at(-1) === 'loadBalancerIP')?.value);
  const sed = `sed -i -e 's/^  type: ClusterIP$/  type: LoadBalancer\\n  loadBalancerIP: ${ip}/'`;
  const { code } = bound.block;
  const cost: EditCost = { command: code.trim(), runner: [], sed: [] };
  const service = ['service', fixture.name, '-n', fixture.namespace];
  const recreate = () => {
    kubectl(state, ['delete', ...service, '--ignore-not-found', '--wait=true']);
    kubectl(state, ['create', '-f', '-'], JSON.stringify(serviceBody(fixture, false)));
  };
  const run = (env: NodeJS.ProcessEnv) => timed('bash', ['-o', 'pipefail', '-c', code], { cwd, env });
  for (let i = 0; i < tries; i++) {
    for (const editor of ['runner', 'sed'] as const) {
      recreate();
      const t0 = performance.now();
      const server = editor === 'runner' ? await startEditServer(bound.changes) : undefined;
      const r = await run({ ...env, ...(server?.env ?? { KUBE_EDITOR: sed }) }).finally(() => server?.close());
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`kubectl edit (${editor} 편집기) 실패:\n${r.stderr.slice(-2000)}`);
      const type = kubectl(state, ['get', ...service, '-o', 'jsonpath={.spec.type} {.spec.loadBalancerIP}']);
      if (type.trim() !== `LoadBalancer ${ip}`)
        throw new Error(`kubectl edit (${editor} 편집기) 뒤 서비스가 "${type}" 입니다 (기대: LoadBalancer ${ip}).`);
      cost[editor].push(ms);
    }
  }
  return cost;
}
