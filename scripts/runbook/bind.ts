import type { Anchor, Block, Page } from '../model/page.ts';
import { anchorHash, at, blockHash } from '../model/page.ts';
import { UsageError } from '../lib/errors.ts';
import type { FieldChange } from './edit-apply.ts';
import { documentedChanges } from './edits.ts';
import { parseTable } from './match/table.ts';
import { splitLines } from './match/result.ts';
import { componentLogProblems } from './logs.ts';
import { urlsIn } from './mirror.ts';
import { documentedValue, objectRuleProblems } from './objects.ts';
import type { OutputRule, Runbook, RunStep, ServiceFixture, Step } from '../model/runbook.ts';

/** A step with the page content it executes, resolved once before anything runs. */
export interface BoundStep {
  step: Step;
  /** The command, file or edit block; undefined for manual steps. */
  block: Block | undefined;
  /** The figure a manual step points at. */
  anchor: Anchor | undefined;
  /** Output blocks the step compares with, by block id. */
  outputs: Map<string, Block>;
  /** For edit steps: the fields the page marks as changed. */
  changes: FieldChange[];
  /** 1-based line on the page, for messages. */
  line: number;
}

export interface BoundFixture {
  fixture: ServiceFixture;
  name: string;
  namespace: string;
  /** The `kubectl edit` command block that names the object. */
  edit: Block;
  spec: Block;
  changes: FieldChange[];
}

export interface Binding {
  runbook: Runbook;
  page: Page;
  steps: BoundStep[];
  fixtures: BoundFixture[];
}

export const EDIT_COMMAND = /^kubectl edit (?:svc|service)\/([a-z0-9-]+) -n ([a-z0-9-]+)\s*$/;

/** What binding one page collects: its problems (`flag`: at a line of the page, or the page), and which step uses each block. */
function binder(runbook: Runbook, page: Page) {
  const stepIds = new Set(runbook.steps.map((s) => s.id));
  const problems: string[] = [];
  const flag = (line: number | undefined, text: string) =>
    problems.push(`${line === undefined ? page.file : at(page, line)}: ${text}`);
  const blocks = new Map(page.blocks.map((b) => [b.id, b]));
  const anchors = new Map(page.anchors.map((a) => [a.id, a]));
  const used = new Map<string, string>();
  const use = (blockId: string, by: string, where: string): Block | undefined => {
    const block = blocks.get(blockId);
    if (!block) {
      flag(
        undefined,
        `런북 단계 ${by} 가 가리키는 블록 "${blockId}" 가 페이지에 없습니다 (${where}). 페이지에서 지워졌거나 step id 가 바뀌었습니다.`,
      );
      return undefined;
    }
    const previous = used.get(blockId);
    if (previous && previous !== by)
      flag(block.line, `블록 "${blockId}" 를 ${previous} 와 ${by} 가 함께 씁니다. 블록 하나는 한 단계에만 묶으세요.`);
    used.set(blockId, by);
    return block;
  };
  return { page, stepIds, problems, flag, blocks, anchors, used, use };
}
type Binder = ReturnType<typeof binder>;

/**
 * The doc↔runbook check: every fenced block is used by exactly one step, every step finds its
 * block, outputs belong to their command (`of`), matching rules still fit the page's text, and
 * steps follow the page's order. All problems are listed with file:line, then thrown together.
 */
export function bind(runbook: Runbook, page: Page): Binding {
  const b = binder(runbook, page);
  const steps = runbook.steps.map((step) => bindStep(b, step));
  for (const [i, cur] of steps.entries()) {
    const prev = steps[i - 1];
    if (prev && cur.line > 0 && prev.line > cur.line)
      b.flag(
        cur.line,
        `런북의 ${cur.step.id} 가 페이지에서는 ${prev.step.id} (${prev.line}행)보다 앞에 있습니다. 런북은 페이지 순서를 따라야 합니다.`,
      );
  }
  const fixtures = runbook.fixtures.flatMap((f) => bindFixture(b, f));
  for (const block of page.blocks) {
    if (!b.used.has(block.id))
      b.flag(
        block.line,
        `블록 "${block.id}" 를 실행하거나 비교하는 런북 단계가 없습니다. runbooks/${runbook.name}.ts 에 단계를 더하세요.`,
      );
  }
  for (const anchor of page.anchors) {
    if (!runbook.steps.some((s) => s.kind === 'manual' && s.id === anchor.id))
      b.flag(anchor.line, `그림 "${anchor.id}" 에 해당하는 수동 확인 단계가 런북에 없습니다.`);
  }
  const problems = [...b.problems, ...runbookProblems(runbook, steps).map((p) => `runbooks/${runbook.name}.ts: ${p}`)];
  if (problems.length > 0) {
    throw new UsageError(
      'BINDING',
      `런북 ${runbook.name} 과 페이지가 맞지 않습니다:\n  ${problems.join('\n  ')}`,
      `페이지의 step id 와 runbooks/ 의 단계를 함께 고치세요. 목록은 npm run runbook -- ${runbook.name} --dry-run 으로 볼 수 있습니다.`,
    );
  }
  return { runbook, page, steps, fixtures };
}

/** One step with its blocks (or figure), and the problems of its own rules. */
function bindStep(b: Binder, step: Step): BoundStep {
  const { page } = b;
  const outputs = new Map<string, Block>();
  let block: Block | undefined;
  let anchor: Anchor | undefined;
  let changes: FieldChange[] = [];
  if (step.kind === 'manual' && (b.anchors.has(step.id) || !b.blocks.has(step.id))) {
    anchor = b.anchors.get(step.id);
    if (!anchor)
      b.flag(
        undefined,
        `수동 확인 단계 ${step.id} 의 그림(<figure data-step="${step.id}"> 또는 ![설명](경로 "step=${step.id}"))이나 명령 블록이 페이지에 없습니다.`,
      );
  } else if (step.kind === 'manual') {
    // A command a person runs (an editor, a prompt, another way to install): it and the blocks under it are theirs to check.
    block = b.use(step.id, step.id, '사람이 실행하는 명령 블록');
    for (const o of page.blocks)
      if (o.of === step.id) outputs.set(o.id, b.use(o.id, step.id, '사람이 실행하는 명령의 출력 블록')!);
  } else {
    block = b.use(step.id, step.id, '명령 블록');
  }
  if (block && step.kind === 'run' && block.lang !== 'bash')
    b.flag(block.line, `${step.id} 는 명령이므로 \`\`\`bash 블록이어야 합니다 (지금: ${block.lang || '언어 없음'}).`);
  if (block && step.kind === 'file' && !block.meta.getString('title'))
    b.flag(block.line, `파일 블록 ${step.id} 에 title="파일 이름" 이 없습니다.`);
  if (step.kind === 'run') bindRun(b, step, block, outputs);
  if (step.kind === 'edit') {
    if (block && !EDIT_COMMAND.test(block.code.trim()))
      b.flag(block.line, `${step.id} 는 \`kubectl edit svc/이름 -n 네임스페이스\` 한 줄이어야 합니다.`);
    const spec = b.use(step.spec, step.id, '편집 내용 블록');
    if (spec) {
      outputs.set(spec.id, spec);
      if (spec.of !== step.id) b.flag(spec.line, `편집 블록 "${spec.id}" 는 of="${step.id}" 여야 합니다.`);
      const found = documentedChanges(spec);
      changes = found.changes;
      for (const p of found.problems) b.flag(spec.line, p);
    }
  }
  return { step, block, anchor, outputs, changes, line: block?.line ?? anchor?.line ?? 0 };
}

/** A run step's output blocks (into `outputs`), its drift, object check, alreadyDone and confirm. */
function bindRun(b: Binder, step: RunStep, block: Block | undefined, outputs: Map<string, Block>) {
  for (const rule of [step.output, step.drift?.output]) {
    const out = rule && b.use(rule.block, step.id, '출력 블록');
    if (!rule || !out) continue;
    if (out.of !== step.id)
      b.flag(out.line, `출력 블록 "${out.id}" 는 of="${step.id}" 여야 합니다 (지금: ${out.of ?? '없음'}).`);
    for (const p of checkRule(rule, out)) b.flag(out.line, p);
    outputs.set(out.id, out);
  }
  const main = step.output ? outputs.get(step.output.block) : undefined;
  const line = block?.line ?? 0;
  const aside = step.drift && outputs.get(step.drift.output.block);
  const { withoutLines } = step.drift ?? {};
  if (step.drift && withoutLines) {
    if (!main || step.output?.kind !== 'lines')
      b.flag(line, `${step.id} 의 drift.withoutLines 는 줄 단위 출력 블록(output)이 있어야 씁니다.`);
    else if (!splitLines(main.code).some((l) => withoutLines.test(l.trim())))
      b.flag(
        main.line,
        `${step.id} 의 drift.withoutLines ${withoutLines} 에 맞는 줄이 출력 블록 "${main.id}" 에 없습니다.`,
      );
    else if (aside) {
      const kept = [...splitLines(main.code).filter((l) => !withoutLines.test(l.trim())), ...splitLines(aside.code)];
      for (const p of checkRule(step.drift.output, { ...aside, code: kept.join('\n') })) b.flag(aside.line, p);
    }
  } else if (step.drift && aside) {
    for (const p of vacuous(step.drift.output, aside.code)) b.flag(aside.line, p);
  }
  if (step.object && block) {
    for (const p of objectRuleProblems(step.object, block.code, main?.code))
      b.flag(line, `${step.id} 의 객체 확인: ${p}`);
    if (
      step.object.kind === 'config' &&
      step.alreadyDone &&
      documentedValue(step.object, step.alreadyDone.line) === undefined
    )
      b.flag(line, `${step.id} 의 alreadyDone.line "${step.alreadyDone.line}" 에서 객체 확인의 값을 읽을 수 없습니다.`);
  }
  for (const skipped of step.alreadyDone?.skip ?? []) {
    if (!b.stepIds.has(skipped))
      b.flag(undefined, `${step.id} 의 alreadyDone.skip 이 없는 단계 ${skipped} 를 가리킵니다.`);
  }
  if (step.confirm && !b.stepIds.has(step.confirm.step))
    b.flag(undefined, `${step.id} 의 confirm 이 없는 단계 ${step.confirm.step} 를 가리킵니다.`);
}

/** A stand-in Service: the page's `kubectl edit` block that names it and the spec block it is made from. */
function bindFixture(b: Binder, fixture: ServiceFixture): BoundFixture[] {
  const edit = b.blocks.get(fixture.edit);
  const spec = b.blocks.get(fixture.spec);
  const m = edit ? EDIT_COMMAND.exec(edit.code.trim()) : null;
  if (!edit || !spec || !m) {
    b.flag(
      undefined,
      `준비 단계(fixture) ${fixture.edit} 가 페이지의 kubectl edit 블록과 편집 블록을 찾지 못했습니다.`,
    );
    return [];
  }
  if (!b.stepIds.has(fixture.resetWith))
    b.flag(undefined, `fixture ${fixture.edit} 의 resetWith 가 없는 단계 ${fixture.resetWith} 를 가리킵니다.`);
  return [{ fixture, name: m[1] ?? '', namespace: m[2] ?? '', edit, spec, changes: documentedChanges(spec).changes }];
}

/** The runbook's own problems: its component logs, and pins that are no sha256 or that no command reads. */
function runbookProblems(runbook: Runbook, steps: BoundStep[]): string[] {
  const problems = componentLogProblems(runbook.logs ?? []);
  const commands = steps.flatMap((b) => (b.step.kind === 'run' && b.block ? [b.block.code] : []));
  for (const [url, pin] of Object.entries(runbook.pins ?? {})) {
    if (!/^[0-9a-f]{64}$/.test(pin)) problems.push(`pins 의 ${url} 값 "${pin}" 이 sha256(64자리 16진수)이 아닙니다.`);
    if (!commands.some((c) => urlsIn(c).includes(url)))
      problems.push(`pins 의 ${url} 를 읽는 명령이 페이지에 없습니다. 지우거나 URL 을 고치세요.`);
  }
  return problems;
}

/** Fingerprints of the blocks (and the figure) a bound step reads, by id: what a report records for it and the verdict compares now. */
export function boundHashes(bound: BoundStep): Record<string, string> {
  const read = [bound.block, ...bound.outputs.values()].filter((b) => b !== undefined);
  return Object.fromEntries([
    ...read.map((b) => [b.id, blockHash(b.code)] as const),
    ...(bound.anchor ? [[bound.anchor.id, anchorHash(bound.anchor)] as const] : []),
  ]);
}

/** The report id of a stand-in (`fixture/<namespace>/<name>`) and the blocks it is made from. */
export const fixtureId = (f: BoundFixture) => `fixture/${f.namespace}/${f.name}`;
export const fixtureHashes = (f: BoundFixture): Record<string, string> => ({
  [f.fixture.edit]: blockHash(f.edit.code),
  [f.spec.id]: blockHash(f.spec.code),
});

/** Whether a matching rule still fits the page's block (columns exist, stderr pattern still matches) and can fail. */
function checkRule(rule: OutputRule, block: Pick<Block, 'id' | 'code'>): string[] {
  if (rule.kind === 'table') {
    const { header, rows } = parseTable(block.code);
    const named = [rule.key, ...rule.volatile, ...(rule.ports ?? [])];
    const problems = named
      .filter((c) => !header.includes(c))
      .map((c) => `표 규칙이 쓰는 열 ${c} 가 블록 "${block.id}" 의 머리글에 없습니다 (머리글: ${header.join(' ')}).`);
    if (rows.length === 0)
      problems.push(`블록 "${block.id}" 에 행이 없어 표 규칙이 무엇이든 통과시킵니다. 기대하는 행을 적으세요.`);
    return problems;
  }
  if (rule.stderr && !splitLines(block.code).some((l) => rule.stderr?.test(l.trim()))) {
    return [`블록 "${block.id}" 에 stderr 규칙 ${rule.stderr} 에 맞는 줄이 없습니다.`];
  }
  if (
    rule.volatile &&
    !splitLines(block.code).some((l) =>
      new RegExp(rule.volatile!.source, rule.volatile!.flags.replace('g', '')).test(l.trim()),
    )
  ) {
    return [
      `블록 "${block.id}" 에 volatile 규칙 ${rule.volatile} 에 맞는 부분이 없습니다. 지우거나 페이지의 줄에 맞게 고치세요.`,
    ];
  }
  return vacuous(rule, block.code);
}

/**
 * An expectation that would match anything is a binding error: a block with no lines, or a stream
 * compared with `contains` while the page expects nothing on it (any output would pass).
 */
function vacuous(rule: OutputRule, text: string): string[] {
  if (rule.kind === 'table') return [];
  const lines = splitLines(text)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return ['출력 블록이 비어 있어 무엇이든 통과합니다. 기대하는 출력을 적으세요.'];
  const problems: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const expected = lines.filter((l) => (stream === 'stderr') === (rule.stderr?.test(l) ?? false));
    if (expected.length === 0 && (rule.streams?.[stream] ?? rule.mode) === 'contains') {
      problems.push(
        `${stream} 는 contains 로 비교하는데 페이지가 기대하는 ${stream} 줄이 없어, ${stream} 에 무엇이 나와도 통과합니다. streams: { ${stream}: 'exact' } 로 비어 있음을 확인하거나 기대하는 줄을 적으세요.`,
      );
    }
  }
  return problems;
}
