import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mirrorFingerprints, runnerHash } from '../scripts/model/fingerprint.ts';
import { readPage } from '../scripts/model/page.ts';
import { reportPath, verifiedPages } from '../scripts/model/pages.ts';
import { readReport } from '../scripts/model/report.ts';
import { importRunbook } from '../scripts/model/runbooks.ts';
import { verdict } from '../scripts/model/verdict.ts';
import { testMirror } from './helpers/sandbox.ts';

/**
 * The reports committed for the site come from real runs of committed code, on the current page,
 * runbook, runner and mirror files: every declared version has a schema-valid report whose verdict
 * is `passed` (not stale, partial or failed), made from a clean tree at a commit of this history.
 * Changing a block, a rule, the runner or a mirrored file fails here until `npm run verify` is
 * run again from committed code and reports/ is committed.
 */
const root = process.cwd();
const pages = verifiedPages(root);
const runner = runnerHash(root);
const mirror = testMirror();
const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
const inGit = git('rev-parse', 'HEAD').status === 0;

describe.each(pages.flatMap((p) => p.kubernetes.map((v) => [`${p.runbook} @ Kubernetes ${v}`, p, v] as const)))('%s', (_label, page, minor) => {
  const file = reportPath('reports', page.runbook, minor);
  const again = `다시 검증하세요: 변경을 커밋한 뒤 npm run verify -- --kubernetes ${minor} 로 만들고 reports/ 를 커밋하세요.`;

  it(`Kubernetes ${minor}: a schema-valid report from a run exists`, () => {
    expect(fs.existsSync(file), `${file} is missing: run npm run verify -- --kubernetes ${minor} and commit reports/`).toBe(true);
    const report = readReport(file);
    expect(report.page).toBe(page.file);
    expect(report.kubernetes.startsWith(`v${minor}.`)).toBe(true);
    expect(report.provider).not.toBe('context');
  });

  it(`Kubernetes ${minor}: its verdict on the current page, runbook, runner and mirror is passed`, async () => {
    const report = readReport(file);
    const inputs = mirror ? mirrorFingerprints(mirror, Object.keys(report.fingerprints.inputs)) : undefined;
    const v = verdict({ report, page: readPage(page.file), runbook: await importRunbook(root, page.runbook), runner, ...(inputs ? { inputs } : {}) });
    expect(v.reasons, again).toEqual([]);
    expect(v.status).toBe('passed');
  });

  it.runIf(inGit)(`Kubernetes ${minor}: made from committed code (a clean tree at a commit of this history)`, () => {
    const report = readReport(file);
    expect(report.source.dirty, `${file} 는 커밋하지 않은 변경이 있는 트리에서 만들었습니다. ${again}`).toBe(false);
    expect(report.source.commit, `${file} 에 커밋이 없습니다. ${again}`).toMatch(/^[0-9a-f]{40}$/);
    // A shallow clone may not have the commit; then the ancestry cannot be told and is not claimed.
    if (git('cat-file', '-e', `${report.source.commit}^{commit}`).status !== 0 && git('rev-parse', '--is-shallow-repository').stdout.trim() === 'true') return;
    expect(git('merge-base', '--is-ancestor', report.source.commit ?? '', 'HEAD').status, `${report.source.commit} 는 HEAD 의 조상이 아닙니다. ${again}`).toBe(0);
  });
});
