import type { ParsedArgs } from 'citty';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCommand } from '../lib/args.ts';
import { UsageError } from '../lib/errors.ts';
import type { Io } from '../lib/io.ts';
import { projectRoot } from '../lib/paths.ts';
import { writeAtomic } from '../lib/fs.ts';
import { formatDuration, Status } from '../lib/status.ts';
import { readReport } from '../model/report.ts';
import { PROVIDERS } from '../cluster/cli.ts';
import { providerRunningPods, RUNS_PODS } from '../cluster/provider.ts';
import { codeFingerprint } from '../model/fingerprint.ts';
import { bind } from '../runbook/bind.ts';
import { readPage } from '../model/page.ts';
import { continuationChain, reportPath, verifiedPages, type VerifiedPage } from '../model/pages.ts';
import { importRunbook } from '../model/runbooks.ts';
import { verdict } from '../model/verdict.ts';
import { timed } from '../lib/timed.ts';

const command = {
  meta: {
    name: 'verify',
    description:
      '모든 런북을 사이트의 페이지 순서대로, 페이지가 밝힌 Kubernetes 버전마다 새 샌드박스에서 실행하고 보고서를 씁니다. 클러스터 없이 모든 페이지의 검증 현황을 보려면: npm run verify -- status',
  },
  args: {
    provider: { type: 'string', description: 'kwok | kind | pods (기본: cluster up 의 기본값)' },
    kubernetes: { type: 'string', description: '이 버전들만 (쉼표로 구분, 예: 1.37)' },
    page: { type: 'string', description: '이 런북들의 페이지만 (쉼표로 구분, 예: metallb)' },
    reports: { type: 'string', description: '보고서 폴더 (기본: reports)' },
    keep: { type: 'boolean', description: '실행 뒤 샌드박스를 지우지 않음' },
    timings: { type: 'string', description: '페이지·버전마다 걸린 시간(up, 실행, down)을 JSON 으로 쓸 파일' },
  },
} as const;

/** One page on one Kubernetes version: its wall time and where it went (`--timings FILE`). */
export interface VerifyTiming extends Record<'ms' | 'upMs' | 'runMs' | 'downMs', number> {
  runbook: string;
  kubernetes: string;
  provider: string;
  ok: boolean;
}

/**
 * The sandbox of one page on one Kubernetes minor: `verify-metallb-1-37`, `verify-metallb-v0-16-1-37`.
 * One per page, so a kept sandbox (`--keep`) is that page's cluster and `kind export logs --name`
 * reads the page it names; the nightly's log export step matches these names (`verify-*-<minor>`).
 */
export function verifySandboxName(runbook: string, minor: string): string {
  return `verify-${runbook}-${minor.replace(/\./g, '-')}`;
}

/** The verdict on a report just written, in words (the same verdict the site shows). */
async function judge(file: string, page: VerifiedPage): Promise<string> {
  const v = verdict({
    report: readReport(file),
    binding: bind(await importRunbook(projectRoot, page.runbook), readPage(page.file, projectRoot)),
    code: codeFingerprint(projectRoot),
  });
  return `${v.status}${v.uncommitted ? ' (커밋하지 않은 코드)' : ''}`;
}

/** What one verify accumulates over its pages and versions. */
const newRun = (io: Io, args: ParsedArgs<(typeof command)['args']>) => ({
  io,
  args,
  status: new Status(io),
  reportsDir: path.resolve(io.cwd, args.reports ?? 'reports'),
  results: [] as string[],
  timings: [] as VerifyTiming[],
  failed: false,
  // --keep: sandboxes left up by this run. One that passed is taken down before the next comes up
  // (pods holds the machine; kind's sandboxes share one network and the page's address pool); one
  // that failed stays for its logs.
  kept: [] as { sandbox: string; ok: boolean }[],
});
type Run = ReturnType<typeof newRun>;

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'status') return (await import('./status.ts')).main(argv.slice(1), io);
  const args = await parseCommand(argv, command, io);
  if (!args) return 0;
  if (args.provider && !(PROVIDERS as readonly string[]).includes(args.provider))
    throw new UsageError(
      'UNKNOWN_PROVIDER',
      `알 수 없는 프로바이더입니다: --provider ${args.provider}`,
      `${PROVIDERS.join(', ')} 중 하나를 쓰세요.`,
    );
  const all = verifiedPages(projectRoot);
  const wanted = args.page?.split(',').flatMap((p) => p.trim() || []);
  const unknown = wanted?.filter((name) => !all.some((p) => p.runbook === name)) ?? [];
  if (unknown.length > 0)
    throw new UsageError(
      'NO_PAGES',
      `런북 ${unknown.join(', ')} 를 밝힌 페이지가 없습니다.`,
      `있는 페이지의 런북: ${all.map((p) => p.runbook).join(', ') || '(없음)'}. 페이지 frontmatter 에 runbook: { name, kubernetes } 를 넣으세요.`,
    );
  const pages = all.filter((p) => !wanted || wanted.includes(p.runbook));
  if (pages.length === 0)
    throw new UsageError(
      'NO_PAGES',
      '런북을 밝힌 페이지가 없습니다.',
      '페이지 frontmatter 에 runbook: { name, kubernetes } 를 넣으세요.',
    );
  const only = args.kubernetes?.split(',').map((v) => v.trim());
  const run = newRun(io, args);
  for (const page of pages) {
    // The pages this one continues from run first on its sandbox (runbook.continuesFrom).
    const chain = continuationChain(page, all);
    if ('error' in chain)
      throw new UsageError(
        'BAD_CONTINUES_FROM',
        chain.error,
        'runbook.continuesFrom 에는 먼저 실행할 페이지의 runbook.name 을 적으세요. 돌고 도는 연결은 끊으세요.',
      );
    const provider = await pageProvider(run, page, chain);
    if (provider === null) continue;
    for (const minor of page.kubernetes.filter((v) => !only || only.includes(v))) {
      if (io.signal.aborted) break;
      await verifyVersion(run, page, chain.slice(0, -1), minor, provider);
    }
  }
  // Whole milliseconds in the file.
  const timings = JSON.stringify(run.timings, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v), 2);
  if (args.timings) writeAtomic(path.resolve(io.cwd, args.timings), `${timings}\n`);
  io.out(`${run.results.join('\n')}\n`);
  io.err(`다음: npm run build 로 이 보고서를 담은 사이트를 만드세요.\n`);
  return io.signal.aborted ? 130 : run.failed ? 1 : 0;
}

/**
 * The provider a page is verified on: `--provider` (or cluster up's default), except that a page whose
 * pods must really run (a webhook the API server calls) gets one that runs them. `null`: none here (recorded as a failure).
 */
async function pageProvider(run: Run, page: VerifiedPage, chain: VerifiedPage[]): Promise<string | undefined | null> {
  const { provider } = run.args;
  const needsPods = (
    await Promise.all(chain.map(async (p) => (await importRunbook(projectRoot, p.runbook)).needs?.runningPods))
  ).find(Boolean);
  if (!needsPods || (provider && RUNS_PODS[provider as keyof typeof RUNS_PODS])) return provider;
  const chosen = provider
    ? { why: `--provider ${provider} 는 파드를 Running 으로 표시만 합니다` }
    : await providerRunningPods(run.io.env);
  if ('why' in chosen) {
    run.status.fail(`${page.runbook}: 이 머신에서 검증할 수 없습니다 — ${chosen.why}. ${needsPods}`);
    run.results.push(`✗ ${page.runbook}  검증하지 못함: ${chosen.why} (--provider pods 또는 kind 로 실행하세요)`);
    run.failed = true;
    return null;
  }
  run.status.info(
    `${page.runbook}: 파드가 실제로 실행되어야 하는 페이지라 ${chosen.provider} 프로바이더로 검증합니다.`,
  );
  return chosen.provider;
}

/** Project CLIs run as children, their progress on our stderr, timed by part for the summary line: sandbox up, the runbooks, sandbox down. */
function timedCli(io: Io) {
  const split = { upMs: 0, runMs: 0, downMs: 0 };
  const cli = async (part: keyof typeof split, script: string, argv: string[]) => {
    const r = await timed(process.execPath, [path.join(projectRoot, 'scripts', script), ...argv], {
      cwd: projectRoot,
      env: io.env as NodeJS.ProcessEnv,
      signal: io.signal,
      echo: io.err,
    });
    split[part] += r.ms;
    return r.status ?? (r.signal === 'SIGINT' ? 130 : 143);
  };
  return { split, cli };
}
type Cli = ReturnType<typeof timedCli>['cli'];

/** One page on one Kubernetes minor, on a fresh sandbox: up, the pages it continues from, the page, its logs when it failed, down. */
async function verifyVersion(
  run: Run,
  page: VerifiedPage,
  before: VerifiedPage[],
  minor: string,
  provider: string | undefined,
): Promise<void> {
  const { io, status, reportsDir } = run;
  const sandbox = verifySandboxName(page.runbook, minor);
  const report = reportPath(reportsDir, page.runbook, minor);
  status.start(`${page.title} — Kubernetes ${minor} (${page.file})`);
  const t0 = performance.now();
  fs.rmSync(report, { force: true });
  const { split, cli } = timedCli(io);
  // A fresh sandbox every time: a leftover of an interrupted run is taken down first, and so are the
  // sandboxes --keep left up by pages that passed.
  await cli('downMs', 'cluster.ts', ['down', '--name', sandbox]);
  for (const earlier of run.kept.splice(0)) {
    if (earlier.ok) await cli('downMs', 'cluster.ts', ['down', '--name', earlier.sandbox]);
    else {
      run.kept.push(earlier);
      // Known limit: on kind both clusters sit on one network, and the kept one's MetalLB may still answer for the page's addresses.
      run.status.info(
        `실패한 샌드박스 ${earlier.sandbox} 를 로그를 위해 남겨 둔 채 ${sandbox} 를 만듭니다 (--keep). 같은 네트워크의 두 클러스터가 페이지의 주소에 함께 응답할 수 있으니 이 페이지의 브라우저 단계 결과를 그 점을 감안해 읽으세요.`,
      );
    }
  }
  const providerArgs = provider ? ['--provider', provider] : [];
  const up = await cli('upMs', 'cluster.ts', ['up', '--name', sandbox, '--kubernetes', minor, ...providerArgs]);
  const { code, brokenBefore } = up === 0 ? await runPages(run, page, before, minor, cli) : { code: up };
  // A page that failed on a sandbox that came up: its logs beside its report, before the sandbox goes.
  if (up === 0 && code !== 0)
    await cli('downMs', 'cluster.ts', ['logs', '--name', sandbox, '--to', path.join(reportsDir, 'logs', sandbox)]);
  const ok = code === 0;
  if (!run.args.keep || up !== 0) await cli('downMs', 'cluster.ts', ['down', '--name', sandbox]);
  else run.kept.push({ sandbox, ok });
  const ms = performance.now() - t0;
  const outcome =
    up !== 0
      ? `샌드박스를 만들지 못함 (종료 코드 ${up})`
      : brokenBefore
        ? `이어지는 페이지 ${brokenBefore} 가 실패해 검증하지 못함 (종료 코드 ${code})`
        : fs.existsSync(report)
          ? await judge(report, page)
          : `보고서 없음 (종료 코드 ${code})`;
  status[ok ? 'ok' : 'fail'](`${page.runbook} @ Kubernetes ${minor}: ${outcome}`, ms);
  run.failed ||= !ok;
  run.timings.push({ runbook: page.runbook, kubernetes: minor, provider: provider ?? 'default', ok, ms, ...split });
  const parts = `up ${formatDuration(split.upMs)} · 실행 ${formatDuration(split.runMs)} · down ${formatDuration(split.downMs)}`;
  run.results.push(
    `${ok ? '✓' : '✗'} ${page.runbook}  Kubernetes ${minor}  ${outcome}  ${formatDuration(ms)} (${parts})  ${path.relative(io.cwd, report)}`,
  );
}

/** On the sandbox that came up: the pages this one continues from, then (unless one of them failed) the page itself. */
async function runPages(run: Run, page: VerifiedPage, before: VerifiedPage[], minor: string, cli: Cli) {
  const sandbox = verifySandboxName(page.runbook, minor);
  for (const earlier of before) {
    // Its report is not this page's: kept beside the run's working files, not in the reports folder.
    const scratch = path.join(os.tmpdir(), `vdocs-verify-${process.pid}-${earlier.runbook}-${minor}.json`);
    run.status.info(
      `${page.runbook}: 먼저 이어지는 페이지 ${earlier.runbook} 를 같은 샌드박스에서 실행합니다 (runbook.continuesFrom).`,
    );
    const code = await cli('runMs', 'runbook.ts', [earlier.runbook, '--sandbox', sandbox, '--report', scratch]);
    fs.rmSync(scratch, { force: true });
    if (code !== 0) return { code, brokenBefore: earlier.runbook };
  }
  const report = reportPath(run.reportsDir, page.runbook, minor);
  const junit = path.join(run.reportsDir, 'junit', `${page.runbook}-kubernetes-${minor}.xml`);
  fs.mkdirSync(path.dirname(junit), { recursive: true });
  const continues = before.length > 0 ? ['--continues-from', before.map((p) => p.runbook).join(',')] : [];
  const argv = [page.runbook, '--sandbox', sandbox, '--report', report, '--junit', junit, ...continues];
  return { code: await cli('runMs', 'runbook.ts', argv) };
}
