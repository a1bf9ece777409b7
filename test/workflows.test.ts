import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { cacheDir } from '../scripts/lib/paths.ts';

/** actionlint from the Go module proxy, cached by version like the sandbox binaries. */
const VERSION = 'v1.7.12';
const bin = path.join(cacheDir(), 'bin', `actionlint-${VERSION}`, 'actionlint');
const workflows = fs.readdirSync('.github/workflows').map((f) => path.join('.github/workflows', f));

beforeAll(() => {
  if (fs.existsSync(bin)) return;
  execFileSync('go', ['install', `github.com/rhysd/actionlint/cmd/actionlint@${VERSION}`], {
    env: { ...process.env, GOBIN: path.dirname(bin), CGO_ENABLED: '0' },
    stdio: 'inherit',
  });
}, 600_000);

describe('GitHub workflows', () => {
  it('pass actionlint', () => {
    const r = spawnSync(bin, ['-no-color', ...workflows], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('actionlint rejects a broken workflow (the lint can fail)', () => {
    const broken = path.join(cacheDir(), 'tmp', 'broken.yml');
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n');
    const r = spawnSync(bin, ['-no-color', broken], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('matrix');
  });

  it('the nightly verifies every Kubernetes version the pages declare, on kind, and deploys the site', () => {
    const nightly = YAML.parse(fs.readFileSync('.github/workflows/nightly.yml', 'utf8'));
    const page = fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8');
    const declared = (YAML.parse(/^---\n([\s\S]*?)\n---/.exec(page)?.[1] ?? '') as { runbook: { kubernetes: string[] } }).runbook.kubernetes;
    expect(nightly.jobs.verify.strategy.matrix.kubernetes).toEqual(declared);
    expect(JSON.stringify(nightly.jobs.verify.steps)).toContain('npm run verify -- --provider kind');
    expect(JSON.stringify(nightly.jobs.deploy.steps)).toContain('actions/deploy-pages');
  });

  it('CI runs the README test command', () => {
    const ci = YAML.parse(fs.readFileSync('.github/workflows/ci.yml', 'utf8'));
    expect(ci.jobs.test.steps.map((s: { run?: string }) => s.run)).toContain('npm test');
  });
});
