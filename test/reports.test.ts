import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SKIPPED_FILE } from './helpers/machine.ts';
import { codeFingerprint } from '../scripts/model/fingerprint.ts';
import { readPage } from '../scripts/model/page.ts';
import { reportPath, verifiedPages, type VerifiedPage } from '../scripts/model/pages.ts';
import { readReport, type RunReport } from '../scripts/model/report.ts';
import { importRunbook } from '../scripts/model/runbooks.ts';
import { verdict, type Verdict } from '../scripts/model/verdict.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { passingReport, withStep } from './helpers/reports.ts';

/**
 * The reports committed for the site come from real runs of committed code, on the current page,
 * runbook and code: every declared version has a schema-valid report whose verdict is `passed` (its
 * evidence checked again against the page bound to its runbook now, nothing stale, partial, failed
 * or contradicting its status), made from a clean tree at a commit of this history. Changing a
 * block, a rule, a pin, the runbook's other fields or any file of the code that runs and judges
 * steps fails here until `npm run verify` is run again from committed code and reports/ is committed.
 */
const root = process.cwd();
const pages = verifiedPages(root);
const code = codeFingerprint(root);
const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
const inGit = git('rev-parse', 'HEAD').status === 0;

/** What this file requires of a report file, in one place: read and validated, then judged on the page bound to its runbook now. */
async function judgeReportFile(file: string, page: VerifiedPage): Promise<Verdict> {
  const report = readReport(file);
  return verdict({ report, binding: bind(await importRunbook(root, page.runbook), readPage(page.file, root)), code });
}

describe.each(pages.flatMap((p) => p.kubernetes.map((v) => [`${p.runbook} @ Kubernetes ${v}`, p, v] as const)))(
  '%s',
  (_label, page, minor) => {
    const file = reportPath('reports', page.runbook, minor);
    const again = `다시 검증하세요: 변경을 커밋한 뒤 npm run verify -- --kubernetes ${minor} 로 만들고 reports/ 를 커밋하세요.`;

    it(`Kubernetes ${minor}: a schema-valid report from a run exists`, () => {
      expect(
        fs.existsSync(file),
        `${file} is missing: run npm run verify -- --kubernetes ${minor} and commit reports/`,
      ).toBe(true);
      const report = readReport(file);
      expect(report.page).toBe(page.file);
      expect(report.kubernetes.startsWith(`v${minor}.`)).toBe(true);
      expect(report.provider).not.toBe('context');
    });

    it(`Kubernetes ${minor}: its verdict on the current page, runbook and code is passed`, async () => {
      const v = await judgeReportFile(file, page);
      expect(v.reasons, again).toEqual([]);
      expect(v.status).toBe('passed');
    });

    it.runIf(inGit)(
      `Kubernetes ${minor}: made from committed code (a clean tree at a commit of this history)`,
      (ctx) => {
        const report = readReport(file);
        expect(report.source.dirty, `${file} 는 커밋하지 않은 변경이 있는 트리에서 만들었습니다. ${again}`).toBe(false);
        expect(report.source.commit, `${file} 에 커밋이 없습니다. ${again}`).toMatch(/^[0-9a-f]{40}$/);
        // A shallow clone may not have the commit; then the ancestry cannot be told: a visible skip, listed at the end of the run.
        if (
          git('cat-file', '-e', `${report.source.commit}^{commit}`).status !== 0 &&
          git('rev-parse', '--is-shallow-repository').stdout.trim() === 'true'
        ) {
          fs.mkdirSync(path.dirname(SKIPPED_FILE), { recursive: true });
          fs.appendFileSync(
            SKIPPED_FILE,
            `reports: ${file} 의 커밋 ${report.source.commit} 이 얕은 clone 에 없어 조상인지 확인하지 못했습니다 (git fetch --unshallow)\n`,
          );
          return ctx.skip();
        }
        expect(
          git('merge-base', '--is-ancestor', report.source.commit ?? '', 'HEAD').status,
          `${report.source.commit} 는 HEAD 의 조상이 아닙니다. ${again}`,
        ).toBe(0);
      },
    );
  },
);

/** The check above, on forged copies of a report that passes it: none of them passes. */
describe('forged reports do not pass this check', () => {
  const page = pages.find((p) => p.runbook === 'metallb')!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forged-reports-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, report: RunReport) => {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(report));
    return file;
  };
  const honest = async () =>
    passingReport(bind(await importRunbook(root, page.runbook), readPage(page.file, root)), code);

  it('an honest report of the current page and code passes (so the forgeries below fail for their forgery)', async () => {
    expect((await judgeReportFile(write('honest', await honest()), page)).status).toBe('passed');
  });

  it.each([
    [
      'a step flipped to passed against its streams',
      (r: RunReport) =>
        withStep(r, 'istio/get-after', {
          status: 'passed',
          streams: {
            stdout:
              'NAME                   TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE\nistio-ingressgateway   ClusterIP   10.103.72.5   <none>        80/TCP    7s\n',
            stderr: '',
          },
        }),
      'error',
    ],
    [
      'a changed stream',
      (r: RunReport) => withStep(r, 'config/apply', { streams: { stdout: 'configmap/other created\n', stderr: '' } }),
      'error',
    ],
    [
      'a block the report did not cover',
      (r: RunReport) =>
        withStep(r, 'install/get-pods', {
          blockHashes: {
            'install/get-pods': r.steps.find((s) => s.id === 'install/get-pods')!.blockHashes['install/get-pods']!,
          },
        }),
      'stale',
    ],
    [
      'code the report was not made from',
      (r: RunReport) => ({
        ...r,
        fingerprints: {
          ...r.fingerprints,
          code: { ...r.fingerprints.code, 'scripts/cluster/kubeproxy.ts': '0123456789abcdef' },
        },
      }),
      'stale',
    ],
  ] as const)('%s', async (name, forge, expected) => {
    const v = await judgeReportFile(write(name.replace(/\W+/g, '-'), forge(await honest())), page);
    expect(v.status).toBe(expected);
  });

  it('an empty block set is refused when the report is read', async () => {
    const file = write('empty-blocks', withStep(await honest(), 'install/get-pods', { blockHashes: {} }));
    await expect(judgeReportFile(file, page)).rejects.toThrow(/blockHashes 는 비어 있을 수 없습니다/);
  });
});
