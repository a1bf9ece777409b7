import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
import type { Binding } from '../runbook/bind.ts';
import type { SandboxState } from '../cluster/state.ts';
import { metallbStartDelay, reset } from './cluster.ts';
import { median, watchConditions } from './latency.ts';
import { podsRatio, renderBenchmarks, type Figures } from './render.ts';
import { siteBytes } from './site.ts';
import { measureEdit } from './edit.ts';
import { ensureBundle } from '../lib/client.ts';
import { measureVerify } from './verify-growth.ts';
import { timed } from './timed.ts';
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

export async function main(argv: string[], io: Io): Promise<number> {
  const args = await parseCommand(argv, command, io);
  if (!args) return 0;
  const runs = Number(args.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError('BAD_RUNS', `--runs 는 1 이상의 정수여야 합니다: ${args.runs}`, '예: --runs 5');
  const verifyPages = Number(args['verify-pages'] ?? 3);
  if (!Number.isInteger(verifyPages) || verifyPages < 2 || verifyPages > 9)
    throw new UsageError(
      'BAD_VERIFY_PAGES',
      `--verify-pages 는 2 에서 9 사이의 정수여야 합니다: ${args['verify-pages']}`,
      '예: --verify-pages 3 (증가를 보려면 페이지가 둘 이상 필요합니다)',
    );
  const state = readSandbox(args.sandbox ?? 'vdocs', io.env);
  if (!state)
    throw new UsageError(
      'NO_SANDBOX',
      `샌드박스 ${args.sandbox ?? 'vdocs'} 가 없습니다.`,
      'npm run cluster -- up 으로 먼저 만드세요 (벤치마크는 데워진 샌드박스에서 잽니다).',
    );
  const podsRuns = Number(args['pods-runs'] ?? 3);
  if (!Number.isInteger(podsRuns) || podsRuns < 1)
    throw new UsageError(
      'BAD_RUNS',
      `--pods-runs 는 1 이상의 정수여야 합니다: ${args['pods-runs']}`,
      '예: --pods-runs 3',
    );
  const podsState = args['pods-sandbox'] === undefined ? undefined : readSandbox(args['pods-sandbox'], io.env);
  if (args['pods-sandbox'] !== undefined && !podsState)
    throw new UsageError(
      'NO_SANDBOX',
      `샌드박스 ${args['pods-sandbox']} 가 없습니다.`,
      `npm run cluster -- up --provider pods --name ${args['pods-sandbox']} 로 먼저 만드세요 (root 권한과 cgroup v1 이 필요합니다).`,
    );
  if (podsState && podsState.provider !== 'pods')
    throw new UsageError(
      'NOT_PODS_SANDBOX',
      `--pods-sandbox ${podsState.name} 는 ${podsState.provider} 샌드박스입니다: 실제 파드 A/B 는 pods 샌드박스에서만 잽니다.`,
      `npm run cluster -- up --provider pods --name 다른이름 으로 만들고 그 이름을 주세요.`,
    );
  const mirror = io.env.RUNBOOK_MIRROR ? path.resolve(io.cwd, io.env.RUNBOOK_MIRROR) : undefined;
  const manifestBase = mirror ? path.join(mirror, 'raw.githubusercontent.com') : 'https://raw.githubusercontent.com';
  const binding = bind(runbook, readPage(runbook.page, projectRoot));
  const services = binding.fixtures.map((f) => ({
    namespace: f.namespace,
    name: f.name,
    ip: String(f.changes.find((c) => c.path.at(-1) === 'loadBalancerIP')?.value),
    step: f.fixture.resetWith.replace('get-before', 'get-after'),
  }));
  const status = new Status(io);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const env = sandboxCommandEnv(state, io);
  // The machine's load when the bench starts: numbers taken while other jobs compete for the cores are slower.
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  try {
    // The API client bundle is built on a runner's first use; the bench measures later runs.
    const clientBundle = await ensureBundle(io.env);
    const { a, b, bSleeps, latency, reaction, split } = await abRuns(state, runs, {
      io,
      status,
      binding,
      services,
      scratch,
      manifestBase,
      label: '',
    });
    // The same A/B on the real-pod sandbox (real kubelet, containerd, MetalLB's own controller and
    // speaker), where the cluster's own time dominates: asked for with --pods-sandbox.
    let pods: Figures['pods'];
    if (podsState) {
      pods = {
        kubernetes: podsState.kubernetes,
        runs: podsRuns,
        ...(await abRuns(podsState, podsRuns, {
          io,
          status,
          binding,
          services,
          scratch,
          manifestBase,
          label: ' (pods)',
        })),
      };
    }
    const edit = await measureEdit(state, binding, env, path.join(scratch, 'b'), Math.max(runs, 5));
    status.ok(`kubectl edit ${edit.runner.length}번씩: 러너의 편집기 대 sed`);
    const dryNpm: number[] = [];
    const dryNode: number[] = [];
    const floor: Figures['floor'] = { npmRun: [], node: [] };
    const here = { cwd: projectRoot, env: { ...io.env } as NodeJS.ProcessEnv };
    for (let i = 0; i < 5; i++) {
      dryNpm.push((await timed('npm', ['run', '--silent', 'runbook', '--', 'metallb', '--dry-run'], here)).ms);
      dryNode.push((await timed(process.execPath, ['scripts/runbook.ts', 'metallb', '--dry-run'], here)).ms);
      // What A pays before any of this project's code runs: npm running one script (its built-in
      // `env`, through sh), and the same Node starting an empty program.
      floor.npmRun.push((await timed('npm', ['run', '--silent', 'env'], here)).ms);
      floor.node.push((await timed(process.execPath, ['-e', ''], here)).ms);
    }
    status.ok('시작 시간: --dry-run, npm run env, node -e 5번씩');
    const startup = await measureStartup(projectRoot, state.kubeconfig, clientBundle, 5);
    status.ok('남은 시작 장치: API 클라이언트 묶음, 한 API 연결, 편집 서버 5번씩');
    const verify = args['skip-verify']
      ? undefined
      : await measureVerify(io, verifyPages, (what, ms) => status.ok(what, ms));
    const site = args['skip-site'] ? undefined : await siteBytes(projectRoot, io);
    const figures: Figures = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}; 시작 때 부하(1·5·15분 평균) ${load}`,
      kubernetes: state.kubernetes,
      provider: state.provider,
      runs,
      a,
      b,
      bSleeps,
      latency,
      reaction,
      split,
      edit,
      pods,
      dryRunNpm: dryNpm,
      dryRunNode: dryNode,
      startup,
      floor,
      site,
      verify,
    };
    const out = path.resolve(io.cwd, args.out ?? 'docs/benchmarks.md');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, renderBenchmarks(figures));
    io.err(`결과: ${path.relative(io.cwd, out)}\n`);
    const ratio = median(a) / median(b);
    io.out(
      `A runbook      median ${(median(a) / 1000).toFixed(2)} s (min ${(Math.min(...a) / 1000).toFixed(2)}, max ${(Math.max(...a) / 1000).toFixed(2)})\n`,
    );
    io.out(
      `B hand-written median ${(median(b) / 1000).toFixed(2)} s (min ${(Math.min(...b) / 1000).toFixed(2)}, max ${(Math.max(...b) / 1000).toFixed(2)})\n`,
    );
    io.out(
      `kubectl edit median: runner editor ${(median(edit.runner) / 1000).toFixed(3)} s, sed ${(median(edit.sed) / 1000).toFixed(3)} s\n`,
    );
    io.out(`outside the steps median ${(median(split.outside) / 1000).toFixed(2)} s\n`);
    for (const [step, values] of Object.entries(latency))
      io.out(`detection latency ${step}: median ${(median(values) / 1000).toFixed(3)} s\n`);
    io.out(`B's 1 s poll loops slept ${bSleeps.reduce((n, x) => n + x, 0)} times in ${runs} runs\n`);
    io.out(
      `start-up floor: npm run env median ${(median(floor.npmRun) / 1000).toFixed(2)} s, node -e '' median ${(median(floor.node) / 1000).toFixed(2)} s\n`,
    );
    io.out(
      `dry-run (npm run) median ${(median(dryNpm) / 1000).toFixed(2)} s; (node) median ${(median(dryNode) / 1000).toFixed(2)} s\n`,
    );
    if (verify)
      for (const g of verify.growth) io.out(`verify ${g.pages} page(s) on 1.37: ${(g.ms / 1000).toFixed(1)} s\n`);
    if (site)
      io.out(
        `site build ${(site.buildMs / 1000).toFixed(1)} s; metallb page JS ${site.page.jsGzip} B gzip, CSS ${site.page.cssGzip} B gzip; plain page JS ${site.plain.jsGzip} B, CSS ${site.plain.cssGzip} B\n`,
      );
    if (pods) {
      const r = podsRatio(pods);
      io.out(
        `runbook/hand-written median ratio on real pods (${pods.kubernetes}, without the browser steps B does not have${r.clean ? `, runs where MetalLB started without the kubelet's back-off: A ${r.clean.a}, B ${r.clean.b}` : ''}): ${r.ratio.toFixed(2)}\n`,
      );
    }
    io.out(`runbook/hand-written median ratio: ${ratio.toFixed(2)}\n`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

interface AbContext {
  io: Io;
  status: Status;
  binding: Binding;
  services: { namespace: string; name: string; ip: string; step: string }[];
  scratch: string;
  manifestBase: string;
  /** Added to progress lines: which sandbox. */
  label: string;
}

/**
 * A (`npm run runbook -- metallb`) and B (the hand-written script) alternately on one sandbox,
 * each from the same starting state, with the watches that time each awaited condition.
 */
async function abRuns(state: SandboxState, runs: number, c: AbContext) {
  const { io, status, binding, services, scratch, manifestBase } = c;
  const env = sandboxCommandEnv(state, io);
  const a: number[] = [];
  const b: number[] = [];
  const latency: Record<string, number[]> = {};
  const reaction: Record<string, number[]> = {};
  const split: Figures['split'] = { outside: [], fixtures: [], edits: [], otherSteps: [], between: [], browser: [] };
  const bSleeps: number[] = [];
  const startDelays: { a: number[]; b: number[] } = { a: [], b: [] };
  // The page's images, as the runner provides them before its steps: the hand-written script needs them too.
  await sandboxProvider(state, io.env).provideImages(runbook.images ?? [], io, status);
  for (let i = 0; i < runs; i++) {
    reset(state, binding.fixtures);
    const conditions = await watchConditions(state.kubeconfig, services);
    const report = path.join(scratch, `a-${i}.json`);
    const ra = await timed(
      'npm',
      [
        'run',
        '--silent',
        'runbook',
        '--',
        'metallb',
        '--sandbox',
        state.name,
        '--report',
        report,
        '--workdir',
        path.join(scratch, 'a'),
      ],
      { cwd: projectRoot, env },
    );
    conditions.stop();
    if (ra.status !== 0) throw new Error(`A(런북) ${i + 1}번째 실행이 실패했습니다:\n${ra.stderr.slice(-3000)}`);
    a.push(ra.ms);
    startDelays.a.push(metallbStartDelay(state));
    const data = readReport(report);
    const sum = (pred: (k: string) => boolean) =>
      data.steps.filter((x) => pred(x.kind)).reduce((n, x) => n + x.durationMs, 0);
    const runMs = Date.parse(data.finishedAt) - Date.parse(data.startedAt);
    split.outside.push(ra.ms - runMs);
    // The stand-ins are made ready together: their span, not the sum of their durations.
    const fixtures = data.steps.filter((x) => x.kind === 'fixture' && x.startedAt && x.finishedAt);
    const fixtureSpan = fixtures.length
      ? Math.max(...fixtures.map((x) => Date.parse(x.finishedAt!))) -
        Math.min(...fixtures.map((x) => Date.parse(x.startedAt!)))
      : 0;
    split.fixtures.push(fixtureSpan);
    split.edits.push(sum((k) => k === 'edit'));
    split.otherSteps.push(sum((k) => k !== 'fixture' && k !== 'edit' && k !== 'manual'));
    // The page's "open it in a browser" steps: manual on kwok (no time), run in Chromium where the
    // addresses answer (pods). B has no browser: they are not part of the work both do.
    split.browser.push(sum((k) => k === 'manual'));
    split.between.push(runMs - fixtureSpan - sum((k) => k !== 'fixture'));
    for (const step of data.steps) {
      const trueAt = conditions.seen.get(step.id);
      if (trueAt !== undefined && step.finishedAt) (latency[step.id] ??= []).push(Date.parse(step.finishedAt) - trueAt);
      // 0 when the passing command had already started before the condition held (an edit that got its IP at once).
      if (trueAt !== undefined && step.lastAttemptAt)
        (reaction[step.id] ??= []).push(Math.max(0, Date.parse(step.lastAttemptAt) - trueAt));
    }
    status.ok(`A${c.label} ${i + 1}/${runs}: npm run runbook -- metallb`, ra.ms);

    reset(state, binding.fixtures);
    fs.mkdirSync(path.join(scratch, 'b'), { recursive: true });
    const rb = await timed('bash', [path.join(projectRoot, 'bench/hand-written.sh')], {
      cwd: path.join(scratch, 'b'),
      env: { ...env, BASE: manifestBase },
    });
    if (rb.status !== 0)
      throw new Error(`B(손으로 쓴 스크립트) ${i + 1}번째 실행이 실패했습니다:\n${rb.stderr.slice(-3000)}`);
    b.push(rb.ms);
    bSleeps.push(rb.stderr.match(/^poll-sleep /gm)?.length ?? 0);
    startDelays.b.push(metallbStartDelay(state));
    status.ok(`B${c.label} ${i + 1}/${runs}: bench/hand-written.sh`, rb.ms);
  }
  return { a, b, bSleeps, startDelays, latency, reaction, split };
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
