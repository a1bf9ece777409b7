import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePage } from '../scripts/model/page.ts';
import type { LinesRule, OutputRule, RunStep } from '../scripts/model/runbook.ts';
import { mergeOutput, replaceBlocks } from '../scripts/runbook/rewrite.ts';
import metallb from '../runbooks/metallb.ts';

/**
 * The output-block rewrite of `--update`: the cluster's output goes in, the page's text stays
 * wherever the runbook's rule accepts the difference, and nothing outside the block moves.
 */
const PAGE = 'src/content/docs/appendix/metallb.md';
const source = fs.readFileSync(PAGE, 'utf8');
const page = parsePage(source, PAGE);
const block = (id: string) => page.blocks.find((b) => b.id === id)!.code;
const rule = (step: string): OutputRule => (metallb.steps.find((s) => s.id === step) as RunStep).output!;

/** What the kwok sandbox prints for `kubectl get pod -n metallb-system` (other names, restarts and ages). */
const PODS = [
  'NAME                          READY   STATUS    RESTARTS   AGE',
  'controller-5f98465b6b-x7k2p   1/1     Running   0          41s',
  'speaker-q9z4t                 1/1     Running   0          41s',
].join('\n');
const MINIO = [
  'NAME            TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)          AGE',
  'minio-service   LoadBalancer   10.96.14.200   192.168.35.101   9000:30007/TCP   3s',
].join('\n');

describe('mergeOutput: tables', () => {
  it('keeps a block the rule accepts byte for byte, whatever its volatile columns say', () => {
    expect(
      mergeOutput(rule('install/get-pods'), block('install/get-pods-output'), { stdout: PODS, stderr: '' }),
    ).toEqual({ ok: true, text: block('install/get-pods-output') });
  });

  it("writes the cluster's STATUS where the page differs, keeping RESTARTS and AGE (volatile) and the page's pod names", () => {
    const edited = block('install/get-pods-output').replace(
      'speaker-fnf8l                 1/1     Running   1',
      'speaker-fnf8l                 1/1     Pending   7',
    );
    const merged = mergeOutput(rule('install/get-pods'), edited, { stdout: PODS, stderr: '' });
    expect(merged).toEqual({
      ok: true,
      text: block('install/get-pods-output').replace(
        'speaker-fnf8l                 1/1     Running   1',
        'speaker-fnf8l                 1/1     Running   7',
      ),
    });
  });

  it("writes a wrong EXTERNAL-IP back, keeping CLUSTER-IP, AGE and the page's node port", () => {
    const edited = block('minio/get-after-output').replace('192.168.35.101', '192.168.35.109');
    expect(mergeOutput(rule('minio/get-after'), edited, { stdout: MINIO, stderr: '' })).toEqual({
      ok: true,
      text: block('minio/get-after-output'),
    });
  });

  it('re-aligns columns as kubectl does when a cell gets wider, and adds and drops rows as the cluster prints them', () => {
    const merged = mergeOutput(rule('minio/get-after'), block('minio/get-after-output'), {
      stdout:
        'NAME              TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)          AGE\nminio-service-v2   LoadBalancer   10.96.0.9    192.168.35.101   9000:30007/TCP   3s',
      stderr: '',
    });
    expect(merged).toEqual({
      ok: true,
      text: 'NAME               TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)          AGE\nminio-service-v2   LoadBalancer   10.96.0.9    192.168.35.101   9000:30007/TCP   3s',
    });
  });

  it('refuses output that is not the table the rule reads', () => {
    const merged = mergeOutput(rule('minio/get-after'), block('minio/get-after-output'), {
      stdout: '',
      stderr: 'Error from server (NotFound): services "minio-service" not found',
    });
    expect(merged).toMatchObject({ ok: false, problem: expect.stringContaining('NAME 열이 있는 표가 아닙니다') });
  });
});

describe('mergeOutput: lines', () => {
  it("restores a line, keeping the page's apply verb (a re-run says unchanged)", () => {
    const merged = mergeOutput(rule('config/apply'), 'configmap/konfig created', {
      stdout: 'configmap/config unchanged\n',
      stderr: '',
    });
    expect(merged).toEqual({ ok: true, text: 'configmap/config created' });
  });

  it("keeps stderr lines where the page shows them (kubectl's Warning first)", () => {
    const edited = block('strict-arp/apply-output').replace(
      'configmap/kube-proxy configured',
      'configmap/kube-proxy changed',
    );
    const warning = block('strict-arp/apply-output').split('\n')[0];
    const merged = mergeOutput(rule('strict-arp/apply'), edited, {
      stdout: 'configmap/kube-proxy configured\n',
      stderr: `${warning}\n`,
    });
    expect(merged).toEqual({ ok: true, text: block('strict-arp/apply-output') });
  });

  it("contains: replaces only the page line that is gone, by the cluster's line most like it, with the page's indentation", () => {
    const stdout = '      {"apiVersion":"v1","data":{"config.conf":"...strictARP: false..."}}\n    strictARP: false\n';
    expect(mergeOutput(rule('strict-arp/check'), 'strictARP: off', { stdout, stderr: '' })).toEqual({
      ok: true,
      text: 'strictARP: false',
    });
    expect(mergeOutput(rule('strict-arp/check'), '  strictARP: off', { stdout, stderr: '' })).toEqual({
      ok: true,
      text: '  strictARP: false',
    });
  });

  it('exact: writes every line the cluster printed in order, and drops page lines it no longer prints', () => {
    const exact: LinesRule = { kind: 'lines', block: 'x', mode: 'exact' };
    expect(mergeOutput(exact, 'a\nb\nc', { stdout: 'a\nB\nc\nd\n', stderr: '' })).toEqual({
      ok: true,
      text: 'a\nB\nc\nd',
    });
    expect(mergeOutput(exact, 'a\nb\nc', { stdout: 'a\nc\n', stderr: '' })).toEqual({ ok: true, text: 'a\nc' });
  });

  it('refuses what the rule could never accept: a stderr line its pattern does not name', () => {
    const merged = mergeOutput(rule('config/apply'), 'configmap/config created', {
      stdout: '',
      stderr: 'error: the path "metallb_config.yaml" does not exist\n',
    });
    expect(merged).toMatchObject({ ok: false, problem: expect.stringContaining('비교 규칙에 맞지 않습니다') });
  });
});

describe('replaceBlocks', () => {
  it("changes only the block's lines: fences, step ids and every other byte stay", () => {
    const target = page.blocks.find((b) => b.id === 'minio/get-after-output')!;
    const text = 'NAME   X\nnew    row';
    const out = replaceBlocks(source, [{ block: target, text }]);
    const [before, after] = [source.split('\n'), out.split('\n')];
    const n = target.code.split('\n').length;
    expect(after.slice(0, target.line)).toEqual(before.slice(0, target.line));
    expect(after.slice(target.line, target.line + 2)).toEqual(text.split('\n'));
    expect(after.slice(target.line + 2)).toEqual(before.slice(target.line + n));
    expect(parsePage(out, PAGE).blocks.find((b) => b.id === 'minio/get-after-output')?.code).toBe(text);
    // Several blocks at once, in any order; unchanged text gives the same bytes back.
    const all = page.blocks.map((b) => ({ block: b, text: b.code }));
    expect(replaceBlocks(source, all.reverse())).toBe(source);
  });

  it('refuses a block it cannot find verbatim under its fence (an indented block)', () => {
    const indented = '# t\n\n- item\n\n  ```text step="a"\n  one\n  ```\n';
    const b = parsePage(indented, 'x.md').blocks[0]!;
    expect(() => replaceBlocks(indented, [{ block: b, text: 'two' }])).toThrow('들여쓴 블록');
  });
});
