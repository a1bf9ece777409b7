import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { resolveKubernetes } from '../scripts/cluster/versions.ts';
import { cacheDir } from '../scripts/lib/paths.ts';
import { legFile } from '../src/lib/verification/reports.ts';

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
    const page = fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8');
    const declared = (YAML.parse(/^---\n([\s\S]*?)\n---/.exec(page)?.[1] ?? '') as { runbook: { kubernetes: string[] } }).runbook.kubernetes;
    expect(nightly.jobs.verify.strategy.matrix.include.map((leg: Leg) => leg.kubernetes)).toEqual(declared);
    expect(run(verifyStep())).toContain('npm run verify -- --provider kind');
    expect(stepUsing(nightly.jobs['deploy']!, 'actions/deploy-pages')).toBeDefined();
  });
});

interface Step { name?: string; id?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown>; 'continue-on-error'?: boolean }
interface Job { needs?: string | string[]; if?: string; steps: Step[]; env?: Record<string, string>; permissions?: Record<string, string> }
interface Leg { kubernetes: string; kind: string; 'kind-sha256': string; kubectl: string; 'kubectl-sha256': string }

const nightlyText = fs.readFileSync('.github/workflows/nightly.yml', 'utf8');
const nightly = YAML.parse(nightlyText) as { on: Record<string, unknown>; concurrency?: { group?: string; 'cancel-in-progress'?: boolean }; jobs: Record<string, Job> & { verify: Job & { strategy: { matrix: { include: Leg[] } } } } };
const run = (step: Step | undefined) => step?.run ?? '';
const stepUsing = (job: Job, action: string) => job.steps.find((s) => s.uses?.startsWith(`${action}@`));
const verifyStep = () => nightly.jobs.verify.steps.find((s) => run(s).includes('npm run verify'));
const needs = (job: Job) => ([] as string[]).concat(job.needs ?? []);

/** issue 12: each fault of the first nightly, read as someone who runs kind in GitHub Actions would. */
describe('the nightly publishes only tonight\'s truth', () => {
  it('runs on a schedule and never reads github.event.repository (empty on schedule events)', () => {
    expect(Object.keys(nightly.on)).toContain('schedule');
    expect(nightlyText).not.toMatch(/github\.event\.repository/);
  });

  it('takes the site origin and base path from actions/configure-pages', () => {
    const site = nightly.jobs['site']!;
    const pages = stepUsing(site, 'actions/configure-pages');
    expect(pages?.id).toBe('pages');
    const build = site.steps.find((s) => run(s).includes('npm run build'));
    expect(build?.env).toMatchObject({ SITE_URL: '${{ steps.pages.outputs.origin }}', SITE_BASE: '${{ steps.pages.outputs.base_path }}' });
    expect(site.steps.indexOf(pages!)).toBeLessThan(site.steps.indexOf(build!));
  });

  it('each leg writes its reports into its own folder and uploads only that folder', () => {
    const verify = nightly.jobs.verify;
    expect(verify.env?.['LEG_DIR']).toMatch(/\$\{\{ matrix\.kubernetes \}\}/);
    expect(verify.env?.['LEG_DIR']).not.toMatch(/^reports\/?$/);
    expect(run(verifyStep())).toMatch(/--reports "\$LEG_DIR"/);
    const uploads = verify.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads).toHaveLength(1);
    expect(uploads[0]?.with).toMatchObject({ name: 'reports-${{ matrix.kubernetes }}', path: '${{ env.LEG_DIR }}/' });
    expect(uploads[0]?.if).toBe('always()');
  });

  it('each leg records how it ended, where the site looks for it, whatever happened', () => {
    const record = nightly.jobs.verify.steps.find((s) => run(s).includes('leg-kubernetes-'));
    expect(record?.if).toBe('always()');
    expect(record?.env?.['STATUS']).toBe('${{ job.status }}');
    expect(run(record)).toContain(`> "${legFile('$LEG_DIR', '$KUBERNETES')}"`);
  });

  it('on failure, kind export logs goes into the uploaded folder', () => {
    const steps = nightly.jobs.verify.steps;
    const logs = steps.find((s) => run(s).includes('kind export logs'));
    expect(logs?.if).toBe('failure()');
    expect(run(logs)).toMatch(/kind export logs "\$LEG_DIR\/[^"]+" --name "verify-\$\{KUBERNETES\/\.\/-\}"/);
    expect(run(verifyStep())).toContain('--keep');
    expect(steps.indexOf(logs!)).toBeLessThan(steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@')));
  });

  it('the site is built from tonight\'s artifacts only, even after failed legs', () => {
    const site = nightly.jobs['site']!;
    expect(site.if).toBe('${{ !cancelled() }}');
    const download = stepUsing(site, 'actions/download-artifact');
    expect(download?.with).toMatchObject({ pattern: 'reports-*', 'merge-multiple': true });
    const build = site.steps.find((s) => run(s).includes('npm run build'));
    expect(build?.env?.['REPORTS_DIR']).toBe(download?.with?.['path']);
    expect(build?.env?.['REPORTS_DIR']).not.toMatch(/^(\.\/)?reports\/?$/);
    expect(build?.env?.['NIGHTLY_RUN_URL']).toBe('${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}');
    // Nothing fills tonight's folder from the committed reports, or swaps it in for them.
    for (const step of site.steps) expect(run(step)).not.toMatch(/\breports\b/);
  });

  it('deploys only a site that built, and only through a concurrency group', () => {
    const deploy = nightly.jobs['deploy']!;
    expect(needs(deploy)).toEqual(['site']);
    expect(deploy.if).toContain("needs.site.result == 'success'");
    expect(deploy.if).not.toMatch(/always\(\)/);
    expect(nightly.concurrency?.group).toBeTruthy();
    expect(nightly.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('installs kind and kubectl from release binaries with pinned sha256 (cached), never from Go source', () => {
    const verify = nightly.jobs.verify;
    // Go is there for the project's own pod-tools only (next test); nothing in the workflow builds a Go binary itself.
    expect(nightlyText).not.toMatch(/go (build|install|get)\b/);
    for (const leg of verify.strategy.matrix.include) {
      const release = resolveKubernetes(leg.kubernetes);
      expect([leg.kind, leg.kubectl]).toEqual([release.kindRelease, release.kubernetes]);
      expect(leg['kind-sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(leg['kubectl-sha256']).toMatch(/^[0-9a-f]{64}$/);
    }
    const install = verify.steps.find((s) => run(s).includes('sha256sum --check'));
    expect(install?.env).toMatchObject({ KIND_SHA256: '${{ matrix.kind-sha256 }}', KUBECTL_SHA256: '${{ matrix.kubectl-sha256 }}' });
    expect(install?.env?.['KIND_URL']).toBe('https://github.com/kubernetes-sigs/kind/releases/download/${{ matrix.kind }}/kind-linux-amd64');
    expect(install?.env?.['KUBECTL_URL']).toBe('https://dl.k8s.io/release/${{ matrix.kubectl }}/bin/linux/amd64/kubectl');
    const cache = stepUsing(verify, 'actions/cache');
    expect(cache?.with?.['path']).toBe('${{ env.TOOLS }}');
    expect(String(cache?.with?.['key'])).toContain('${{ matrix.kind-sha256 }}');
    expect(verify.steps.indexOf(cache!)).toBeLessThan(verify.steps.indexOf(install!));
  });

  it("creates kind's Docker network on the page's subnet before the cluster, keeping Docker's addresses off the pool", () => {
    const steps = nightly.jobs.verify.steps;
    const network = steps.find((s) => run(s).includes('docker network create'));
    const create = run(network).replace(/\\\n\s*/g, '');
    expect(create).toMatch(/--subnet 192\.168\.35\.0\/24/);
    expect(create).toMatch(/--ip-range 192\.168\.35\.0\/26/);
    expect(create.trim().split(/\s+/).at(-1)).toBe('kind');
    expect(steps.indexOf(network!)).toBeLessThan(steps.indexOf(verifyStep()!));
    // The page's pool lies in the subnet and above .63 (outside Docker's --ip-range).
    const pool = /(192\.168\.35\.(\d+))-(192\.168\.35\.(\d+))/.exec(fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8'));
    expect(pool).not.toBeNull();
    expect(Number(pool![2])).toBeGreaterThan(63);
  });

  it('the browser steps can run on kind: Go for the stand-in image (built by the project\'s own code) and Chromium with the Korean font, before verify', () => {
    const steps = nightly.jobs.verify.steps;
    const verify = steps.indexOf(verifyStep()!);
    const go = stepUsing(nightly.jobs.verify, 'actions/setup-go');
    expect(go?.with?.['go-version']).toBe(YAML.parse(fs.readFileSync('.github/workflows/ci.yml', 'utf8')).jobs.test.steps.find((s: Step) => s.uses?.startsWith('actions/setup-go@'))?.with?.['go-version']);
    const prereqs = steps.find((s) => run(s).trim() === 'npm run prereqs');
    expect(prereqs).toBeDefined();
    expect(steps.indexOf(go!)).toBeLessThan(verify);
    expect(steps.indexOf(prereqs!)).toBeLessThan(verify);
    expect(steps.indexOf(prereqs!)).toBeGreaterThan(steps.findIndex((s) => run(s).trim() === 'npm ci'));
    // The stand-in image is the project's: built from go/pod-tools and loaded by the kind provider, not by a workflow step.
    for (const step of steps) expect(run(step)).not.toMatch(/kind load|docker (build|pull|load)|oci-image|standin/);
  });

  it('uses current action majors (Node 24), in every workflow', () => {
    const current: Record<string, number> = {
      'actions/checkout': 6, 'actions/setup-node': 7, 'actions/setup-go': 6, 'actions/cache': 5,
      'actions/upload-artifact': 7, 'actions/download-artifact': 8, 'actions/configure-pages': 6,
      'actions/upload-pages-artifact': 5, 'actions/deploy-pages': 5,
    };
    const used = workflows.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/uses:\s*([\w-]+\/[\w-]+)@v(\d+)/g)].map((m) => [f, m[1]!, Number(m[2])] as const));
    expect(used.length).toBeGreaterThan(0);
    for (const [file, action, major] of used) {
      expect(current[action], `${file}: ${action} is not in the table of current majors`).toBeDefined();
      expect(major, `${file}: ${action}@v${major}`).toBeGreaterThanOrEqual(current[action]!);
    }
  });

});

describe('CI', () => {
  it('runs the README test command', () => {
    const ci = YAML.parse(fs.readFileSync('.github/workflows/ci.yml', 'utf8'));
    expect(ci.jobs.test.steps.map((s: { run?: string }) => s.run)).toContain('npm test');
  });
});
