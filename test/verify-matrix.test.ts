import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReport } from '../scripts/model/report.ts';
import { reportPath, verifiedPages } from '../scripts/model/pages.ts';
import { cli, testMirror } from './helpers/sandbox.ts';

/**
 * `npm run verify` for real, on the kwok provider, for every Kubernetes version each page declares
 * (1.37 and 1.24 for MetalLB): a fresh sandbox per version, the runbook, the report, the teardown.
 */
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-matrix-'));
afterAll(() => fs.rmSync(reports, { recursive: true, force: true }));

describe('npm run verify on the kwok provider', () => {
  it('takes several pages with --page a,b and refuses a name no page declares, listing the ones that exist', () => {
    const r = cli('verify', ['--provider', 'kwok', '--page', 'metallb-v0-16, metallbb', '--reports', reports]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('런북 metallbb 를 밝힌 페이지가 없습니다.');
    expect(r.stderr).toContain('있는 페이지의 런북: metallb, metallb-v0-16');
    const two = cli('verify', ['--provider', 'kwok', '--page', 'metallb-v0-16,metallb-v0-16', '--reports', reports]);
    expect(two.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('refuses, before any sandbox, a page whose pods must really run, naming why and what to use', () => {
    const r = cli('verify', ['--provider', 'kwok', '--page', 'metallb-v0-16', '--reports', reports]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ metallb-v0-16  검증하지 못함: --provider kwok 는 파드를 Running 으로 표시만 합니다 (--provider pods 또는 kind 로 실행하세요)',
    );
    expect(r.stderr).toContain('검증 웹훅');
    expect(r.stderr).not.toContain('kwokctl create cluster');
    expect(fs.existsSync(reportPath(reports, 'metallb-v0-16', '1.37'))).toBe(false);
  });

  it(
    'passes every page that kwok can run on every declared Kubernetes version and writes a report and JUnit for each',
    async () => {
      const mirror = testMirror();
      const r = cli('verify', ['--provider', 'kwok', '--page', 'metallb', '--reports', reports], {
        RUNBOOK_MIRROR: mirror,
      });
      expect(r.stderr.slice(-3000)).toContain('다음: npm run build');
      expect(r.code).toBe(0);
      const { importRunbook } = await import('../scripts/model/runbooks.ts');
      const kwokPages = [];
      for (const page of verifiedPages(process.cwd()))
        if (!(await importRunbook(process.cwd(), page.runbook)).needs?.runningPods) kwokPages.push(page);
      expect(kwokPages.map((p) => p.runbook)).toEqual(['metallb']);
      for (const page of kwokPages) {
        for (const minor of page.kubernetes) {
          const report = readReport(reportPath(reports, page.runbook, minor));
          expect(report).toMatchObject({ status: 'passed', provider: 'kwok', page: page.file });
          expect(report.kubernetes.startsWith(`v${minor}.`)).toBe(true);
          expect(r.stdout).toContain(`✓ ${page.runbook}  Kubernetes ${minor}  passed`);
          // Where the time went: sandbox up, the run, sandbox down.
          expect(r.stdout).toMatch(
            new RegExp(
              `✓ ${page.runbook}  Kubernetes ${minor.replace('.', '\\.')}  passed(?: \\([^)]*\\))?  \\S+ \\(up \\S+ · 실행 \\S+ · down \\S+\\)`,
            ),
          );
          expect(fs.existsSync(path.join(reports, 'junit', `${page.runbook}-kubernetes-${minor}.xml`))).toBe(true);
        }
      }
      const apply = (minor: string) =>
        readReport(reportPath(reports, 'metallb', minor)).steps.find((s) => s.id === 'install/apply');
      expect(apply('1.24')?.actual).toContain('podsecuritypolicy.policy/controller created');
      expect(apply('1.37')?.notes.join(' ')).toContain('페이지가 밝힌 차이를 기대했습니다');
      expect(apply('1.37')?.exitCode).toBe(1);
    },
    60 * 60_000,
  ); // a cold machine builds both Kubernetes versions first
});
