import type { Anchor, Block, Page } from '../model/page.ts';
import { anchorHash, at, blockHash } from '../model/page.ts';
import { UsageError } from '../lib/errors.ts';
import { documentedChanges, type FieldChange } from './edits.ts';
import { parseTable } from './match/table.ts';
import { splitLines } from './match/result.ts';
import { componentLogProblems } from './logs.ts';
import { urlsIn } from './mirror.ts';
import { documentedValue, objectRuleProblems } from './objects.ts';
import type { OutputRule, Runbook, ServiceFixture, Step } from '../model/runbook.ts';

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

/**
 * The doc↔runbook check: every fenced block is used by exactly one step, every step finds its
 * block, outputs belong to their command (`of`), matching rules still fit the page's text, and
 * steps follow the page's order. All problems are listed with file:line, then thrown together.
 */
export function bind(runbook: Runbook, page: Page): Binding {
  const problems: string[] = [];
  const blocks = new Map(page.blocks.map((b) => [b.id, b]));
  const anchors = new Map(page.anchors.map((a) => [a.id, a]));
  const used = new Map<string, string>();
  const use = (blockId: string, by: string, where: string): Block | undefined => {
    const block = blocks.get(blockId);
    if (!block) {
      problems.push(
        `${page.file}: 런북 단계 ${by} 가 가리키는 블록 "${blockId}" 가 페이지에 없습니다 (${where}). 페이지에서 지워졌거나 step id 가 바뀌었습니다.`,
      );
      return undefined;
    }
    const previous = used.get(blockId);
    if (previous && previous !== by)
      problems.push(
        `${at(page, block.line)}: 블록 "${blockId}" 를 ${previous} 와 ${by} 가 함께 씁니다. 블록 하나는 한 단계에만 묶으세요.`,
      );
    used.set(blockId, by);
    return block;
  };
  const useOutput = (rule: OutputRule, stepId: string) => {
    const block = use(rule.block, stepId, '출력 블록');
    if (!block) return undefined;
    if (block.of !== stepId)
      problems.push(
        `${at(page, block.line)}: 출력 블록 "${block.id}" 는 of="${stepId}" 여야 합니다 (지금: ${block.of ?? '없음'}).`,
      );
    problems.push(...checkRule(rule, block).map((p) => `${at(page, block.line)}: ${p}`));
    return block;
  };

  const steps: BoundStep[] = [];
  const stepIds = new Set(runbook.steps.map((s) => s.id));
  for (const step of runbook.steps) {
    const outputs = new Map<string, Block>();
    let block: Block | undefined;
    let anchor: Anchor | undefined;
    let changes: FieldChange[] = [];
    if (step.kind === 'manual' && (anchors.has(step.id) || !blocks.has(step.id))) {
      anchor = anchors.get(step.id);
      if (!anchor)
        problems.push(
          `${page.file}: 수동 확인 단계 ${step.id} 의 그림(<figure data-step="${step.id}"> 또는 ![설명](경로 "step=${step.id}"))이나 명령 블록이 페이지에 없습니다.`,
        );
    } else if (step.kind === 'manual') {
      // A command a person runs (an editor, a prompt, another way to install): it and the blocks under it are theirs to check.
      block = use(step.id, step.id, '사람이 실행하는 명령 블록');
      for (const b of page.blocks)
        if (b.of === step.id) outputs.set(b.id, use(b.id, step.id, '사람이 실행하는 명령의 출력 블록')!);
    } else {
      block = use(step.id, step.id, '명령 블록');
    }
    if (block && step.kind === 'run' && block.lang !== 'bash')
      problems.push(
        `${at(page, block.line)}: ${step.id} 는 명령이므로 \`\`\`bash 블록이어야 합니다 (지금: ${block.lang || '언어 없음'}).`,
      );
    if (block && step.kind === 'file' && !block.meta.getString('title'))
      problems.push(`${at(page, block.line)}: 파일 블록 ${step.id} 에 title="파일 이름" 이 없습니다.`);
    if (step.kind === 'run') {
      for (const rule of [step.output, step.drift?.output]) {
        if (!rule) continue;
        const out = useOutput(rule, step.id);
        if (out) outputs.set(out.id, out);
      }
      const main = step.output ? outputs.get(step.output.block) : undefined;
      const where = at(page, block?.line ?? 0);
      if (step.drift?.withoutLines) {
        const aside = outputs.get(step.drift.output.block);
        if (!main || step.output?.kind !== 'lines')
          problems.push(`${where}: ${step.id} 의 drift.withoutLines 는 줄 단위 출력 블록(output)이 있어야 씁니다.`);
        else if (!splitLines(main.code).some((l) => step.drift?.withoutLines?.test(l.trim())))
          problems.push(
            `${at(page, main.line)}: ${step.id} 의 drift.withoutLines ${step.drift.withoutLines} 에 맞는 줄이 출력 블록 "${main.id}" 에 없습니다.`,
          );
        else if (aside) {
          const kept = [
            ...splitLines(main.code).filter((l) => !step.drift?.withoutLines?.test(l.trim())),
            ...splitLines(aside.code),
          ].join('\n');
          problems.push(
            ...checkRule(step.drift.output, { ...aside, code: kept }).map((p) => `${at(page, aside.line)}: ${p}`),
          );
        }
      } else if (step.drift) {
        const aside = outputs.get(step.drift.output.block);
        if (aside) problems.push(...vacuous(step.drift.output, aside.code).map((p) => `${at(page, aside.line)}: ${p}`));
      }
      if (step.object && block) {
        problems.push(
          ...objectRuleProblems(step.object, block.code, main?.code).map(
            (p) => `${where}: ${step.id} 의 객체 확인: ${p}`,
          ),
        );
        if (
          step.object.kind === 'config' &&
          step.alreadyDone &&
          documentedValue(step.object, step.alreadyDone.line) === undefined
        )
          problems.push(
            `${where}: ${step.id} 의 alreadyDone.line "${step.alreadyDone.line}" 에서 객체 확인의 값을 읽을 수 없습니다.`,
          );
      }
      for (const skipped of step.alreadyDone?.skip ?? []) {
        if (!stepIds.has(skipped))
          problems.push(`${page.file}: ${step.id} 의 alreadyDone.skip 이 없는 단계 ${skipped} 를 가리킵니다.`);
      }
      if (step.confirm && !stepIds.has(step.confirm.step))
        problems.push(`${page.file}: ${step.id} 의 confirm 이 없는 단계 ${step.confirm.step} 를 가리킵니다.`);
    }
    if (step.kind === 'edit') {
      if (block && !EDIT_COMMAND.test(block.code.trim()))
        problems.push(
          `${at(page, block.line)}: ${step.id} 는 \`kubectl edit svc/이름 -n 네임스페이스\` 한 줄이어야 합니다.`,
        );
      const spec = use(step.spec, step.id, '편집 내용 블록');
      if (spec) {
        outputs.set(spec.id, spec);
        if (spec.of !== step.id)
          problems.push(`${at(page, spec.line)}: 편집 블록 "${spec.id}" 는 of="${step.id}" 여야 합니다.`);
        const found = documentedChanges(spec);
        changes = found.changes;
        problems.push(...found.problems.map((p) => `${at(page, spec.line)}: ${p}`));
      }
    }
    steps.push({ step, block, anchor, outputs, changes, line: block?.line ?? anchor?.line ?? 0 });
  }

  for (let i = 1; i < steps.length; i++) {
    const [prev, cur] = [steps[i - 1], steps[i]];
    if (prev && cur && cur.line > 0 && prev.line > cur.line)
      problems.push(
        `${at(page, cur.line)}: 런북의 ${cur.step.id} 가 페이지에서는 ${prev.step.id} (${prev.line}행)보다 앞에 있습니다. 런북은 페이지 순서를 따라야 합니다.`,
      );
  }

  const fixtures: BoundFixture[] = [];
  for (const fixture of runbook.fixtures) {
    const editBlock = blocks.get(fixture.edit);
    const spec = blocks.get(fixture.spec);
    const m = editBlock ? EDIT_COMMAND.exec(editBlock.code.trim()) : null;
    if (!editBlock || !spec || !m) {
      problems.push(
        `${page.file}: 준비 단계(fixture) ${fixture.edit} 가 페이지의 kubectl edit 블록과 편집 블록을 찾지 못했습니다.`,
      );
      continue;
    }
    if (!stepIds.has(fixture.resetWith))
      problems.push(
        `${page.file}: fixture ${fixture.edit} 의 resetWith 가 없는 단계 ${fixture.resetWith} 를 가리킵니다.`,
      );
    fixtures.push({
      fixture,
      name: m[1] ?? '',
      namespace: m[2] ?? '',
      edit: editBlock,
      spec,
      changes: documentedChanges(spec).changes,
    });
  }

  for (const block of page.blocks) {
    if (!used.has(block.id))
      problems.push(
        `${at(page, block.line)}: 블록 "${block.id}" 를 실행하거나 비교하는 런북 단계가 없습니다. runbooks/${runbook.name}.ts 에 단계를 더하세요.`,
      );
  }
  for (const anchor of page.anchors) {
    if (!runbook.steps.some((s) => s.kind === 'manual' && s.id === anchor.id))
      problems.push(`${at(page, anchor.line)}: 그림 "${anchor.id}" 에 해당하는 수동 확인 단계가 런북에 없습니다.`);
  }

  problems.push(...componentLogProblems(runbook.logs ?? []).map((p) => `runbooks/${runbook.name}.ts: ${p}`));
  const commands = steps.flatMap((b) => (b.step.kind === 'run' && b.block ? [b.block.code] : []));
  for (const [url, pin] of Object.entries(runbook.pins ?? {})) {
    if (!/^[0-9a-f]{64}$/.test(pin))
      problems.push(`runbooks/${runbook.name}.ts: pins 의 ${url} 값 "${pin}" 이 sha256(64자리 16진수)이 아닙니다.`);
    if (!commands.some((c) => urlsIn(c).includes(url)))
      problems.push(
        `runbooks/${runbook.name}.ts: pins 의 ${url} 를 읽는 명령이 페이지에 없습니다. 지우거나 URL 을 고치세요.`,
      );
  }

  if (problems.length > 0) {
    throw new UsageError(
      'BINDING',
      `런북 ${runbook.name} 과 페이지가 맞지 않습니다:\n  ${problems.join('\n  ')}`,
      '페이지의 step id 와 runbooks/ 의 단계를 함께 고치세요. 목록은 npm run runbook -- ' +
        runbook.name +
        ' --dry-run 으로 볼 수 있습니다.',
    );
  }
  return { runbook, page, steps, fixtures };
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
