/**
 * The English MetalLB page is a translation: it shares the Korean page's runs, and the verdict judges
 * those runs against the English page's own blocks. A command or output that differs from the one a
 * run checked is stale there, never ✓, while the Korean page keeps its marks. No cluster, no build:
 * a scratch project with the real pages and runbook, and a report made here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import metallb from '../runbooks/metallb.ts';
import { fingerprint } from '../scripts/model/fingerprint.ts';
import { readPage } from '../scripts/model/page.ts';
import { verifiedPages } from '../scripts/model/pages.ts';
import type { MarkStatus } from '../scripts/model/verdict.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { toHtml } from '@astrojs/starlight/expressive-code/hast';
import { countsLine, wordsFor } from '../src/lib/verification/labels.ts';
import { markElement } from '../src/lib/verification/mark-element.ts';
import { loadVerification } from '../src/lib/verification/reports.ts';
import { pageCopy } from './helpers/page-copy.ts';
import { passingReport } from './helpers/reports.ts';

const KO = 'src/content/docs/appendix/metallb.md';
const EN = 'src/content/docs/en/appendix/metallb.md';
const RUNNER_FILE = '// runner\n';
const report = passingReport(bind(metallb, readPage(KO)), { 'scripts/runbook.ts': fingerprint(RUNNER_FILE) });

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A scratch project: the Korean page, the English page (or a copy made by `english`), the real runbook, one passing report. */
function project(english: (dir: string) => void = (dir) => fs.copyFileSync(EN, path.join(dir, 'metallb.md'))): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'translation-'));
  roots.push(root);
  for (const dir of [
    'src/content/docs/appendix',
    'src/content/docs/en/appendix',
    'scripts',
    'runbooks',
    'reports/metallb',
  ])
    fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.copyFileSync(KO, path.join(root, KO));
  english(path.join(root, 'src/content/docs/en/appendix'));
  fs.writeFileSync(path.join(root, 'scripts/runbook.ts'), RUNNER_FILE);
  fs.writeFileSync(
    path.join(root, 'runbooks/metallb.ts'),
    `export { default } from ${JSON.stringify(path.resolve('runbooks/metallb.ts'))};\n`,
  );
  fs.writeFileSync(path.join(root, 'reports/metallb/kubernetes-1.37.json'), JSON.stringify(report));
  return root;
}

async function marksOf(
  root: string,
  file: string,
): Promise<{ status: string | undefined; blocks: Map<string, MarkStatus>; figures: Map<string, MarkStatus> }> {
  const found = (await loadVerification({ root, reportsDir: 'reports' })).forPage(file);
  const v = found?.versions[0]?.verdict;
  if (!v) throw new Error(`${file}: no verdict`);
  const statuses = (m: Map<string, { status: MarkStatus }>) => new Map([...m].map(([id, mark]) => [id, mark.status]));
  return { status: v.status, blocks: statuses(v.blocks), figures: statuses(v.figures) };
}

describe('the English MetalLB page', () => {
  it('has every fenced block of the Korean page, byte for byte, in the same order', () => {
    const blocks = (file: string) => readPage(file).blocks.map((b) => [b.id, b.lang, b.code]);
    expect(blocks(EN)).toEqual(blocks(KO));
    expect(readPage(EN).anchors.map((a) => [a.id, a.links])).toEqual(readPage(KO).anchors.map((a) => [a.id, a.links]));
  });

  it('is a translation of the Korean page: one runbook, one page to verify', () => {
    const pages = verifiedPages(process.cwd()).filter((p) => p.runbook === 'metallb');
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({
      file: KO,
      translations: [{ file: EN, locale: 'en', slug: 'en/appendix/metallb' }],
    });
  });

  it("shows the Korean page's marks from the same report (translated captions are not a change)", async () => {
    const root = project();
    const ko = await marksOf(root, KO);
    const en = await marksOf(root, EN);
    expect(ko.status).toBe('passed');
    expect(en).toEqual(ko);
    expect(en.figures.get('istio/browser')).toBe('manual');
    const v = await loadVerification({ root, reportsDir: 'reports' });
    expect(v.pages.map((p) => p.page.file)).toEqual([KO]);
    expect(
      v.translations.map((t) => [t.page.file, t.page.runbook, t.translation?.of.file, t.translation?.locale]),
    ).toEqual([[EN, 'metallb', KO, 'en']]);
  });

  it('a changed command or output on the English page is stale there, not ✓; the Korean page keeps its ✓', async () => {
    const root = project((dir) =>
      pageCopy(EN, dir, 'metallb.md', (source) =>
        source
          .replace('grep strictARP\n', 'grep -i strictarp\n')
          .replace('LoadBalancer   10.103.72.5   192.168.35.100', 'LoadBalancer   10.103.72.5   192.168.35.200'),
      ),
    );
    const en = await marksOf(root, EN);
    expect(en.status).toBe('stale');
    expect(en.blocks.get('strict-arp/check')).toBe('stale');
    expect(en.blocks.get('strict-arp/check-output')).toBe('stale');
    expect(en.blocks.get('istio/get-after')).toBe('stale');
    expect(en.blocks.get('istio/get-after-output')).toBe('stale');
    expect(en.blocks.get('config/apply')).toBe('passed');
    const ko = await marksOf(root, KO);
    expect(ko.status).toBe('passed');
    expect(ko.blocks.get('strict-arp/check')).toBe('passed');
  });

  it('its marks speak English; the Korean page keeps its Korean words', async () => {
    const v = await loadVerification({ root: project(), reportsDir: 'reports' });
    const [en, ko] = [v.forPage(EN)!, v.forPage(KO)!];
    const words = wordsFor(en.translation?.locale);
    const mark = (found: typeof en, w = wordsFor(found.translation?.locale)) =>
      toHtml(
        markElement(
          found.versions[0]!.verdict!.blocks.get('strict-arp/check-output')!,
          '/verification/metallb/1.37/',
          w,
        ),
      );
    expect(mark(en)).toContain(
      '<span class="sr-only">Verification: </span><span class="step-mark-label">Passed</span>',
    );
    expect(mark(ko)).toContain('<span class="sr-only">검증 결과: </span><span class="step-mark-label">통과</span>');
    expect(countsLine(en.versions[0]!.verdict!.counts, words)).toMatch(
      /^Passed \d+ · File written 1 · Check by hand 4$/,
    );
  });

  it('a changed address in a figure is stale there; its caption is the translator’s', async () => {
    const root = project((dir) =>
      pageCopy(EN, dir, 'metallb.md', (source) =>
        source.replace(
          '[http://192.168.35.101:9000](http://192.168.35.101:9000)',
          '[http://192.168.35.111:9000](http://192.168.35.111:9000)',
        ),
      ),
    );
    const en = await marksOf(root, EN);
    expect(en.figures.get('minio/browser')).toBe('stale');
    expect(en.figures.get('istio/browser')).toBe('manual');
  });

  it.each([
    [
      'other versions',
      'src/content/docs/en/appendix/metallb.md',
      (s: string) => s.replace('kubernetes: ["1.37", "1.24"]', 'kubernetes: ["1.37"]'),
      /번역의 runbook\.kubernetes \(1\.37\) 가 원문 .*appendix\/metallb\.md 의 것 \(1\.37, 1\.24\) 과 다릅니다/,
    ],
    [
      'another path',
      'src/content/docs/en/guide/metallb.md',
      (s: string) => s,
      /en\/guide\/metallb\.md: 런북 "metallb" 을 .*appendix\/metallb\.md 도 선언합니다/,
    ],
  ])('a second page declaring the runbook at %s stops with both files named', (_case, file, mutate, message) => {
    const root = project(() => undefined);
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    pageCopy(EN, path.dirname(path.join(root, file)), path.basename(file), (s) => mutate(s) + '\n');
    expect(() => verifiedPages(root)).toThrow(message);
  });
});
