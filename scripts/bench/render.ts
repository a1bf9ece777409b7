import type { PageBytes } from './site.ts';
import { median } from './latency.ts';

export interface Figures {
  date: string;
  machine: string;
  kubernetes: string;
  provider: string;
  runs: number;
  a: number[];
  b: number[];
  latency: Record<string, number[]>;
  /** Where A's wall time goes, per run (ms): outside the run (process start, module loading, report writing), fixtures, edit steps, other steps, in between steps. */
  split: { outside: number[]; fixtures: number[]; edits: number[]; otherSteps: number[]; between: number[] };
  dryRunNpm: number[];
  dryRunNode: number[];
  site: { buildMs: number; page: PageBytes; plain: PageBytes } | undefined;
}

const s = (ms: number, digits = 2) => `${(ms / 1000).toFixed(digits)} s`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const verdict = (ok: boolean) => (ok ? '달성' : '**미달**');

/** docs/benchmarks.md, written by `npm run bench` from what it measured (never by hand). */
export function renderBenchmarks(f: Figures): string {
  const ratio = median(f.a) / median(f.b);
  const latencies = Object.values(f.latency).flat();
  const out: string[] = [];
  out.push('# 벤치마크', '', `> 이 파일은 \`npm run bench\` 가 측정한 값으로 만든 것입니다. 손으로 고치지 마세요.`, '');
  out.push(`- 측정: ${f.date}`, `- 기계: ${f.machine}`, `- 클러스터: ${f.provider} 샌드박스, Kubernetes ${f.kubernetes}`, `- 명령: \`npm run bench -- --runs ${f.runs}\` (A 와 B 를 ${f.runs}번씩 번갈아, 매번 같은 초기 상태로 되돌린 뒤)`, '');
  out.push('## A/B: 런북 대 손으로 쓴 스크립트', '', '| | 중앙값 | 최소 | 최대 |', '|---|---|---|---|');
  out.push(`| A \`npm run runbook -- metallb\` (모든 자동 단계, 보고서 작성) | ${s(median(f.a))} | ${s(Math.min(...f.a))} | ${s(Math.max(...f.a))} |`);
  out.push(`| B \`bench/hand-written.sh\` (kubectl wait + 1초 폴링) | ${s(median(f.b))} | ${s(Math.min(...f.b))} | ${s(Math.max(...f.b))} |`);
  out.push('', `runbook/hand-written median ratio: **${ratio.toFixed(2)}** (목표 ≤ 1.10: ${verdict(ratio <= 1.1)})`, '');
  out.push('### A 의 시간은 어디에 쓰이나 (중앙값)', '', '| 부분 | 시간 |', '|---|---|');
  out.push(`| 실행 밖: npm, Node 시작, 모듈 로드(API 클라이언트 포함), 페이지 읽기·바인딩, 보고서·JUnit 쓰기 | ${s(median(f.split.outside))} |`);
  out.push(`| 준비 단계: 대역 서비스 확인 4개 (API 읽기) | ${s(median(f.split.fixtures))} |`);
  out.push(`| \`kubectl edit\` 4번 (KUBE_EDITOR 로 Node 편집기 실행; B 는 sed) | ${s(median(f.split.edits))} |`);
  out.push(`| 나머지 명령 단계 (kubectl, 비교, strictARP 재확인, 기다림) | ${s(median(f.split.otherSteps))} |`);
  out.push(`| 단계 사이 (API 서버 버전·노드 수·구성 요소 버전 읽기, 진행 줄) | ${s(median(f.split.between))} |`);
  const gap = median(f.a) - median(f.b);
  out.push('', `A 가 B 보다 ${s(gap)} 더 걸립니다. B 에는 실행 밖 시간(프로세스 하나, 모듈 없음)과 비교·확인이 없으므로, 차이의 대부분은 위 표의 "실행 밖" 과 편집기 시작 시간입니다. 명령 단계 자체는 같은 kubectl 명령이라 B 와 거의 같습니다.`, '');
  out.push('## 준비 완료 감지 지연', '', '조건이 참이 된 때(단계 시작 전에 연 watch 가 처음 본 이벤트)부터 러너가 그 단계를 통과시킨 때까지.', '', '| 단계 | 중앙값 | 표본 |', '|---|---|---|');
  for (const [step, values] of Object.entries(f.latency)) out.push(`| ${step} | ${s(median(values), 3)} | ${values.length} |`);
  out.push('', `전체 중앙값: **${s(median(latencies), 3)}** (목표 ≤ 0.5 s: ${verdict(median(latencies) <= 500)})`, '');
  out.push('## 시작 시간', '', `- \`npm run runbook -- metallb --dry-run\`: 중앙값 **${s(median(f.dryRunNpm))}** (5회; 목표 ≤ 1.5 s: ${verdict(median(f.dryRunNpm) <= 1500)})`, `- \`node scripts/runbook.ts metallb --dry-run\` (npm 없이): 중앙값 ${s(median(f.dryRunNode))}`, '');
  if (f.site) {
    const extra = f.site.page.jsGzip - f.site.plain.jsGzip;
    out.push('## 사이트', '', `- \`npm run build\`: ${s(f.site.buildMs, 1)}`, '', '| 페이지 | JS (raw) | JS (gzip) | CSS (raw) | CSS (gzip) |', '|---|---|---|---|---|');
    for (const [name, p] of [['MetalLB 페이지', f.site.page], ['기본 Starlight 페이지 (index)', f.site.plain]] as const) out.push(`| ${name} \`${p.html}\` | ${kb(p.jsRaw)} | ${kb(p.jsGzip)} | ${kb(p.cssRaw)} | ${kb(p.cssGzip)} |`);
    out.push('', `MetalLB 페이지가 더 싣는 JS: **${(extra / 1024).toFixed(2)} KB gzip** (목표 ≤ 5 KB: ${verdict(extra <= 5 * 1024)})`, '');
  }
  return `${out.join('\n')}\n`;
}
