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
