/**
 * The one verdict (runner, `verify`, site and tests all ask it): report + page bound to its runbook now + code now → the
 * run's status and every step's, block's and figure's mark, with why. A mark rests on the step's evidence checked again
 * (runbook/check.ts), never on the reported status; a change since the run makes it `stale`. See ARCHITECTURE.md "Trust model".
 */
import type { Page } from './page.ts';
import { changedKeys, fixtureKey, ruleHashes, runbookFields } from './fingerprint.ts';
import type { RunReport, StepReport } from './report.ts';
import { minorOf } from './version.ts';
import { boundHashes, fixtureHashes, fixtureId, type Binding, type BoundStep } from '../runbook/bind.ts';
import { checkStep, REPORTED, type CheckContext, type Checked } from '../runbook/check.ts';
import { objectTarget } from '../runbook/objects.ts';

/** What a block, a figure or a step shows. */
export type MarkStatus = keyof typeof EMPTY_COUNTS;

/** What a whole run shows. */
export type RunStatus = 'passed' | 'failed' | 'partial' | 'interrupted' | 'stale' | 'error';

export interface StepVerdict {
  status: MarkStatus;
  /** The step as reported; undefined when the report does not have it (a step added since). */
  step: StepReport | undefined;
  /** For `stale`: what changed since the run, one sentence each. */
  changed: string[];
  /** For `standin`, `already` and `error`: why, in one sentence. */
  why?: string | undefined;
  /** The checks the verdict ran on the step's evidence (object checks with the page's values as they are now). */
  checked?: Checked | undefined;
}

export interface Mark extends StepVerdict {
  /** Id of the step the mark is about. */
  stepId: string;
  /** True on the last block of a step: where the on-demand details go. */
  details: boolean;
}

export interface Verdict {
  status: RunStatus;
  /** The report was made from a tree with uncommitted changes (or outside git): labelled on the badge. */
  uncommitted: boolean;
  /** Why the run is not `passed`, one sentence each (errors, stale changes, left-out steps, failures). */
  reasons: string[];
  /** Every step of the current runbook, and the stand-ins, by step id. */
  steps: Map<string, StepVerdict>;
  /** Block marks by block id, figure marks by figure id. */
  blocks: Map<string, Mark>;
  figures: Map<string, Mark>;
  /** How many steps show each mark (the badge counts every kind apart). */
  counts: Record<MarkStatus, number>;
}

interface VerdictInput {
  report: RunReport;
  /** The page bound to its runbook as they are now (`bind(runbook, page)`: a page that does not bind has no verdict). */
  binding: Pick<Binding, 'runbook' | 'steps' | 'fixtures'> & { page: Pick<Page, 'file'> };
  /** The code fingerprint now (`codeFingerprint(root)`). */
  code: Record<string, string>;
}

/**
 * The status a runner writes for the steps it just ran: no fingerprints are involved yet.
 * `passed` needs every step run or skipped by the page's own condition.
 */
export function runStatus(
  steps: readonly Pick<StepReport, 'status' | 'skipCause'>[],
  interrupted: boolean,
): RunReport['status'] {
  if (interrupted || steps.some((s) => s.skipCause === 'interrupted')) return 'interrupted';
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.some((s) => s.status === 'skipped' && s.skipCause !== 'condition')) return 'partial';
  return 'passed';
}

const SEVERITY: RunReport['status'][] = ['passed', 'partial', 'failed', 'interrupted'];

const EMPTY_COUNTS = {
  passed: 0,
  already: 0,
  written: 0,
  failed: 0,
  skipped: 0,
  manual: 0,
  standin: 0,
  fixture: 0,
  stale: 0,
  error: 0,
};

/** `a, b, c 외 4개`: a long list of files, shortened. */
const some = (items: string[], max = 5) =>
  `${items.slice(0, max).join(', ')}${items.length > max ? ` 외 ${items.length - max}개` : ''}`;

/** What differs between the blocks a step is bound to now and those its report covered. */
function blockChanges(id: string, now: Record<string, string>, then: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [block, hash] of Object.entries(now)) {
    if (then[block] === undefined) out.push(`${id} 에 묶인 블록 ${block} 는 이 보고서가 확인하지 않은 블록입니다.`);
    else if (then[block] !== hash) out.push(`${id} 가 읽은 블록 ${block} 가 바뀌었습니다.`);
  }
  for (const block of Object.keys(then))
    if (now[block] === undefined) out.push(`${id} 가 읽은 블록 ${block} 는 이제 이 단계에 묶여 있지 않습니다.`);
  return out;
}

const OBJECT_KIND = { config: 'ConfigMap', service: 'Service', pods: 'Pod' } as const;

/** What every phase of one verdict reads; `everywhere`: what every step depended on that changed (code, runbook fields). */
type Judging = ReturnType<typeof judging>;

export function verdict(input: VerdictInput): Verdict {
  const j = judging(input);
  const steps = new Map<string, StepVerdict>();
  for (const f of j.binding.fixtures) steps.set(fixtureId(f), judgeFixture(j, f));
  // In page order: an `already` outcome lets the page's condition skip the steps it names.
  const skips: Skips = { skippable: new Set(), byChanged: new Map() };
  for (const bound of j.binding.steps) {
    const v = judgeStep(j, bound, skips);
    steps.set(bound.step.id, v);
    if (v.status === 'stale' && bound.step.kind === 'run')
      bound.step.alreadyDone?.skip.forEach((s) => skips.byChanged.set(s, bound.step.id));
  }
  const counts = { ...EMPTY_COUNTS };
  for (const v of steps.values()) counts[v.status]++;
  return { ...runOutcome(j, steps, counts), uncommitted: j.report.source.dirty, steps, ...marks(j, steps), counts };
}

function judging({ report, binding, code: codeNow }: VerdictInput) {
  const { runbook } = binding;
  const file = `runbooks/${runbook.name}.ts`;
  const everywhere: string[] = [];
  const code = changedKeys(report.fingerprints.code, codeNow);
  if (code.length > 0) everywhere.push(`런북 실행기와 샌드박스의 코드가 바뀌었습니다: ${some(code)}`);
  const fields = changedKeys(report.fingerprints.runbook, runbookFields(runbook));
  if (fields.length > 0) everywhere.push(`${file} 의 ${fields.join(', ')} 가 바뀌었습니다.`);
  const ctx: CheckContext = { minor: minorOf(report.kubernetes), pins: runbook.pins ?? {}, steps: binding.steps };
  const reported = new Map(report.steps.map((s) => [s.id, s]));
  return { report, binding, file, rules: ruleHashes(runbook), reported, ctx, everywhere };
}

function judgeFixture(j: Judging, f: Binding['fixtures'][number]): StepVerdict {
  const id = fixtureId(f);
  const step = j.reported.get(id);
  if (!step) return { status: 'stale', step, changed: [`준비 단계 ${id} 는 이 보고서에 없습니다.`] };
  const changed = [
    ...j.everywhere,
    ...(j.rules.get(fixtureKey(f.fixture)) !== step.ruleHash ? [`${j.file} 의 ${id} 준비 규칙이 바뀌었습니다.`] : []),
    ...blockChanges(id, fixtureHashes(f), step.blockHashes),
  ];
  if (changed.length > 0) return { status: 'stale', step, changed };
  if (step.status === 'fixture' || step.status === 'failed') return { status: step.status, step, changed };
  const why = `준비 단계 ${id} 의 상태 "${step.status}" 는 준비 단계의 것이 아닙니다.`;
  return { status: 'error', step, changed, why };
}

/** `skippable`: steps an `already` outcome named; `byChanged`: those named by a step that changed since. */
type Skips = { skippable: Set<string>; byChanged: Map<string, string> };

function judgeStep(j: Judging, bound: BoundStep, skips: Skips): StepVerdict {
  const id = bound.step.id;
  const step = j.reported.get(id);
  if (!step || step.kind === 'fixture')
    return { status: 'stale', step: undefined, changed: [`${id} 는 이 보고서를 만든 뒤 런북에 생긴 단계입니다.`] };
  const changed = [...j.everywhere];
  if (j.rules.get(id) !== step.ruleHash) changed.push(`${j.file} 의 ${id} 규칙이 바뀌었습니다.`);
  changed.push(...blockChanges(id, boundHashes(bound), step.blockHashes));
  for (const f of step.fetched ?? [])
    if (f.pin !== j.ctx.pins[f.url]) changed.push(`${j.file} 의 ${f.url} 고정값(pin)이 바뀌었습니다.`);
  if (changed.length > 0) return { status: 'stale', step, changed };
  if (step.status === 'skipped') {
    const by = skips.byChanged.get(id);
    if (step.skipCause === 'condition' && by)
      return { status: 'stale', step, changed: [`${id} 를 건너뛰게 한 ${by} 가 이 보고서 뒤에 바뀌었습니다.`] };
    const why = `${id} 를 페이지의 조건으로 건너뛰었다고 하지만, 그 조건("이미 적용됨")을 보여 주는 앞 단계의 증거가 없습니다.`;
    if (step.skipCause === 'condition' && !skips.skippable.has(id)) return { status: 'error', step, changed: [], why };
    return { status: 'skipped', step, changed: [] };
  }

  const checked = checkStep(bound, step, j.ctx);
  if (REPORTED[checked.outcome] !== step.status) {
    const because = checked.problems.length > 0 ? `: ${checked.problems.slice(0, 3).join(' / ')}` : '';
    const why = `보고서는 ${id} 를 "${step.status}" 라고 하지만, 보고서에 남은 증거를 지금의 페이지와 런북으로 다시 확인하면 "${REPORTED[checked.outcome]}" 입니다${because}`;
    return { status: 'error', step, changed, checked, why };
  }
  const already = checked.outcome === 'already' && bound.step.kind === 'run' ? bound.step.alreadyDone : undefined;
  already?.skip.forEach((s) => skips.skippable.add(s));
  if (checked.outcome === 'failed' || checked.outcome === 'manual')
    return { status: checked.outcome, step, changed, checked };
  const standin = standInWhy(j, bound, step);
  if (standin) return { status: 'standin', step, changed, checked, why: standin };
  if (already) return { status: 'already', step, changed, checked, why: already.because };
  return { status: checked.outcome, step, changed, checked };
}

/** Why a step compared something the runner or the provider made rather than what the page installs; undefined when it did not. */
function standInWhy(j: Judging, bound: BoundStep, step: StepReport): string | undefined {
  if (step.browser) return `${step.browser.proven} ${step.browser.simulated}`;
  const fixture = j.binding.fixtures.find((f) => f.fixture.resetWith === bound.step.id);
  // Only a real object the cluster already had (`existing`) makes the comparison a real one.
  if (fixture && j.reported.get(fixtureId(fixture))?.fixture !== 'existing') {
    return `${fixture.namespace}/${fixture.name} 는 런북이 페이지의 ${fixture.spec.id} 블록으로 만든 대역 서비스라, 이 표는 페이지의 YAML 과 같을 수밖에 없습니다. 앞 장에서 설치한 실제 서비스가 있는 클러스터에서만 의미 있는 확인이 됩니다.`;
  }
  // Objects the provider made itself, read by the step (its own object check, or the one its `confirm` reads).
  const confirmed = bound.step.kind === 'run' ? bound.step.confirm?.step : undefined;
  for (const b of [bound, j.binding.steps.find((s) => s.step.id === confirmed)]) {
    if (!b || b.step.kind !== 'run' || !b.step.object || !b.block) continue;
    const target = objectTarget(b.step.object, b.block.code);
    const kind = OBJECT_KIND[b.step.object.kind];
    const found =
      typeof target !== 'string' &&
      j.report.seeded.find(
        (o) => o.kind === kind && o.namespace === target.namespace && (target.name ?? o.name) === o.name,
      );
    if (found) return found.why;
  }
}

/** The run's status and why it is not `passed`. */
function runOutcome(j: Judging, steps: Map<string, StepVerdict>, counts: Record<MarkStatus, number>) {
  const { report, everywhere } = j;
  const reasons: string[] = [];
  for (const [id, v] of steps) if (v.status === 'error') reasons.push(`검증 오류: ${v.why ?? id}`);
  reasons.push(...everywhere);
  for (const v of steps.values())
    if (v.status === 'stale') reasons.push(...v.changed.filter((c) => !everywhere.includes(c)));

  const orphans = report.steps.filter((s) => !steps.has(s.id));
  reasons.push(...orphans.map((s) => `보고서의 ${s.id} 는 지금의 런북에 없습니다.`));
  // The more serious of the two: a report never reads better than its steps.
  const base = SEVERITY[Math.max(SEVERITY.indexOf(runStatus(report.steps, false)), SEVERITY.indexOf(report.status))]!;
  const status: RunStatus = counts.error > 0 ? 'error' : counts.stale > 0 || orphans.length > 0 ? 'stale' : base;
  const left = report.steps.filter((s) => s.status === 'skipped' && s.skipCause !== 'condition');
  if (status === 'partial') reasons.push(`${left.length}개 단계를 실행하지 않은 부분 실행입니다.`);
  if (status === 'failed')
    for (const s of report.steps) if (s.status === 'failed') reasons.push(`${s.id} 실패: ${s.problems[0] ?? ''}`);
  return { status, reasons };
}

/** Block and figure marks: each block and figure a step reads shows the step's verdict. */
function marks(j: Judging, steps: Map<string, StepVerdict>): Pick<Verdict, 'blocks' | 'figures'> {
  const markOf = (stepId: string, details: boolean): Mark => ({ ...steps.get(stepId)!, stepId, details });
  const blocks = new Map<string, Mark>();
  const figures = new Map<string, Mark>();
  for (const b of j.binding.steps) {
    const read = [b.block, ...b.outputs.values()].filter((x) => x !== undefined).sort((x, y) => x.line - y.line);
    read.forEach((block, i) => blocks.set(block.id, markOf(b.step.id, i === read.length - 1)));
    if (b.anchor) figures.set(b.anchor.id, markOf(b.step.id, true));
  }
  return { blocks, figures };
}
