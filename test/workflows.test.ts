import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { resolveKubernetes } from '../scripts/cluster/versions.ts';
import { cacheDir } from '../scripts/lib/paths.ts';
import { verifiedPages } from '../scripts/model/pages.ts';
import { verifySandboxName } from '../scripts/verify/cli.ts';
import { legFile, SETUP_FAILED } from '../src/lib/verification/reports.ts';

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
    fs.writeFileSync(
      broken,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n',
    );
    const r = spawnSync(bin, ['-no-color', broken], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('matrix');
  });

  it('the nightly verifies every Kubernetes version the pages declare, on kind, and deploys the site', () => {
    const page = fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8');
    const declared = (
      YAML.parse(/^---\n([\s\S]*?)\n---/.exec(page)?.[1] ?? '') as { runbook: { kubernetes: string[] } }
    ).runbook.kubernetes;
    expect(nightly.jobs.verify.strategy.matrix.include.map((leg: Leg) => leg.kubernetes)).toEqual(declared);
    expect(run(verifyStep())).toContain('npm run verify -- --provider kind');
    expect(stepUsing(nightly.jobs['deploy']!, 'actions/deploy-pages')).toBeDefined();
  });
});

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  'continue-on-error'?: boolean;
  'timeout-minutes'?: number;
}
interface Job {
  needs?: string | string[];
  if?: string;
  steps: Step[];
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  'timeout-minutes'?: number;
}
interface Leg {
  kubernetes: string;
  kind: string;
  'kind-sha256': string;
  kubectl: string;
  'kubectl-sha256': string;
}

const nightlyText = fs.readFileSync('.github/workflows/nightly.yml', 'utf8');
const nightly = YAML.parse(nightlyText) as {
  on: Record<string, unknown>;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job> & { verify: Job & { strategy: { matrix: { include: Leg[] } } } };
};
const run = (step: Step | undefined) => step?.run ?? '';
const stepUsing = (job: Job, action: string) => job.steps.find((s) => s.uses?.startsWith(`${action}@`));
const verifyStep = () => nightly.jobs.verify.steps.find((s) => run(s).includes('npm run verify'));
const needs = (job: Job) => ([] as string[]).concat(job.needs ?? []);

/** issue 12: each fault of the first nightly, read as someone who runs kind in GitHub Actions would. */
describe("the nightly publishes only tonight's truth", () => {
  it('runs on a schedule and never reads github.event.repository (empty on schedule events)', () => {
    expect(Object.keys(nightly.on)).toContain('schedule');
    expect(nightlyText).not.toMatch(/github\.event\.repository/);
  });

  it('takes the site origin and base path from actions/configure-pages', () => {
    const site = nightly.jobs['site']!;
    const pages = stepUsing(site, 'actions/configure-pages');
    expect(pages?.id).toBe('pages');
    const build = site.steps.find((s) => run(s).includes('npm run build'));
    expect(build?.env).toMatchObject({
      SITE_URL: '${{ steps.pages.outputs.origin }}',
      SITE_BASE: '${{ steps.pages.outputs.base_path }}',
    });
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
    const record = recordStep();
    expect(record?.if).toBe('always()');
    expect(record?.env?.['STATUS']).toBe('${{ job.status }}');
    expect(run(record)).toContain(`> "${legFile('$LEG_DIR', '$KUBERNETES')}"`);
  });

  it('on failure, kind export logs goes into the uploaded folder', () => {
    const steps = nightly.jobs.verify.steps;
    const logs = exportStep();
    expect(logs?.if).toMatch(/failure\(\)/);
    expect(run(logs)).toMatch(/kind export logs "\$LEG_DIR\/[^"]+" --name "\$cluster"/);
    // A failed page's logs are saved by verify itself (cluster logs, kind export logs), then its sandbox goes:
    // no kept cluster shares the kind network (and the page's address pool) with the next page's.
    expect(run(verifyStep())).not.toContain('--keep');
    const verifySource = fs.readFileSync('scripts/verify/cli.ts', 'utf8').replace(/\s+/g, ' ');
    expect(verifySource).toContain("['logs', '--name', sandbox, '--to', path.join(reportsDir, 'logs', sandbox)]");
    expect(steps.indexOf(logs!)).toBeLessThan(steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@')));
  });

  it("the site is built from tonight's artifacts only, even after failed legs", () => {
    const site = nightly.jobs['site']!;
    expect(site.if).toBe('${{ !cancelled() }}');
    const download = stepUsing(site, 'actions/download-artifact');
    expect(download?.with).toMatchObject({ pattern: 'reports-*', 'merge-multiple': true });
    const build = site.steps.find((s) => run(s).includes('npm run build'));
    expect(build?.env?.['REPORTS_DIR']).toBe(download?.with?.['path']);
    expect(build?.env?.['REPORTS_DIR']).not.toMatch(/^(\.\/)?reports\/?$/);
    expect(build?.env?.['NIGHTLY_RUN_URL']).toBe(
      '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}/attempts/${{ github.run_attempt }}',
    );
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
    expect(install?.env).toMatchObject({
      KIND_SHA256: '${{ matrix.kind-sha256 }}',
      KUBECTL_SHA256: '${{ matrix.kubectl-sha256 }}',
    });
    expect(install?.env?.['KIND_URL']).toBe(
      'https://github.com/kubernetes-sigs/kind/releases/download/${{ matrix.kind }}/kind-linux-amd64',
    );
    expect(install?.env?.['KUBECTL_URL']).toBe(
      'https://dl.k8s.io/release/${{ matrix.kubectl }}/bin/linux/amd64/kubectl',
    );
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
    const pool = /(192\.168\.35\.(\d+))-(192\.168\.35\.(\d+))/.exec(
      fs.readFileSync('src/content/docs/appendix/metallb.md', 'utf8'),
    );
    expect(pool).not.toBeNull();
    expect(Number(pool![2])).toBeGreaterThan(63);
  });

  it("the browser steps can run on kind: Go for the stand-in image (built by the project's own code) and Chromium with the Korean font, before verify", () => {
    const steps = nightly.jobs.verify.steps;
    const verify = steps.indexOf(verifyStep()!);
    const go = stepUsing(nightly.jobs.verify, 'actions/setup-go');
    expect(go?.with?.['go-version']).toBe(
      YAML.parse(fs.readFileSync('.github/workflows/ci.yml', 'utf8')).jobs.test.steps.find((s: Step) =>
        s.uses?.startsWith('actions/setup-go@'),
      )?.with?.['go-version'],
    );
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
      'actions/checkout': 6,
      'actions/setup-node': 7,
      'actions/setup-go': 6,
      'actions/cache': 5,
      'actions/upload-artifact': 7,
      'actions/download-artifact': 8,
      'actions/configure-pages': 6,
      'actions/upload-pages-artifact': 5,
      'actions/deploy-pages': 5,
    };
    const used = workflows.flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/uses:\s*([\w-]+\/[\w-]+)@v(\d+)/g)].map(
        (m) => [f, m[1]!, Number(m[2])] as const,
      ),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const [file, action, major] of used) {
      expect(current[action], `${file}: ${action} is not in the table of current majors`).toBeDefined();
      expect(major, `${file}: ${action}@v${major}`).toBeGreaterThanOrEqual(current[action]!);
    }
  });
});

const recordStep = () => nightly.jobs.verify.steps.find((s) => run(s).includes('leg-kubernetes-'));
const exportStep = () => nightly.jobs.verify.steps.find((s) => run(s).includes('kind export logs'));

/** Runs a step's script as GitHub's runner runs a `run:` (bash -eo pipefail) with the given environment. */
function runStep(
  step: Step | undefined,
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const script = run(step);
  // Only environment variables: every ${{ }} value comes in through the step's `env:`.
  expect(script).not.toContain('${{');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = (name: string) => {
  const dir = path.join(cacheDir(), 'tmp', `workflows-${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

/** The sandboxes `npm run verify -- --kubernetes <minor>` makes: one per page that declares the version. */
const legSandboxes = (minor: string) =>
  verifiedPages(process.cwd())
    .filter((p) => p.kubernetes.includes(minor))
    .map((p) => verifySandboxName(p.runbook, minor));

/** Faults of the first nightly on GitHub (issue tracker): re-runs, kind logs per page, timeouts, setup failures, Pages settings. */
describe('the nightly after a re-run, a timeout or a setup failure', () => {
  it('"Re-run failed jobs" uploads again without a 409: every upload overwrites, and the Pages artifact is named by attempt', () => {
    for (const file of workflows) {
      const wf = YAML.parse(fs.readFileSync(file, 'utf8')) as { jobs: Record<string, Job> };
      for (const job of Object.values(wf.jobs)) {
        for (const upload of job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')))
          expect(upload.with?.['overwrite'], `${file}: ${upload.with?.['name']}`).toBe(true);
      }
    }
    // upload-pages-artifact has no overwrite: each attempt its own name, and deploy takes the one the site job made.
    const site = nightly.jobs['site']!;
    expect(stepUsing(site, 'actions/upload-pages-artifact')?.with?.['name']).toBe(
      'github-pages-${{ github.run_attempt }}',
    );
    expect(site.outputs?.['pages-artifact']).toBe('github-pages-${{ github.run_attempt }}');
    expect(stepUsing(nightly.jobs['deploy']!, 'actions/deploy-pages')?.with?.['artifact_name']).toBe(
      '${{ needs.site.outputs.pages-artifact }}',
    );
  });

  it("a re-run's site links to its own attempt, not to the night's first one", () => {
    const build = nightly.jobs['site']!.steps.find((s) => run(s).includes('npm run build'));
    expect(build?.env?.['NIGHTLY_RUN_URL']).toMatch(
      /\/actions\/runs\/\$\{\{ github\.run_id \}\}\/attempts\/\$\{\{ github\.run_attempt \}\}$/,
    );
  });

  it('the sandbox of a page is named by page and version, so each page of a leg has its own cluster', () => {
    expect(verifySandboxName('metallb', '1.37')).toBe('verify-metallb-1-37');
    expect(verifySandboxName('metallb-v0-16', '1.37')).toBe('verify-metallb-v0-16-1-37');
    const names = verifiedPages(process.cwd()).flatMap((p) =>
      p.kubernetes.map((minor) => verifySandboxName(p.runbook, minor)),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    // The 1.37 leg verifies both pages: two sandboxes, and verify uses the function (not one name per version).
    expect(legSandboxes('1.37').length).toBeGreaterThan(1);
    expect(fs.readFileSync('scripts/verify/cli.ts', 'utf8')).toMatch(
      /const sandbox = verifySandboxName\(page\.runbook, minor\);/,
    );
  });

  it("kind export logs reads every sandbox of the leg, each into its own folder, and no other leg's", () => {
    const logs = exportStep();
    // Never one hard-coded name per version (the 1.37 leg has a sandbox per page).
    expect(run(logs)).not.toMatch(/--name "verify-\$\{KUBERNETES/);
    for (const minor of nightly.jobs.verify.strategy.matrix.include.map((leg) => leg.kubernetes)) {
      const dir = scratch(`kind-logs-${minor}`);
      const calls = path.join(dir, 'calls');
      // A stand-in kind: every sandbox of every leg, and someone else's cluster.
      const others = [
        'site-e2e',
        ...nightly.jobs.verify.strategy.matrix.include
          .filter((l) => l.kubernetes !== minor)
          .flatMap((l) => legSandboxes(l.kubernetes)),
      ];
      fs.writeFileSync(
        path.join(dir, 'kind'),
        `#!/bin/sh\nif [ "$1 $2" = "get clusters" ]; then printf '%s\\n' ${[...legSandboxes(minor), ...others].join(' ')}; exit 0; fi\necho "$*" >> "${calls}"\n`,
        { mode: 0o755 },
      );
      const r = runStep(logs, {
        PATH: `${dir}:${process.env['PATH']}`,
        KUBERNETES: minor,
        LEG_DIR: 'nightly/reports-x',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual(
        legSandboxes(minor).map((name) => `export logs nightly/reports-x/kind-logs-${name} --name ${name}`),
      );
    }
  });

  it('a timeout or a cancel still exports the logs: the verify step times out before the job does', () => {
    const verify = nightly.jobs.verify;
    const logs = exportStep();
    expect(logs?.if).toContain('failure()');
    expect(logs?.if).toContain('cancelled()');
    // After a setup failure there is nothing to read.
    expect(logs?.if).toContain("steps.verify.outcome != 'skipped'");
    expect(logs?.['continue-on-error']).toBe(true);
    const step = verifyStep()?.['timeout-minutes'];
    const job = verify['timeout-minutes'];
    expect(step).toBeGreaterThan(0);
    expect(job).toBeDefined();
    // The export, the leg record and the upload get at least a quarter of an hour after the verify step gives up.
    expect(job! - step! - (logs?.['timeout-minutes'] ?? 0)).toBeGreaterThanOrEqual(15);
  });

  it('a setup failure is recorded as such, never as a failed verification', () => {
    const steps = nightly.jobs.verify.steps;
    const verify = steps.indexOf(verifyStep()!);
    expect(verifyStep()?.id).toBe('verify');
    // Every step before the verification has an id, and the record step reads its outcome.
    const setup = steps.slice(0, verify);
    const record = recordStep();
    for (const step of setup) {
      expect(step.id, step.name ?? step.uses ?? step.run).toBeTruthy();
      expect(record?.env?.['SETUP']).toContain(`\${{ steps.${step.id}.outcome }}`);
    }
    expect(record?.env?.['VERIFY']).toBe('${{ steps.verify.outcome }}');
    const leg = (env: { STATUS: string; VERIFY: string; SETUP: string }) => {
      const dir = scratch('leg');
      const r = runStep(record, { ...env, KUBERNETES: '1.37', LEG_DIR: dir });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(fs.readFileSync(legFile(dir, '1.37'), 'utf8')) as Record<string, string>;
    };
    const ok = Array(setup.length).fill('success').join(' ');
    const failedAt = (i: number) =>
      setup.map((_, j) => (j < i ? 'success' : j === i ? 'failure' : 'skipped')).join(' ');
    // The checksum step fails, or npm ci: the verification never ran.
    for (const id of ['tools', 'npm-ci']) {
      expect(
        leg({ STATUS: 'failure', VERIFY: 'skipped', SETUP: failedAt(setup.findIndex((s) => s.id === id)) }),
      ).toEqual({ kubernetes: '1.37', status: SETUP_FAILED, verify: 'skipped' });
    }
    // The verification ran: how the job ended, whatever it was.
    expect(leg({ STATUS: 'failure', VERIFY: 'failure', SETUP: ok })).toEqual({
      kubernetes: '1.37',
      status: 'failure',
      verify: 'failure',
    });
    expect(leg({ STATUS: 'success', VERIFY: 'success', SETUP: ok })).toEqual({
      kubernetes: '1.37',
      status: 'success',
      verify: 'success',
    });
    expect(leg({ STATUS: 'cancelled', VERIFY: 'cancelled', SETUP: ok })).toEqual({
      kubernetes: '1.37',
      status: 'cancelled',
      verify: 'cancelled',
    });
    // A step that was never reached leaves steps.verify.outcome empty.
    expect(leg({ STATUS: 'failure', VERIFY: '', SETUP: failedAt(0) })).toMatchObject({
      status: SETUP_FAILED,
      verify: 'skipped',
    });
  });

  it('Pages not set to "GitHub Actions" fails with a plain first-run note, before the build', () => {
    const site = nightly.jobs['site']!;
    const pages = stepUsing(site, 'actions/configure-pages');
    expect(pages?.['continue-on-error']).toBe(true);
    const note = site.steps.find((s) => s.if?.includes('steps.pages.outcome'));
    expect(note?.if).toBe("steps.pages.outcome == 'failure'");
    expect(site.steps.indexOf(note!)).toBe(site.steps.indexOf(pages!) + 1);
    const r = runStep(note, {});
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/^::error( [^:]*)?::GitHub Pages is not enabled for GitHub Actions/m);
    expect(r.stdout).toContain('Settings → Pages');
    expect(r.stdout).toContain('Source');
    expect(r.stdout).toContain('re-run');
    expect(site.steps.indexOf(note!)).toBeLessThan(site.steps.findIndex((s) => run(s).includes('npm run build')));
  });
});

/**
 * Every `cluster up` argument list in test code: an array starting with 'up' passed to a call
 * (`clusterMain(['up', …])`, `cli('cluster', ['up', …])`, a helper's `cluster(['up', …])`), or an
 * argv `['scripts/cluster.ts', 'up', …]`. Argument parsing alone (parseClusterArgs) starts nothing.
 */
function clusterUps(source: string): string[] {
  const calls = [...source.matchAll(/(\w+)\((?:\s*'cluster'\s*,)?\s*(\[\s*'up'\s*(?:,[^\]]*)?\])/g)]
    .filter((m) => m[1] !== 'parseClusterArgs')
    .map((m) => m[2]!);
  const argv = [...source.matchAll(/\[[^\][]*'scripts\/cluster\.ts'\s*,\s*'up'\s*(?:,[^\]]*)?\]/g)].map((m) => m[0]);
  return [...calls, ...argv].map((a) => a.replace(/\s+/g, ' '));
}

const namesProvider = (args: string) => /'--provider'\s*,|'--provider=/.test(args);

/** Ups that leave the provider out on purpose: none of them can pick kind on Docker's default network. */
const PLAIN_UP_ON_PURPOSE: { file: string; args: string; why: string }[] = [
  {
    file: 'test/cluster-kind.test.ts',
    args: "['up', '--name', 'k1']",
    why: 'the default choice itself is under test, with stand-ins for docker and kind',
  },
  {
    file: 'test/cluster-kwok.test.ts',
    args: "['up', '--name', NAME]",
    why: 'a second up of a running kwok sandbox: a no-op',
  },
  {
    file: 'test/cluster-kwok.test.ts',
    args: "['up', '--kubernetes', other.minor, '--name', NAME]",
    why: 'refused (CLUSTER_ALREADY_UP) before anything starts',
  },
  {
    file: 'test/cluster-pods.test.ts',
    args: "['up', '--name', NAME]",
    why: 'a broken sandbox comes back with the provider it had (pods)',
  },
];

/** Test code, but not this file (its samples of the reader are not calls). */
const testSources = () =>
  (fs.readdirSync('test', { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join('test', f))
    .filter((f) => f !== path.join('test', 'workflows.test.ts'));

describe('CI', () => {
  it('runs the README test command', () => {
    const ci = YAML.parse(fs.readFileSync('.github/workflows/ci.yml', 'utf8'));
    expect(ci.jobs.test.steps.map((s: { run?: string }) => s.run)).toContain('npm test');
  });

  it("every sandbox the tests start names its provider (Docker answers on GitHub's runner: a plain up is kind on Docker's default network)", () => {
    // The reader finds each form, and tells the fault of fresh-reports from its fix.
    expect(clusterUps("await cluster(['up', '--kubernetes', MINOR]);")).toEqual(["['up', '--kubernetes', MINOR]"]);
    expect(clusterUps("clusterMain(['up', '--provider', 'pods', '--name', NAME], io())").map(namesProvider)).toEqual([
      true,
    ]);
    expect(
      clusterUps("spawnSync(process.execPath, ['scripts/cluster.ts', 'up', '--provider=kwok'])").map(namesProvider),
    ).toEqual([true]);
    expect(clusterUps("await parseClusterArgs(['up', '--kubernetes', '1.30'])")).toEqual([]);
    const found = testSources().flatMap((file) =>
      clusterUps(fs.readFileSync(file, 'utf8')).map((args) => ({ file, args })),
    );
    expect(found.find((f) => f.file === 'test/helpers/fresh-reports.ts')?.args).toMatch(/'--provider', 'kwok'/);
    expect(found.find((f) => f.file === 'test/helpers/sandbox.ts')?.args).toMatch(/'--provider', provider/);
    const plain = found
      .filter((f) => !namesProvider(f.args))
      .filter((f) => !PLAIN_UP_ON_PURPOSE.some((p) => p.file === f.file && p.args === f.args));
    expect(plain, 'name the provider: --provider kwok (or pods, kind)').toEqual([]);
    // Each exception still exists (a stale one would hide nothing, but says something untrue).
    for (const p of PLAIN_UP_ON_PURPOSE)
      expect(found, `${p.file}: ${p.args}`).toContainEqual({ file: p.file, args: p.args });
  });
});
