import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { run } from '../lib/process.ts';
import type { Io } from '../lib/io.ts';
import { projectRoot } from '../lib/paths.ts';
import { codeFingerprint, fixtureKey, ruleHashes, runbookFields } from '../model/fingerprint.ts';
import { runStatus, verdict, type MarkStatus } from '../model/verdict.ts';
import type { SkipCause } from '../model/report.ts';
import { formatDuration, Status } from '../lib/status.ts';
import { boundHashes, fixtureHashes, fixtureId, type Binding, type BoundFixture, type BoundStep } from './bind.ts';
import type { Outcome, RunContext } from './context.ts';
import { durationLabel } from './context.ts';
import { minorOf } from '../model/version.ts';
import { keepLogs } from './logs.ts';
import { apiHealth, healthSection, type ApiHealth } from './health.ts';
import { isShellStep, pasteable, type CommandTarget } from './paste.ts';
import { ensureServiceFixture } from './fixtures.ts';
import { acquireRunLease, type LeaseOutcome } from './lease.ts';
import { apiErrorText, connect, schedulableNodes, serverVersion } from './kube.ts';
import { mergeSimulation, type Simulation } from '../cluster/provider.ts';
import type { RunReport, StepReport } from '../model/report.ts';
import { handle } from './steps.ts';
import type { Target } from './target.ts';

type RunOptions = Pick<RunContext, 'env' | 'workDir' | 'mirror' | 'redactor' | 'waitLimitMs'> & {
  /** Steps to execute; the others are reported as skipped. */
  selected: Set<string>;
  keepGoing: boolean;
  /** Empty `workDir` once the lease is held (the default folder; never one the user named). */
  clearWorkDir: boolean;
};
/** The run's context with its options and the fingerprint of each step's rule. */
type Run = RunContext & RunOptions & { rules: Map<string, string> };

/** Runs the bound steps in page order against the target and returns the report. */
export async function execute(binding: Binding, target: Target, io: Io, options: RunOptions): Promise<RunReport> {
  const status = new Status(io);
  const startedAt = new Date().toISOString();
  // What the run is made from, taken before any step runs (a file edited mid-run must not pass as committed).
  const sourceTaken = runSource(io.env);
  const code = codeFingerprint(projectRoot);
  const { kube, kubernetes, nodes } = await reach(target);
  const lease = await takeLease(kube, binding, target, io, status);
  // Only now: a run refused because another holds this cluster must not empty that run's folder.
  if (options.clearWorkDir) {
    fs.rmSync(options.workDir, { recursive: true, force: true });
    fs.mkdirSync(options.workDir, { recursive: true });
  }
  const background: RunContext['background'] = [];
  try {
    // A lost lease stops the run as Ctrl-C does: every command, wait and build below watches this signal.
    const signal = 'held' in lease ? AbortSignal.any([io.signal, lease.held.lost]) : io.signal;
    const ctx: Run = {
      ...options,
      rules: ruleHashes(binding.runbook),
      binding,
      io: { ...io, signal },
      status,
      target,
      kube,
      minor: minorOf(kubernetes),
      skip: new Map(),
      signal,
      background,
      health: async () => ({ ok: true }),
    };
    status.info(
      `대상: ${target.context} (${target.server}), Kubernetes ${kubernetes}, ${target.provider}${target.sandbox ? ' 샌드박스' : ''}, 노드 ${nodes}개`,
    );
    const { steps, simulation } = await prepare(ctx);
    const source = await sourceTaken;
    const apiSilent = await runSteps(ctx, steps);
    // Lost while the steps ran: another run may have changed the cluster since, so no report at all
    // (one lost after the last step still holds: nobody could take the cluster before it was lost).
    if ('held' in lease) lease.held.lost.throwIfAborted();
    // With an API server that stopped answering, each read would only add its timeout to the run.
    const [components, logs] = await Promise.all([
      apiSilent ? {} : componentTags(ctx),
      // Read through the API (the provider's files where it cannot serve them), redacted; the CLI copies them beside the report.
      keepLogs(ctx, !apiSilent, path.join(options.workDir, 'logs')),
    ]);
    return {
      schemaVersion: 3,
      runbook: binding.runbook.name,
      page: binding.page.file,
      provider: target.provider,
      kubernetes,
      components,
      context: target.context,
      startedAt,
      finishedAt: new Date().toISOString(),
      status: runStatus(steps, io.signal.aborted),
      ...(simulation ? { simulation } : {}),
      source,
      fingerprints: { code, runbook: runbookFields(binding.runbook) },
      seeded: target.sandbox?.seeded ?? [],
      steps,
      logs,
    };
  } finally {
    // The background commands (port-forwards) end with the run, passed, failed or interrupted alike.
    await Promise.all(background.map((stop) => stop()));
    if ('held' in lease) await lease.held.release();
  }
}

/** One run per cluster: a second one at the same time is refused before it changes anything. */
async function takeLease(kube: RunContext['kube'], binding: Binding, target: Target, io: Io, status: Status) {
  const lease: LeaseOutcome = await acquireRunLease(kube, binding.runbook.name, target.server, {
    signal: io.signal,
    onWait: (text) => status.info(text),
  }).catch((error: unknown) => {
    if (error instanceof EnvironmentError || io.signal.aborted) throw error;
    return { unprotected: `동시 실행을 막는 Lease 를 읽지 못했습니다: ${apiErrorText(error)}` };
  });
  if ('unprotected' in lease) status.info(`경고: ${lease.unprotected}`);
  return lease;
}

/** What the steps need before the first one: the page's images, the stand-in Services, the client host. */
async function prepare(ctx: Run) {
  const { target, binding } = ctx;
  // The page's images, built from their tagged source the sandbox's way (never pulled), beside the stand-ins.
  const provided = target.sandbox?.provideImages(binding.runbook.images ?? [], ctx.io, ctx.status);
  provided?.catch(() => undefined); // awaited below, after the stand-ins
  const steps = await readyFixtures(ctx);
  let simulation: Simulation | undefined;
  if (target.sandbox && provided) {
    simulation = mergeSimulation(target.sandbox.simulation, await provided);
    ctx.status.info(`시뮬레이션: ${simulation.simulated.join(' / ')}`);
  }
  // After the images (the stand-in web server's among them): the dashboards' stand-in pods start while the steps run.
  await target.sandbox?.clientHost?.prepare(ctx.kube, binding.fixtures);
  return { steps, simulation };
}

/** Runs every bound step into `steps`; whether the API server was silent after the last failure. */
async function runSteps(ctx: Run, steps: StepReport[]) {
  let failed = steps.some((s) => s.status === 'failed');
  let apiSilent = false;
  for (const [index, bound] of ctx.binding.steps.entries()) {
    const label = `[${String(index + 1).padStart(2)}/${ctx.binding.steps.length}] ${bound.step.id} — ${bound.step.title}`;
    const report = await runOne(bound, label, ctx, failed);
    steps.push(report);
    failed ||= report.status === 'failed';
    if (report.status === 'failed' && !ctx.signal.aborted) apiSilent = !(await ctx.health()).ok;
  }
  return apiSilent;
}

/** The image tag of each Deployment the runbook names, read together (`quay.io/metallb/controller:v0.11.0` → `v0.11.0`). */
async function componentTags({ kube, binding }: RunContext): Promise<Record<string, string>> {
  const tags = await Promise.all(
    (binding.runbook.versions ?? []).map(async (v) => {
      const d = await kube.apps
        .readNamespacedDeployment({ name: v.deployment, namespace: v.namespace })
        .catch(() => undefined);
      const image = d?.spec?.template.spec?.containers[0]?.image;
      const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : image;
      return tag ? [[v.name, tag] as const] : [];
    }),
  );
  return Object.fromEntries(tags.flat());
}

/** The cluster, its version and schedulable nodes; a cluster that does not answer is refused with what to check. */
async function reach(target: Target): Promise<{ kube: RunContext['kube']; kubernetes: string; nodes: number }> {
  const kube = await connect(target.kubeconfig);
  try {
    const [kubernetes, nodes] = await Promise.all([serverVersion(kube), schedulableNodes(kube)]);
    return { kube, kubernetes, nodes };
  } catch (error) {
    const cause = apiErrorText(error);
    throw new EnvironmentError(
      'API_UNREACHABLE',
      `API 서버 ${target.server} (컨텍스트 ${target.context}) 에 연결할 수 없습니다: ${cause}`,
      target.sandbox
        ? `샌드박스가 멈췄을 수 있습니다. ${target.sandbox.command('status')} 로 확인하고, 필요하면 down 후 up 하세요.`
        : `${pasteable('kubectl cluster-info', target)} 로 클러스터에 닿는지 확인하세요.`,
    );
  }
}

/** Why a step is not run, in the order that decides: an interrupt, the selection, the page's condition, an earlier failure. */
function skipOf(id: string, ctx: Run, failed: boolean): [SkipCause, string] | undefined {
  if (ctx.signal.aborted) return ['interrupted', '실행이 중단되어 실행하지 않았습니다.'];
  if (!ctx.selected.has(id)) return ['selection', '--from/--only 로 고른 범위 밖이라 실행하지 않았습니다.'];
  const conditional = ctx.skip.get(id);
  if (conditional) return ['condition', conditional];
  if (failed && !ctx.keepGoing)
    return ['earlier-failure', '앞 단계가 실패해 실행하지 않았습니다 (--keep-going 으로 계속할 수 있습니다).'];
  return undefined;
}

/** One bound step: skipped with its cause, or run through its handler, timed, its failure explained. */
async function runOne(bound: BoundStep, label: string, ctx: Run, failed: boolean): Promise<StepReport> {
  const { status, signal } = ctx;
  const base = {
    id: bound.step.id,
    title: bound.step.title,
    kind: bound.step.kind,
    line: bound.line,
    blockHashes: boundHashes(bound),
    ruleHash: ctx.rules.get(bound.step.id) ?? '',
    ...(bound.block ? { command: bound.block.code } : {}),
  };
  const skip = skipOf(bound.step.id, ctx, failed);
  if (skip) {
    if (ctx.selected.has(bound.step.id) && !signal.aborted) status.info(`- ${label}: 건너뜀 (${skip[1]})`);
    return { ...base, status: 'skipped', skipCause: skip[0], durationMs: 0, reason: skip[1], problems: [], notes: [] };
  }
  const wait =
    bound.step.kind === 'run' && bound.step.eventually ? ` (${durationLabel(bound.step.eventually.within)})` : '';
  status.start(`${label}${wait}`);
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  let health: Promise<ApiHealth> | undefined;
  ctx.health = () => (health ??= apiHealth(ctx));
  let outcome: Outcome = await handle(bound, ctx).catch((error: unknown) => ({
    status: 'failed' as const,
    problems: [`단계를 실행하지 못했습니다: ${ctx.redactor.apply((error as Error).message)}`],
  }));
  if (outcome.status === 'failed' && !signal.aborted) outcome = await blameSilentApi(outcome, ctx);
  const durationMs = performance.now() - t0;
  if (signal.aborted)
    outcome = { ...outcome, status: 'skipped', skipCause: 'interrupted', reason: '실행 중에 중단되었습니다.' };
  const { hint, ...rest } = outcome;
  const report: StepReport = {
    ...base,
    ...rest,
    durationMs,
    startedAt,
    finishedAt: new Date().toISOString(),
    problems: outcome.problems ?? [],
    notes: outcome.notes ?? [],
  };
  if (report.status === 'failed') {
    status.fail(label, durationMs);
    ctx.io.err(explain(report, ctx.binding.page.file, hint, { target: ctx.target, workDir: ctx.workDir }));
  } else if (report.status === 'manual') {
    status.info(`☐ ${label}: 수동 확인 — ${report.reason}`);
  } else if (report.status === 'passed') {
    status.ok(label, durationMs);
  }
  return report;
}

/** The stand-in Services, made ready before the steps: one namespace's in page order, the namespaces at once. */
async function readyFixtures(ctx: Run) {
  const reports = new Map<BoundFixture, StepReport>();
  await Promise.all(
    [...Map.groupBy(ctx.binding.fixtures, (f) => f.namespace).values()].map(async (group) => {
      for (const f of group) reports.set(f, await readyFixture(f, ctx, ctx.selected.has(f.fixture.resetWith)));
    }),
  );
  return ctx.binding.fixtures.map((f) => reports.get(f)!);
}

async function readyFixture(f: BoundFixture, ctx: Run, reset: boolean): Promise<StepReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const title = `준비: ${f.namespace}/${f.name} 대역 서비스`;
  let outcome: Pick<StepReport, 'status' | 'fixture' | 'problems' | 'notes'>;
  try {
    const r = await ensureServiceFixture(ctx.kube, f, reset);
    // Whether the runner made the stand-in: the verdict marks the step that compares it as a stand-in unless it was the cluster's own.
    outcome = { status: 'fixture', fixture: r.status, problems: [], notes: [r.note] };
    ctx.status.ok(`${title}: ${r.status}`, performance.now() - t0);
  } catch (error) {
    outcome = {
      status: 'failed',
      problems: [`대역 서비스를 준비하지 못했습니다: ${(error as Error).message}`],
      notes: [],
    };
    ctx.status.fail(title, performance.now() - t0);
  }
  return {
    id: fixtureId(f),
    title,
    kind: 'fixture',
    command: `(페이지의 ${f.spec.id} 블록에서 만든 Service)`,
    line: f.spec.line,
    blockHashes: fixtureHashes(f),
    ruleHash: ctx.rules.get(fixtureKey(f.fixture)) ?? '',
    ...outcome,
    durationMs: performance.now() - t0,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** A failed step while the API server does not answer: that is the cause, named before the page's unread columns. */
async function blameSilentApi(outcome: Outcome, ctx: RunContext): Promise<Outcome> {
  const health = await ctx.health();
  if (health.ok) return outcome;
  const where = `${ctx.target.server} (컨텍스트 ${ctx.target.context})`;
  // diagnose() already leads with it; steps that do not diagnose (edits, browser steps) get it here.
  const section = healthSection(health, ctx.target);
  const diagnostics = outcome.diagnostics?.includes(section)
    ? outcome.diagnostics
    : [section, outcome.diagnostics].filter(Boolean).join('\n\n');
  return {
    ...outcome,
    problems: [
      `API 서버 ${where} 가 응답하지 않습니다: ${health.cause}. 아래 차이는 이 때문일 수 있습니다.`,
      ...(outcome.problems ?? []),
    ],
    diagnostics,
    hint: ctx.target.sandbox
      ? `샌드박스의 API 서버나 etcd 가 멈췄습니다. ${ctx.target.sandbox.command('status')} 로 확인하고, 필요하면 down 후 up 하세요.`
      : 'kubectl get --raw /readyz?verbose 로 클러스터 상태를 확인하세요.',
  };
}

/** The commit of the whole tracked tree, whether it had local changes outside reports/ (or no git at all), and the CI run. */
export async function runSource(env: Io['env'], root = projectRoot): Promise<RunReport['source']> {
  const git = (args: string[]) => run('git', args, { cwd: root }).catch(() => ({ code: 1, stdout: '' }));
  const [head, changes] = await Promise.all([
    git(['rev-parse', 'HEAD']),
    // reports/ is what runs write (verify rewrites it run after run), not what they are made from.
    git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)reports']),
  ]);
  const ci =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    ...(head.code === 0 ? { commit: head.stdout.trim() } : {}),
    dirty: head.code !== 0 || changes.code !== 0 || changes.stdout.trim() !== '',
    ...(ci ? { ci } : {}),
  };
}

/** The failure block under a ✗ line; its command pasteable (with the target's KUBECONFIG and kubectl). */
export function explain(
  step: StepReport,
  file: string,
  hint: string | undefined,
  shell: { target: CommandTarget; workDir: string },
): string {
  const pad = (t: string) => t.replace(/^/gm, '    ');
  const out = [`${file}:${step.line ?? ''}`];
  if (step.command && isShellStep(step))
    out.push(`$ ${pasteable(step.command, shell.target).replace(/\n/g, '\n  ')}`, `(작업 폴더: ${shell.workDir})`);
  else if (step.command) out.push(`$ ${step.command.replace(/\n/g, '\n  ')}`);
  out.push(...step.problems);
  if (step.expected || step.actual)
    out.push(`기대(페이지):\n${pad(step.expected ?? '(출력 블록 없음)')}\n실제:\n${pad(step.actual ?? '')}`);
  if (step.diagnostics) out.push(`진단:\n${pad(step.diagnostics)}`);
  if (hint) out.push(`힌트: ${hint}`);
  return `${out.map((l) => pad(l)).join('\n')}\n`;
}

const MARKS: Record<MarkStatus, [icon: string, word: string]> = {
  passed: ['✓', '통과'],
  already: ['≡', '이미 적용됨'],
  written: ['✎', '파일 작성'],
  failed: ['✗', '실패'],
  skipped: ['-', '건너뜀'],
  manual: ['☐', '수동 확인'],
  standin: ['◐', '대역으로 확인'],
  fixture: ['◇', '준비'],
  stale: ['↻', '바뀜'],
  error: ['⚠', '검증 오류'],
};

/** The marks of the report just written, as the site will show them (the one verdict), and one line of counts. */
export function summarize(report: RunReport, binding: Binding): string {
  const v = verdict({ report, binding, code: report.fingerprints.code });
  const lines = report.steps.map((s) => {
    const mark = v.steps.get(s.id)?.status ?? 'stale';
    const [icon, word] = MARKS[mark];
    return `${icon} ${s.id}  ${s.title}${['passed', 'failed', 'skipped', 'fixture'].includes(mark) ? '' : ` (${word})`}  ${formatDuration(s.durationMs)}`;
  });
  const run = {
    passed: '통과',
    failed: '실패',
    partial: '부분 실행 (통과로 보지 않음)',
    interrupted: '중단',
    stale: '바뀐 뒤 아직 검증되지 않음',
    error: '검증 오류',
  }[v.status];
  const counts = (Object.keys(MARKS) as MarkStatus[])
    .filter((k) => v.counts[k] > 0)
    .map((k) => `${MARKS[k][1]} ${v.counts[k]}`)
    .join(', ');
  lines.push(
    '',
    `${run}: ${counts} — Kubernetes ${report.kubernetes} (${report.provider})`,
    ...v.reasons.filter((r) => r.startsWith('검증 오류')),
  );
  return `${lines.join('\n')}\n`;
}
