import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleDir, sourceKey } from '../scripts/lib/fast-start.ts';
import { projectRoot } from '../scripts/lib/paths.ts';

/**
 * The CLIs start from a bundle of their code: it must behave exactly as the sources do (including
 * where each module thinks it lives), and an edited source must never run from an old bundle.
 */
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['scripts/runbook.ts', ...args], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

describe('fast start', () => {
  it('the key follows every source under scripts/ and the lockfile', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-start-'));
    fs.mkdirSync(path.join(root, 'scripts', 'lib'), { recursive: true });
    fs.writeFileSync(path.join(root, 'scripts', 'lib', 'a.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{}');
    const first = sourceKey(root);
    expect(sourceKey(root)).toBe(first);
    fs.writeFileSync(path.join(root, 'scripts', 'lib', 'a.ts'), 'export const a = 2;\n');
    const edited = sourceKey(root);
    expect(edited).not.toBe(first);
    fs.writeFileSync(path.join(root, 'scripts', 'b.ts'), '');
    expect(sourceKey(root)).not.toBe(edited);
    const withFile = sourceKey(root);
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(sourceKey(root)).not.toBe(withFile);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the bundled CLI prints what the sources print, and finds the project from its own location', () => {
    const bundled = run(['metallb', '--dry-run']);
    expect(fs.existsSync(path.join(bundleDir('runbook'), 'entry.mjs')), 'the run built (or found) the bundle of the current sources').toBe(true);
    const sources = run(['metallb', '--dry-run'], { VDOCS_BUNDLE: '0' });
    expect(bundled.status).toBe(0);
    expect(bundled.stdout).toBe(sources.stdout);
    // The plan names the page by its path in the project: paths.ts resolved the root from its own source file.
    expect(bundled.stdout).toContain('src/content/docs/appendix/metallb.md');
    const help = run(['--help']);
    expect(help.stdout).toBe(run(['--help'], { VDOCS_BUNDLE: '0' }).stdout);
  }, 120_000);

  it('a usage error exits 2 from the bundle as from the sources (one copy of the error classes)', () => {
    for (const env of [{}, { VDOCS_BUNDLE: '0' }] as Record<string, string>[]) {
      const r = run(['no-such-runbook'], env);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('[UNKNOWN_RUNBOOK]');
    }
    const cluster = spawnSync(process.execPath, ['scripts/cluster.ts', 'up', '--kubernetes', '9.99'], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(cluster.status).toBe(2);
    expect(cluster.stderr).toContain('[CLUSTER_UNKNOWN_VERSION]');
  }, 120_000);
});
