/**
 * Report → what the site shows, without building: the status each block and figure takes, stale
 * blocks, missing reports and versions, the loader's errors, and the mark markup.
 * Reports here are constructed in the test to cover every case; the site build test
 * (site-verification.test.ts) uses reports from real runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toHtml } from '@astrojs/starlight/expressive-code/hast';
import { afterAll, describe, expect, it } from 'vitest';
import { blockHash, parsePage } from '../scripts/lib/page.ts';
import type { RunReport, StepReport } from '../scripts/runbook/report.ts';
import { markFigures } from '../src/lib/verification/figures.ts';
import { kst, NO_REPORT, resultLine, STEP_LABEL } from '../src/lib/verification/labels.ts';
import { markElement } from '../src/lib/verification/mark-element.ts';
import { pageMarks, type Mark } from '../src/lib/verification/marks.ts';
import { loadVerification, minorOf } from '../src/lib/verification/reports.ts';

const PAGE = [
  '---', 'title: 시험', 'runbook: { name: demo, kubernetes: ["1.37", "1.24"] }', '---', '',
  '```bash step="a/run"', 'kubectl get pods', '```', '',
  '```text step="a/run-output" of="a/run"', 'No resources found', '```', '',
  '```bash step="b/edit"', 'kubectl edit svc/x', '```', '',
  '```yaml step="b/edit-spec" of="b/edit"', 'spec: {}', '```', '',
  '<figure class="screenshot" data-step="c/browser">', '<figcaption>화면</figcaption>', '</figure>', '',
].join('\n');
const page = parsePage(PAGE, 'src/content/docs/demo.md');
const code = (id: string) => page.blocks.find((b) => b.id === id)?.code ?? '';

function step(id: string, status: StepReport['status'], extra: Partial<StepReport> = {}): StepReport {
  const kind = status === 'fixture' ? 'fixture' : status === 'manual' ? 'manual' : 'run';
  const hash = page.blocks.some((b) => b.id === id) ? { blockHash: blockHash(code(id)) } : {};
  return { id, title: id, kind, status, durationMs: 1, problems: [], notes: [], ...hash, ...extra };
}

function report(steps: StepReport[], extra: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: 1, runbook: 'demo', page: 'src/content/docs/demo.md', provider: 'kwok', kubernetes: 'v1.37.0',
    components: {}, context: 'kwok-test', startedAt: '2026-11-27T03:38:50.000Z', finishedAt: '2026-11-27T03:38:57.000Z',
    status: 'passed', steps, logs: {}, ...extra,
  };
}

describe('pageMarks: a block shows the status of its step', () => {
  it.each(['passed', 'failed', 'skipped', 'manual', 'fixture'] as const)('%s: command, its output and its edit spec', (status) => {
    const marks = pageMarks(page, report([step('a/run', status), step('b/edit', status)]))!;
    for (const id of ['a/run', 'a/run-output']) expect(marks.blocks.get(id)).toMatchObject({ status, stepId: 'a/run' });
    for (const id of ['b/edit', 'b/edit-spec']) expect(marks.blocks.get(id)).toMatchObject({ status, stepId: 'b/edit' });
  });

  it.each([
    ['a/run', false],
    ['a/run-output', true],
    ['b/edit', false],
    ['b/edit-spec', true],
  ])('details (expected vs actual, reason) go on the last block of a step: %s → %s', (id, details) => {
    expect(pageMarks(page, report([step('a/run', 'failed'), step('b/edit', 'failed')]))!.blocks.get(id)?.details).toBe(details);
  });

  it.each([
    ['the command block changed after the run', 'stale', [step('a/run', 'passed', { blockHash: blockHash('kubectl get pods -A') })]],
    ['the report does not know the step (a block added after the run)', 'stale', []],
    ['the block is unchanged', 'failed', [step('a/run', 'failed')]],
    ['the step recorded no hash', 'passed', [step('a/run', 'passed', { blockHash: undefined })]],
  ] as const)('%s → %s, on the output block too', (_, status, steps) => {
    const marks = pageMarks(page, report([...steps]))!;
    expect([marks.blocks.get('a/run')?.status, marks.blocks.get('a/run-output')?.status]).toEqual([status, status]);
  });

  it('a screenshot figure shows its manual step with the reason; fixtures are listed apart', () => {
    const marks = pageMarks(page, report([step('fixture/ns/svc', 'fixture'), step('c/browser', 'manual', { reason: '직접 확인하세요.' })]))!;
    expect(marks.figures.get('c/browser')).toMatchObject({ status: 'manual', step: { reason: '직접 확인하세요.' } });
    expect(marks.fixtures.map((f) => f.id)).toEqual(['fixture/ns/svc']);
    expect(marks.blocks.has('fixture/ns/svc')).toBe(false);
  });

  it('no report: no marks at all', () => {
    expect(pageMarks(page, undefined)).toBeUndefined();
  });
});

describe('mark markup', () => {
  const mark = (status: Mark['status'], stepReport?: StepReport, details = true): Mark => ({ status, stepId: 'a/run', step: stepReport, details });

  it.each(Object.entries(STEP_LABEL))('%s says "%s" in words, not colour alone', (status, label) => {
    const html = toHtml(markElement(mark(status as Mark['status'], step('a/run', 'passed')), '/verification/demo/1.37/'));
    expect(html).toContain(`data-status="${status}"`);
    expect(html).toContain(`<span class="step-mark-label">${label}</span>`);
    expect(html).toContain('<span class="sr-only">검증 결과: </span>');
  });

  it('a failed step shows problems, expected and actual in a <details>, on its last block only', () => {
    const failed = step('a/run', 'failed', { expected: 'EXPECTED', actual: 'ACTUAL', problems: ['TYPE 이 다릅니다'] });
    const html = toHtml(markElement(mark('failed', failed), '/verification/demo/1.37/'));
    expect(html).toMatch(/^<details class="step-mark not-content"/);
    for (const text of ['기대한 출력 (페이지)', 'EXPECTED', '실제 출력 (클러스터)', 'ACTUAL', 'TYPE 이 다릅니다', 'href="/verification/demo/1.37/#step-a-run"']) expect(html).toContain(text);
    expect(toHtml(markElement(mark('failed', failed, false), '/x/'))).not.toContain('EXPECTED');
  });

  it('marks only the figures it has marks for, inside the figure after the caption', () => {
    const html = '<figure class="screenshot" data-step="c/browser"><figcaption>화면</figcaption></figure><figure class="screenshot" data-step="other"></figure>';
    const marked = markFigures(html, new Map([['c/browser', mark('manual', step('c/browser', 'manual', { reason: '직접 확인하세요.' }))]]), '/v/');
    expect(marked).toMatch(/<figcaption>화면<\/figcaption><div class="step-mark not-content" data-status="manual"[^>]*>.*직접 확인하세요\..*<\/div><\/figure><figure class="screenshot" data-step="other"><\/figure>$/);
  });
});

describe('labels', () => {
  it.each([
    ['2026-11-27T03:38:57.555Z', '2026-11-27 12:38 KST'],
    ['2026-12-31T15:30:00Z', '2027-01-01 00:30 KST'],
  ])('kst(%s) = %s', (iso, shown) => expect(kst(iso)).toBe(shown));

  it.each([
    ['v1.37.0', '1.37'],
    ['1.24', '1.24'],
    ['v1.24.17+k3s1', '1.24'],
    ['latest', undefined],
  ])('minorOf(%s) = %s', (version, minor) => expect(minorOf(version)).toBe(minor));

  it('a version without a report says so', () => {
    expect(resultLine(undefined)).toBe(NO_REPORT);
    expect(resultLine({ status: 'failed', finishedAt: '2026-11-27T03:38:57Z', provider: 'kind' })).toBe('실패 · 2026-11-27 · kind');
  });
});

describe('loadVerification: reports of the declared versions, validated', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  function project(reports: Record<string, unknown>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'site-verification-'));
    roots.push(root);
    fs.mkdirSync(path.join(root, 'src/content/docs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src/content/docs/demo.md'), PAGE);
    for (const [file, content] of Object.entries(reports)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return root;
  }

  it('pairs each declared version with its report; a missing version has none', () => {
    const root = project({ 'reports/demo/kubernetes-1.37.json': report([step('a/run', 'passed')]) });
    const found = loadVerification({ root, reportsDir: 'reports' }).forPage('src/content/docs/demo.md')!;
    expect(found.versions.map((v) => [v.minor, v.primary, v.report?.status, v.file])).toEqual([
      ['1.37', true, 'passed', 'reports/demo/kubernetes-1.37.json'],
      ['1.24', false, undefined, 'reports/demo/kubernetes-1.24.json'],
    ]);
  });

  it('no reports folder: every version has no report', () => {
    const found = loadVerification({ root: project({}), reportsDir: 'reports' }).forPage('src/content/docs/demo.md')!;
    expect(found.versions.map((v) => v.report)).toEqual([undefined, undefined]);
  });

  it.each([
    ['not JSON', '1.37', '{', /reports\/demo\/kubernetes-1\.37\.json 를 읽을 수 없습니다/],
    ['a field of the wrong type', '1.37', { ...report([]), status: 'ok' }, /kubernetes-1\.37\.json 가 보고서 형식\(RunReport\)에 맞지 않습니다:\n {2}status: /],
    ['a run on another version, renamed', '1.24', report([]), /Kubernetes v1\.37\.0 에서 실행한 결과인데 파일 이름은 1\.24/],
    ['another page', '1.37', report([], { page: 'src/content/docs/other.md' }), /페이지 src\/content\/docs\/other\.md 의 것인데/],
  ])('stops with the file name on %s', (_, minor, content, message) => {
    const root = project({ [`reports/demo/kubernetes-${minor}.json`]: content });
    expect(() => loadVerification({ root, reportsDir: 'reports' })).toThrow(message);
  });
});
