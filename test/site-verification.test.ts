/**
 * The site rebuilt from FRESH reports of real runs (test/helpers/fresh-reports.ts): one passing run
 * of the whole runbook and one run that really fails on the real page, both on Kubernetes 1.37,
 * each built as the 1.37 report. The badge, every block's mark and every figure's mark must match
 * the report step by step; a failed mark shows expected versus actual in a <details>; the copy
 * button still copies exactly the command. Also: a block edited after the run is marked stale, and
 * a report under another version's name stops the build.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import metallb from '../runbooks/metallb.ts';
import { codeFingerprint } from '../scripts/model/fingerprint.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { readPage } from '../scripts/model/page.ts';
import type { RunReport } from '../scripts/model/report.ts';
import { verdict } from '../scripts/model/verdict.ts';
import {
  kst,
  NO_REPORT,
  PROVIDER_LABEL,
  RUN_LABEL,
  simulationSummary,
  STEP_LABEL,
} from '../src/lib/verification/labels.ts';
import { buildFromReports, downSandbox, freshReports, type FreshReports } from './helpers/fresh-reports.ts';
import { all, attr, blockMarks, figureMarks, first, renderedBlocks, textOf } from './helpers/html.ts';
import { buildSite, readBuilt, ROOT, type SiteBuild } from './helpers/site-build.ts';

const PAGE_FILE = 'src/content/docs/appendix/metallb.md';
const PAGE = 'appendix/metallb/index.html';
const page = readPage(PAGE_FILE, ROOT);
const trimLineEnds = (text: string): string => text.replace(/[ \t]+$/gm, '');

let fresh: FreshReports;
const builds = new Map<'passing' | 'failing', SiteBuild>();
const built = (name: 'passing' | 'failing'): SiteBuild => builds.get(name)!;

beforeAll(async () => {
  fresh = await freshReports();
  const [passing, failing] = await Promise.all([
    buildFromReports('passing', fresh.pass),
    buildFromReports('failing', fresh.fail),
  ]);
  builds.set('passing', passing).set('failing', failing);
  for (const b of builds.values()) expect(b.exitCode, `astro build failed:\n${b.log}`).toBe(0);
}, 60 * 60_000);

afterAll(() => downSandbox(), 120_000);

const badgeOf = (html: string) => first(html, 'section.vbadge');

describe('the fresh reports come from real runs on the site-e2e sandbox', () => {
  it('passing: the whole runbook passed on kwok, Kubernetes 1.37, just now', () => {
    expect(fresh.passed).toMatchObject({
      status: 'passed',
      provider: 'kwok',
      context: 'kwok-site-e2e',
      page: PAGE_FILE,
      components: { MetalLB: 'v0.11.0' },
    });
    expect(fresh.passed.kubernetes).toMatch(/^v1\.37\./);
    expect(Date.now() - Date.parse(fresh.passed.finishedAt)).toBeLessThan(3 * 3600_000);
  });

  it('failing: only istio/get-after ran, and it failed with expected versus actual', () => {
    const failed = fresh.failed.steps.filter((s) => s.status === 'failed');
    expect(fresh.failed.status).toBe('failed');
    expect(failed.map((s) => s.id)).toEqual(['istio/get-after']);
    expect(failed[0]?.actual).toMatch(/ClusterIP/);
    expect(failed[0]?.expected).toMatch(/LoadBalancer/);
  });
});

describe.each(['passing', 'failing'] as const)('the %s build', (name) => {
  const report = (): RunReport => (name === 'passing' ? fresh.passed : fresh.failed);
  const html = () => readBuilt(built(name), PAGE);
  const stepOf = (id: string) => report().steps.find((s) => s.id === id);
  /** What the site must show: the one verdict on this report (never the report's own status). */
  const judged = () => verdict({ report: report(), binding: bind(metallb, page), code: codeFingerprint(ROOT) });
  const markOf = (id: string) => judged().steps.get(id)!.status;

  it('shows the badge of the report: result, date (KST), provider, versions, simulation, fixtures, the other version', () => {
    const badge = badgeOf(html());
    const text = textOf(badge);
    const r = report();
    const v = judged();
    expect(v.status).toBe(name === 'passing' ? 'passed' : 'failed');
    expect(attr(badge, 'data-status')).toBe(v.status);
    expect(text).toContain(`검증 ${RUN_LABEL[v.status]}`);
    if (name === 'passing') {
      // The four "before" tables compare stand-ins built from the page; the two strictARP steps read and change the ConfigMap kwok seeded.
      expect(v.counts.standin).toBe(6);
      expect(text).toContain('대역으로 확인 6');
      expect(text).toContain('대역으로 확인한 단계 (6개): 통과로 세지 않습니다');
    }
    expect(text).toContain(kst(r.finishedAt));
    expect(text).toContain(`Kubernetes ${r.kubernetes}`);
    expect(text).toContain(`${PROVIDER_LABEL.kwok} (kwok-site-e2e)`);
    for (const [component, version] of Object.entries(r.components)) expect(text).toContain(`${component} ${version}`);
    expect(text).toContain(simulationSummary(r));
    for (const item of [...(r.simulation?.simulated ?? []), ...(r.simulation?.real ?? [])])
      expect(text).toContain(item);
    const fixtures = r.steps.filter((s) => s.kind === 'fixture');
    expect(fixtures).toHaveLength(4);
    expect(text).toContain('준비 단계');
    for (const f of fixtures) expect(textOf(first(badge, `li[data-step-id="${f.id}"]`))).toBe(f.title);
    const other = first(badge, 'a[data-minor="1.24"]');
    expect([attr(other, 'href'), textOf(other)]).toEqual([
      '/verification/metallb/1.24/',
      `Kubernetes 1.24: ${NO_REPORT}`,
    ]);
  });

  it('marks every block with the status of its step, in page order', () => {
    const marks = blockMarks(html());
    expect(marks.map((m) => m.element)).toEqual(page.blocks.map((b) => b.id));
    for (const block of page.blocks) {
      const mark = marks.find((m) => m.element === block.id)!;
      const stepId = block.of ?? block.id;
      expect({ block: block.id, stepFor: mark.stepFor, status: mark.status, label: mark.summary }).toEqual({
        block: block.id,
        stepFor: stepId,
        status: markOf(stepId),
        label: expect.stringContaining(STEP_LABEL[markOf(stepId)]),
      });
    }
  });

  it('marks every screenshot figure with its manual step and the reason', () => {
    const marks = figureMarks(html());
    expect(marks.map((m) => m.element)).toEqual(page.anchors.map((a) => a.id));
    for (const mark of marks) {
      const step = stepOf(mark.element!)!;
      expect(mark.status).toBe(step.status);
      expect(mark.text).toContain(step.reason);
    }
  });

  it('leaves the copy button and the shown code exactly the command', () => {
    const rendered = renderedBlocks(html());
    expect(rendered.map((b) => b.copyText)).toEqual(page.blocks.map((b) => trimLineEnds(b.code)));
    expect(rendered.map((b) => b.shownText)).toEqual(page.blocks.map((b) => trimLineEnds(b.code)));
  });

  it('lists every step on the details page with its status, and links it from the 검증 현황 table', () => {
    const details = readBuilt(built(name), 'verification/metallb/1.37/index.html');
    const steps = all(details, 'li.vstep').map((li) => [attr(li, 'data-step-id'), attr(li, 'data-status')]);
    expect(steps).toEqual(report().steps.map((s) => [s.id, markOf(s.id)]));
    const index = readBuilt(built(name), 'verification/index.html');
    const cell = first(index, 'td[data-minor="1.37"]');
    expect([attr(cell, 'data-status'), attr(first(cell, 'a'), 'href')]).toEqual([
      judged().status,
      '/verification/metallb/1.37/',
    ]);
    expect(textOf(first(index, 'td[data-minor="1.24"]'))).toBe(NO_REPORT);
  });
});

describe('the failed step', () => {
  it('shows 실패 on its command and output, and expected versus actual in a <details> under the output', () => {
    const marks = blockMarks(readBuilt(built('failing'), PAGE));
    const step = fresh.failed.steps.find((s) => s.id === 'istio/get-after')!;
    const [command, output] = ['istio/get-after', 'istio/get-after-output'].map((id) =>
      marks.find((m) => m.element === id)!,
    );
    expect([command?.status, command?.tag]).toEqual(['failed', 'div']);
    expect([output?.status, output?.tag]).toEqual(['failed', 'details']);
    expect(output?.summary).toContain('실패');
    expect(output?.outputs).toEqual([
      ['기대한 출력 (페이지)', step.expected],
      ['실제 출력 (클러스터)', step.actual],
    ]);
    for (const problem of step.problems) expect(output?.text).toContain(problem);
  });

  it('is listed with its diagnostics on the details page', () => {
    const details = readBuilt(built('failing'), 'verification/metallb/1.37/index.html');
    const item = first(details, 'li#step-istio-get-after');
    expect(textOf(item)).toContain('진단: 다음으로 살펴볼 것');
    expect(textOf(item)).toContain('kubectl describe svc/istio-ingressgateway');
  });
});

describe('when the page and the reports disagree', () => {
  const scratch = 'test-results/site-verified-stale';
  afterAll(() => {
    for (const dir of [scratch, 'test-results/reports-renamed', 'test-results/reports-empty'])
      rmSync(path.join(ROOT, dir), { recursive: true, force: true });
  });

  it('marks the blocks of a step whose command changed after the run as not verified yet', async () => {
    const root = path.join(ROOT, scratch);
    rmSync(root, { recursive: true, force: true });
    // The code the report's fingerprint covers (scripts/, go/, the lockfile) comes along: only the page differs.
    for (const entry of ['astro.config.mjs', 'src', 'public', 'scripts', 'runbooks', 'go', 'package-lock.json'])
      cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
    const file = path.join(root, PAGE_FILE);
    const source = readPage(PAGE_FILE, ROOT);
    const check = source.blocks.find((b) => b.id === 'strict-arp/check')!;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(check.code, check.code.replace('grep strictARP', 'grep -n strictARP')));

    const stale = await buildSite({
      root: scratch,
      outDir: `${scratch}/dist`,
      env: { REPORTS_DIR: fresh.pass },
      inputs: [fresh.pass],
    });
    expect(stale.exitCode, stale.log).toBe(0);
    const marks = blockMarks(readBuilt(stale, PAGE));
    const status = (id: string) => marks.find((m) => m.element === id)?.status;
    // strict-arp/apply is unchanged: still the stand-in it was (it changes the ConfigMap kwok seeded).
    expect([status('strict-arp/check'), status('strict-arp/check-output'), status('strict-arp/apply')]).toEqual([
      'stale',
      'stale',
      'standin',
    ]);
    expect(marks.find((m) => m.element === 'strict-arp/check')?.summary).toContain('바뀐 뒤 아직 검증되지 않음');
    const badge = badgeOf(readBuilt(stale, PAGE));
    expect(attr(badge, 'data-status'), 'a changed page never shows 통과').toBe('stale');
    expect(textOf(badge)).toContain('strict-arp/check 가 읽은 블록 strict-arp/check 가 바뀌었습니다.');
  }, 300_000);

  it('without any report: the badge says there is no record yet, and no block or figure has a mark', async () => {
    const empty = path.join(ROOT, 'test-results/reports-empty');
    mkdirSync(empty, { recursive: true });
    const none = await buildSite({
      outDir: 'test-results/site-verified-none',
      env: { REPORTS_DIR: empty },
      inputs: [empty],
    });
    expect(none.exitCode, none.log).toBe(0);
    const html = readBuilt(none, PAGE);
    expect(textOf(badgeOf(html))).toContain(`Kubernetes 1.37: ${NO_REPORT}`);
    expect(attr(badgeOf(html), 'data-status')).toBe('none');
    expect([blockMarks(html), figureMarks(html)]).toEqual([[], []]);
    expect(all(html, '.step-mark')).toEqual([]);
  }, 300_000);

  it('stops the build, naming the file, when a 1.37 run is put under the 1.24 name', async () => {
    const dir = path.join(ROOT, 'test-results/reports-renamed');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'metallb'), { recursive: true });
    cpSync(path.join(fresh.pass, 'metallb/kubernetes-1.37.json'), path.join(dir, 'metallb/kubernetes-1.24.json'));
    const renamed = await buildSite({
      outDir: 'test-results/site-verified-renamed',
      env: { REPORTS_DIR: dir },
      inputs: [dir],
    });
    expect(renamed.exitCode).not.toBe(0);
    expect(renamed.log).toContain(
      'metallb/kubernetes-1.24.json 는 Kubernetes v1.37.0 에서 실행한 결과인데 파일 이름은 1.24 입니다.',
    );
  }, 300_000);
});
