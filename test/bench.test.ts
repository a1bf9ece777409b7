import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { readPage } from '../scripts/model/page.ts';
import { renderBenchmarks, type Figures } from '../scripts/bench/render.ts';
import { median } from '../scripts/bench/latency.ts';
import { pageCopy, removeCopies, type VerifyFigures } from '../scripts/bench/verify-growth.ts';
import type { VerifyTiming } from '../scripts/verify/cli.ts';
import { main as benchMain } from '../scripts/bench/cli.ts';
import { timed } from '../scripts/lib/timed.ts';
import { UsageError } from '../scripts/lib/errors.ts';
import type { Io } from '../scripts/lib/io.ts';

const page = readPage('src/content/docs/appendix/metallb.md');
const code = (id: string) => page.blocks.find((b) => b.id === id)?.code ?? '';
const script = fs.readFileSync('bench/hand-written.sh', 'utf8');

describe("baseline B does the page's work", () => {
  it.each(['strict-arp/check', 'strict-arp/apply', 'install/get-pods', 'config/file'])(
    'holds block %s verbatim',
    (id) => {
      expect(script).toContain(code(id));
    },
  );

  it('applies the same manifests, edits the same services and waits for the same IPs', () => {
    for (const url of code('install/apply').match(/https:\/\/\S+/g) ?? [])
      expect(script).toContain(url.replace('https://raw.githubusercontent.com', '$BASE'));
    for (const [section, ip] of [
      ['istio', '100'],
      ['minio', '101'],
      ['mlflow', '102'],
      ['grafana', '103'],
    ] as const) {
      const [, name, ns] = /svc\/(\S+) -n (\S+)/.exec(code(`${section}/edit`)) ?? [];
      expect(script).toContain(`expose ${ns} ${name} 192.168.35.${ip}`);
    }
    expect(script).toContain('kubectl edit "svc/$2" -n "$1"');
  });
});

const figures = (a: number[], b: number[], latency: number[]): Figures => ({
  date: '2026-11-27T00:00:00.000Z',
  machine: 'test',
  kubernetes: 'v1.37.0',
  provider: 'kwok',
  runs: a.length,
  a,
  b,
  bSleeps: a.map(() => 0),
  latency: { 'istio/get-after': latency },
  split: { outside: [1000], fixtures: [90], edits: [1100], otherSteps: [1900], between: [90], browser: [0] },
  edit: { command: 'kubectl edit svc/x -n y', runner: [150, 160, 170], sed: [120, 130, 140] },
  dryRunNpm: [600],
  dryRunNode: [500],
  floor: { npmRun: [240, 250, 260], node: [80, 90, 100] },
  site: undefined,
  startup: {
    clientImport: { pkg: [700, 750, 800], bundle: [200, 210, 220] },
    apiRequest: { kept: [4.2, 4.5], fresh: [11, 12] },
    nodeEditor: [70, 80, 90],
  },
});

describe('docs/benchmarks.md', () => {
  it('says what each remaining start-up device saves, from what was measured', () => {
    const text = renderBenchmarks(figures([4400], [2700], [600]));
    expect(text).toContain(
      '| API 클라이언트 묶음 (`scripts/lib/client.ts`): 런북과 작은 kubelet 이 시작할 때마다 | 패키지 import 0.75 s | 묶음 import 0.21 s | 시작마다 0.54 s |',
    );
    expect(text).toContain('요청마다 11.5 ms | 요청마다 4.3 ms | 요청마다 7.2 ms');
    expect(text).toContain(
      'Node 편집기 시작 0.08 s | bash 편집기 (위 "kubectl edit" 표) | 한 실행(편집 4번)에 약 0.32 s |',
    );
  });

  it.each([
    ['meets the A/B target', [2900, 3000, 3100], [3000, 3000, 3000], '**1.00** (목표 ≤ 1.00: 달성)'],
    ['misses the A/B target', [3000, 3100, 3200], [3000, 3000, 3000], '**1.03** (목표 ≤ 1.00: **미달**)'],
  ])('%s', (_name, a, b, line) => {
    expect(renderBenchmarks(figures(a, b, [70]))).toContain(`runbook/hand-written median ratio: ${line}`);
  });

  it('says where the time goes and judges latency against its target', () => {
    const text = renderBenchmarks(figures([4400], [2700], [600, 700, 800]));
    expect(text).toContain('| `kubectl edit` 4번');
    expect(text).toContain('전체 중앙값: **0.700 s** (목표 ≤ 0.1 s: **미달**)');
    expect(text).toContain('| istio/get-after | 0.700 s | - | 3 |');
    expect(
      renderBenchmarks({ ...figures([4400], [2700], [600, 700, 800]), reaction: { 'istio/get-after': [0, 10, 40] } }),
    ).toContain('| istio/get-after | 0.700 s | 0.010 s | 3 |');
    expect(text).toContain('(목표 ≤ 0.3 s: **미달**) | 1.00 s |');
    expect(text).toContain('러너의 편집기가 더 쓰는 시간: **30 ms** (목표 ≤ 50 ms: 달성)');
  });

  it('on real pods, compares the runs that did not wait for the kubelet back-off, and says how many did', () => {
    const base = {
      kubernetes: 'v1.37.0',
      runs: 5,
      bSleeps: [0, 0, 0, 0, 0],
      split: {
        outside: [900],
        fixtures: [50],
        edits: [1300],
        otherSteps: [5000],
        between: [200],
        browser: [0, 0, 0, 0, 0],
      },
      latency: {},
      reaction: {},
    };
    // A was luckier: three of its runs missed the race, only one of B's did; all-runs medians would call A faster.
    const lucky = {
      ...base,
      a: [7400, 17_400, 7300, 7500, 17_600],
      b: [6000, 17_000, 17_200, 17_100, 16_900],
      startDelays: { a: [2000, 12_000, 1000, 2000, 11_000], b: [2000, 11_000, 12_000, 13_000, 11_000] },
    };
    const text = renderBenchmarks({ ...figures([3100], [3000], [70]), pods: lucky });
    expect(text).toContain(
      'MetalLB 파드가 뜨기까지 kubelet 의 재시도 대기(10초)를 거친 실행: A 2/5, B 4/5 (파드를 만든 때부터 컨테이너가 시작한 때까지 가장 긴 값, 실행마다 A: 2, 12, 1, 2, 11 s; B: 2, 11, 12, 13, 11 s; 5 s 이상을 재시도 대기로 봅니다).',
    );
    expect(text).toContain(
      '(실제 파드, 같은 일, 재시도 대기가 없던 실행끼리: A 3번 7.40 s, B 1번 6.00 s): **1.23** (목표 ≤ 1.00: **미달**); 모든 실행으로는 0.44',
    );
    // no clean run on one side: all runs, and it says so
    const unlucky = {
      ...lucky,
      startDelays: { a: [11_000, 12_000, 11_000, 11_000, 12_000], b: [2000, 11_000, 12_000, 13_000, 11_000] },
    };
    expect(renderBenchmarks({ ...figures([3100], [3000], [70]), pods: unlucky })).toContain(
      '(실제 파드, 같은 일; 한쪽에 재시도 대기가 없던 실행이 없어 모든 실행으로): **0.44** (목표 ≤ 1.00: 달성)',
    );
  });

  it('says whether B ever waited in its poll loops, and what start-up costs before any project code', () => {
    const text = renderBenchmarks(figures([3100, 3200, 3300], [3000, 3000, 3000], [70]));
    expect(text).toContain('B 의 1초 폴링은 3번 실행에서 한 번도 잠들지 않았습니다');
    expect(text).toContain(
      "(`npm run env`) 0.25 s, 같은 Node 가 빈 프로그램을 시작하는 데(`node -e ''`) 0.09 s, 합 0.34 s. 이 프로젝트의 코드가 한 줄도 돌기 전에 이미 목표 0.3 s 를 넘습니다.",
    );
    const waited = renderBenchmarks({
      ...figures([3100, 3200], [3000, 3000], [70]),
      bSleeps: [0, 3],
      floor: { npmRun: [150], node: [50] },
    });
    expect(waited).toContain('B 의 1초 폴링이 잠든 횟수 (실행마다): 0, 3 (합 3번, 한 번에 1초).');
    expect(waited).not.toContain('한 번도 잠들지 않았습니다');
    expect(waited).toContain('합 0.20 s. 목표 0.3 s 안에 0.10 s 가 남습니다.');
  });

  it('shows the real-pod A/B apart, judged against the same target, only when it was measured', () => {
    const pods = {
      kubernetes: 'v1.37.0',
      runs: 3,
      a: [36_000, 37_000, 38_000],
      b: [22_000, 23_000, 24_000],
      bSleeps: [0, 2, 0],
      startDelays: { a: [1000, 2000, 1000], b: [2000, 2000, 3000] },
      split: {
        outside: [800],
        fixtures: [50],
        edits: [1300],
        otherSteps: [18_000],
        between: [300],
        browser: [16_000, 16_000, 16_000],
      },
      latency: { 'install/get-pods': [400, 500, 600] },
      reaction: {},
    };
    const text = renderBenchmarks({ ...figures([3100], [3000], [70]), pods });
    expect(text).toContain('### 같은 A/B, 실제 파드 샌드박스에서 (pods, Kubernetes v1.37.0)');
    // B has no browser: the ratio leaves A's browser steps out, run by run, and shows both times
    expect(text).toContain(
      'runbook/hand-written median ratio (실제 파드, 같은 일, 재시도 대기가 없던 실행끼리: A 3번 21.00 s, B 3번 23.00 s): **0.91** (목표 ≤ 1.00: 달성); 모든 실행으로는 0.91',
    );
    expect(text).toContain('재시도 대기(10초)를 거친 실행: A 0/3, B 0/3 ');
    expect(text).toContain('| A `npm run runbook -- metallb` (브라우저 단계 포함) | 37.00 s | 36.00 s | 38.00 s |');
    expect(text).toContain('| A, 브라우저 단계를 뺀 시간 (B 와 같은 일) | 21.00 s | 20.00 s | 22.00 s |');
    expect(text).toContain('감지 지연) 전체 중앙값: 0.500 s');
    expect(text).toContain('B 의 1초 폴링이 잠든 횟수 (실행마다): 0, 2, 0 (합 2번, 한 번에 1초).');
    // the kwok figure stays the headline
    expect(text).toContain('runbook/hand-written median ratio: **1.03** (목표 ≤ 1.00: **미달**)');
    expect(renderBenchmarks(figures([3100], [3000], [70]))).not.toContain('실제 파드 샌드박스');
  });

  it.each([
    [[1, 2, 3], 2],
    [[4, 1, 3, 2], 2.5],
    [[], Number.NaN],
  ])('median of %j is %d', (values, m) => {
    expect(median(values)).toBe(m);
  });
});

describe('npm run verify, measured by the bench', () => {
  const run = (runbook: string, ms: number): VerifyTiming => ({
    runbook,
    kubernetes: '1.37',
    provider: 'kwok',
    ok: true,
    ms,
    upMs: ms * 0.4,
    runMs: ms * 0.35,
    downMs: ms * 0.25,
  });
  const verify = (perPage: number[]): VerifyFigures => ({
    matrix: { ms: 60_000, runs: [run('metallb', 30_000), { ...run('metallb', 29_000), kubernetes: '1.24' }] },
    growth: perPage.map((_, i) => ({
      pages: i + 1,
      ms: perPage.slice(0, i + 1).reduce((a, b) => a + b, 0),
      runs: perPage.slice(0, i + 1).map((m, k) => run(k ? `bench-copy-${k}` : 'metallb', m)),
    })),
  });

  it('a copy of the page has its own runbook name, sidebar place and 1.37 only; everything else is the page', () => {
    const text = fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8');
    const copy = pageCopy(text, 2);
    const front = YAML.parse(copy.split('---')[1]!) as {
      runbook: { name: string; kubernetes: string[] };
      sidebar: { order: number };
    };
    expect(front.runbook).toEqual({ name: 'bench-copy-2', kubernetes: ['1.37'] });
    expect(front.sidebar.order).not.toBe(
      (YAML.parse(text.split('---')[1]!) as { sidebar: { order: number } }).sidebar.order,
    );
    expect(copy.split('---').slice(2).join('---')).toBe(text.split('---').slice(2).join('---'));
    expect(() => pageCopy(text.replace('  name: metallb', '  name: other'), 1)).toThrow(/frontmatter/);
  });

  it('removes only the copies a killed bench left behind', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-copies-'));
    fs.mkdirSync(path.join(root, 'src/content/docs/appendix'), { recursive: true });
    fs.mkdirSync(path.join(root, 'runbooks'));
    for (const f of [
      'src/content/docs/appendix/bench-copy-1.md',
      'src/content/docs/appendix/metallb.md',
      'runbooks/bench-copy-1.ts',
      'runbooks/bench-copy-x.ts',
      'runbooks/metallb.ts',
    ])
      fs.writeFileSync(path.join(root, f), '');
    removeCopies(root);
    expect(
      [
        ...fs.readdirSync(path.join(root, 'src/content/docs/appendix')),
        ...fs.readdirSync(path.join(root, 'runbooks')),
      ].sort(),
    ).toEqual(['bench-copy-x.ts', 'metallb.md', 'metallb.ts']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['linear', [30_000, 31_000, 29_500], '**선형**입니다'],
    [
      'linear with a fixed cost once',
      [34_000, 30_000, 30_500],
      '**선형**입니다. 한 번만 드는 비용 약 3.8 s 에 페이지마다 30.3 s 가 더해집니다',
    ],
    ['not linear', [30_000, 30_000, 60_000], '**선형이 아닙니다**'],
  ])('says whether it grows linearly with the pages (%s) and what dominates', (_name, perPage, words) => {
    const text = renderBenchmarks({ ...figures([1], [1], [1]), verify: verify(perPage) });
    expect(text).toContain('| 1.24 | 29.0 s | 11.6 s | 10.2 s | 7.3 s |');
    expect(text).toContain(words);
    expect(text).toContain('가장 큰 몫은 up (40%)');
  });
});

describe('npm run bench: bad input for the real-pod A/B', () => {
  const io = (env: Record<string, string>): { io: Io; err: () => string } => {
    let err = '';
    return {
      io: {
        cwd: process.cwd(),
        env,
        out: () => undefined,
        err: (t: string) => {
          err += t;
        },
        interactive: false,
        signal: new AbortController().signal,
      } as unknown as Io,
      err: () => err,
    };
  };
  const withSandbox = (provider: string) => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'));
    const dir = path.join(cache, 'sandbox', 'plain');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'state.json'),
      JSON.stringify({
        name: 'plain',
        provider,
        kubernetes: 'v1.37.0',
        context: 'vdocs-plain',
        kubeconfig: path.join(dir, 'kubeconfig'),
        binDir: dir,
        createdAt: new Date().toISOString(),
        server: 'https://127.0.0.1:1',
      }),
    );
    return cache;
  };

  it.each([
    [
      'a sandbox that does not exist',
      ['--sandbox', 'plain', '--pods-sandbox', 'nosuch'],
      'NO_SANDBOX',
      'npm run cluster -- up --provider pods --name nosuch',
    ],
    [
      'a kwok sandbox',
      ['--sandbox', 'plain', '--pods-sandbox', 'plain'],
      'NOT_PODS_SANDBOX',
      '--pods-sandbox plain 는 kwok 샌드박스입니다',
    ],
    [
      'a run count that is not a whole number',
      ['--sandbox', 'plain', '--pods-runs', '0'],
      'BAD_RUNS',
      '--pods-runs 는 1 이상의 정수여야 합니다: 0',
    ],
  ])('refuses %s before it measures anything', async (_what, argv, code, words) => {
    const cache = withSandbox('kwok');
    try {
      const { io: i } = io({ ...process.env, VDOCS_CACHE_DIR: cache } as Record<string, string>);
      const error = await benchMain(argv, i).then(
        () => undefined,
        (e: unknown) => e as UsageError,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(error?.code).toBe(code);
      expect(`${error?.message} ${error?.hint}`).toContain(words);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('a timed command', () => {
  it('is interrupted when the bench is (a verify child must clean up its sandbox), and says it was', async () => {
    const abort = new AbortController();
    const ready = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'timed-')), 'ready');
    // Node, not bash: a shell cannot trap a SIGINT its parent ignored, as a test worker may.
    const child = `process.on('SIGINT', () => { process.stderr.write('interrupted\\n'); process.exit(130); }); require('node:fs').writeFileSync(${JSON.stringify(ready)}, ''); setTimeout(() => undefined, 30_000);`;
    const run = timed(process.execPath, ['-e', child], { cwd: os.tmpdir(), env: process.env, signal: abort.signal });
    while (!fs.existsSync(ready)) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    const r = await run;
    expect(r.status).toBe(130);
    expect(r.stderr).toBe('interrupted\n');
    expect(r.ms).toBeLessThan(10_000);
    fs.rmSync(path.dirname(ready), { recursive: true, force: true });
  });
});
