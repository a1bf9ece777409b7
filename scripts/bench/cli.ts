import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedArgs } from 'citty';
import { parseCommand } from '../lib/args.ts';
import { UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { readPage } from '../model/page.ts';
import { projectRoot } from '../lib/paths.ts';
import { Status } from '../lib/status.ts';
import { readSandbox, sandboxEnv } from '../cluster/state.ts';
import { sandboxProvider } from '../cluster/provider.ts';
import { bind } from '../runbook/bind.ts';
import { readReport } from '../model/report.ts';
import runbook from '../../runbooks/metallb.ts';
import type { SandboxState } from '../cluster/state.ts';
import { metallbStartDelay, reset } from './cluster.ts';
import { median, watchConditions } from './latency.ts';
import { podsRatio, renderBenchmarks, s as sec, type Figures } from './render.ts';
import { siteBytes } from './site.ts';
import { measureEdit } from './edit.ts';
import { ensureBundle } from '../lib/client.ts';
import { measureVerify } from './verify-growth.ts';
import { timed } from '../lib/timed.ts';
import { measureStartup } from './startup.ts';

const command = {
  meta: {
    name: 'bench',
    description:
      '러너의 시간을 손으로 쓴 스크립트와 같은 클러스터에서 번갈아 재고, 감지 지연, 시작 시간, 사이트 크기를 잽니다.',
  },
  args: {
    runs: { type: 'string', description: 'A 와 B 를 각각 몇 번 번갈아 실행할지 (기본: 5)' },
    sandbox: {
      type: 'string',
      description: '쓸 kwok 샌드박스 (기본: vdocs; npm run cluster -- up 으로 먼저 만드세요)',
    },
    out: { type: 'string', description: '결과를 쓸 Markdown 파일 (기본: docs/benchmarks.md)' },
    'skip-site': { type: 'boolean', description: '사이트 빌드 측정을 건너뜀' },
    'skip-verify': {
      type: 'boolean',
      description: 'npm run verify 측정(버전 매트릭스와 페이지 수에 따른 증가)을 건너뜀',
    },
    'verify-pages': {
      type: 'string',
      description: 'verify 증가를 잴 때 페이지를 몇 개까지 (기본: 3; 둘째부터는 임시 사본)',
    },
    'pods-sandbox': {
      type: 'string',
      description:
        '같은 A/B 를 실제 파드 샌드박스에서도 잼 (npm run cluster -- up --provider pods --name 이름 으로 먼저 만드세요)',
    },
    'pods-runs': { type: 'string', description: '실제 파드 샌드박스에서 A 와 B 를 각각 몇 번 (기본: 3)' },
  },
} as const;

type Args = ParsedArgs<(typeof command)['args']>;
/** One A/B series: what render.ts shows of the real-pod sandbox, without its name and run count. */
type Ab = Omit<NonNullable<Figures['pods']>, 'kubernetes' | 'runs'>;

export async function main(argv: string[], io: Io): Promise<number> {
  const args = await parseCommand(argv, command, io);
  if (!args) return 0;
  const o = options(args, io);
  const c = abContext(io);
  try {
    const figures: Figures = {
      // The load when the bench starts (evaluated before measuring): numbers taken while other jobs compete are slower.
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}; 시작 때 부하(1·5·15분 평균) ${Array.from(os.loadavg(), (l) => l.toFixed(2)).join(', ')}`,
      kubernetes: o.state.kubernetes,
      provider: o.state.provider,
      runs: o.runs,
      ...(await measure(args, c, o)),
      date: new Date().toISOString(),
    };
    const out = path.resolve(io.cwd, args.out ?? 'docs/benchmarks.md');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, renderBenchmarks(figures));
    io.err(`결과: ${path.relative(io.cwd, out)}\n`);
    io.out(summary(figures));
    return 0;
  } finally {
    fs.rmSync(c.scratch, { recursive: true, force: true });
  }
}

/** The flags, checked before anything is measured: counts in range, sandboxes that exist and are of the right kind. */
function options(args: Args, io: Io) {
  const runs = whole(args, 'runs', 5, 1);
  const verifyPages = whole(args, 'verify-pages', 3, 2, 9);
  const existing = (name: string, hint: string) => {
    const state = readSandbox(name, io.env);
    if (!state) throw new UsageError('NO_SANDBOX', `샌드박스 ${name} 가 없습니다.`, hint);
    return state;
  };
  const state = existing(
    args.sandbox ?? 'vdocs',
    'npm run cluster -- up 으로 먼저 만드세요 (벤치마크는 데워진 샌드박스에서 잽니다).',
  );
  const podsRuns = whole(args, 'pods-runs', 3, 1);
  const pods = args['pods-sandbox'];
  const podsHint = `npm run cluster -- up --provider pods --name ${pods} 로 먼저 만드세요 (root 권한과 cgroup v1 이 필요합니다).`;
  const podsState = pods === undefined ? undefined : existing(pods, podsHint);
  if (podsState && podsState.provider !== 'pods')
    throw new UsageError(
      'NOT_PODS_SANDBOX',
      `--pods-sandbox ${podsState.name} 는 ${podsState.provider} 샌드박스입니다: 실제 파드 A/B 는 pods 샌드박스에서만 잽니다.`,
      `npm run cluster -- up --provider pods --name 다른이름 으로 만들고 그 이름을 주세요.`,
    );
  return { runs, verifyPages, state, podsRuns, podsState };
}

/** `--flag`'s whole number between min and max, or its default; anything else is refused naming the flag. */
function whole(args: Args, flag: 'runs' | 'pods-runs' | 'verify-pages', fallback: number, min: number, max?: number) {
  const value = Number(args[flag] ?? fallback);
  if (Number.isInteger(value) && value >= min && value <= (max ?? Infinity)) return value;
  throw new UsageError(
    flag === 'verify-pages' ? 'BAD_VERIFY_PAGES' : 'BAD_RUNS',
    `--${flag} 는 ${max ? `${min} 에서 ${max} 사이의` : `${min} 이상의`} 정수여야 합니다: ${args[flag]}`,
    `예: --${flag} ${fallback}${flag === 'verify-pages' ? ' (증가를 보려면 페이지가 둘 이상 필요합니다)' : ''}`,
  );
}

/** Everything the bench measures, in order: A/B (kwok, then pods when asked), the edit, start-up, verify, the site. */
async function measure(
  args: Args,
  c: AbContext,
  o: ReturnType<typeof options>,
): Promise<Omit<Figures, 'date' | 'machine' | 'kubernetes' | 'provider' | 'runs'>> {
  const { io, status } = c;
  // The API client bundle is built on a runner's first use; the bench measures later runs.
  const clientBundle = await ensureBundle(io.env);
  const kwok = await abRuns(o.state, o.runs, c);
  // The same A/B on the real-pod sandbox (real kubelet, containerd, MetalLB's own controller and
  // speaker), where the cluster's own time dominates: asked for with --pods-sandbox.
  const pods = o.podsState && {
    kubernetes: o.podsState.kubernetes,
    runs: o.podsRuns,
    ...(await abRuns(o.podsState, o.podsRuns, { ...c, label: ' (pods)' })),
  };
  const env = sandboxCommandEnv(o.state, io);
  const edit = await measureEdit(o.state, c.binding, env, path.join(c.scratch, 'b'), Math.max(o.runs, 5));
  status.ok(`kubectl edit ${edit.runner.length}번씩: 러너의 편집기 대 sed`);
  const dryRunNpm: number[] = [];
  const dryRunNode: number[] = [];
  const floor: Figures['floor'] = { npmRun: [], node: [] };
  const here = { cwd: projectRoot, env: { ...io.env } as NodeJS.ProcessEnv };
  for (let i = 0; i < 5; i++) {
    dryRunNpm.push((await timed('npm', ['run', '--silent', 'runbook', '--', 'metallb', '--dry-run'], here)).ms);
    dryRunNode.push((await timed(process.execPath, ['scripts/runbook.ts', 'metallb', '--dry-run'], here)).ms);
    // What A pays before any of this project's code runs: npm running one script (its built-in
    // `env`, through sh), and the same Node starting an empty program.
    floor.npmRun.push((await timed('npm', ['run', '--silent', 'env'], here)).ms);
    floor.node.push((await timed(process.execPath, ['-e', ''], here)).ms);
  }
  status.ok('시작 시간: --dry-run, npm run env, node -e 5번씩');
  const startup = await measureStartup(projectRoot, o.state.kubeconfig, clientBundle, 5);
  status.ok('남은 시작 장치: API 클라이언트 묶음, 한 API 연결, 편집 서버 5번씩');
  const verify = args['skip-verify'] ? undefined : await measureVerify(io, o.verifyPages, status);
  const site = args['skip-site'] ? undefined : await siteBytes(projectRoot, io);
  return { ...kwok, edit, pods, dryRunNpm, dryRunNode, startup, floor, site, verify };
}

/** The figures a person reads on stdout, in English (docs/benchmarks.md has them all). */
function summary(f: Figures): string {
  const spread = (v: number[]) =>
    `median ${sec(median(v))} (min ${(Math.min(...v) / 1000).toFixed(2)}, max ${(Math.max(...v) / 1000).toFixed(2)})`;
  const pods = f.pods && { ...podsRatio(f.pods), kubernetes: f.pods.kubernetes };
  const lines = [
    `A runbook      ${spread(f.a)}`,
    `B hand-written ${spread(f.b)}`,
    `kubectl edit median: runner editor ${sec(median(f.edit.runner), 3)}, sed ${sec(median(f.edit.sed), 3)}`,
    `outside the steps median ${sec(median(f.split.outside))}`,
    ...Object.entries(f.latency).map(([step, v]) => `detection latency ${step}: median ${sec(median(v), 3)}`),
    `B's 1 s poll loops slept ${f.bSleeps.reduce((n, x) => n + x, 0)} times in ${f.runs} runs`,
    `start-up floor: npm run env median ${sec(median(f.floor.npmRun))}, node -e '' median ${sec(median(f.floor.node))}`,
    `dry-run (npm run) median ${sec(median(f.dryRunNpm))}; (node) median ${sec(median(f.dryRunNode))}`,
    ...(f.verify?.growth.map((g) => `verify ${g.pages} page(s) on 1.37: ${sec(g.ms, 1)}`) ?? []),
    f.site &&
      `site build ${sec(f.site.buildMs, 1)}; metallb page JS ${f.site.page.jsGzip} B gzip, CSS ${f.site.page.cssGzip} B gzip; plain page JS ${f.site.plain.jsGzip} B, CSS ${f.site.plain.cssGzip} B`,
    pods &&
      `runbook/hand-written median ratio on real pods (${pods.kubernetes}, without the browser steps B does not have${pods.clean ? `, runs where MetalLB started without the kubelet's back-off: A ${pods.clean.a}, B ${pods.clean.b}` : ''}): ${pods.ratio.toFixed(2)}`,
    `runbook/hand-written median ratio: ${(median(f.a) / median(f.b)).toFixed(2)}`,
  ];
  return lines.flatMap((l) => (l ? [`${l}\n`] : [])).join('');
}

/** What every A/B run shares: the page's binding, the services whose IPs are awaited, the scratch folder. */
function abContext(io: Io) {
  const mirror = io.env.RUNBOOK_MIRROR ? path.resolve(io.cwd, io.env.RUNBOOK_MIRROR) : undefined;
  const binding = bind(runbook, readPage(runbook.page, projectRoot));
  return {
    io,
    status: new Status(io),
    binding,
    services: binding.fixtures.map((f) => ({
      namespace: f.namespace,
      name: f.name,
      ip: String(f.changes.find((c) => c.path.at(-1) === 'loadBalancerIP')?.value),
      step: f.fixture.resetWith.replace('get-before', 'get-after'),
    })),
    scratch: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')),
    manifestBase: mirror ? path.join(mirror, 'raw.githubusercontent.com') : 'https://raw.githubusercontent.com',
    /** Added to progress lines: which sandbox. */
    label: '',
  };
}
type AbContext = ReturnType<typeof abContext>;

/**
 * A (`npm run runbook -- metallb`) and B (the hand-written script) alternately on one sandbox,
 * each from the same starting state, with the watches that time each awaited condition.
 */
async function abRuns(state: SandboxState, runs: number, c: AbContext): Promise<Ab> {
  const ab: Ab = {
    a: [],
    b: [],
    bSleeps: [],
    startDelays: { a: [], b: [] },
    latency: {},
    reaction: {},
    split: { outside: [], fixtures: [], edits: [], otherSteps: [], between: [], browser: [] },
  };
  const env = sandboxCommandEnv(state, c.io);
  // The page's images, as the runner provides them before its steps: the hand-written script needs them too.
  await sandboxProvider(state, c.io.env).provideImages(runbook.images ?? [], c.io, c.status);
  for (let i = 0; i < runs; i++) {
    await runA(state, env, i, c, ab);
    c.status.ok(`A${c.label} ${i + 1}/${runs}: npm run runbook -- metallb`, ab.a[i]);
    reset(state, c.binding.fixtures);
    fs.mkdirSync(path.join(c.scratch, 'b'), { recursive: true });
    const rb = await timed('bash', [path.join(projectRoot, 'bench/hand-written.sh')], {
      cwd: path.join(c.scratch, 'b'),
      env: { ...env, BASE: c.manifestBase },
    });
    if (rb.status !== 0)
      throw new Error(`B(손으로 쓴 스크립트) ${i + 1}번째 실행이 실패했습니다:\n${rb.stderr.slice(-3000)}`);
    ab.b.push(rb.ms);
    ab.bSleeps.push(rb.stderr.match(/^poll-sleep /gm)?.length ?? 0);
    ab.startDelays.b.push(metallbStartDelay(state));
    c.status.ok(`B${c.label} ${i + 1}/${runs}: bench/hand-written.sh`, rb.ms);
  }
  return ab;
}

/** Run A number `i`, from the page's starting state: its time, where it went (its report) and its detection latencies. */
async function runA(state: SandboxState, env: NodeJS.ProcessEnv, i: number, c: AbContext, ab: Ab): Promise<void> {
  reset(state, c.binding.fixtures);
  const conditions = await watchConditions(state.kubeconfig, c.services);
  const report = path.join(c.scratch, `a-${i}.json`);
  const argv = ['metallb', '--sandbox', state.name, '--report', report, '--workdir', path.join(c.scratch, 'a')];
  const ra = await timed('npm', ['run', '--silent', 'runbook', '--', ...argv], { cwd: projectRoot, env });
  conditions.stop();
  if (ra.status !== 0) throw new Error(`A(런북) ${i + 1}번째 실행이 실패했습니다:\n${ra.stderr.slice(-3000)}`);
  ab.a.push(ra.ms);
  ab.startDelays.a.push(metallbStartDelay(state));
  const data = readReport(report);
  const sum = (pred: (k: string) => boolean) =>
    data.steps.filter((x) => pred(x.kind)).reduce((n, x) => n + x.durationMs, 0);
  const runMs = Date.parse(data.finishedAt) - Date.parse(data.startedAt);
  // The stand-ins are made ready together: their span, not the sum of their durations.
  const fixtures = data.steps.filter((x) => x.kind === 'fixture' && x.startedAt && x.finishedAt);
  const fixtureSpan = fixtures.length
    ? Math.max(...fixtures.map((x) => Date.parse(x.finishedAt!))) -
      Math.min(...fixtures.map((x) => Date.parse(x.startedAt!)))
    : 0;
  const { split } = ab;
  split.outside.push(ra.ms - runMs);
  split.fixtures.push(fixtureSpan);
  split.edits.push(sum((k) => k === 'edit'));
  split.otherSteps.push(sum((k) => k !== 'fixture' && k !== 'edit' && k !== 'manual'));
  // The page's "open it in a browser" steps: manual on kwok (no time), run in Chromium where the
  // addresses answer (pods). B has no browser: they are not part of the work both do.
  split.browser.push(sum((k) => k === 'manual'));
  split.between.push(runMs - fixtureSpan - sum((k) => k !== 'fixture'));
  for (const step of data.steps) {
    const trueAt = conditions.seen.get(step.id);
    if (trueAt !== undefined && step.finishedAt)
      (ab.latency[step.id] ??= []).push(Date.parse(step.finishedAt) - trueAt);
    // 0 when the passing command had already started before the condition held (an edit that got its IP at once).
    if (trueAt !== undefined && step.lastAttemptAt)
      (ab.reaction[step.id] ??= []).push(Math.max(0, Date.parse(step.lastAttemptAt) - trueAt));
  }
}

/** Commands against a sandbox: its kubeconfig and cache, its kubectl first on PATH, no colour. */
function sandboxCommandEnv(state: SandboxState, io: Io): NodeJS.ProcessEnv {
  return {
    ...io.env,
    ...sandboxEnv(state),
    PATH: [state.binDir, io.env.PATH].filter(Boolean).join(':'),
    NO_COLOR: '1',
  } as NodeJS.ProcessEnv;
}
