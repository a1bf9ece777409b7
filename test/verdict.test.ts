import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import metallb from '../runbooks/metallb.ts';
import { fingerprint, ruleHash } from '../scripts/model/fingerprint.ts';
import { parsePage, readPage } from '../scripts/model/page.ts';
import { RunReport, type StepReport } from '../scripts/model/report.ts';
import type { Runbook, RunStep, TableRule } from '../scripts/model/runbook.ts';
import { runStatus, verdict, type MarkStatus } from '../scripts/model/verdict.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { passingReport, withStep } from './helpers/reports.ts';

/**
 * The one verdict, on the real MetalLB page and runbook: a mark rests on the evidence the report
 * keeps, checked again against the page and runbook as they are now, never on a status field.
 */
const page = readPage(metallb.page);
const binding = bind(metallb, page);
const CODE = { 'scripts/runbook.ts': fingerprint('runner code') };
const good = passingReport(binding, CODE);
const judge = (report: RunReport, runbook: Runbook = metallb, code: Record<string, string> = CODE) =>
  verdict({ report, binding: bind(runbook, page), code });
const step = (report: RunReport, id: string) => report.steps.find((s) => s.id === id)!;
/** Every mark the verdict gives, on steps, blocks and figures. */
const marks = (report: RunReport, runbook?: Runbook): MarkStatus[] => {
  const v = judge(report, runbook);
  return [...v.steps.values(), ...v.blocks.values(), ...v.figures.values()].map((m) => m.status);
};

describe('verdict', () => {
  it('a complete run whose evidence holds passes, and every block shows its step', () => {
    const v = judge(good);
    expect(v.status).toBe('passed');
    expect(v.reasons).toEqual([]);
    expect(v.blocks.get('istio/get-after-output')).toMatchObject({ status: 'passed', stepId: 'istio/get-after' });
    expect(v.figures.get('istio/browser')).toMatchObject({ status: 'manual' });
    expect(v.counts).toMatchObject({ passed: metallb.steps.length - 5, written: 1, manual: 4, stale: 0, error: 0 });
  });

  it('--from/--only: the steps left out make the run partial, never 통과', () => {
    const report = withStep(
      withStep({ ...good, status: 'partial' }, 'strict-arp/check', { status: 'skipped', skipCause: 'selection' }),
      'strict-arp/apply',
      { status: 'skipped', skipCause: 'selection' },
    );
    const v = judge(report);
    expect(v.status).toBe('partial');
    expect(v.reasons.join(' ')).toContain('2개 단계를 실행하지 않은 부분 실행');
    expect(v.blocks.get('strict-arp/check')?.status).toBe('skipped');
  });

  it('a report that claims passed with steps left out is still partial (the field is not trusted)', () => {
    expect(judge(withStep(good, 'config/apply', { status: 'skipped', skipCause: 'selection' })).status).toBe('partial');
    const failing = withStep(good, 'config/apply', {
      status: 'failed',
      streams: { stdout: 'error: the server could not find the requested resource\n', stderr: '' },
      exitCode: 1,
      problems: ['x'],
    });
    expect(judge(failing).status).toBe('failed');
    expect(judge(failing).steps.get('config/apply')?.checked?.problems.join(' ')).toContain(
      '종료 코드: 기대 0, 실제 1',
    );
  });

  it("the page's own condition (strictARP already true, read through the API) keeps the run whole, with its own mark", () => {
    const check = step(good, 'strict-arp/check');
    const already = withStep(
      withStep(good, 'strict-arp/check', {
        streams: { stdout: '      strictARP: true\n', stderr: '' },
        readings: [
          {
            ...(check.readings![0] as Extract<NonNullable<StepReport['readings']>[number], { kind: 'config' }>),
            data: 'ipvs:\n  strictARP: true\n',
          },
        ],
      }),
      'strict-arp/apply',
      { status: 'skipped', skipCause: 'condition' },
    );
    const v = judge(already);
    expect(v.status).toBe('passed');
    expect(v.steps.get('strict-arp/check')).toMatchObject({
      status: 'already',
      why: expect.stringContaining('strictARP: true'),
    });
    expect(v.steps.get('strict-arp/apply')?.status).toBe('skipped');
  });

  it('a file step is "written", not a ✓ of a compared output', () => {
    expect(judge(good).steps.get('config/file')?.status).toBe('written');
  });

  it('a changed block makes its steps stale, on every block of the step, and the run stale', () => {
    const changed = {
      ...page,
      blocks: page.blocks.map((b) =>
        b.id === 'minio/get-after-output' ? { ...b, code: b.code.replace('192.168.35.101', '192.168.35.109') } : b,
      ),
    };
    const v = verdict({ report: good, binding: bind(metallb, changed), code: CODE });
    expect(v.status).toBe('stale');
    expect(v.blocks.get('minio/get-after')?.status).toBe('stale');
    expect(v.blocks.get('minio/get-after-output')?.changed).toEqual([
      'minio/get-after 가 읽은 블록 minio/get-after-output 가 바뀌었습니다.',
    ]);
    expect(v.blocks.get('istio/get-after')?.status).toBe('passed');
  });

  it('a changed matching rule in the runbook (EXTERNAL-IP made volatile) makes that step stale', () => {
    const loosened: Runbook = {
      ...metallb,
      steps: metallb.steps.map((s) =>
        s.id === 'istio/get-after' && s.kind === 'run'
          ? {
              ...s,
              output: { ...(s.output as TableRule), volatile: [...(s.output as TableRule).volatile, 'EXTERNAL-IP'] },
            }
          : s,
      ),
    };
    const v = judge(good, loosened);
    expect(v.status).toBe('stale');
    expect(v.steps.get('istio/get-after')).toMatchObject({
      status: 'stale',
      changed: ['runbooks/metallb.ts 의 istio/get-after 규칙이 바뀌었습니다.'],
    });
    expect(v.steps.get('minio/get-after')?.status).toBe('passed');
  });

  it('a changed title is not a changed rule', () => {
    const first = metallb.steps[0] as RunStep;
    expect(ruleHash({ ...first, title: '다른 제목' })).toBe(ruleHash(first));
    expect(ruleHash({ ...first, eventually: { within: '9m' } })).not.toBe(ruleHash(first));
  });

  it('changed code makes every step stale, naming the file', () => {
    const v = judge(good, metallb, { ...CODE, 'scripts/cluster/kubeproxy.ts': fingerprint('new') });
    expect(v.status).toBe('stale');
    expect(v.counts.stale).toBe(v.steps.size);
    expect(v.reasons[0]).toContain('런북 실행기와 샌드박스의 코드가 바뀌었습니다: scripts/cluster/kubeproxy.ts');
  });

  it("the runbook's other fields (a go.mod bump of an image) make every step stale, naming the field", () => {
    const bumped: Runbook = {
      ...metallb,
      images: metallb.images!.map((i) => ({ ...i, bumps: { ...i.bumps, 'github.com/modern-go/reflect2': 'v1.0.3' } })),
    };
    const v = judge(good, bumped);
    expect(v.status).toBe('stale');
    expect(v.counts.stale).toBe(v.steps.size);
    expect(v.reasons).toContain('runbooks/metallb.ts 의 images 가 바뀌었습니다.');
    expect(judge(good, { ...metallb, needs: { runningPods: '새 이유' } }).reasons).toContain(
      'runbooks/metallb.ts 의 needs 가 바뀌었습니다.',
    );
  });

  it('a changed pin makes the step that read the file stale', () => {
    const url = 'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/metallb.yaml';
    const v = judge(good, { ...metallb, pins: { ...metallb.pins, [url]: 'f'.repeat(64) } });
    expect(v.steps.get('install/apply')).toMatchObject({
      status: 'stale',
      changed: [`runbooks/metallb.ts 의 ${url} 고정값(pin)이 바뀌었습니다.`],
    });
    expect(v.steps.get('install/get-pods')?.status).toBe('passed');
  });

  it('a step added to the runbook after the run is stale (not silently unmarked)', () => {
    const v = judge({ ...good, steps: good.steps.filter((s) => s.id !== 'grafana/get-after') });
    expect(v.status).toBe('stale');
    expect(v.blocks.get('grafana/get-after-output')?.status).toBe('stale');
  });

  it('a check against a stand-in Service the runner made from the page is marked apart, with why', () => {
    const v = judge(withStep(good, 'fixture/istio-system/istio-ingressgateway', { fixture: 'created' }));
    expect(v.status).toBe('passed');
    expect(v.blocks.get('istio/get-before-output')).toMatchObject({
      status: 'standin',
      why: expect.stringContaining(
        'istio-system/istio-ingressgateway 는 런북이 페이지의 istio/edit-spec 블록으로 만든 대역',
      ),
    });
    expect(v.counts.standin).toBe(1);
    // A report without the record of who made it is not taken for the real Service.
    expect(
      judge(withStep(good, 'fixture/istio-system/istio-ingressgateway', { fixture: undefined })).steps.get(
        'istio/get-before',
      )?.status,
    ).toBe('standin');
  });

  it("steps that only read or change what the provider seeded are stand-ins, with the provider's reason", () => {
    const why = 'kube-proxy ConfigMap 은 샌드박스가 만든 것입니다.';
    const v = judge({ ...good, seeded: [{ kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy', why }] });
    expect(v.steps.get('strict-arp/check')).toMatchObject({ status: 'standin', why });
    expect(v.steps.get('strict-arp/apply')).toMatchObject({ status: 'standin', why });
    expect(v.steps.get('install/apply')?.status).toBe('passed');
  });

  it('a browser step opened for real is a stand-in (the page is a stand-in web server)', () => {
    const browser = {
      url: 'http://192.168.35.100',
      status: 200,
      title: '대역',
      screenshot: 'x.png',
      proven: '다른 호스트에서 응답했습니다.',
      simulated: '화면은 대역입니다.',
    };
    const v = judge(withStep(good, 'istio/browser', { status: 'passed', browser }));
    expect(v.figures.get('istio/browser')).toMatchObject({
      status: 'standin',
      why: '다른 호스트에서 응답했습니다. 화면은 대역입니다.',
    });
    expect(
      judge(
        withStep(good, 'istio/browser', { status: 'passed', browser: { ...browser, url: 'http://192.168.35.109' } }),
      ).figures.get('istio/browser')?.status,
    ).toBe('error');
  });

  it('a report from a tree with uncommitted changes is labelled', () => {
    expect(judge({ ...good, source: { dirty: true } }).uncommitted).toBe(true);
    expect(judge(good).uncommitted).toBe(false);
  });

  it('runStatus, the status the runner writes, uses the same rules', () => {
    expect(runStatus([{ status: 'passed' }, { status: 'skipped', skipCause: 'condition' }], false)).toBe('passed');
    expect(runStatus([{ status: 'passed' }, { status: 'skipped', skipCause: 'selection' }], false)).toBe('partial');
    expect(runStatus([{ status: 'failed' }, { status: 'skipped', skipCause: 'earlier-failure' }], false)).toBe(
      'failed',
    );
    expect(runStatus([{ status: 'passed' }], true)).toBe('interrupted');
  });
});

describe('forged reports never earn a ✓', () => {
  it('a step flipped to passed while its evidence shows a ClusterIP Service is a verdict error, shown as such', () => {
    const after = step(good, 'istio/get-after');
    const clusterIp =
      'NAME                   TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)                                        AGE\nistio-ingressgateway   ClusterIP   10.103.72.5   <none>        15021/TCP,80/TCP,443/TCP,31400/TCP,15443/TCP   7s\n';
    const forged = withStep(good, 'istio/get-after', {
      status: 'passed',
      problems: [],
      streams: { stdout: clusterIp, stderr: '' },
      readings: [
        { kind: 'service', namespace: 'istio-system', name: 'istio-ingressgateway', found: true, type: 'ClusterIP' },
      ],
      objects: after.objects,
    });
    const v = judge(forged);
    expect(v.status).toBe('error');
    expect(v.steps.get('istio/get-after')).toMatchObject({ status: 'error', why: expect.stringContaining('"failed"') });
    expect(v.blocks.get('istio/get-after-output')?.status).toBe('error');
    expect(v.reasons[0]).toMatch(/^검증 오류: /);
    expect(marks(forged).filter((m) => m === 'error')).toHaveLength(3);
  });

  it('a failed step flipped to passed (its problems left as they were) is an error too', () => {
    const forged = withStep(good, 'install/get-pods', {
      status: 'passed',
      readings: [
        {
          kind: 'pods',
          namespace: 'metallb-system',
          pods: [
            { name: 'controller-7f76b9c957-2b7tw', phase: 'Pending', ready: '0/1' },
            { name: 'speaker-8bfjn', phase: 'Running', ready: '1/1' },
          ],
        },
      ],
    });
    expect(judge(forged).steps.get('install/get-pods')?.status).toBe('error');
  });

  it('a changed stream is checked again: the step is an error, not a ✓', () => {
    const forged = withStep(good, 'config/apply', { streams: { stdout: 'configmap/other created\n', stderr: '' } });
    const v = judge(forged);
    expect(v.steps.get('config/apply')?.status).toBe('error');
    expect(v.steps.get('config/apply')?.checked?.problems.join(' ')).toContain('stdout 가 페이지와 다릅니다');
  });

  it('a step whose evidence is gone is not taken on its word', () => {
    for (const [id, missing] of [
      ['install/apply', { streams: undefined }],
      ['istio/edit', { changes: undefined }],
      ['config/file', { written: undefined }],
      ['install/get-pods', { readings: undefined }],
      ['install/apply', { fetched: undefined }],
    ] as const) {
      expect(judge(withStep(good, id, missing)).steps.get(id)?.status, `${id} without ${Object.keys(missing)[0]}`).toBe(
        'error',
      );
    }
  });

  it('a remote file served with another sha256 than its pin cannot pass', () => {
    const url = 'https://raw.githubusercontent.com/metallb/metallb/v0.11.0/manifests/metallb.yaml';
    const apply = step(good, 'install/apply');
    const forged = withStep(good, 'install/apply', {
      fetched: apply.fetched!.map((f) => (f.url === url ? { ...f, sha256: 'e'.repeat(64) } : f)),
    });
    expect(judge(forged).steps.get('install/apply')).toMatchObject({
      status: 'error',
      why: expect.stringContaining(`${url} 의 sha256 이 고정값과 다릅니다`),
    });
  });

  it('a skip "by the page\'s condition" without the evidence of that condition is an error', () => {
    expect(
      judge(withStep(good, 'strict-arp/apply', { status: 'skipped', skipCause: 'condition' })).steps.get(
        'strict-arp/apply',
      )?.status,
    ).toBe('error');
  });

  it('a block added to the page for a step (of="install/get-pods") does not bind: no verdict, file:line', () => {
    const source = fs
      .readFileSync(metallb.page, 'utf8')
      .replace(
        '```yaml step="config/file"',
        '```text step="install/get-pods-extra" of="install/get-pods"\nNAME   READY\n```\n\n```yaml step="config/file"',
      );
    expect(source).toContain('install/get-pods-extra');
    expect(() => bind(metallb, parsePage(source, metallb.page))).toThrow(
      /src\/content\/docs\/appendix\/metallb\.md:\d+: 블록 "install\/get-pods-extra" 를 실행하거나 비교하는 런북 단계가 없습니다/,
    );
  });

  it('a block the step is bound to now that the report did not cover is not verified', () => {
    const apply = step(good, 'install/apply');
    const { 'install/apply-psp-errors': _, ...fewer } = apply.blockHashes;
    const v = judge(withStep(good, 'install/apply', { blockHashes: fewer }));
    expect(v.steps.get('install/apply')).toMatchObject({
      status: 'stale',
      changed: ['install/apply 에 묶인 블록 install/apply-psp-errors 는 이 보고서가 확인하지 않은 블록입니다.'],
    });
    expect(v.blocks.get('install/apply-psp-errors')?.status).toBe('stale');
  });

  it('an empty block set is invalid in the schema, and not verified by the verdict', () => {
    const forged = withStep(good, 'install/get-pods', { blockHashes: {} });
    expect(RunReport.safeParse(forged).success).toBe(false);
    expect(judge(forged).steps.get('install/get-pods')?.status).toBe('stale');
  });

  it('none of these forgeries shows a ✓ on any block of the forged step', () => {
    const forged = withStep(good, 'config/apply', { streams: { stdout: 'configmap/other created\n', stderr: '' } });
    const v = judge(forged);
    expect([v.blocks.get('config/apply')?.status, v.blocks.get('config/apply-output')?.status]).toEqual([
      'error',
      'error',
    ]);
    expect(v.status).not.toBe('passed');
  });
});

describe('the report schema requires every fingerprint', () => {
  it.each([
    ['the code fingerprint', (r: Record<string, unknown>) => delete (r.fingerprints as Record<string, unknown>).code],
    [
      'an empty code fingerprint',
      (r: Record<string, unknown>) => Object.assign(r.fingerprints as object, { code: {} }),
    ],
    [
      "the runbook fields' fingerprint",
      (r: Record<string, unknown>) => delete (r.fingerprints as Record<string, unknown>).runbook,
    ],
    ['what the provider seeded', (r: Record<string, unknown>) => delete r.seeded],
    [
      'a step without block hashes',
      (r: Record<string, unknown>) => delete (r.steps as Record<string, unknown>[])[5]!.blockHashes,
    ],
    [
      'a step with an empty block set',
      (r: Record<string, unknown>) => Object.assign((r.steps as Record<string, unknown>[])[5]!, { blockHashes: {} }),
    ],
    [
      'a step without its rule hash',
      (r: Record<string, unknown>) => delete (r.steps as Record<string, unknown>[])[5]!.ruleHash,
    ],
    [
      'a skipped step without its cause',
      (r: Record<string, unknown>) => Object.assign((r.steps as Record<string, unknown>[])[5]!, { status: 'skipped' }),
    ],
    ['provenance without dirty', (r: Record<string, unknown>) => delete (r.source as Record<string, unknown>).dirty],
    ['a schemaVersion 2 report', (r: Record<string, unknown>) => Object.assign(r, { schemaVersion: 2 })],
  ])('rejects %s', (_name, mutate) => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    mutate(copy);
    expect(RunReport.safeParse(copy).success).toBe(false);
  });

  it('accepts the complete report', () => {
    expect(RunReport.safeParse(good).success).toBe(true);
  });
});
