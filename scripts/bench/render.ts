import type { PageBytes } from './site.ts';
import { median } from './latency.ts';
import type { EditCost } from './edit.ts';
import type { VerifyFigures } from './verify-growth.ts';
import type { StartupDevices } from './startup.ts';

export interface Figures {
  date: string;
  machine: string;
  kubernetes: string;
  provider: string;
  runs: number;
  a: number[];
  b: number[];
  /** How many times B's 1-second poll loops slept, run by run (0: every condition held at B's first look). */
  bSleeps: number[];
  latency: Record<string, number[]>;
  /** From the same moment to the start of the command whose output passed (0 when it had started before). */
  reaction?: Record<string, number[]>;
  /** Where A's wall time goes, per run (ms): outside the run (process start, module loading, report writing), fixtures, edit steps, other steps, in between steps, and the page's browser steps (manual on kwok, run in Chromium on pods). */
  split: Record<'outside' | 'fixtures' | 'edits' | 'otherSteps' | 'between' | 'browser', number[]>;
  /** One documented `kubectl edit`, with the runner's editor and with sed. */
  edit: EditCost;
  /** The same A/B on a real-pod sandbox (`--pods-sandbox`), when asked for. */
  pods?:
    | (Pick<Figures, 'kubernetes' | 'runs' | 'a' | 'b' | 'bSleeps' | 'split' | 'latency'> & {
        startDelays: { a: number[]; b: number[] };
        reaction: Record<string, number[]>;
      })
    | undefined;
  dryRunNpm: number[];
  dryRunNode: number[];
  /** What each remaining start-up device saves (startup.ts). */
  startup: StartupDevices;
  /** What any `npm run` of a Node script costs before its code runs: `npm run env`, and `node -e ''`. */
  floor: { npmRun: number[]; node: number[] };
  site: { buildMs: number; page: PageBytes; plain: PageBytes } | undefined;
  /** `npm run verify`: the MetalLB page's matrix, and 1…N copies of the page on 1.37 (`--skip-verify`: absent). */
  verify?: VerifyFigures | undefined;
}

type Pods = NonNullable<Figures['pods']>;

export const s = (ms: number, digits = 2) => `${(ms / 1000).toFixed(digits)} s`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
/** `목표 ≤ shown: 달성`: a measured value against its goal. */
const goal = (value: number, max: number, shown: string) => `목표 ≤ ${shown}: ${value <= max ? '달성' : '**미달**'}`;
/** A table row: the label, then median, min and max. */
const row = (label: string, v: number[], digits = 2) =>
  `| ${label} | ${s(median(v), digits)} | ${s(Math.min(...v), digits)} | ${s(Math.max(...v), digits)} |`;
/** A Markdown table's header row and the separator under it. */
const table = (head: string) => [head, head.replace(/[^|]+/g, '---')];
const sum = (values: readonly number[]) => values.reduce((n, x) => n + x, 0);

/** The goals of issue 13, in one place. */
const GOALS = {
  ratio: 1.0,
  outsideMs: 300,
  editExtraMs: 50,
  latencyMs: 100,
  dryRunMs: 1500,
  extraJsBytes: 5 * 1024,
} as const;

/** docs/benchmarks.md, written by `npm run bench` from what it measured (never by hand). */
export function renderBenchmarks(f: Figures): string {
  return `${[
    ...renderAb(f),
    ...(f.pods ? renderPods(f.pods) : []),
    ...renderEdit(f.edit),
    ...renderLatency(f),
    ...renderStartup(f.startup),
    '## 시작 시간',
    '',
    `- \`npm run runbook -- metallb --dry-run\`: 중앙값 **${s(median(f.dryRunNpm))}** (5회; ${goal(median(f.dryRunNpm), GOALS.dryRunMs, s(GOALS.dryRunMs, 1))})`,
    `- \`node scripts/runbook.ts metallb --dry-run\` (npm 없이): 중앙값 ${s(median(f.dryRunNode))}`,
    '',
    ...(f.verify ? renderVerify(f.verify) : []),
    ...(f.site ? renderSite(f.site) : []),
  ].join('\n')}\n`;
}

/** The header, the kwok A/B, where A's time goes and the start-up floor. */
function renderAb(f: Figures): string[] {
  const ratio = median(f.a) / median(f.b);
  const outside = median(f.split.outside);
  const gap = median(f.a) - median(f.b);
  const floor = median(f.floor.npmRun) + median(f.floor.node);
  return [
    '# 벤치마크',
    '',
    `> 이 파일은 \`npm run bench\` 가 측정한 값으로 만든 것입니다. 손으로 고치지 마세요.`,
    '',
    `- 측정: ${f.date}`,
    `- 기계: ${f.machine}`,
    `- 클러스터: ${f.provider} 샌드박스, Kubernetes ${f.kubernetes}`,
    `- 명령: \`npm run bench -- --runs ${f.runs}\` (A 와 B 를 ${f.runs}번씩 번갈아, 매번 같은 초기 상태로 되돌린 뒤)`,
    '',
    '## A/B: 런북 대 손으로 쓴 스크립트',
    '',
    ...table('| | 중앙값 | 최소 | 최대 |'),
    row('A `npm run runbook -- metallb` (모든 자동 단계, 보고서 작성)', f.a),
    row('B `bench/hand-written.sh` (kubectl wait + 1초 폴링)', f.b),
    '',
    `runbook/hand-written median ratio: **${ratio.toFixed(2)}** (${goal(ratio, GOALS.ratio, GOALS.ratio.toFixed(2))})`,
    '',
    '### A 의 시간은 어디에 쓰이나 (중앙값)',
    '',
    ...table('| 부분 | 시간 |'),
    `| 실행 밖: npm, Node 시작, 모듈 로드, 페이지 읽기·바인딩, 보고서·JUnit 쓰기 (${goal(outside, GOALS.outsideMs, s(GOALS.outsideMs, 1))}) | ${s(outside)} |`,
    `| 준비 단계: 대역 서비스 확인 4개 (API 읽기, 함께 실행한 시간) | ${s(median(f.split.fixtures))} |`,
    `| \`kubectl edit\` 4번 (bash 편집기가 러너에 변경 적용을 요청; B 는 sed), 앞뒤 API 읽기 포함 | ${s(median(f.split.edits))} |`,
    `| 나머지 명령 단계 (kubectl, 비교, 객체 확인, 기다림) | ${s(median(f.split.otherSteps))} |`,
    `| 단계 사이 (API 연결, 서버 버전·노드 수, Lease, 이미지 준비, 구성 요소 버전·로그 읽기, 진행 줄) | ${s(median(f.split.between))} |`,
    '',
    gap > 0
      ? `A 가 B 보다 ${s(gap)} 더 걸립니다. B 에는 실행 밖 시간(프로세스 하나, 모듈 없음)과 비교·확인이 없습니다.`
      : `A 가 B 보다 ${s(-gap)} 빠릅니다. 같은 kubectl 명령을 실행하지만, A 는 기다림을 watch 로 깨우고 B 는 1초마다 폴링합니다.`,
    '',
    sleepsLine(f.bSleeps),
    '',
    `실행 밖 시간의 바닥: npm 이 스크립트 하나를 실행하는 데(\`npm run env\`) ${s(median(f.floor.npmRun))}, 같은 Node 가 빈 프로그램을 시작하는 데(\`node -e ''\`) ${s(median(f.floor.node))}, 합 ${s(floor)}. ${floor > GOALS.outsideMs ? `이 프로젝트의 코드가 한 줄도 돌기 전에 이미 목표 ${s(GOALS.outsideMs, 1)} 를 넘습니다.` : `목표 ${s(GOALS.outsideMs, 1)} 안에 ${s(GOALS.outsideMs - floor)} 가 남습니다.`}`,
    '',
  ];
}

function renderStartup(d: StartupDevices): string[] {
  const clientSaves = median(d.clientImport.pkg) - median(d.clientImport.bundle);
  const perRequest = median(d.apiRequest.fresh) - median(d.apiRequest.kept);
  return [
    '## 남은 시작 장치와 그 값',
    '',
    '아끼는 시간이 0.3 s 아래인 장치는 지웠습니다: CLI 묶음(esbuild, `--dry-run` 에서 0.22 s)과 읽은 페이지의 캐시(0.09 s). 남은 것:',
    '',
    ...table('| 장치 | 없을 때 | 있을 때 | 아끼는 시간 |'),
    `| API 클라이언트 묶음 (\`scripts/lib/client.ts\`): 런북과 작은 kubelet 이 시작할 때마다 | 패키지 import ${s(median(d.clientImport.pkg))} | 묶음 import ${s(median(d.clientImport.bundle))} | 시작마다 ${s(clientSaves)} |`,
    `| 실행 내내 한 API 연결 (\`scripts/runbook/kube.ts\`) | 요청마다 ${median(d.apiRequest.fresh).toFixed(1)} ms | 요청마다 ${median(d.apiRequest.kept).toFixed(1)} ms | 요청마다 ${perRequest.toFixed(1)} ms (한 실행의 기다림·객체 확인·로그 읽기가 수백 번 요청합니다) |`,
    `| 편집 서버 (\`scripts/runbook/edit-server.ts\`): 편집마다 Node 를 띄우지 않음 | Node 편집기 시작 ${s(median(d.nodeEditor))} | bash 편집기 (위 "kubectl edit" 표) | 한 실행(편집 4번)에 약 ${s(median(d.nodeEditor) * 4)} |`,
    '',
  ];
}

function renderEdit(edit: EditCost): string[] {
  const extra = median(edit.runner) - median(edit.sed);
  return [
    '### `kubectl edit` 한 번의 비용',
    '',
    `페이지의 \`${edit.command}\` 를 그대로, 매번 서비스를 ClusterIP 로 다시 만든 뒤 편집기만 바꿔 번갈아 ${edit.runner.length}번씩 (러너의 편집기는 편집 서버 시작·종료 포함).`,
    '',
    ...table('| 편집기 | 중앙값 | 최소 | 최대 |'),
    row('러너 (edit-server.ts: bash 편집기 → 러너가 표시된 줄만 적용)', edit.runner, 3),
    row('sed (B 의 편집기)', edit.sed, 3),
    '',
    `러너의 편집기가 더 쓰는 시간: **${extra.toFixed(0)} ms** (${goal(extra, GOALS.editExtraMs, `${GOALS.editExtraMs} ms`)})`,
    '',
  ];
}

function renderLatency(f: Figures): string[] {
  const all = median(Object.values(f.latency).flat());
  return [
    '## 준비 완료 감지 지연',
    '',
    '조건이 참이 된 때(단계 시작 전에 연 watch 가 처음 본 이벤트)부터 러너가 그 단계를 통과시킨 때까지. 반응은 그중 통과한 명령(페이지의 `kubectl get`)을 시작하기까지이고, 나머지는 그 명령 자체와 비교·객체 확인입니다.',
    '',
    ...table('| 단계 | 통과까지 중앙값 | 반응 중앙값 | 표본 |'),
    ...Object.entries(f.latency).map(
      ([step, values]) =>
        `| ${step} | ${s(median(values), 3)} | ${f.reaction?.[step]?.length ? s(median(f.reaction[step]), 3) : '-'} | ${values.length} |`,
    ),
    '',
    `전체 중앙값: **${s(all, 3)}** (${goal(all, GOALS.latencyMs, s(GOALS.latencyMs, 1))})`,
    '',
  ];
}

function renderSite(site: NonNullable<Figures['site']>): string[] {
  const extra = site.page.jsGzip - site.plain.jsGzip;
  const pages = [
    ['MetalLB 페이지', site.page],
    ['기본 Starlight 페이지 (index)', site.plain],
  ] as const;
  return [
    '## 사이트',
    '',
    `- \`npm run build\`: ${s(site.buildMs, 1)}`,
    '',
    ...table('| 페이지 | JS (raw) | JS (gzip) | CSS (raw) | CSS (gzip) |'),
    ...pages.map(
      ([name, p]) =>
        `| ${name} \`${p.html}\` | ${kb(p.jsRaw)} | ${kb(p.jsGzip)} | ${kb(p.cssRaw)} | ${kb(p.cssGzip)} |`,
    ),
    '',
    `MetalLB 페이지가 더 싣는 JS: **${(extra / 1024).toFixed(2)} KB gzip** (${goal(extra, GOALS.extraJsBytes, '5 KB')})`,
    '',
  ];
}

/**
 * Whether B's 1-second polls ever slept. When they never did, every condition already held at B's
 * first look, and waiting better (A's watches) has no time to win back.
 */
function sleepsLine(sleeps: readonly number[]): string {
  return sum(sleeps) === 0
    ? `B 의 1초 폴링은 ${sleeps.length}번 실행에서 한 번도 잠들지 않았습니다: 모든 조건이 B 의 첫 확인에서 이미 참이었으므로, A 가 watch 로 더 일찍 깨어나 되찾을 시간이 없습니다.`
    : `B 의 1초 폴링이 잠든 횟수 (실행마다): ${sleeps.join(', ')} (합 ${sum(sleeps)}번, 한 번에 1초).`;
}

/**
 * A run whose MetalLB pods took this long to start waited for the kubelet's 10 s back-off (the
 * `memberlist` race, see metallbStartDelay); without it they start in 1–3 s here.
 */
const BACKOFF_MS = 5000;

/**
 * The real-pod ratio: A without its browser steps (B has none), run by run, against B. A run that
 * waited for the kubelet's back-off waits 10 s whoever runs the page, and five runs split by luck
 * between the two cases; so when both sides have runs without that wait, those are compared
 * (`clean`), otherwise all.
 */
export function podsRatio(p: Pods) {
  const comparable = p.a.map((ms, i) => ms - (p.split.browser[i] ?? 0));
  const all = median(comparable) / median(p.b);
  const cleanA = comparable.filter((_, i) => (p.startDelays.a[i] ?? Infinity) < BACKOFF_MS);
  const cleanB = p.b.filter((_, i) => (p.startDelays.b[i] ?? Infinity) < BACKOFF_MS);
  if (cleanA.length === 0 || cleanB.length === 0) return { ratio: all, all, comparable };
  const clean = { a: cleanA.length, b: cleanB.length, aMs: median(cleanA), bMs: median(cleanB) };
  return { ratio: clean.aMs / clean.bMs, all, comparable, clean };
}

function renderPods(p: Pods): string[] {
  const { ratio, all, comparable, clean } = podsRatio(p);
  const hit = (r: number[]) => `${r.filter((x) => x >= BACKOFF_MS).length}/${r.length}`;
  const list = (r: number[]) => r.map((x) => (x / 1000).toFixed(0)).join(', ');
  const latencies = Object.values(p.latency).flat();
  const perStep = Object.entries(p.latency).map(([k, v]) => `${k} ${s(median(v), 3)}`);
  const detection = `조건이 참이 된 때부터 통과까지 (감지 지연) 전체 중앙값: ${s(median(latencies), 3)} (${perStep.join(', ')})`;
  const judged = `**${ratio.toFixed(2)}** (${goal(ratio, GOALS.ratio, GOALS.ratio.toFixed(2))})`;
  return [
    `### 같은 A/B, 실제 파드 샌드박스에서 (pods, Kubernetes ${p.kubernetes})`,
    '',
    `실제 kubelet·containerd·runc 가 이 프로젝트가 만든 네트워크 네임스페이스 안에서 MetalLB 의 controller 와 speaker 를 (이 머신에서 빌드한 이미지로) 실행합니다. IP 는 MetalLB 자신이 붙입니다. A 와 B 를 ${p.runs}번씩 번갈아, 매번 같은 초기 상태로 되돌린 뒤 (\`npm run bench -- --pods-sandbox 이름\`).`,
    '',
    '여기서는 대시보드 주소가 실제로 응답하므로 A 는 페이지의 "웹 브라우저로 접속" 단계 4개도 Chromium 으로 실행합니다. B 에는 브라우저가 없으니, 비율은 그 단계들을 뺀 A 의 시간(같은 일)으로 잽니다. 두 시간을 모두 보입니다.',
    '',
    ...table('| | 중앙값 | 최소 | 최대 |'),
    row('A `npm run runbook -- metallb` (브라우저 단계 포함)', p.a),
    row('A, 브라우저 단계를 뺀 시간 (B 와 같은 일)', comparable),
    row('B `bench/hand-written.sh`', p.b),
    '',
    `MetalLB 파드가 뜨기까지 kubelet 의 재시도 대기(10초)를 거친 실행: A ${hit(p.startDelays.a)}, B ${hit(p.startDelays.b)} (파드를 만든 때부터 컨테이너가 시작한 때까지 가장 긴 값, 실행마다 A: ${list(p.startDelays.a)} s; B: ${list(p.startDelays.b)} s; ${s(BACKOFF_MS, 0)} 이상을 재시도 대기로 봅니다). MetalLB v0.11.0 의 speaker 가 controller 가 만드는 \`memberlist\` 시크릿보다 먼저 뜨면 kubelet 이 \`secret "memberlist" not found\` 를 알리고 다시 시도하는데, 다른 변화가 kubelet 을 깨우지 않으면 10초 뒤입니다. 그런 실행은 누가 페이지를 실행하든 클러스터를 기다립니다.`,
    '',
    clean
      ? `runbook/hand-written median ratio (실제 파드, 같은 일, 재시도 대기가 없던 실행끼리: A ${clean.a}번 ${s(clean.aMs)}, B ${clean.b}번 ${s(clean.bMs)}): ${judged}; 모든 실행으로는 ${all.toFixed(2)}`
      : `runbook/hand-written median ratio (실제 파드, 같은 일; 한쪽에 재시도 대기가 없던 실행이 없어 모든 실행으로): ${judged}`,
    '',
    ...table('| A 의 부분 (중앙값) | 시간 |'),
    `| 실행 밖 (npm, Node 시작, 모듈 로드, 보고서) | ${s(median(p.split.outside))} |`,
    `| \`kubectl edit\` 4번 | ${s(median(p.split.edits))} |`,
    `| 나머지 명령 단계 (기다림 포함) | ${s(median(p.split.otherSteps))} |`,
    `| 브라우저 단계 4개 (B 에는 없음) | ${s(median(p.split.browser))} |`,
    `| 단계 사이 (이미지 준비 확인 포함) | ${s(median(p.split.between))} |`,
    '',
    sleepsLine(p.bSleeps),
    ...(latencies.length ? ['', detection] : []),
    '',
  ];
}

function renderVerify(v: VerifyFigures): string[] {
  const parts = (runs: VerifyFigures['growth'][number]['runs']) => ({
    up: sum(runs.map((r) => r.upMs)),
    실행: sum(runs.map((r) => r.runMs)),
    down: sum(runs.map((r) => r.downMs)),
  });
  const out = [
    '## `npm run verify`',
    '',
    '페이지·버전마다 새 kwok 샌드박스를 만들고(up), 런북을 실행하고(실행), 지웁니다(down). 보고서는 임시 폴더에 씁니다.',
    '',
    '### MetalLB 페이지의 버전 매트릭스',
    '',
    ...table('| 버전 | 전체 | up | 실행 | down |'),
    ...v.matrix.runs.map(
      (r) => `| ${r.kubernetes} | ${s(r.ms, 1)} | ${s(r.upMs, 1)} | ${s(r.runMs, 1)} | ${s(r.downMs, 1)} |`,
    ),
    '',
    `\`npm run verify -- --provider kwok --page metallb\` 전체: ${s(v.matrix.ms, 1)}`,
    '',
    '### 페이지 수에 따른 증가 (Kubernetes 1.37)',
    '',
    '두 번째부터는 같은 페이지의 임시 사본(자기 런북 이름, 커밋하지 않음)입니다.',
    '',
    ...table('| 페이지 | 전체 | 페이지당 | up 합 | 실행 합 | down 합 |'),
    ...v.growth.map((g) => {
      const p = parts(g.runs);
      return `| ${g.pages} | ${s(g.ms, 1)} | ${s(g.ms / g.pages, 1)} | ${s(p.up, 1)} | ${s(p.실행, 1)} | ${s(p.down, 1)} |`;
    }),
  ];
  const first = v.growth[0];
  const increments = v.growth.slice(1).map((g, i) => (g.ms - v.growth[i]!.ms) / (g.pages - v.growth[i]!.pages));
  if (first && increments.length > 0) {
    const perPage = sum(increments) / increments.length;
    const all = parts(v.growth.flatMap((g) => g.runs));
    const [top] = Object.entries(all).sort((a, b) => b[1] - a[1]);
    const largest = `가장 큰 몫은 ${top?.[0]} (${((100 * (top?.[1] ?? 0)) / (all.up + all.실행 + all.down)).toFixed(0)}%) 입니다.`;
    // Linear: every page added costs the same, within a fifth (a fixed cost once per verify is allowed).
    const linear = increments.every((d) => Math.abs(d - perPage) <= perPage * 0.2);
    const shown = increments.map((d) => s(d, 1)).join(', ');
    out.push(
      '',
      linear
        ? `페이지 하나를 더할 때마다 ${s(perPage, 1)} 늘어납니다 (늘어난 값: ${shown}): 페이지 수에 **선형**입니다. 한 번만 드는 비용 약 ${s(first.ms - perPage, 1)} 에 페이지마다 ${s(perPage, 1)} 가 더해집니다. 페이지마다 새 샌드박스를 만들기 때문이고, ${largest}`
        : `페이지 하나를 더할 때 늘어난 값이 ${shown} 로 고르지 않아 **선형이 아닙니다**. ${largest}`,
    );
  }
  out.push('');
  return out;
}
