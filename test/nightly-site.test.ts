/**
 * The nightly site shows only tonight's results (issue 12): with NIGHTLY_RUN_URL set, a declared
 * version without a report of that run is "오늘 밤 검증 실패" (its leg ended badly) or "오늘 밤 검증 없음"
 * with a link to the run, never an older committed result; a report of another run, or the
 * committed reports/ folder, stops the build.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { legFile, loadVerification } from '../src/lib/verification/reports.ts';
import { NO_REPORT, TONIGHT_LABEL } from '../src/lib/verification/labels.ts';
import { all, attr, first, textOf } from './helpers/html.ts';
import { buildSite, readBuilt, ROOT } from './helpers/site-build.ts';

const RUN = 'https://github.com/example/verified-docs/actions/runs/123456';
const PAGE_FILE = 'src/content/docs/appendix/metallb.md';

/** A fresh reports folder under test-results/ with the given files. */
function folder(name: string, files: Record<string, unknown>): string {
  const dir = path.join(ROOT, 'test-results', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), JSON.stringify(content));
  }
  return dir;
}

/** The committed 1.37 report, as if tonight's run (or another) had written it. */
function reportFrom(ci: string | undefined): unknown {
  const report = JSON.parse(readFileSync(path.join(ROOT, 'reports/metallb/kubernetes-1.37.json'), 'utf8')) as { source: Record<string, unknown> };
  return { ...report, source: { ...report.source, ...(ci ? { ci } : {}) } };
}

const versions = async (reportsDir: string, nightly?: string) =>
  (await loadVerification({ root: ROOT, reportsDir, ...(nightly ? { nightly } : {}) })).forPage(PAGE_FILE)?.versions ?? [];

describe('nightly verification data', () => {
  it('a version whose leg failed is "failed", one with nothing is "none", each with the run', async () => {
    const dir = folder('nightly-absent', { 'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: 'failure' } });
    const [v137, v124] = await versions(dir, RUN);
    expect(v137).toMatchObject({ minor: '1.37', report: undefined, absence: { kind: 'failed', run: RUN } });
    expect(v124).toMatchObject({ minor: '1.24', report: undefined, absence: { kind: 'none', run: RUN } });
  });

  it('a cancelled leg is a failure too; a leg that succeeded but sent no report for this page is "none"', async () => {
    const dir = folder('nightly-cancelled', {
      'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: 'cancelled' },
      'leg-kubernetes-1.24.json': { kubernetes: '1.24', status: 'success' },
    });
    expect((await versions(dir, RUN)).map((v) => v.absence?.kind)).toEqual(['failed', 'none']);
  });

  it("tonight's report is shown with its verdict and no absence", async () => {
    const dir = folder('nightly-present', { 'metallb/kubernetes-1.37.json': reportFrom(RUN) });
    const [v137] = await versions(dir, RUN);
    expect(v137?.report?.source.ci).toBe(RUN);
    expect(v137?.verdict).toBeDefined();
    expect(v137?.absence).toBeUndefined();
  });

  it('a report from another run in tonight\'s folder stops the build', async () => {
    const dir = folder('nightly-old', { 'metallb/kubernetes-1.37.json': reportFrom('https://github.com/example/verified-docs/actions/runs/1') });
    await expect(versions(dir, RUN)).rejects.toThrow(/이번 nightly 실행\(.*runs\/123456\)이 아니라 .*runs\/1 에서 만든 것입니다/);
    const local = folder('nightly-local', { 'metallb/kubernetes-1.37.json': reportFrom(undefined) });
    await expect(versions(local, RUN)).rejects.toThrow('CI 밖 에서 만든 것입니다');
  });

  it('a nightly build never reads the committed reports/ folder', async () => {
    await expect(versions(path.join(ROOT, 'reports'), RUN)).rejects.toThrow('커밋된 보고서 폴더 reports/ 를 읽으려 합니다');
  });

  it('without NIGHTLY_RUN_URL nothing changes: a missing version has no absence, and committed reports are read', async () => {
    const dir = folder('nightly-off', { 'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: 'failure' } });
    expect((await versions(dir)).map((v) => v.absence)).toEqual([undefined, undefined]);
    expect((await versions(path.join(ROOT, 'reports')))[0]?.report).toBeDefined();
  });

  it('legFile is the name the workflow writes', () => {
    expect(path.relative(ROOT, legFile(path.join(ROOT, 'tonight'), '1.24'))).toBe('tonight/leg-kubernetes-1.24.json');
  });
});

describe('the nightly site after a bad night', () => {
  it('says "오늘 밤 검증 실패" / "오늘 밤 검증 없음" with the run link, and shows no old mark', async () => {
    // 1.37 (the page's primary version): its leg failed before any report; 1.24: nothing arrived.
    const dir = folder('nightly-site-reports', { 'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: 'failure' } });
    const build = await buildSite({ outDir: 'test-results/site-nightly', env: { REPORTS_DIR: dir, NIGHTLY_RUN_URL: RUN }, inputs: [dir] });
    expect(build.exitCode, build.log).toBe(0);

    const html = readBuilt(build, 'appendix/metallb/index.html');
    const badge = first(html, 'section.vbadge');
    expect(attr(badge, 'data-status')).toBe('failed');
    expect(attr(badge, 'data-tonight')).toBe('failed');
    expect(textOf(badge)).toContain(`Kubernetes 1.37: ${TONIGHT_LABEL.failed}`);
    expect(textOf(badge)).toContain(`Kubernetes 1.24: ${TONIGHT_LABEL.none}`);
    expect(textOf(badge)).not.toContain(NO_REPORT);
    expect(attr(first(badge, 'a.vbadge-run'), 'href')).toBe(RUN);
    expect(all(html, '.step-mark'), 'no block shows an older result').toEqual([]);

    const matrix = readBuilt(build, 'verification/index.html');
    const row = (runbook: string) => all(matrix, `tr[data-runbook="${runbook}"] td[data-tonight]`).map((td) => [attr(td, 'data-minor'), attr(td, 'data-tonight'), textOf(td)]);
    expect(row('metallb')).toEqual([
      ['1.37', 'failed', `${TONIGHT_LABEL.failed} (기본)`],
      ['1.24', 'none', TONIGHT_LABEL.none],
    ]);
    // The 1.37 leg failed for every page it verifies: the second page says so too, never an older result.
    expect(row('metallb-v0-16')).toEqual([['1.37', 'failed', `${TONIGHT_LABEL.failed} (기본)`]]);
    expect(all(matrix, `a[href="${RUN}"]`)).toHaveLength(1);

    const details = readBuilt(build, 'verification/metallb/1.24/index.html');
    expect(textOf(first(details, '.vrun-missing'))).toContain(TONIGHT_LABEL.none);
    expect(attr(first(details, '.vrun-missing a'), 'href')).toBe(RUN);
  }, 600_000);
});
