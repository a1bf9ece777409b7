import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSource } from '../scripts/runbook/runner.ts';

/**
 * Where a report says it came from: the commit, and whether ANY tracked file had uncommitted
 * changes when the run started (not only the page and the runbook). Checked on scratch repositories.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provenance-'));
  dirs.push(dir);
  const git = (...args: string[]) =>
    expect(
      spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir }).status,
    ).toBe(0);
  git('init', '-q');
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.writeFileSync(path.join(dir, 'scripts/runner.ts'), 'export {};\n');
  fs.writeFileSync(path.join(dir, 'page.md'), '# page\n');
  git('add', '.');
  git('commit', '-qm', 'init');
  return dir;
}

describe('runSource', () => {
  it('a clean tree: the commit, not dirty', async () => {
    const dir = repo();
    const source = await runSource({}, dir);
    expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(source.dirty).toBe(false);
  });

  it('an uncommitted change to runner code (not the page, not the runbook) is dirty', async () => {
    const dir = repo();
    fs.appendFileSync(path.join(dir, 'scripts/runner.ts'), '// local change\n');
    expect((await runSource({}, dir)).dirty).toBe(true);
  });

  it('reports/ is output, not input: rewriting a committed report keeps the tree clean', async () => {
    const dir = repo();
    fs.mkdirSync(path.join(dir, 'reports'));
    fs.writeFileSync(path.join(dir, 'reports/r.json'), '{}\n');
    spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qam', 'r'], { cwd: dir });
    spawnSync('git', ['add', 'reports'], { cwd: dir });
    spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'r'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'reports/r.json'), '{"new":1}\n');
    expect((await runSource({}, dir)).dirty).toBe(false);
  });

  it('an untracked scratch file is not a change to the tracked tree', async () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'scratch\n');
    expect((await runSource({}, dir)).dirty).toBe(false);
  });

  it('outside git: no commit, and dirty (nothing proves the code was committed)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provenance-nogit-'));
    dirs.push(dir);
    expect(await runSource({}, dir)).toEqual({ dirty: true });
  });

  it('names the CI run', async () => {
    const dir = repo();
    expect((await runSource({ GITHUB_RUN_ID: '7', GITHUB_REPOSITORY: 'o/r' }, dir)).ci).toBe(
      'https://github.com/o/r/actions/runs/7',
    );
  });
});
