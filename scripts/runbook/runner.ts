import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { projectRoot } from '../lib/paths.ts';
import { anchorHash, blockHash } from '../lib/page.ts';
import { formatDuration, Status } from '../lib/status.ts';
import type { Binding, BoundStep } from './bind.ts';
import type { Outcome, RunContext } from './context.ts';
import { durationLabel, minorOf } from './context.ts';
import { runbookLogs } from './diagnose.ts';
import { ensureServiceFixture } from './fixtures.ts';
import { connect, deploymentImageTag, schedulableNodes, serverVersion } from './kube.ts';
import type { Mirror } from './mirror.ts';
import type { Redactor } from './redact.ts';
import type { RunReport, StepReport } from './report.ts';
import { handle } from './steps.ts';
import type { Target } from './target.ts';

export interface RunOptions {
  /** Steps to execute; the others are reported as skipped. */
  selected: Set<string>;
  keepGoing: boolean;
  workDir: string;
  mirror: Mirror;
  waitLimitMs: number | undefined;
  env: Record<string, string | undefined>;
  /** Collects secrets seen during the run; the caller redacts what it writes with it too. */
  redactor: Redactor;
}


/** Runs the bound steps in page order against the target and returns the report. */
export async function execute(binding: Binding, target: Target, io: Io, options: RunOptions): Promise<RunReport> {
  const status = new Status(io);
  const startedAt = new Date().toISOString();
  const { redactor } = options;
  const kube = await connect(target.kubeconfig);
  let kubernetes: string;
  try {
    kubernetes = await serverVersion(kube);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new EnvironmentError('API_UNREACHABLE', `API 서버 ${target.server} (컨텍스트 ${target.context}) 에 연결할 수 없습니다: ${cause}`, target.sandbox ? `샌드박스가 멈췄을 수 있습니다. npm run cluster -- status${target.sandbox.name === 'vdocs' ? '' : ` --name ${target.sandbox.name}`} 로 확인하고, 필요하면 down 후 up 하세요.` : 'kubectl cluster-info 로 클러스터에 닿는지 확인하세요.');
  }
  const ctx: RunContext = {
    binding,
    io,
    status,
    target,
    env: options.env,
    workDir: options.workDir,
    mirror: options.mirror,
    redactor,
    kube,
    minor: minorOf(kubernetes),
    nodes: await schedulableNodes(kube),
    skip: new Map(),
    waitLimitMs: options.waitLimitMs,
    signal: io.signal,
  };
  status.info(`대상: ${target.context} (${target.server}), Kubernetes ${kubernetes}, ${target.provider}${target.sandbox ? ' 샌드박스' : ''}, 노드 ${ctx.nodes}개`);
  if (target.sandbox?.simulation) status.info(`시뮬레이션: ${target.sandbox.simulation.simulated.join(' / ')}`);

  const steps: StepReport[] = [];
  for (const f of binding.fixtures) {
    const t0 = performance.now();
    const reset = options.selected.has(f.fixture.resetWith);
    const base = { id: `fixture/${f.namespace}/${f.name}`, title: `준비: ${f.namespace}/${f.name} 대역 서비스`, kind: 'fixture' as const, command: `(페이지의 ${f.spec.id} 블록에서 만든 Service)`, line: f.spec.line };
    try {
      const r = await ensureServiceFixture(kube, f, reset);
      steps.push({ ...base, status: 'fixture', durationMs: performance.now() - t0, problems: [], notes: [r.note] });
      status.ok(`${base.title}: ${r.status}`, performance.now() - t0);
    } catch (error) {
      steps.push({ ...base, status: 'failed', durationMs: performance.now() - t0, problems: [`대역 서비스를 준비하지 못했습니다: ${(error as Error).message}`], notes: [] });
      status.fail(base.title, performance.now() - t0);
    }
  }

  let failed = steps.some((s) => s.status === 'failed');
  const total = binding.steps.length;
  for (const [index, bound] of binding.steps.entries()) {
    const label = `[${String(index + 1).padStart(2)}/${total}] ${bound.step.id} — ${bound.step.title}`;
    const read = [bound.block, ...bound.outputs.values()].filter((b) => b !== undefined);
    const blockHashes = Object.fromEntries([...read.map((b) => [b.id, blockHash(b.code)]), ...(bound.anchor ? [[bound.anchor.id, anchorHash(bound.anchor)]] : [])]);
    const base = { id: bound.step.id, title: bound.step.title, kind: bound.step.kind, line: bound.line, blockHashes, ...(bound.block ? { blockHash: blockHash(bound.block.code), command: bound.block.code } : {}) };
    const skipReason = io.signal.aborted
      ? '실행이 중단되어 실행하지 않았습니다.'
      : !options.selected.has(bound.step.id)
        ? '--from/--only 로 고른 범위 밖이라 실행하지 않았습니다.'
        : ctx.skip.get(bound.step.id) ?? (failed && !options.keepGoing ? '앞 단계가 실패해 실행하지 않았습니다 (--keep-going 으로 계속할 수 있습니다).' : undefined);
    if (skipReason) {
      steps.push({ ...base, status: 'skipped', durationMs: 0, reason: skipReason, problems: [], notes: [] });
      if (options.selected.has(bound.step.id) && !io.signal.aborted) status.info(`- ${label}: 건너뜀 (${skipReason})`);
      continue;
    }
    const wait = bound.step.kind === 'run' && bound.step.eventually ? ` (${durationLabel(bound.step.eventually.within)})` : '';
    status.start(`${label}${wait}`);
    const t0 = performance.now();
    const stepStartedAt = new Date().toISOString();
    let outcome: Outcome;
    try {
      outcome = await handle(bound, ctx);
    } catch (error) {
      outcome = { status: 'failed', problems: [`단계를 실행하지 못했습니다: ${redactor.apply((error as Error).message)}`] };
    }
    const durationMs = performance.now() - t0;
    if (io.signal.aborted) outcome = { ...outcome, status: 'skipped', reason: '실행 중에 중단되었습니다.' };
    const { hint, ...rest } = outcome;
    const report: StepReport = { ...base, ...rest, durationMs, startedAt: stepStartedAt, finishedAt: new Date().toISOString(), problems: outcome.problems ?? [], notes: outcome.notes ?? [] };
    steps.push(report);
    if (report.status === 'failed') {
      failed = true;
      status.fail(label, durationMs);
      io.err(explain(bound, report, binding.page.file, hint));
    } else if (report.status === 'manual') {
      status.info(`☐ ${label}: 수동 확인 — ${report.reason}`);
    } else if (report.status === 'passed') {
      status.ok(label, durationMs);
    }
  }

  const components: Record<string, string> = {};
  for (const v of binding.runbook.versions ?? []) {
    const tag = await deploymentImageTag(kube, v.namespace, v.deployment).catch(() => undefined);
    if (tag) components[v.name] = tag;
  }
  return {
    schemaVersion: 1,
    runbook: binding.runbook.name,
    page: binding.page.file,
    provider: target.provider,
    kubernetes,
    components,
    context: target.context,
    startedAt,
    finishedAt: new Date().toISOString(),
    status: io.signal.aborted ? 'interrupted' : failed ? 'failed' : 'passed',
    ...(target.sandbox?.simulation ? { simulation: target.sandbox.simulation } : {}),
    source: runSource(binding, io.env),
    ...(options.mirror.dir ? { mirror: path.relative(process.cwd(), options.mirror.dir) || '.' } : {}),
    steps,
    logs: runbookLogs({ binding, target }),
  };
}

/** The commit the page and runbook came from (and whether they had local edits), and the CI run. */
function runSource(binding: Binding, env: Io['env']): RunReport['source'] {
  const git = (args: string[]) => spawnSync('git', args, { cwd: projectRoot, encoding: 'utf8' });
  const head = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', binding.page.file, `runbooks/${binding.runbook.name}.ts`]);
  const ci = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return {
    ...(head.status === 0 ? { commit: head.stdout.trim() } : {}),
    ...(dirty.status === 0 ? { dirty: dirty.stdout.trim() !== '' } : {}),
    ...(ci ? { ci } : {}),
  };
}

/** The failure block under a ✗ line: where, what ran, what differs, diff, hint. */
function explain(bound: BoundStep, step: StepReport, file: string, hint: string | undefined): string {
  const pad = (t: string) => t.split('\n').map((l) => `    ${l}`).join('\n');
  const out = [`${file}:${bound.line}`];
  if (step.command) out.push(`$ ${step.command.replace(/\n/g, '\n  ')}`);
  out.push(...step.problems);
  if (step.expected || step.actual) out.push(`기대(페이지):\n${pad(step.expected ?? '(출력 블록 없음)')}\n실제:\n${pad(step.actual ?? '')}`);
  if (step.diagnostics) out.push(`진단:\n${pad(step.diagnostics)}`);
  if (hint) out.push(`힌트: ${hint}`);
  return `${out.map((l) => pad(l)).join('\n')}\n`;
}

export function summarize(report: RunReport): string {
  const count = (s: StepReport['status']) => report.steps.filter((x) => x.status === s).length;
  const mark: Record<StepReport['status'], string> = { passed: '✓', failed: '✗', skipped: '-', manual: '☐', fixture: '◇' };
  const lines = report.steps.map((s) => `${mark[s.status]} ${s.id}  ${s.title}${s.status === 'manual' ? ' (수동 확인)' : ''}  ${formatDuration(s.durationMs)}`);
  const word = { passed: '통과', failed: '실패', interrupted: '중단' }[report.status];
  lines.push('', `${word}: 통과 ${count('passed')}, 실패 ${count('failed')}, 수동 확인 ${count('manual')}, 건너뜀 ${count('skipped')}, 준비 ${count('fixture')} — Kubernetes ${report.kubernetes} (${report.provider})`);
  return `${lines.join('\n')}\n`;
}
