import { describe, expect, it } from 'vitest';
import metallb from '../runbooks/metallb.ts';
import { fingerprint, ruleHash } from '../scripts/model/fingerprint.ts';
import { readPage } from '../scripts/model/page.ts';
import { RunReport } from '../scripts/model/report.ts';
import type { Runbook, RunStep, TableRule } from '../scripts/model/runbook.ts';
import { runStatus, verdict } from '../scripts/model/verdict.ts';
import { passingReport, withStep } from './helpers/reports.ts';

/**
 * The one verdict, on the real MetalLB page and runbook: each case the issue listed, where a ✓ or
 * "검증 통과" used to promise more than was checked, now gives an honest status.
 */
const page = readPage(metallb.page);
const RUNNER = fingerprint('runner code');
const good = passingReport(page, metallb, RUNNER);
const judge = (report: RunReport, runbook: Runbook = metallb, extra: { runner?: string; inputs?: Record<string, string> } = {}) =>
  verdict({ report, page, runbook, runner: extra.runner ?? RUNNER, ...(extra.inputs ? { inputs: extra.inputs } : {}) });

describe('verdict', () => {
  it('a complete run with every fingerprint current passes, and every block shows its step', () => {
    const v = judge(good);
    expect(v.status).toBe('passed');
    expect(v.reasons).toEqual([]);
    expect(v.blocks.get('istio/get-after-output')).toMatchObject({ status: 'passed', stepId: 'istio/get-after' });
    expect(v.figures.get('istio/browser')).toMatchObject({ status: 'manual' });
    expect(v.counts).toMatchObject({ passed: metallb.steps.length - 4, manual: 4, stale: 0 });
  });

  it('--from/--only: the steps left out make the run partial, never 통과', () => {
    const report = withStep(withStep({ ...good, status: 'partial' }, 'strict-arp/check', { status: 'skipped', skipCause: 'selection' }), 'strict-arp/apply', { status: 'skipped', skipCause: 'selection' });
    const v = judge(report);
    expect(v.status).toBe('partial');
    expect(v.reasons.join(' ')).toContain('2개 단계를 실행하지 않은 부분 실행');
    expect(v.blocks.get('strict-arp/check')?.status).toBe('skipped');
  });

  it('a report that claims passed with steps left out is still partial (the field is not trusted)', () => {
    expect(judge(withStep(good, 'config/apply', { status: 'skipped', skipCause: 'selection' })).status).toBe('partial');
    expect(judge(withStep(good, 'config/apply', { status: 'failed', problems: ['x'] })).status).toBe('failed');
  });

  it("the page's own condition (strictARP already true) keeps the run whole", () => {
    const v = judge(withStep(good, 'strict-arp/apply', { status: 'skipped', skipCause: 'condition' }));
    expect(v.status).toBe('passed');
  });

  it('a changed block makes its steps stale, on every block of the step, and the run stale', () => {
    const changed = { ...page, blocks: page.blocks.map((b) => (b.id === 'minio/get-after-output' ? { ...b, code: b.code.replace('192.168.35.101', '192.168.35.109') } : b)) };
    const v = verdict({ report: good, page: changed, runbook: metallb, runner: RUNNER });
    expect(v.status).toBe('stale');
    expect(v.blocks.get('minio/get-after')?.status).toBe('stale');
    expect(v.blocks.get('minio/get-after-output')?.changed).toEqual(['minio/get-after 가 읽은 블록 minio/get-after-output 가 바뀌었습니다.']);
    expect(v.blocks.get('istio/get-after')?.status).toBe('passed');
  });

  it('a changed matching rule in the runbook (EXTERNAL-IP made volatile) makes that step stale', () => {
    const loosened: Runbook = {
      ...metallb,
      steps: metallb.steps.map((s) => (s.id === 'istio/get-after' && s.kind === 'run' ? { ...s, output: { ...(s.output as TableRule), volatile: [...(s.output as TableRule).volatile, 'EXTERNAL-IP'] } } : s)),
    };
    const v = judge(good, loosened);
    expect(v.status).toBe('stale');
    expect(v.steps.get('istio/get-after')).toMatchObject({ status: 'stale', changed: ['runbooks/metallb.ts 의 istio/get-after 규칙이 바뀌었습니다.'] });
    expect(v.steps.get('minio/get-after')?.status).toBe('passed');
  });

  it('a changed title is not a changed rule', () => {
    const step = metallb.steps[0] as RunStep;
    expect(ruleHash({ ...step, title: '다른 제목' })).toBe(ruleHash(step));
    expect(ruleHash({ ...step, eventually: { within: '9m' } })).not.toBe(ruleHash(step));
  });

  it("changed runner code makes every step stale", () => {
    const v = judge(good, metallb, { runner: fingerprint('other runner code') });
    expect(v.status).toBe('stale');
    expect(v.counts.stale).toBe(v.steps.size);
    expect(v.reasons[0]).toContain('런북 실행기 코드가 바뀌었습니다');
  });

  it('a changed mirror file makes the steps that fetched it stale', () => {
    const url = 'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/metallb.yaml';
    const report = { ...good, fingerprints: { runner: RUNNER, inputs: { [url]: fingerprint('old manifest') } } };
    expect(judge(report, metallb, { inputs: { [url]: fingerprint('old manifest') } }).status).toBe('passed');
    const v = judge(report, metallb, { inputs: { [url]: fingerprint('new manifest') } });
    expect(v.status).toBe('stale');
    expect(v.steps.get('install/apply')?.status).toBe('stale');
    expect(v.steps.get('install/get-pods')?.status).toBe('passed');
  });

  it('a step added to the runbook after the run is stale (not silently unmarked)', () => {
    const v = judge({ ...good, steps: good.steps.filter((s) => s.id !== 'grafana/get-after') });
    expect(v.status).toBe('stale');
    expect(v.blocks.get('grafana/get-after-output')?.status).toBe('stale');
  });

  it('a check against a stand-in the runner built from the page is marked apart and counted apart', () => {
    const v = judge(withStep(good, 'istio/get-before', { standIn: '대역 서비스' }));
    expect(v.status).toBe('passed');
    expect(v.blocks.get('istio/get-before-output')?.status).toBe('standin');
    expect(v.counts.standin).toBe(1);
  });

  it('a report from a tree with uncommitted changes is labelled', () => {
    expect(judge({ ...good, source: { dirty: true } }).uncommitted).toBe(true);
    expect(judge(good).uncommitted).toBe(false);
  });

  it('runStatus, the status the runner writes, uses the same rules', () => {
    expect(runStatus([{ status: 'passed' }, { status: 'skipped', skipCause: 'condition' }], false)).toBe('passed');
    expect(runStatus([{ status: 'passed' }, { status: 'skipped', skipCause: 'selection' }], false)).toBe('partial');
    expect(runStatus([{ status: 'failed' }, { status: 'skipped', skipCause: 'earlier-failure' }], false)).toBe('failed');
    expect(runStatus([{ status: 'passed' }], true)).toBe('interrupted');
  });
});

describe('the report schema requires every fingerprint', () => {
  it.each([
    ['the runner fingerprint', (r: Record<string, unknown>) => delete (r.fingerprints as Record<string, unknown>).runner],
    ['a step without block hashes', (r: Record<string, unknown>) => delete (r.steps as Record<string, unknown>[])[5]!.blockHashes],
    ['a step without its rule hash', (r: Record<string, unknown>) => delete (r.steps as Record<string, unknown>[])[5]!.ruleHash],
    ['a skipped step without its cause', (r: Record<string, unknown>) => Object.assign((r.steps as Record<string, unknown>[])[5]!, { status: 'skipped' })],
    ['provenance without dirty', (r: Record<string, unknown>) => delete (r.source as Record<string, unknown>).dirty],
    ['a schemaVersion 1 report', (r: Record<string, unknown>) => Object.assign(r, { schemaVersion: 1 })],
  ])('rejects %s', (_name, mutate) => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    mutate(copy);
    expect(RunReport.safeParse(copy).success).toBe(false);
  });

  it('accepts the complete report', () => {
    expect(RunReport.safeParse(good).success).toBe(true);
  });
});
