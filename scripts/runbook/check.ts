/**
 * A step's checks on its evidence alone (pure). The runner decides each step's status with these; the verdict
 * runs them again on the report's evidence against the page and runbook now, so a status never stands on its own word.
 */
import type { BoundStep } from './bind.ts';
import { fingerprint } from '../model/fingerprint.ts';
import type { ObjectCheck, ObjectReading, StepReport } from '../model/report.ts';
import type { Drift, OutputRule, RunStep } from '../model/runbook.ts';
import { minorOf } from '../model/version.ts';
import { matchLines } from './match/lines.ts';
import { splitLines } from './match/result.ts';
import { matchTable } from './match/table.ts';
import { urlsIn } from './mirror.ts';
import { compareObject, objectProblems, show } from './objects.ts';

/** What the evidence supports (`already`: the page's "already done" line instead; `written`: a file block as is). */
export type CheckOutcome = 'passed' | 'already' | 'written' | 'manual' | 'failed';

export interface Checked {
  outcome: CheckOutcome;
  problems: string[];
  notes: string[];
  /** The object checks, expected values from the page as given. */
  objects: ObjectCheck[];
  diff: string;
}

/** The status a report must give a step whose evidence supports `outcome`. */
export const REPORTED: Record<CheckOutcome, StepReport['status']> = {
  passed: 'passed',
  already: 'passed',
  written: 'passed',
  manual: 'manual',
  failed: 'failed',
};

/** What a step's checks read: the report's evidence fields. */
type Evidence = Pick<
  StepReport,
  'status' | 'exitCode' | 'streams' | 'readings' | 'nodes' | 'confirm' | 'fetched' | 'changes' | 'written' | 'browser'
>;

export interface CheckContext {
  /** Kubernetes minor the step ran on (drift). */
  minor: number;
  /** The runbook's pins by URL. */
  pins: Readonly<Record<string, string>>;
  /** Every bound step (a `confirm` reads another step's object). */
  steps: readonly BoundStep[];
}

/** What a run step expects on this Kubernetes version: the rule, the page text it compares with, the exit code. */
export interface Expectation {
  rule: OutputRule | undefined;
  /** The documented text (for a drift with `withoutLines`: the main output's remaining lines, then the aside's block). */
  text: string | undefined;
  exitCode: number;
  drift: Drift | undefined;
}

export function expectationFor(bound: BoundStep & { step: RunStep }, minor: number): Expectation {
  const { step } = bound;
  const drift = step.drift && minor >= minorOf(step.drift.since) ? step.drift : undefined;
  const main = step.output ? bound.outputs.get(step.output.block) : undefined;
  if (!drift) return { rule: step.output, text: main?.code, exitCode: step.exitCode ?? 0, drift };
  const aside = bound.outputs.get(drift.output.block)?.code ?? '';
  const { withoutLines } = drift;
  if (!withoutLines || !main) return { rule: drift.output, text: aside, exitCode: drift.exitCode, drift };
  const kept = splitLines(main.code).filter((l) => !withoutLines.test(l.trim()));
  const applyVerbs = step.output?.kind === 'lines' ? step.output.applyVerbs : undefined;
  return {
    rule: { ...drift.output, ...(applyVerbs ? { applyVerbs } : {}) },
    text: [...kept, ...splitLines(aside)].join('\n'),
    exitCode: drift.exitCode,
    drift,
  };
}

type Streams = { stdout: string; stderr: string };

function compare(rule: OutputRule, text: string, streams: Streams, nodes: Record<string, number>) {
  return rule.kind === 'table' ? matchTable(rule, text, streams.stdout, { nodes }) : matchLines(rule, text, streams);
}

const compareAll = (
  rule: Parameters<typeof compareObject>[0],
  command: string,
  documented: string,
  readings: readonly ObjectReading[] | undefined,
) => (readings ?? []).flatMap((r) => compareObject(rule, command, documented, r));

/** One attempt of a run step: its exit code, its output against the page, its object against the page. */
export function checkAttempt(
  bound: BoundStep & { step: RunStep },
  expect: Expectation,
  ev: Pick<Evidence, 'readings' | 'nodes'> & { exitCode: number | null; streams: Streams },
  exitText = String(ev.exitCode ?? '-'),
): Checked {
  const problems: string[] = [];
  const notes: string[] = [];
  // A background command passes while it runs (no exit code yet); one that ended did not stay up.
  if (bound.step.background) {
    if (ev.exitCode !== null)
      problems.push(`백그라운드 명령이 준비되기 전에 끝났거나 준비되지 않았습니다 (종료 코드 ${exitText}).`);
  } else if (ev.exitCode !== expect.exitCode) problems.push(`종료 코드: 기대 ${expect.exitCode}, 실제 ${exitText}`);
  let diff = '';
  if (expect.rule && expect.text !== undefined) {
    const m = compare(expect.rule, expect.text, ev.streams, ev.nodes ?? {});
    problems.push(...m.problems);
    notes.push(...m.notes);
    diff = m.diff;
  }
  const object = bound.step.object && expect.text !== undefined ? bound.step.object : undefined;
  const objects = object ? compareAll(object, bound.block!.code, expect.text!, ev.readings) : [];
  if (object && objects.length === 0) problems.push('객체를 API 로 읽은 기록이 없습니다.');
  problems.push(...objectProblems(objects));
  return { outcome: problems.length === 0 ? 'passed' : 'failed', problems, notes, objects, diff };
}

/** Each URL the command reads must have been served with its pin's sha256. */
function fetchProblems(command: string, ev: Evidence, pins: Readonly<Record<string, string>>): string[] {
  return [...new Set(urlsIn(command))].flatMap((url) => {
    const got = ev.fetched?.find((f) => f.url === url);
    const pin = pins[url];
    if (!pin) return [`${url} 의 sha256 고정값(pin)이 런북에 없습니다.`];
    if (!got) return [`${url} 를 읽은 기록이 없습니다.`];
    if (got.sha256 === pin) return [];
    return [
      `${url} 의 sha256 이 고정값과 다릅니다: 고정값 ${pin}, 받은 파일 ${got.sha256} (${got.source === 'mirror' ? '미러' : 'URL'}).`,
    ];
  });
}

/** `failed` with problems, else `outcome`. */
const checked = (problems: string[], outcome: CheckOutcome = 'passed'): Checked => ({
  outcome: problems.length > 0 ? 'failed' : outcome,
  problems,
  notes: [],
  objects: [],
  diff: '',
});

function checkRun(bound: BoundStep & { step: RunStep }, ev: Evidence, ctx: CheckContext, exitText?: string): Checked {
  const { step } = bound;
  const block = bound.block!;
  const fetch = fetchProblems(block.code, ev, ctx.pins);
  if (!ev.streams || ev.exitCode === undefined)
    return checked([...fetch, '명령을 실행한 기록(출력과 종료 코드)이 없습니다.']);
  const attempt = { exitCode: ev.exitCode, streams: ev.streams, readings: ev.readings, nodes: ev.nodes };
  const expect = expectationFor(bound, ctx.minor);
  const main = checkAttempt(bound, expect, attempt, exitText);
  if (fetch.length > 0) return { ...main, outcome: 'failed', problems: [...fetch, ...main.problems] };

  if (main.outcome === 'passed' && step.confirm) {
    const c = checkConfirm(step.confirm, ev, ctx);
    const objects = [...main.objects, ...c.objects];
    if (c.problems.length > 0) return { ...main, outcome: 'failed', problems: c.problems, objects };
    return { ...main, objects, notes: [...main.notes, c.note] };
  }

  if (main.outcome === 'failed' && step.alreadyDone && expect.rule) {
    // The page's conditional: exit 0, exactly the documented "already done" line, and the object agrees.
    const { line, skip } = step.alreadyDone;
    const text = compare(expect.rule, line, ev.streams, ev.nodes ?? {});
    const objects = step.object ? compareAll(step.object, block.code, line, ev.readings) : [];
    if (ev.exitCode === 0 && text.ok && (!step.object || objects.length > 0) && objects.every((o) => o.ok)) {
      return {
        ...checked([], 'already'),
        objects,
        notes: [
          `페이지의 출력 대신 "${line}" 가 나왔습니다: 이미 원하는 상태이므로 ${skip.join(', ')} 를 건너뜁니다.`,
          ...text.notes,
        ],
      };
    }
  }
  return main;
}

/** After the step, the state another step reads: its object through the API, else its command's output. */
function checkConfirm({ step: id, line }: NonNullable<RunStep['confirm']>, ev: Evidence, ctx: CheckContext) {
  const target = ctx.steps.find((s) => s.step.id === id);
  const rule = target?.step.kind === 'run' ? target.step.object : undefined;
  if (!rule || !target?.block) {
    const seen = (ev.confirm?.stdout ?? '').split('\n').some((l) => l.trim() === line);
    return {
      objects: [],
      problems: seen ? [] : [`적용한 뒤 ${id} 를 다시 실행했지만 "${line}" 가 나오지 않았습니다.`],
      note: `적용 뒤 ${id} 를 다시 실행해 "${line}" 를 확인했습니다.`,
    };
  }
  // The other step's command prints a field of an object it reads: that field, read through the API, is the fact itself.
  const objects = compareAll(rule, target.block.code, line, ev.confirm?.readings);
  return {
    objects,
    problems: objects.length === 0 ? [`적용한 뒤 ${id} 가 읽는 객체를 확인하지 못했습니다.`] : objectProblems(objects),
    note: `적용 뒤 ${id} 가 읽는 ${objects.map((o) => o.what).join(', ')} 를 API 로 다시 읽어 "${line}" 를 확인했습니다.`,
  };
}

function checkEdit(bound: BoundStep, ev: Evidence, exitText?: string): Checked {
  if (!ev.streams || ev.exitCode === undefined) return checked(['편집한 기록(출력과 종료 코드)이 없습니다.']);
  const problems: string[] = [];
  if (ev.exitCode !== 0) problems.push(`kubectl edit 가 실패했습니다 (종료 코드 ${exitText ?? ev.exitCode ?? '-'}).`);
  if (/Edit cancelled, no changes made/.test(ev.streams.stdout + ev.streams.stderr))
    problems.push('kubectl 이 "Edit cancelled, no changes made." 라고 답했습니다: 편집이 아무것도 바꾸지 않았습니다.');
  const read = bound.changes.map((c) => ({
    field: c.path.join('.'),
    documented: show(c.value),
    got: ev.changes?.find((x) => x.field === c.path.join('.')),
  }));
  for (const { field, documented, got } of read) {
    if (!got) problems.push(`편집 뒤 ${field} 를 읽은 기록이 없습니다.`);
    else if (got.after !== documented)
      problems.push(
        `편집 뒤 ${field} 가 페이지의 값이 아닙니다: 기대 "${documented}", 실제 "${got.after}" (편집 전 "${got.before}").`,
      );
  }
  if (read.length > 0 && read.every((r) => r.got?.before === r.documented))
    problems.push(
      `편집 전에 이미 ${read.map((r) => `${r.field}=${r.documented}`).join(', ')} 였습니다: 페이지의 편집이 아무것도 바꾸지 않았습니다.`,
    );
  return checked(problems);
}

/** The bytes a file step writes for a block (a last newline added). */
export const fileContent = (code: string) => (code.endsWith('\n') ? code : `${code}\n`);

function checkFile(bound: BoundStep, ev: Evidence): Checked {
  const block = bound.block!;
  const name = block.meta.getString('title') ?? '';
  if (!ev.written) return checked(['파일을 쓴 기록이 없습니다.']);
  const same = ev.written.file === name && ev.written.hash === fingerprint(fileContent(block.code));
  return checked(
    same ? [] : [`작업 폴더의 ${ev.written.file} 가 페이지의 ${block.id} 블록(${name})과 다릅니다.`],
    'written',
  );
}

function checkManual(bound: BoundStep, ev: Evidence): Checked {
  if (!ev.browser) return checked(ev.status === 'manual' ? [] : ['브라우저로 주소를 연 기록이 없습니다.'], 'manual');
  const url = bound.anchor?.links[0];
  const problems = [
    ...(ev.browser.url !== url ? [`연 주소 ${ev.browser.url} 가 페이지의 주소 ${url ?? '(없음)'} 가 아닙니다.`] : []),
    ...(ev.browser.status !== 200 ? [`${ev.browser.url} 가 HTTP ${ev.browser.status} 로 답했습니다.`] : []),
  ];
  return checked(problems);
}

/** The checks of a step of any kind on its evidence. `exitText` describes the exit for people (the runner knows signals and timeouts). */
export function checkStep(bound: BoundStep, ev: Evidence, ctx: CheckContext, exitText?: string): Checked {
  const { step } = bound;
  if (step.kind === 'run') return checkRun({ ...bound, step }, ev, ctx, exitText);
  if (step.kind === 'edit') return checkEdit(bound, ev, exitText);
  if (step.kind === 'file') return checkFile(bound, ev);
  return checkManual(bound, ev);
}
