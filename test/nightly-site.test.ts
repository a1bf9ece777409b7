/**
 * The nightly site shows only tonight's results (issue 12): with NIGHTLY_RUN_URL set, a declared
 * version without a report of that run is "오늘 밤 검증 실패" (its leg ended badly) or "오늘 밤 검증 없음"
 * with a link to the run, never an older committed result; a report of another run, or the
 * committed reports/ folder, stops the build.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { legFile, loadVerification, runOf, SETUP_FAILED } from '../src/lib/verification/reports.ts';
import { kstDate, LAST_RESULT, NO_REPORT, resultLine, TONIGHT_LABEL } from '../src/lib/verification/labels.ts';
import { readReport } from '../scripts/model/report.ts';
import { all, attr, first, textOf } from './helpers/html.ts';
import { buildSite, readBuilt, ROOT } from './helpers/site-build.ts';

const RUN = 'https://github.com/example/verified-docs/actions/runs/123456';
/** The same run as NIGHTLY_RUN_URL names it: the attempt that built the site. */
const ATTEMPT = (n: number) => `${RUN}/attempts/${n}`;
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
  const report = JSON.parse(readFileSync(path.join(ROOT, 'reports/metallb/kubernetes-1.37.json'), 'utf8')) as {
    source: Record<string, unknown>;
  };
  return { ...report, source: { ...report.source, ...(ci ? { ci } : {}) } };
}

const versions = async (reportsDir: string, nightly?: string) =>
  (await loadVerification({ root: ROOT, reportsDir, ...(nightly ? { nightly } : {}) })).forPage(PAGE_FILE)?.versions ??
  [];

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

  it("a report from another run in tonight's folder stops the build", async () => {
    const dir = folder('nightly-old', {
      'metallb/kubernetes-1.37.json': reportFrom('https://github.com/example/verified-docs/actions/runs/1'),
    });
    await expect(versions(dir, RUN)).rejects.toThrow(
      /이번 nightly 실행\(.*runs\/123456\)이 아니라 .*runs\/1 에서 만든 것입니다/,
    );
    const local = folder('nightly-local', { 'metallb/kubernetes-1.37.json': reportFrom(undefined) });
    await expect(versions(local, RUN)).rejects.toThrow('CI 밖 에서 만든 것입니다');
  });

  it('a nightly build never reads the committed reports/ folder', async () => {
    await expect(versions(path.join(ROOT, 'reports'), RUN)).rejects.toThrow(
      '커밋된 보고서 폴더 reports/ 를 읽으려 합니다',
    );
  });

  it('without NIGHTLY_RUN_URL nothing changes: a missing version has no absence, and committed reports are read', async () => {
    const dir = folder('nightly-off', { 'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: 'failure' } });
    expect((await versions(dir)).map((v) => v.absence)).toEqual([undefined, undefined]);
    expect((await versions(path.join(ROOT, 'reports')))[0]?.report).toBeDefined();
  });

  it('a leg whose setup failed is "setup", never "failed", with the committed report as the last result', async () => {
    const dir = folder('nightly-setup', {
      'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: SETUP_FAILED, verify: 'skipped' },
      'leg-kubernetes-1.24.json': { kubernetes: '1.24', status: 'failure', verify: 'failure' },
    });
    const [v137, v124] = await versions(dir, ATTEMPT(1));
    expect(v137).toMatchObject({
      minor: '1.37',
      report: undefined,
      verdict: undefined,
      absence: { kind: 'setup', run: ATTEMPT(1), last: { file: 'reports/metallb/kubernetes-1.37.json' } },
    });
    // The committed report, judged now; never tonight's report, so no marks come from it.
    const committed = readReport(path.join(ROOT, 'reports/metallb/kubernetes-1.37.json'));
    expect(v137?.absence?.last?.report.finishedAt).toBe(committed.finishedAt);
    expect(v137?.absence?.last?.verdict.status).toBeDefined();
    // A leg whose verification ran and failed keeps no older result.
    expect(v124?.absence).toEqual({ kind: 'failed', run: ATTEMPT(1) });
    // The line the matrix and the badge show says both, the last result labelled as not tonight's.
    const line = resultLine(v137!);
    expect(line.startsWith(`${TONIGHT_LABEL.setup} · ${LAST_RESULT}: `)).toBe(true);
    expect(line).not.toContain(TONIGHT_LABEL.failed);
  });

  it('a setup failure of a version without a committed report shows the notice alone', async () => {
    const dir = folder('nightly-setup-none', {
      'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: SETUP_FAILED },
    });
    const v137 = (
      await loadVerification({
        root: ROOT,
        reportsDir: dir,
        nightly: RUN,
        committedDir: path.join(ROOT, 'test-results', 'no-committed-reports'),
      })
    ).forPage(PAGE_FILE)?.versions[0];
    expect(v137?.absence).toEqual({ kind: 'setup', run: RUN });
    expect(resultLine(v137!)).toBe(TONIGHT_LABEL.setup);
  });

  it('a leg record that is not one stops the build, naming the setup status', async () => {
    const dir = folder('nightly-bad-leg', {
      'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: SETUP_FAILED, verify: 1 },
    });
    await expect(versions(dir, RUN)).rejects.toThrow(SETUP_FAILED);
  });

  it("NIGHTLY_RUN_URL names the attempt: a report of any attempt of tonight's run counts (Re-run failed jobs keeps the legs that passed), another run's never", async () => {
    expect(runOf(ATTEMPT(2))).toBe(RUN);
    expect(runOf(RUN)).toBe(RUN);
    const dir = folder('nightly-rerun', { 'metallb/kubernetes-1.37.json': reportFrom(RUN) });
    const [v137] = await versions(dir, ATTEMPT(2));
    expect(v137?.report?.source.ci).toBe(RUN);
    expect(v137?.absence).toBeUndefined();
    const old = folder('nightly-rerun-old', {
      'metallb/kubernetes-1.37.json': reportFrom('https://github.com/example/verified-docs/actions/runs/1'),
    });
    await expect(versions(old, ATTEMPT(2))).rejects.toThrow('이번 nightly 실행');
    // The absence links to the attempt that built the site.
    const none = folder('nightly-rerun-none', {});
    expect((await versions(none, ATTEMPT(2)))[1]?.absence).toEqual({ kind: 'none', run: ATTEMPT(2) });
  });

  it('legFile is the name the workflow writes', () => {
    expect(path.relative(ROOT, legFile(path.join(ROOT, 'tonight'), '1.24'))).toBe('tonight/leg-kubernetes-1.24.json');
  });
});

describe('the nightly site after a bad night', () => {
  it('says "오늘 밤 검증 실패" / "오늘 밤 검증 없음" with the run link, and shows no old mark', async () => {
    // 1.37 (the page's primary version): its leg failed before any report; 1.24: nothing arrived.
    const dir = folder('nightly-site-reports', {
      'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: 'failure' },
    });
    const build = await buildSite({
      outDir: 'test-results/site-nightly',
      env: { REPORTS_DIR: dir, NIGHTLY_RUN_URL: RUN },
      inputs: [dir],
    });
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
    const row = (runbook: string) =>
      all(matrix, `tr[data-runbook="${runbook}"] td[data-tonight]`).map((td) => [
        attr(td, 'data-minor'),
        attr(td, 'data-tonight'),
        textOf(td),
      ]);
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

describe('the nightly site after a setup failure', () => {
  it('says "검증하지 못함 (설정 실패)" with the run link, never a failed page, and shows the last real result labelled as not tonight\'s', async () => {
    // 1.37 (the primary version of both pages): npm ci, a checksum or a pull failed before verify; 1.24: verified and failed.
    const run = ATTEMPT(2);
    const dir = folder('nightly-site-setup-reports', {
      'leg-kubernetes-1.37.json': { kubernetes: '1.37', status: SETUP_FAILED, verify: 'skipped' },
      'leg-kubernetes-1.24.json': { kubernetes: '1.24', status: 'failure', verify: 'failure' },
    });
    const build = await buildSite({
      outDir: 'test-results/site-nightly-setup',
      env: { REPORTS_DIR: dir, NIGHTLY_RUN_URL: run },
      inputs: [dir],
    });
    expect(build.exitCode, build.log).toBe(0);
    const committed = readReport(path.join(ROOT, 'reports/metallb/kubernetes-1.37.json'));

    const html = readBuilt(build, 'appendix/metallb/index.html');
    const badge = first(html, 'section.vbadge');
    expect(attr(badge, 'data-status')).toBe('none');
    expect(attr(badge, 'data-tonight')).toBe('setup');
    expect(textOf(badge)).toContain(`Kubernetes 1.37: ${TONIGHT_LABEL.setup}`);
    expect(textOf(badge)).not.toContain(`Kubernetes 1.37: ${TONIGHT_LABEL.failed}`);
    expect(attr(first(badge, 'a.vbadge-run'), 'href')).toBe(run);
    const last = first(badge, '.vbadge-last');
    expect(textOf(last)).toContain(`${LAST_RESULT}: `);
    expect(textOf(last)).toContain(kstDate(committed.finishedAt));
    expect(attr(first(last, 'a'), 'href')).toMatch(/verification\/metallb\/1\.37\/$/);
    // The last result is not tonight's: no block shows it as a mark.
    expect(all(html, '.step-mark'), 'no block shows an older result').toEqual([]);

    const matrix = readBuilt(build, 'verification/index.html');
    const cell = (runbook: string, minor: string) =>
      first(matrix, `tr[data-runbook="${runbook}"] td[data-minor="${minor}"]`);
    for (const runbook of ['metallb', 'metallb-v0-16']) {
      expect(attr(cell(runbook, '1.37'), 'data-tonight')).toBe('setup');
      expect(attr(cell(runbook, '1.37'), 'data-status')).toBe('none');
      expect(textOf(cell(runbook, '1.37')).startsWith(`${TONIGHT_LABEL.setup} · ${LAST_RESULT}: `)).toBe(true);
    }
    expect(attr(cell('metallb', '1.24'), 'data-tonight')).toBe('failed');
    expect(textOf(cell('metallb', '1.24'))).toBe(TONIGHT_LABEL.failed);
    expect(all(matrix, `a[href="${run}"]`)).toHaveLength(1);

    const details = readBuilt(build, 'verification/metallb/1.37/index.html');
    const missing = first(details, '.vrun-missing');
    expect(attr(missing, 'data-tonight')).toBe('setup');
    expect(textOf(missing)).toContain(TONIGHT_LABEL.setup);
    expect(attr(first(missing, 'a'), 'href')).toBe(run);
    expect(textOf(first(details, 'h2.vrun-last'))).toBe(LAST_RESULT);
    const summary = first(details, '.vrun-summary');
    expect(attr(summary, 'data-last')).toBe('true');
    expect(textOf(summary)).toContain('reports/metallb/kubernetes-1.37.json');
    expect(all(details, '.vstep').length).toBe(committed.steps.length);
  }, 600_000);
});
