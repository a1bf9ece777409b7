/**
 * Report → what the site shows, without building: where the verdict's marks go, the mark markup,
 * missing reports and versions, and the loader's errors (the verdict itself: verdict.test.ts).
 * Reports here are constructed in the test to cover every case; the site build test
 * (site-verification.test.ts) uses reports from real runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toHtml } from '@astrojs/starlight/expressive-code/hast';
import { afterAll, describe, expect, it } from 'vitest';
import { passingReport } from './helpers/reports.ts';
import { defineRunbook, edit, lines, manual, run } from '../scripts/model/define.ts';
import { fingerprint } from '../scripts/model/fingerprint.ts';
import { parsePage } from '../scripts/model/page.ts';
import { bind } from '../scripts/runbook/bind.ts';
import type { RunReport, StepReport } from '../scripts/model/report.ts';
import type { Runbook } from '../scripts/model/runbook.ts';
import { verdict, type Mark } from '../scripts/model/verdict.ts';
import { markFigures } from '../src/lib/verification/figures.ts';
import { inputsLine, kst, NO_REPORT, resultLine, STEP_ICON, STEP_LABEL } from '../src/lib/verification/labels.ts';
import { markElement } from '../src/lib/verification/mark-element.ts';
import { loadVerification } from '../src/lib/verification/reports.ts';

const PAGE = [
  '---',
  'title: 시험',
  'runbook: { name: demo, kubernetes: ["1.37", "1.24"] }',
  '---',
  '',
  '```bash step="a/run"',
  'kubectl get pods',
  '```',
  '',
  '```text step="a/run-output" of="a/run"',
  'No resources found',
  '```',
  '',
  '```bash step="b/edit"',
  'kubectl edit svc/x -n demo',
  '```',
  '',
  '```yaml step="b/edit-spec" of="b/edit" ins={2}',
  'spec:',
  '  type: LoadBalancer',
  '```',
  '',
  '[http://192.168.35.100](http://192.168.35.100) 에 접속하세요.',
  '',
  '<figure class="screenshot" data-step="c/browser">',
  '<figcaption>화면</figcaption>',
  '</figure>',
  '',
].join('\n');
const page = parsePage(PAGE, 'src/content/docs/demo.md');
const runbook: Runbook = defineRunbook({
  name: 'demo',
  page: 'src/content/docs/demo.md',
  fixtures: [],
  steps: [
    run('a/run', 'a', { output: lines('a/run-output', { mode: 'exact' }) }),
    edit('b/edit', 'b', 'b/edit-spec'),
    manual('c/browser', 'c'),
  ],
});
const binding = bind(runbook, page);
/** The code of the scratch projects below: one runner file. */
const RUNNER_FILE = '// runner\n';
const CODE = { 'scripts/runbook.ts': fingerprint(RUNNER_FILE) };
const good = passingReport(binding, CODE);

function step(id: string, status: StepReport['status'], extra: Partial<StepReport> = {}): StepReport {
  return {
    ...(good.steps.find((s) => s.id === id) ?? {
      id,
      title: id,
      kind: 'run',
      durationMs: 1,
      problems: [],
      notes: [],
      blockHashes: {},
      ruleHash: '0'.repeat(16),
    }),
    status,
    ...extra,
  };
}

function report(steps: StepReport[], extra: Partial<RunReport> = {}): RunReport {
  return { ...good, steps, ...extra };
}

describe('verdict marks: a block shows the verdict of its step', () => {
  it.each([
    ['a/run', false],
    ['a/run-output', true],
    ['b/edit', false],
    ['b/edit-spec', true],
  ])('details (expected vs actual, reason) go on the last block of a step: %s → %s', (id, details) => {
    const v = verdict({
      report: report([step('a/run', 'failed'), step('b/edit', 'failed'), step('c/browser', 'manual')]),
      binding,
      code: CODE,
    });
    expect(v.blocks.get(id)?.details).toBe(details);
  });

  it('a screenshot figure shows its manual step with the reason', () => {
    const v = verdict({
      report: report([
        step('a/run', 'passed'),
        step('b/edit', 'passed'),
        step('c/browser', 'manual', { reason: '직접 확인하세요.' }),
      ]),
      binding,
      code: CODE,
    });
    expect(v.figures.get('c/browser')).toMatchObject({ status: 'manual', step: { reason: '직접 확인하세요.' } });
  });
});

describe('mark markup', () => {
  const mark = (status: Mark['status'], stepReport?: StepReport, details = true): Mark => ({
    status,
    stepId: 'a/run',
    step: stepReport,
    details,
    changed: status === 'stale' ? ['a/run 가 읽은 블록 a/run-output 가 바뀌었습니다.'] : [],
  });

  it.each(Object.entries(STEP_LABEL))('%s says "%s" in words, not colour alone', (status, label) => {
    const html = toHtml(
      markElement(mark(status as Mark['status'], step('a/run', 'passed')), '/verification/demo/1.37/'),
    );
    expect(html).toContain(`data-status="${status}"`);
    expect(html).toContain(`<span class="step-mark-label">${label}</span>`);
    expect(html).toContain('<span class="sr-only">검증 결과: </span>');
  });

  it('a failed step shows problems, expected and actual in a <details>, on its last block only', () => {
    const failed = step('a/run', 'failed', { expected: 'EXPECTED', actual: 'ACTUAL', problems: ['TYPE 이 다릅니다'] });
    const html = toHtml(markElement(mark('failed', failed), '/verification/demo/1.37/'));
    expect(html).toMatch(/^<details class="step-mark not-content"/);
    for (const text of [
      '기대한 출력 (페이지)',
      'EXPECTED',
      '실제 출력 (클러스터)',
      'ACTUAL',
      'TYPE 이 다릅니다',
      'href="/verification/demo/1.37/#step-a-run"',
    ])
      expect(html).toContain(text);
    expect(toHtml(markElement(mark('failed', failed, false), '/x/'))).not.toContain('EXPECTED');
  });

  it('a stand-in check says why it is not a ✓; a stale step says what changed', () => {
    const standin = toHtml(
      markElement({ ...mark('standin', step('a/run', 'passed')), why: 'ns/svc 는 대역입니다.' }, '/v/'),
    );
    expect(standin).toContain('대역으로 확인');
    expect(standin).toContain('ns/svc 는 대역입니다.');
    const stale = toHtml(markElement(mark('stale', step('a/run', 'passed')), '/v/'));
    expect(stale).toContain('바뀐 뒤 아직 검증되지 않음');
    expect(stale).toContain('a/run 가 읽은 블록 a/run-output 가 바뀌었습니다.');
  });

  it('marks only the figures it has marks for, inside the figure after the caption', () => {
    const html =
      '<figure class="screenshot" data-step="c/browser"><figcaption>화면</figcaption></figure><figure class="screenshot" data-step="other"></figure>';
    const marked = markFigures(
      html,
      new Map([['c/browser', mark('manual', step('c/browser', 'manual', { reason: '직접 확인하세요.' }))]]),
      '/v/',
    );
    expect(marked).toMatch(
      /<figcaption>화면<\/figcaption><div class="step-mark not-content" data-status="manual"[^>]*>.*직접 확인하세요\..*<\/div><\/figure><figure class="screenshot" data-step="other"><\/figure>$/,
    );
  });
});

describe('labels', () => {
  it.each([
    ['2026-11-27T03:38:57.555Z', '2026-11-27 12:38 KST'],
    ['2026-12-31T15:30:00Z', '2027-01-01 00:30 KST'],
  ])('kst(%s) = %s', (iso, shown) => expect(kst(iso)).toBe(shown));

  it('a version without a report says so; a result line comes from the verdict', () => {
    expect(resultLine({ report: undefined, verdict: undefined })).toBe(NO_REPORT);
    const r = { finishedAt: '2026-11-27T03:38:57Z', provider: 'kind' as const };
    expect(resultLine({ report: r, verdict: { status: 'failed', uncommitted: false } })).toBe(
      '실패 · 2026-11-27 · kind',
    );
    expect(resultLine({ report: r, verdict: { status: 'partial', uncommitted: true } })).toBe(
      '부분 실행: 일부 단계만 실행함 · 2026-11-27 · kind · 커밋하지 않은 코드로 만든 결과',
    );
  });
});

describe('loadVerification: reports of the declared versions, validated', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  function project(reports: Record<string, unknown>, source = PAGE): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'site-verification-'));
    roots.push(root);
    fs.mkdirSync(path.join(root, 'src/content/docs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src/content/docs/demo.md'), source);
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.writeFileSync(path.join(root, 'scripts/runbook.ts'), RUNNER_FILE);
    fs.mkdirSync(path.join(root, 'runbooks'));
    const define = path.resolve('scripts/model/define.ts');
    fs.writeFileSync(
      path.join(root, 'runbooks/demo.ts'),
      `import { defineRunbook, edit, lines, manual, run } from ${JSON.stringify(define)};
export default defineRunbook({ name: 'demo', page: 'src/content/docs/demo.md', fixtures: [],
  steps: [run('a/run', 'a', { output: lines('a/run-output', { mode: 'exact' }) }), edit('b/edit', 'b', 'b/edit-spec'), manual('c/browser', 'c')] });
`,
    );
    for (const [file, content] of Object.entries(reports)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return root;
  }

  it('pairs each declared version with its report and judges it; a missing version has none', async () => {
    const root = project({ 'reports/demo/kubernetes-1.37.json': good });
    const found = (await loadVerification({ root, reportsDir: 'reports' })).forPage('src/content/docs/demo.md')!;
    expect(found.versions.map((v) => [v.minor, v.primary, v.verdict?.status, v.file])).toEqual([
      ['1.37', true, 'passed', 'reports/demo/kubernetes-1.37.json'],
      ['1.24', false, undefined, 'reports/demo/kubernetes-1.24.json'],
    ]);
  });

  it('a report of another runner is stale on the site too', async () => {
    const root = project({
      'reports/demo/kubernetes-1.37.json': passingReport(binding, { 'scripts/runbook.ts': '0123456789abcdef' }),
    });
    const found = (await loadVerification({ root, reportsDir: 'reports' })).forPage('src/content/docs/demo.md')!;
    expect(found.versions[0]?.verdict?.status).toBe('stale');
    expect(found.versions[0]?.verdict?.reasons[0]).toContain('scripts/runbook.ts');
  });

  it.each([
    [
      'a step flipped to passed against its streams',
      { status: 'passed', streams: { stdout: 'pod/a created\n', stderr: '' } },
    ],
    ['a changed stream', { streams: { stdout: 'No resources found in demo namespace.\n', stderr: '' } }],
    ['its evidence removed', { streams: undefined, exitCode: undefined }],
  ] as const)('a forged report (%s) shows a verdict error on the page, never a ✓', async (_name, change) => {
    const forged = { ...good, steps: good.steps.map((s) => (s.id === 'a/run' ? { ...s, ...change } : s)) };
    const root = project({ 'reports/demo/kubernetes-1.37.json': forged });
    const found = (await loadVerification({ root, reportsDir: 'reports' })).forPage('src/content/docs/demo.md')!;
    const judged = found.versions[0]!.verdict!;
    expect(judged.status).toBe('error');
    for (const id of ['a/run', 'a/run-output']) {
      const mark = judged.blocks.get(id)!;
      expect(mark.status).toBe('error');
      const html = toHtml(markElement(mark, '/verification/demo/1.37/'));
      expect(html).toContain(STEP_LABEL.error);
      expect(html).not.toContain(STEP_ICON.passed);
    }
  });

  it('a block added to the page that no step compares stops the build with file:line, as a bad report does', async () => {
    const added = PAGE.replace(
      '```bash step="b/edit"',
      '```text step="a/run-more" of="a/run"\nNo resources found\n```\n\n```bash step="b/edit"',
    );
    const root = project({ 'reports/demo/kubernetes-1.37.json': good }, added);
    await expect(loadVerification({ root, reportsDir: 'reports' })).rejects.toThrow(
      /src\/content\/docs\/demo\.md:\d+: 블록 "a\/run-more" 를 실행하거나 비교하는 런북 단계가 없습니다/,
    );
  });

  it('the badge says where remote files came from, and that they were checked against their pins', () => {
    const fetched = (source: 'mirror' | 'url') => ({
      url: 'https://example.com/a.yaml',
      sha256: 'a'.repeat(64),
      pin: 'a'.repeat(64),
      source,
    });
    expect(inputsLine({ steps: [step('a/run', 'passed', { fetched: [fetched('mirror')] })] })).toBe(
      '원격 파일: 오프라인 미러 사본에서 읽음 (런북의 sha256 고정값으로 확인)',
    );
    expect(inputsLine({ steps: [step('a/run', 'passed', { fetched: [fetched('url')] })] })).toBe(
      '원격 파일: URL에서 읽음 (런북의 sha256 고정값으로 확인)',
    );
    expect(inputsLine({ steps: [step('a/run', 'passed')] })).toBeUndefined();
  });

  it('no reports folder: every version has no report', async () => {
    const found = (await loadVerification({ root: project({}), reportsDir: 'reports' })).forPage(
      'src/content/docs/demo.md',
    )!;
    expect(found.versions.map((v) => v.report)).toEqual([undefined, undefined]);
  });

  it.each([
    ['not JSON', '1.37', '{', /reports\/demo\/kubernetes-1\.37\.json 를 읽을 수 없습니다/],
    [
      'a field of the wrong type',
      '1.37',
      { ...report([]), status: 'ok' },
      /kubernetes-1\.37\.json 가 보고서 형식\(RunReport\)에 맞지 않습니다:\n {2}status: /,
    ],
    [
      'a run on another version, renamed',
      '1.24',
      report([]),
      /Kubernetes v1\.37\.0 에서 실행한 결과인데 파일 이름은 1\.24/,
    ],
    [
      'another page',
      '1.37',
      report([], { page: 'src/content/docs/other.md' }),
      /페이지 src\/content\/docs\/other\.md 의 것인데/,
    ],
  ])('stops with the file name on %s', async (_, minor, content, message) => {
    const root = project({ [`reports/demo/kubernetes-${minor}.json`]: content });
    await expect(loadVerification({ root, reportsDir: 'reports' })).rejects.toThrow(message);
  });
});
