import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../scripts/lib/io.ts';
import { codeFingerprint } from '../scripts/model/fingerprint.ts';
import { readPage } from '../scripts/model/page.ts';
import { reportPath } from '../scripts/model/pages.ts';
import { importRunbook } from '../scripts/model/runbooks.ts';
import { bind } from '../scripts/runbook/bind.ts';
import { main } from '../scripts/verify/cli.ts';
import { guideStatus } from '../scripts/verify/status.ts';
import { passingReport, withStep } from './helpers/reports.ts';

/**
 * `npm run verify -- status` (issue 25, item 5): for every page of the guide, whether it has a
 * runbook, what each declared version's report proves now (the one verdict), and every block or
 * figure no runbook step checks, with file:line. Nothing here needs a cluster.
 */
const root = process.cwd();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-status-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PAGE = 'src/content/docs/appendix/metallb.md';

function writeReport(dir: string, minor: string, report: object): void {
  const file = reportPath(dir, 'metallb', minor);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report));
}

describe('verify status on this guide', async () => {
  const binding = bind(await importRunbook(root, 'metallb'), readPage(PAGE, root));
  const good = passingReport(binding, codeFingerprint(root), {
    provider: 'kind',
    finishedAt: '2026-12-01T00:00:00.000Z',
  });

  it('a report whose evidence holds is 통과 with its date and provider; a missing version says how to make it', async () => {
    const dir = path.join(tmp, 'good');
    writeReport(dir, '1.37', good);
    const metallb = (await guideStatus(root, dir)).find((p) => p.file === PAGE)!;
    expect(metallb.runbook).toBe('metallb');
    expect(metallb.uncovered).toEqual([]);
    expect(metallb.versions.map((v) => [v.kubernetes, v.status])).toEqual([
      ['1.37', 'passed'],
      ['1.24', 'none'],
    ]);
    const english = (await guideStatus(root, dir)).find((p) => p.file === 'src/content/docs/en/appendix/metallb.md')!;
    expect(english).toMatchObject({ runbook: 'metallb', translationOf: PAGE, uncovered: [] });
    expect(english.versions.map((v) => [v.kubernetes, v.status])).toEqual([
      ['1.37', 'passed'],
      ['1.24', 'none'],
    ]);
    const io = memoryIo({}, root);
    expect(await main(['status', '--reports', dir], io)).toBe(0);
    expect(io.stdout()).toContain('✓ Kubernetes 1.37: 통과 — 2026-12-01, kind');
    expect(io.stdout()).toContain('· Kubernetes 1.24: 보고서 없음');
    expect(io.stdout()).toContain('npm run verify -- --page metallb --kubernetes 1.24');
  });

  it('a report whose evidence contradicts its status is not 통과, and the reason is shown', async () => {
    const dir = path.join(tmp, 'forged');
    const forged = withStep(good, 'install/get-pods', {
      streams: { stdout: 'No resources found in metallb-system namespace.\n', stderr: '' },
    });
    writeReport(dir, '1.37', forged);
    const io = memoryIo({}, root);
    await main(['status', '--reports', dir, '--json'], io);
    const metallb = (
      JSON.parse(io.stdout()) as Array<{ file: string; versions: Array<{ status: string; reasons: string[] }> }>
    ).find((p) => p.file === PAGE)!;
    expect(metallb.versions[0]!.status).not.toBe('passed');
    expect(metallb.versions[0]!.reasons.join('\n')).toContain('install/get-pods');
  });
});

describe('verify status on pages without a runbook', () => {
  it('lists every block and image of a dropped-in page with file:line, and a page whose runbook is missing', async () => {
    const guide = path.join(tmp, 'guide');
    const docs = path.join(guide, 'src/content/docs/setup');
    fs.mkdirSync(docs, { recursive: true });
    fs.writeFileSync(
      path.join(docs, 'mlflow.md'),
      [
        '---',
        'title: MLflow',
        '---',
        '',
        '```bash',
        'helm install mlflow ./mlflow',
        '```',
        '',
        '![로그인 화면](./img/login.png)',
        '',
        '<img src="/images/old.png" alt="예전 그림">',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(docs, 'gone.md'),
      [
        '---',
        'title: Gone',
        'runbook:',
        '  name: gone',
        '  kubernetes: ["1.37"]',
        '---',
        '',
        '```bash step="a/b"',
        'kubectl get pods',
        '```',
        '',
      ].join('\n'),
    );
    const pages = await guideStatus(guide, path.join(guide, 'reports'));
    const mlflow = pages.find((p) => p.file === 'src/content/docs/setup/mlflow.md')!;
    expect(mlflow.runbook).toBeUndefined();
    expect(mlflow.uncovered.map((u) => u.at)).toEqual([
      'src/content/docs/setup/mlflow.md:5',
      'src/content/docs/setup/mlflow.md:9',
      'src/content/docs/setup/mlflow.md:11',
    ]);
    expect(mlflow.uncovered[1]!.what).toContain('./img/login.png');
    const gone = pages.find((p) => p.file === 'src/content/docs/setup/gone.md')!;
    expect(gone.bindError).toBeDefined();
    expect(gone.uncovered.map((u) => u.at)).toEqual(['src/content/docs/setup/gone.md:8']);
  });
});
