/**
 * The one verdict: from a report, the current page and the current runbook, what the run proves
 * now. The runner (the status it writes), `npm run verify`, the site (badge, block and figure
 * marks, 검증 현황, step pages) and the tests all ask this module; nothing else decides a ✓.
 *
 * A step earns `passed` only when it ran, its checks held, and nothing it depended on changed
 * since: the blocks and figures it read, its own rule in the runbook, the runner's code, and the
 * mirrored files it fetched. A check against a stand-in the runner built from the page itself is
 * `standin`, counted apart. A run earns `passed` only when every step ran (or the page's own
 * condition skipped it); a run with steps left out is `partial`.
 */
import type { Page } from './page.ts';
import { pageHashes } from './page.ts';
import { fixtureKey, ruleHashes } from './fingerprint.ts';
import type { RunReport, StepReport } from './report.ts';
import type { Runbook } from './runbook.ts';

/** What a block, a figure or a step shows. */
export type MarkStatus = 'passed' | 'failed' | 'skipped' | 'manual' | 'standin' | 'fixture' | 'stale';

/** What a whole run shows. */
export type RunStatus = 'passed' | 'failed' | 'partial' | 'interrupted' | 'stale';

export interface StepVerdict {
  status: MarkStatus;
  /** The step as reported; undefined when the report does not have it (a step added since). */
  step: StepReport | undefined;
  /** For `stale`: what changed since the run, one sentence each. */
  changed: string[];
}

export interface Mark extends StepVerdict {
  /** Id of the step the mark is about (a block's `of`, else its own id). */
  stepId: string;
  /** True on the last block of a step: where the on-demand details go. */
  details: boolean;
}

export interface Verdict {
  status: RunStatus;
  /** The report was made from a tree with uncommitted changes (or outside git): labelled on the badge. */
  uncommitted: boolean;
  /** Why the run is not `passed`, one sentence each (stale changes, left-out steps, failures). */
  reasons: string[];
  /** Every step of the current runbook, and the report's fixtures, by step id. */
  steps: Map<string, StepVerdict>;
  /** Block marks by block id, figure marks by figure id. */
  blocks: Map<string, Mark>;
  figures: Map<string, Mark>;
  /** How many steps show each mark (the badge counts stand-ins and manual checks apart). */
  counts: Record<MarkStatus, number>;
}

export interface VerdictInput {
  report: RunReport;
  /** The page as it is now. */
  page: Pick<Page, 'blocks' | 'anchors'>;
  /** The runbook as it is now. */
  runbook: Runbook;
  /** The runner's code fingerprint now (`runnerHash(root)`). */
  runner: string;
  /** Current fingerprints of mirrored inputs by URL, where known (a missing URL is not compared). */
  inputs?: Record<string, string | undefined>;
}

/**
 * The status a runner writes for the steps it just ran: no fingerprints are involved yet.
 * `passed` needs every step run or skipped by the page's own condition.
 */
export function runStatus(steps: readonly Pick<StepReport, 'status' | 'skipCause'>[], interrupted: boolean): RunReport['status'] {
  if (interrupted || steps.some((s) => s.skipCause === 'interrupted')) return 'interrupted';
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.some((s) => s.status === 'skipped' && s.skipCause !== 'condition')) return 'partial';
  return 'passed';
}

const SEVERITY: RunReport['status'][] = ['passed', 'partial', 'failed', 'interrupted'];

/** The more serious of two run statuses (a report never reads better than its steps). */
function worst(a: RunReport['status'], b: RunReport['status']): RunReport['status'] {
  return SEVERITY.indexOf(a) >= SEVERITY.indexOf(b) ? a : b;
}

const EMPTY_COUNTS: Record<MarkStatus, number> = { passed: 0, failed: 0, skipped: 0, manual: 0, standin: 0, fixture: 0, stale: 0 };

export function verdict(input: VerdictInput): Verdict {
  const { report, page, runbook } = input;
  const hashes = pageHashes(page);
  const rules = ruleHashes(runbook);
  const reported = new Map(report.steps.map((s) => [s.id, s]));
  const reasons: string[] = [];
  const runnerChanged = report.fingerprints.runner !== input.runner;
  if (runnerChanged) reasons.push(`런북 실행기 코드가 바뀌었습니다 (보고서 ${report.fingerprints.runner}, 지금 ${input.runner}).`);
  const changedInputs = Object.entries(report.fingerprints.inputs).filter(([url, hash]) => {
    const now = input.inputs?.[url];
    return now !== undefined && now !== hash;
  }).map(([url]) => url);
  for (const url of changedInputs) reasons.push(`미러 파일이 바뀌었습니다: ${url}`);

  const judge = (id: string, step: StepReport | undefined, rule: string | undefined): StepVerdict => {
    if (!step) return { status: 'stale', step, changed: [`${id} 는 이 보고서를 만든 뒤 런북에 생긴 단계입니다.`] };
    const changed: string[] = [];
    if (runnerChanged) changed.push('런북 실행기 코드가 바뀌었습니다.');
    if (rule === undefined) changed.push(`${id} 는 지금의 런북에 없습니다.`);
    else if (rule !== step.ruleHash) changed.push(`runbooks/${runbook.name}.ts 의 ${id} 규칙이 바뀌었습니다.`);
    for (const [blockId, hash] of Object.entries(step.blockHashes)) {
      if (!hashes.has(blockId)) changed.push(`${id} 가 읽은 블록 ${blockId} 가 페이지에서 사라졌습니다.`);
      else if (hashes.get(blockId) !== hash) changed.push(`${id} 가 읽은 블록 ${blockId} 가 바뀌었습니다.`);
    }
    for (const url of changedInputs) if (step.command?.includes(url)) changed.push(`${id} 가 읽은 ${url} 의 미러 파일이 바뀌었습니다.`);
    if (changed.length > 0) return { status: 'stale', step, changed };
    const status: MarkStatus = step.status === 'passed' && step.standIn ? 'standin' : step.status;
    return { status, step, changed };
  };

  const steps = new Map<string, StepVerdict>();
  const fixtureRules = new Map(runbook.fixtures.map((f) => [f.edit, rules.get(fixtureKey(f))]));
  for (const step of report.steps.filter((s) => s.kind === 'fixture')) {
    // A fixture's report id names the object; its rule is keyed by the edit step it stands in for.
    const editId = runbook.fixtures.find((f) => step.blockHashes[f.edit] !== undefined)?.edit;
    steps.set(step.id, judge(step.id, step, editId ? fixtureRules.get(editId) : undefined));
  }
  for (const step of runbook.steps) steps.set(step.id, judge(step.id, reported.get(step.id), rules.get(step.id)));

  const counts = { ...EMPTY_COUNTS };
  for (const v of steps.values()) counts[v.status]++;
  for (const v of steps.values()) if (v.status === 'stale' && !runnerChanged) reasons.push(...v.changed);

  const orphans = report.steps.filter((s) => s.kind !== 'fixture' && !runbook.steps.some((r) => r.id === s.id));
  reasons.push(...orphans.map((s) => `보고서의 ${s.id} 는 지금의 런북에 없습니다.`));
  const base = worst(runStatus(report.steps, false), report.status);
  const status: RunStatus = counts.stale > 0 || runnerChanged || changedInputs.length > 0 || orphans.length > 0 ? 'stale' : base;
  if (status === 'partial') reasons.push(`${report.steps.filter((s) => s.status === 'skipped' && s.skipCause !== 'condition').length}개 단계를 실행하지 않은 부분 실행입니다.`);
  if (status === 'failed') reasons.push(...report.steps.filter((s) => s.status === 'failed').map((s) => `${s.id} 실패: ${s.problems[0] ?? ''}`));

  const lastBlockOf = new Map(page.blocks.map((b) => [b.of ?? b.id, b.id]));
  const markOf = (stepId: string, details: boolean): Mark => ({ ...(steps.get(stepId) ?? judge(stepId, undefined, undefined)), stepId, details });
  const blocks = new Map(page.blocks.map((b) => [b.id, markOf(b.of ?? b.id, lastBlockOf.get(b.of ?? b.id) === b.id)]));
  const figures = new Map(page.anchors.map((a) => [a.id, markOf(a.id, true)]));

  return { status, uncommitted: report.source.dirty, reasons, steps, blocks, figures, counts };
}
