import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPage } from '../scripts/model/page.ts';
import { renderBenchmarks, type Figures } from '../scripts/bench/render.ts';
import { median } from '../scripts/bench/latency.ts';

const page = readPage('src/content/docs/appendix/metallb.md');
const code = (id: string) => page.blocks.find((b) => b.id === id)?.code ?? '';
const script = fs.readFileSync('bench/hand-written.sh', 'utf8');

describe('baseline B does the page\'s work', () => {
  it.each(['strict-arp/check', 'strict-arp/apply', 'install/get-pods', 'config/file'])('holds block %s verbatim', (id) => {
    expect(script).toContain(code(id));
  });

  it('applies the same manifests, edits the same services and waits for the same IPs', () => {
    for (const url of code('install/apply').match(/https:\/\/\S+/g) ?? []) expect(script).toContain(url.replace('https://raw.githubusercontent.com', '$BASE'));
    for (const [section, ip] of [['istio', '100'], ['minio', '101'], ['mlflow', '102'], ['grafana', '103']] as const) {
      const [, name, ns] = /svc\/(\S+) -n (\S+)/.exec(code(`${section}/edit`)) ?? [];
      expect(script).toContain(`expose ${ns} ${name} 192.168.35.${ip}`);
    }
    expect(script).toContain('kubectl edit "svc/$2" -n "$1"');
  });
});

const figures = (a: number[], b: number[], latency: number[]): Figures => ({
  date: '2026-11-27T00:00:00.000Z', machine: 'test', kubernetes: 'v1.37.0', provider: 'kwok', runs: a.length, a, b,
  latency: { 'istio/get-after': latency },
  split: { outside: [1000], fixtures: [90], edits: [1100], otherSteps: [1900], between: [90] },
  edit: { command: 'kubectl edit svc/x -n y', runner: [150, 160, 170], sed: [120, 130, 140] },
  dryRunNpm: [600], dryRunNode: [500], site: undefined,
});

describe('docs/benchmarks.md', () => {
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
    expect(text).toContain('(목표 ≤ 0.3 s: **미달**) | 1.00 s |');
    expect(text).toContain('러너의 편집기가 더 쓰는 시간: **30 ms** (목표 ≤ 50 ms: 달성)');
  });

  it.each([[[1, 2, 3], 2], [[4, 1, 3, 2], 2.5], [[], Number.NaN]])('median of %j is %d', (values, m) => {
    expect(median(values)).toBe(m);
  });
});
