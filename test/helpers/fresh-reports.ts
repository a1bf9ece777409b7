/**
 * Run reports made by real runbook runs on a kwok sandbox, for building the site from them.
 * Made once per test run (one vitest process) and shared by the test files that need them:
 *
 *   pass  the whole MetalLB runbook on a fresh sandbox: a passing report.
 *   fail  `--only istio/get-after` on another fresh sandbox with RUNBOOK_WAIT_LIMIT=3: the stand-in
 *         service is still ClusterIP, so the step really fails, with expected versus actual.
 *
 * Both are runs on Kubernetes 1.37, so each goes in its own folder as metallb/kubernetes-1.37.json
 * (REPORTS_DIR for the build). The sandbox is taken down after each run; `downSandbox()` again in afterAll.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { readReport, type RunReport } from '../../scripts/model/report.ts';
import { testMirror } from './sandbox.ts';
import { acquire, buildSite, ROOT, type SiteBuild } from './site-build.ts';

/** Our own sandbox name (never `vdocs` or `verify-*`, which others use). */
const SANDBOX = 'site-e2e';
const MINOR = '1.37';
const DIR = path.join(ROOT, 'test-results/fresh-reports');
const STAMP = path.join(DIR, 'stamp.json');
const run = promisify(execFile);

export interface FreshReports {
  /** REPORTS_DIR folders (absolute), each with metallb/kubernetes-1.37.json. */
  pass: string;
  fail: string;
  /** The reports themselves. */
  passed: RunReport;
  failed: RunReport;
}

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  NO_COLOR: '1',
  RUNBOOK_MIRROR: testMirror(),
  ...extra,
});

async function cluster(args: string[]): Promise<void> {
  await run(process.execPath, ['scripts/cluster.ts', ...args, '--name', SANDBOX], {
    cwd: ROOT,
    env: env(),
    maxBuffer: 64 << 20,
  });
}

export async function downSandbox(): Promise<void> {
  await cluster(['down']).catch(() => {});
}

/** Runs the runbook on a fresh sandbox and returns the REPORTS_DIR folder holding its report. */
async function runOnFreshSandbox(
  name: 'pass' | 'fail',
  flags: string[],
  extraEnv: Record<string, string>,
): Promise<string> {
  const reportsDir = path.join(DIR, name);
  const report = path.join(reportsDir, 'metallb', `kubernetes-${MINOR}.json`);
  await downSandbox();
  // The provider by name: without it `up` picks kind wherever Docker answers (a GitHub runner), on
  // Docker's default network, where the browser steps refuse the page's addresses.
  await cluster(['up', '--provider', 'kwok', '--kubernetes', MINOR]);
  try {
    // kubectl caches API discovery per host:port in ~/.kube/cache; sandboxes reuse ports across
    // Kubernetes versions (a 1.24 sandbox's cache makes a 1.37 apply try PodSecurityPolicy): own cache.
    extraEnv = { ...extraEnv, KUBECACHEDIR: path.join(DIR, `kube-cache-${name}`) };
    const args = [
      'scripts/runbook.ts',
      'metallb',
      '--sandbox',
      SANDBOX,
      '--report',
      report,
      '--workdir',
      path.join(DIR, `work-${name}`),
      ...flags,
    ];
    const result = await run(process.execPath, args, { cwd: ROOT, env: env(extraEnv), maxBuffer: 64 << 20 }).catch(
      (e: { stderr?: string; code?: number }) => e,
    );
    if (!fs.existsSync(report))
      throw new Error(
        `runbook (${name}) wrote no report; exit ${String((result as { code?: number }).code)}:\n${(result as { stderr?: string }).stderr?.slice(-3000)}`,
      );
  } finally {
    await downSandbox();
  }
  return reportsDir;
}

/** The two fresh reports, made now unless this test run already made them. */
export async function freshReports(): Promise<FreshReports> {
  const release = await acquire(`${DIR}.lock`);
  try {
    const stamp = fs.existsSync(STAMP) ? (JSON.parse(fs.readFileSync(STAMP, 'utf8')) as { run: number }) : undefined;
    if (stamp?.run !== process.ppid) {
      fs.rmSync(DIR, { recursive: true, force: true });
      await runOnFreshSandbox('pass', [], {});
      await runOnFreshSandbox('fail', ['--only', 'istio/get-after'], { RUNBOOK_WAIT_LIMIT: '3' });
      fs.writeFileSync(STAMP, JSON.stringify({ run: process.ppid, at: new Date().toISOString() }));
    }
    const pass = path.join(DIR, 'pass');
    const fail = path.join(DIR, 'fail');
    const read = (dir: string) => readReport(path.join(dir, 'metallb', `kubernetes-${MINOR}.json`));
    return { pass, fail, passed: read(pass), failed: read(fail) };
  } finally {
    release();
  }
}

/** The site built from one of the fresh reports folders (shared by the tests that need it). */
export function buildFromReports(name: 'passing' | 'failing', reportsDir: string): Promise<SiteBuild> {
  return buildSite({
    outDir: `test-results/site-verified-${name}`,
    env: { REPORTS_DIR: reportsDir },
    inputs: [reportsDir],
  });
}
