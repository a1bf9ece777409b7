import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../scripts/lib/errors.ts';
import { parsePage } from '../scripts/model/page.ts';
import { bind } from '../scripts/runbook/bind.ts';
import runbook from '../runbooks/metallb.ts';

const FILE = 'src/content/docs/appendix/metallb.md';
const source = fs.readFileSync(FILE, 'utf8');

/** Binds a mutated copy of the page and returns the error text (or '' when it binds). */
function bindCopy(mutate: (s: string) => string): string {
  const copy = mutate(source);
  expect(copy).not.toBe(source);
  try {
    bind(runbook, parsePage(copy, FILE));
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as Error).message;
  }
}

function lineOf(text: string): number {
  return source.split('\n').findIndex((l) => l.includes(text)) + 1;
}

describe('doc↔runbook check on the real page', () => {
  it('binds every fenced block and figure of the MetalLB page', () => {
    const page = parsePage(source, FILE);
    const binding = bind(runbook, page);
    const used = new Set(binding.steps.flatMap((s) => [s.block?.id, ...s.outputs.keys()]).filter(Boolean));
    expect([...used].sort()).toEqual(page.blocks.map((b) => b.id).sort());
    expect(binding.steps.filter((s) => s.step.kind === 'manual').map((s) => s.anchor?.links[0])).toEqual([
      'http://192.168.35.100',
      'http://192.168.35.101:9000',
      'http://192.168.35.102:5000',
      'http://192.168.35.103:80',
    ]);
  });

  it('reads the documented edit from the marked lines', () => {
    const binding = bind(runbook, parsePage(source, FILE));
    const edits = binding.steps
      .filter((s) => s.step.kind === 'edit')
      .map((s) => s.changes.map((c) => `${c.path.join('.')}=${c.value}`));
    expect(edits).toEqual([
      ['spec.type=LoadBalancer', 'spec.loadBalancerIP=192.168.35.100'],
      ['spec.type=LoadBalancer', 'spec.loadBalancerIP=192.168.35.101'],
      ['spec.type=LoadBalancer', 'spec.loadBalancerIP=192.168.35.102'],
      ['spec.type=LoadBalancer', 'spec.loadBalancerIP=192.168.35.103'],
    ]);
  });
});

describe('doc↔runbook check on mutated copies of the page', () => {
  it('a deleted command block names the step and the page', () => {
    const message = bindCopy((s) => s.replace(/```bash step="install\/get-pods"\n[^`]*```\n/, ''));
    expect(message).toMatch(
      new RegExp(`${FILE}:\\d+: of="install/get-pods" 가 이 블록 앞에 있는 어떤 블록도 가리키지 않습니다`),
    );
  });

  it('a deleted file block names the runbook step that needs it', () => {
    const message = bindCopy((s) => s.replace(/```yaml step="config\/file"[^`]*```\n/, ''));
    expect(message).toContain(
      `${FILE}: 런북 단계 config/file 가 가리키는 블록 "config/file" 가 페이지에 없습니다 (명령 블록)`,
    );
  });

  it('a deleted output block is a missing expectation', () => {
    const message = bindCopy((s) => s.replace(/```text step="config\/apply-output"[^`]*```\n/, ''));
    expect(message).toContain(
      '런북 단계 config/apply 가 가리키는 블록 "config/apply-output" 가 페이지에 없습니다 (출력 블록)',
    );
  });

  it('a new block without a step of the runbook is unbound, with file:line', () => {
    const message = bindCopy((s) =>
      s.replace(
        '위의 설정을 적용하세요.',
        '위의 설정을 적용하세요.\n\n```bash step="config/show"\ncat metallb_config.yaml\n```\n',
      ),
    );
    expect(message).toMatch(new RegExp(`${FILE}:\\d+: 블록 "config/show" 를 실행하거나 비교하는 런북 단계가 없습니다`));
  });

  it('a fence without a step id fails with file:line and an example', () => {
    const line = lineOf('```bash step="config/apply"');
    expect(() => parsePage(source.replace('```bash step="config/apply"', '```bash'), FILE)).toThrow(
      `${FILE}:${line}: 코드 블록에 step id 가 없습니다`,
    );
  });

  it.each([['Strict-ARP/check'], ['strict arp'], ['strict-arp//check'], ['-check']])(
    'a malformed step id %j is rejected',
    (id) => {
      const line = lineOf('```bash step="strict-arp/check"');
      expect(() => parsePage(source.replace('step="strict-arp/check"', `step="${id}"`), FILE)).toThrow(
        `${FILE}:${line}: step id "${id}" 의 형식이 잘못되었습니다`,
      );
    },
  );

  it('a duplicated step id names both lines', () => {
    const first = lineOf('```bash step="istio/get-before"');
    const message = (() => {
      try {
        parsePage(source.replace('```bash step="istio/get-after"', '```bash step="istio/get-before"'), FILE);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain(`가 ${FILE}:${first} 에서 이미 쓰였습니다`);
  });

  it('an output block that belongs to another command', () => {
    const message = bindCopy((s) => s.replace('of="config/apply"', 'of="config/file"'));
    expect(message).toContain('출력 블록 "config/apply-output" 는 of="config/apply" 여야 합니다 (지금: config/file)');
  });

  it('a table whose column the runbook relies on was renamed on the page', () => {
    const message = bindCopy((s) =>
      s.replace(
        'NAME                          READY   STATUS    RESTARTS   AGE',
        'POD                           READY   STATUS    RESTARTS   AGE',
      ),
    );
    expect(message).toContain('표 규칙이 쓰는 열 NAME 가 블록 "install/get-pods-output" 의 머리글에 없습니다');
  });

  it('a marked edit line that is not a key: value pair', () => {
    const message = bindCopy((s) => s.replace('ins={33-34}', 'ins={33-35}'));
    expect(message).toContain('35번째 줄은 ins 로 표시되었지만 "키: 값" 한 쌍이 아닙니다');
  });

  it('an edit block without marked lines', () => {
    const message = bindCopy((s) => s.replace(' ins={30-31}', ''));
    expect(message).toContain('바꿀 줄이 표시되지 않았습니다');
  });

  it('a removed figure leaves its manual step unbound', () => {
    const message = bindCopy((s) =>
      s.replace(/<figure class="screenshot" data-step="minio\/browser">[\s\S]*?<\/figure>\n/, ''),
    );
    expect(message).toContain(
      '수동 확인 단계 minio/browser 의 그림(<figure data-step="minio/browser"> 또는 ![설명](경로 "step=minio/browser"))이나 명령 블록이 페이지에 없습니다',
    );
  });

  it('the PSP drift declaration cannot silently disappear from the page', () => {
    const message = bindCopy((s) => s.replace(/```text step="install\/apply-psp-errors"[\s\S]*?```\n/, ''));
    expect(message).toContain(
      '런북 단계 install/apply 가 가리키는 블록 "install/apply-psp-errors" 가 페이지에 없습니다',
    );
  });

  it('blocks moved out of the runbook order', () => {
    const grafana = source.slice(source.indexOf('### Grafana Dashboard'), source.indexOf('## 이 페이지에서 고친 점'));
    const message = bindCopy((s) =>
      s.replace(grafana, '').replace('### Kubeflow Dashboard', `${grafana}### Kubeflow Dashboard`),
    );
    expect(message).toContain('페이지에서는');
    expect(message).toContain('런북은 페이지 순서를 따라야 합니다');
  });

  it('an empty output block would match anything: a binding error, not a pass', () => {
    const message = bindCopy((s) =>
      s.replace(
        '```text step="strict-arp/check-output" of="strict-arp/check"\nstrictARP: false\n```',
        '```text step="strict-arp/check-output" of="strict-arp/check"\n\n```',
      ),
    );
    expect(message).toContain(
      `${FILE}:${lineOf('step="strict-arp/check-output"')}: 출력 블록이 비어 있어 무엇이든 통과합니다`,
    );
  });

  it('a PodSecurityPolicy line the drift rule removes must still be on the page (the rule fits the page)', () => {
    const message = bindCopy((s) =>
      s
        .replace('podsecuritypolicy.policy/controller created\npodsecuritypolicy.policy/speaker created\n', '')
        .replace('Warning: policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+\n', ''),
    );
    expect(message).toMatch(
      /install\/apply 의 drift\.withoutLines .* 에 맞는 줄이 출력 블록 "install\/apply-output" 에 없습니다/,
    );
  });

  it('an object check needs the column its expectation comes from', () => {
    const message = bindCopy((s) =>
      s.replace(
        'NAME                          READY   STATUS    RESTARTS   AGE',
        'NAME                          READY   PHASE     RESTARTS   AGE',
      ),
    );
    expect(message).toContain(
      'install/get-pods 의 객체 확인: 객체 확인(pods)에 필요한 열 STATUS 가 출력 블록에 없습니다.',
    );
  });
});

describe('rules that could not fail are binding errors', () => {
  const page = parsePage(source, FILE);
  const withStep = (id: string, change: (step: Record<string, unknown>) => Record<string, unknown>) => ({
    ...runbook,
    steps: runbook.steps.map((s) =>
      s.id === id ? (change(s as unknown as Record<string, unknown>) as unknown as typeof s) : s,
    ),
  });

  it('contains on a stream the page expects nothing on (any stderr would pass)', () => {
    const loose = withStep('strict-arp/check', (s) => ({
      ...s,
      output: { ...(s.output as object), streams: undefined },
    }));
    expect(() => bind(loose, page)).toThrow(
      `${FILE}:${lineOf('step="strict-arp/check-output"')}: stderr 는 contains 로 비교하는데 페이지가 기대하는 stderr 줄이 없어`,
    );
  });

  it('the drift rule checks stdout too: contains with no documented stdout is refused', () => {
    const loose = withStep('install/apply', (s) => ({
      ...s,
      drift: {
        ...(s.drift as object),
        withoutLines: undefined,
        output: { ...(s.drift as { output: object }).output, mode: 'contains', streams: { stderr: 'exact' } },
      },
    }));
    expect(() => bind(loose, page)).toThrow(/stdout 는 contains 로 비교하는데 페이지가 기대하는 stdout 줄이 없어/);
  });
});
