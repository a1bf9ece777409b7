/**
 * Run reports for the site, loaded at build time (never fetched by the browser).
 *
 * Reads `<REPORTS_DIR>/<runbook>/kubernetes-<minor>.json` (REPORTS_DIR defaults to `reports/`,
 * relative to the project root), validates each with the runner's own `RunReport` schema, and pairs
 * them with the pages that declare a runbook (`runbook:` frontmatter) and its Kubernetes versions,
 * binds each page to its runbook as they are now, and asks the one verdict (scripts/model/verdict.ts)
 * what each report still proves against that binding and the code as it is now. A page that does
 * not bind stops the build with file:line, as an invalid report does with the file's name and what
 * is wrong with it. Remote files are judged by the runbook's sha256 pins, whatever the environment.
 *
 * Nightly builds (`NIGHTLY_RUN_URL` set to the workflow run attempt, see .github/workflows/nightly.yml)
 * read only tonight's folder: every declared version must have a report from that run (any attempt
 * of it: "Re-run failed jobs" keeps the legs that passed), or it is shown as 오늘 밤 검증 실패 (its
 * leg ended badly, `leg-kubernetes-<minor>.json`) or 오늘 밤 검증 없음, with a link to the run. A leg
 * whose setup failed before `npm run verify` ran (`"status":"setup-failed"`) is 검증하지 못함 (설정
 * 실패): never a failed page, and the committed report of that version is shown beside it as the last
 * real result, labelled as not tonight's. A report from another run in tonight's folder, or the
 * committed `reports/` folder as tonight's, stops the build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { codeFingerprint } from '../../../scripts/model/fingerprint.ts';
import { readPage } from '../../../scripts/model/page.ts';
import { bind, type Binding } from '../../../scripts/runbook/bind.ts';
import { reportPath, translatedPage, verifiedPages, type VerifiedPage } from '../../../scripts/model/pages.ts';
import { RunReport } from '../../../scripts/model/report.ts';
import { importRunbook } from '../../../scripts/model/runbooks.ts';
import { verdict, type Verdict } from '../../../scripts/model/verdict.ts';
import { majorMinor } from '../../../scripts/model/version.ts';

/**
 * Why a nightly build has no report of tonight's run for a declared version: its matrix leg failed
 * (or was cancelled) before writing one (`failed`), its setup failed so the verification never ran
 * (`setup`: apt, a checksum, the network, a pull, npm ci), or nothing of that version arrived (`none`).
 */
export interface Absence {
  kind: 'failed' | 'setup' | 'none';
  /** The workflow run attempt to look at (…/actions/runs/GITHUB_RUN_ID/attempts/GITHUB_RUN_ATTEMPT). */
  run: string;
  /**
   * `setup` only: the last real result of this version, the committed report (`reports/`), with
   * what it proves now. Never tonight's: shown apart, labelled as such, and never as page marks.
   */
  last?: LastResult | undefined;
}

/** A committed report shown as the last real result when tonight's leg could not verify. */
interface LastResult {
  report: RunReport;
  verdict: Verdict;
  /** Where the report is, relative to the project root (`reports/<runbook>/kubernetes-<minor>.json`). */
  file: string;
}

/** What a leg record's `status` says when a step before `npm run verify` failed. */
export const SETUP_FAILED = 'setup-failed';

/**
 * How a nightly matrix leg ended, as the workflow records it beside its reports: `status` is the
 * job's status (`success`, `failure`, `cancelled`) or `setup-failed` when a step before the
 * verification failed; `verify` is how the verification step itself ended (`steps.verify.outcome`:
 * `success`, `failure`, `cancelled`, `skipped`), when recorded.
 */
interface LegOutcome {
  kubernetes: string;
  status: string;
  verify?: string | undefined;
}

/** `<reports>/leg-kubernetes-<minor>.json`: written by each nightly leg, whatever happened to it. */
export function legFile(reportsDir: string, minor: string): string {
  return path.join(reportsDir, `leg-kubernetes-${minor}.json`);
}

/** The result of one declared Kubernetes version of a page: a report, or none yet. */
export interface VersionResult {
  /** Kubernetes minor as the frontmatter declares it, e.g. `1.37`. */
  minor: string;
  /** Whether this is the page's primary version (the first declared; the one the page shows). */
  primary: boolean;
  report: RunReport | undefined;
  /** What the report proves now; undefined without a report. Everything the site shows comes from it. */
  verdict: Verdict | undefined;
  /** Where the report is (or would be), relative to the project root. */
  file: string;
  /** In a nightly build, why there is no report of tonight's run; undefined otherwise. */
  absence?: Absence | undefined;
}

export interface PageVerification {
  /** The page; for a translation, its own file, title and route with the runbook of the page it translates. */
  page: VerifiedPage;
  /** Declared versions in frontmatter order; the first is the primary one. */
  versions: VersionResult[];
  /**
   * A translation (`en/appendix/metallb.md`): the same reports as the page it translates, judged
   * against the translation's own blocks, so a command or output that differs from the one the run
   * checked is stale.
   */
  translation?: { of: VerifiedPage; locale: string } | undefined;
}

interface Verification {
  /** The reports folder that was read (absolute). */
  reportsDir: string;
  /** The nightly run this site shows, when built by the nightly; only its reports were read. */
  nightly?: string | undefined;
  /** Pages with a runbook, in the site's order. */
  pages: PageVerification[];
  /** Translations of those pages, each judged with its own blocks. */
  translations: PageVerification[];
  /** The verification of a page by its path relative to the project root, e.g. `src/content/docs/appendix/metallb.md`. */
  forPage(file: string): PageVerification | undefined;
}

/** Thrown for a report the site cannot show; the build fails with this message. */
class ReportError extends Error {
  override name = 'ReportError';
}

/** Reads and validates one report file; the message names the file, the field and the fix. */
function readReportFile(file: string, expected: { runbook: string; minor: string }, root: string): RunReport {
  const shown = path.relative(root, file) || file;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ReportError(`검증 보고서 ${shown} 를 읽을 수 없습니다: ${(error as Error).message}`);
  }
  const parsed = RunReport.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(전체)'}: ${i.message}`);
    throw new ReportError(
      `검증 보고서 ${shown} 가 보고서 형식(RunReport)에 맞지 않습니다:\n  ${issues.join('\n  ')}\n힌트: 보고서는 런북이 쓴 그대로 두세요. npm run verify 로 다시 만드세요.`,
    );
  }
  const report = parsed.data;
  if (report.runbook !== expected.runbook) {
    throw new ReportError(
      `검증 보고서 ${shown} 는 런북 "${report.runbook}" 의 것인데 ${expected.runbook}/ 폴더에 있습니다.`,
    );
  }
  if (majorMinor(report.kubernetes) !== expected.minor) {
    throw new ReportError(
      `검증 보고서 ${shown} 는 Kubernetes ${report.kubernetes} 에서 실행한 결과인데 파일 이름은 ${expected.minor} 입니다.\n힌트: 보고서를 다른 버전의 이름으로 옮기지 마세요. 그 버전에서 npm run verify 로 실행하세요.`,
    );
  }
  return report;
}

/** Every report file under the folder, validated (also those of pages that no longer declare them). */
function readAll(reportsDir: string, root: string): Map<string, RunReport> {
  const reports = new Map<string, RunReport>();
  if (!fs.existsSync(reportsDir)) return reports;
  for (const runbook of fs.readdirSync(reportsDir, { withFileTypes: true })) {
    if (!runbook.isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(reportsDir, runbook.name))) {
      const m = /^kubernetes-(\d+\.\d+)\.json$/.exec(name);
      if (!m?.[1]) continue;
      const file = path.join(reportsDir, runbook.name, name);
      reports.set(file, readReportFile(file, { runbook: runbook.name, minor: m[1] }, root));
    }
  }
  return reports;
}

/** How the leg of a version ended, from its `leg-kubernetes-<minor>.json`; undefined when absent. */
function readLeg(reportsDir: string, minor: string, root: string): LegOutcome | undefined {
  const file = legFile(reportsDir, minor);
  if (!fs.existsSync(file)) return undefined;
  try {
    const leg = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LegOutcome>;
    if (
      typeof leg.status === 'string' &&
      typeof leg.kubernetes === 'string' &&
      (leg.verify === undefined || typeof leg.verify === 'string')
    ) {
      return { kubernetes: leg.kubernetes, status: leg.status, verify: leg.verify };
    }
  } catch {
    // reported below
  }
  throw new ReportError(
    `nightly 기록 ${path.relative(root, file)} 를 읽을 수 없습니다. {"kubernetes":"${minor}","status":"<job.status 또는 ${SETUP_FAILED}>","verify":"<steps.verify.outcome>"} 모양이어야 합니다.`,
  );
}

/** Why a version has no report tonight, from its leg record. */
function absenceOf(leg: LegOutcome | undefined): Absence['kind'] {
  if (!leg) return 'none';
  if (leg.status === SETUP_FAILED) return 'setup';
  return leg.status === 'success' ? 'none' : 'failed';
}

/** `…/actions/runs/123/attempts/2` → `…/actions/runs/123`: the run a report's `source.ci` names. */
export function runOf(url: string): string {
  return url.replace(/\/attempts\/\d+\/?$/, '');
}

/**
 * Nightly: a report must come from tonight's run (the runner records the run in `source.ci`). Any
 * attempt of it counts: "Re-run failed jobs" re-runs only the failed legs, the others' reports stay.
 */
function checkTonight(report: RunReport, file: string, run: string, root: string): void {
  if (report.source.ci === undefined || runOf(report.source.ci) !== runOf(run)) {
    throw new ReportError(
      `검증 보고서 ${path.relative(root, file)} 는 이번 nightly 실행(${run})이 아니라 ${report.source.ci ?? 'CI 밖'} 에서 만든 것입니다.\n힌트: nightly 사이트는 오늘 밤 각 버전이 올린 보고서만으로 만드세요. 예전 결과를 오늘 밤 결과처럼 보여 주면 안 됩니다.`,
    );
  }
}

/** The page bound to its runbook now; a binding error stops the build with its file:line list. */
function bindPage(runbook: Parameters<typeof bind>[0], page: Parameters<typeof bind>[1]): Binding {
  try {
    return bind(runbook, page);
  } catch (error) {
    throw new ReportError(
      `${(error as Error).message}\n힌트: ${(error as { hint?: string }).hint ?? '페이지와 런북을 함께 고치세요.'}`,
    );
  }
}

/**
 * Loads the reports, pairs them with the pages and judges each. `REPORTS_DIR` and `NIGHTLY_RUN_URL`
 * from the environment unless given.
 */
export async function loadVerification(
  options: { root?: string; reportsDir?: string; nightly?: string; committedDir?: string } = {},
): Promise<Verification> {
  const root = options.root ?? process.cwd();
  const reportsDir = path.resolve(root, options.reportsDir ?? process.env['REPORTS_DIR'] ?? 'reports');
  const nightly = options.nightly ?? (process.env['NIGHTLY_RUN_URL'] || undefined);
  if (nightly && reportsDir === path.resolve(root, 'reports')) {
    throw new ReportError(
      `NIGHTLY_RUN_URL 이 있는 nightly 빌드가 커밋된 보고서 폴더 ${path.relative(root, reportsDir)}/ 를 읽으려 합니다.\n힌트: REPORTS_DIR 를 오늘 밤 내려받은 보고서 폴더로 정하세요.`,
    );
  }
  const all = readAll(reportsDir, root);
  // Nightly, for a leg whose setup failed: the committed report is the last real result (read only then).
  const committedDir = path.resolve(root, options.committedDir ?? 'reports');
  const code = codeFingerprint(root);
  const judged = await Promise.all(
    verifiedPages(root).map(async (page): Promise<PageVerification[]> => {
      const runbook = await importRunbook(root, page.runbook);
      const source = readPage(page.file, root);
      const versions = (binding: Binding) =>
        page.kubernetes.map((minor, i): VersionResult => {
          const file = reportPath(reportsDir, page.runbook, minor);
          const report = all.get(file);
          if (report && report.page !== page.file) {
            throw new ReportError(
              `검증 보고서 ${path.relative(root, file)} 는 페이지 ${report.page} 의 것인데, 런북 ${page.runbook} 은 ${page.file} 에 선언되어 있습니다.`,
            );
          }
          if (report && nightly) checkTonight(report, file, nightly, root);
          const judge = (r: RunReport) => verdict({ report: r, binding, code });
          const judged = report ? judge(report) : undefined;
          let absence: Absence | undefined;
          if (!report && nightly) {
            const kind = absenceOf(readLeg(reportsDir, minor, root));
            absence = { kind, run: nightly };
            const committed = reportPath(committedDir, page.runbook, minor);
            if (kind === 'setup' && fs.existsSync(committed)) {
              const last = readReportFile(committed, { runbook: page.runbook, minor }, root);
              if (last.page === page.file)
                absence.last = { report: last, verdict: judge(last), file: path.relative(root, committed) };
            }
          }
          return { minor, primary: i === 0, report, verdict: judged, file: path.relative(root, file), absence };
        });
      const { translations = [], ...shared } = page;
      return [
        { page, versions: versions(bindPage(runbook, source)) },
        ...translations.map((t) => ({
          page: { ...shared, file: t.file, title: t.title, slug: t.slug },
          versions: versions(bindPage(runbook, translatedPage(t.file, source, root))),
          translation: { of: page, locale: t.locale },
        })),
      ];
    }),
  );
  const pages = judged.map(([source]) => source!);
  const translations = judged.flatMap(([, ...rest]) => rest);
  return {
    reportsDir,
    nightly,
    pages,
    translations,
    forPage: (file) => judged.flat().find((p) => p.page.file === file),
  };
}

let cached: { key: string; value: Promise<Verification> } | undefined;

/** `loadVerification()` once per build (per project root, reports folder and nightly run). */
export function verification(root = process.cwd()): Promise<Verification> {
  const key = `${root}\0${process.env['REPORTS_DIR'] ?? ''}\0${process.env['NIGHTLY_RUN_URL'] ?? ''}`;
  if (cached?.key !== key) cached = { key, value: loadVerification({ root }) };
  return cached.value;
}
