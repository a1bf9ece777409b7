/**
 * Reports built in tests from the current page bound to its runbook, with every fingerprint and the
 * evidence a real run that saw exactly the page's outputs would record (streams, exit codes, object
 * readings, edits read back, written files, pinned remote files), so a test can change exactly one
 * thing and watch the verdict.
 */
import YAML from 'yaml';
import { fingerprint, fixtureKey, ruleHashes, runbookFields } from '../../scripts/model/fingerprint.ts';
import type { ObjectReading, RunReport, StepReport } from '../../scripts/model/report.ts';
import type { ObjectRule } from '../../scripts/model/runbook.ts';
import { minorOf } from '../../scripts/model/version.ts';
import { boundHashes, fixtureHashes, fixtureId, type Binding, type BoundStep } from '../../scripts/runbook/bind.ts';
import { expectationFor, fileContent } from '../../scripts/runbook/check.ts';
import { splitLines } from '../../scripts/runbook/match/result.ts';
import { parseTable, rowKey } from '../../scripts/runbook/match/table.ts';
import { urlsIn } from '../../scripts/runbook/mirror.ts';
import { documentedValue, objectTarget, show } from '../../scripts/runbook/objects.ts';

/** What the API would return for `rule` if the cluster were exactly as `documented` says. */
function readingAsDocumented(rule: ObjectRule, command: string, documented: string): ObjectReading {
  const target = objectTarget(rule, command);
  if (typeof target === 'string') throw new Error(target);
  const { namespace } = target;
  const name = target.name ?? '';
  if (rule.kind === 'config') {
    const data = rule.field
      .split('.')
      .reduceRight<unknown>((inner, key) => ({ [key]: inner }), documentedValue(rule, documented));
    return { kind: 'config', namespace, name, found: true, data: YAML.stringify(data) };
  }
  const rows = parseTable(documented).rows;
  if (rule.kind === 'service') {
    const ip = rows[0]?.['EXTERNAL-IP'];
    return {
      kind: 'service',
      namespace,
      name,
      found: true,
      type: rows[0]?.['TYPE'] ?? '',
      ...(ip && !ip.startsWith('<') ? { ip } : {}),
    };
  }
  return {
    kind: 'pods',
    namespace,
    pods: rows.map((r) => ({ name: r['NAME'] ?? '', phase: r['STATUS'] ?? '', ready: r['READY'] ?? '' })),
  };
}

/** The evidence of a step that saw exactly what the page documents. */
function evidence(bound: BoundStep, binding: Binding, minor: number): Partial<StepReport> {
  const { step } = bound;
  const block = bound.block;
  if (step.kind === 'file' && block)
    return { written: { file: block.meta.getString('title') ?? '', hash: fingerprint(fileContent(block.code)) } };
  if (step.kind === 'edit') {
    return {
      exitCode: 0,
      streams: { stdout: 'service edited\n', stderr: '' },
      changes: bound.changes.map((c) => ({
        field: c.path.join('.'),
        documented: show(c.value),
        before: '(없음)',
        after: show(c.value),
      })),
    };
  }
  if (step.kind !== 'run' || !block) return {};
  const expect = expectationFor({ ...bound, step }, minor);
  const lines = splitLines(expect.text ?? '');
  const stderr = expect.rule?.kind === 'lines' ? expect.rule.stderr : undefined;
  const streams = {
    stdout: `${lines.filter((l) => !stderr?.test(l.trim())).join('\n')}\n`,
    stderr: lines
      .filter((l) => stderr?.test(l.trim()))
      .map((l) => `${l}\n`)
      .join(''),
  };
  const nodes =
    expect.rule?.kind === 'table' && expect.rule.rows && expect.text !== undefined
      ? Object.fromEntries(
          Object.keys(expect.rule.rows).map((key) => [
            key,
            parseTable(expect.text!).rows.filter((r) => rowKey(expect.rule as never, r) === key).length,
          ]),
        )
      : undefined;
  const confirmed = step.confirm ? binding.steps.find((s) => s.step.id === step.confirm?.step) : undefined;
  const confirmRule = confirmed?.step.kind === 'run' ? confirmed.step.object : undefined;
  return {
    exitCode: expect.exitCode,
    streams,
    ...(nodes ? { nodes } : {}),
    ...(step.object && expect.text !== undefined
      ? { readings: [readingAsDocumented(step.object, block.code, expect.text)] }
      : {}),
    ...(step.confirm && confirmRule && confirmed?.block
      ? { confirm: { readings: [readingAsDocumented(confirmRule, confirmed.block.code, step.confirm.line)] } }
      : {}),
    ...(urlsIn(block.code).length > 0
      ? {
          fetched: urlsIn(block.code).map((url) => ({
            url,
            pin: binding.runbook.pins?.[url],
            sha256: binding.runbook.pins?.[url] ?? '0'.repeat(64),
            source: 'mirror' as const,
          })),
        }
      : {}),
  };
}

/**
 * A report in which every step of the runbook passed on the evidence it keeps (manual steps:
 * manual), fingerprinted now; `code` is the code fingerprint it records.
 */
export function passingReport(
  binding: Binding,
  code: Record<string, string>,
  extra: Partial<RunReport> = {},
): RunReport {
  const { runbook, page } = binding;
  const rules = ruleHashes(runbook);
  const kubernetes = extra.kubernetes ?? 'v1.37.0';
  const fixtures: StepReport[] = binding.fixtures.map((f) => ({
    id: fixtureId(f),
    title: f.fixture.edit,
    kind: 'fixture',
    status: 'fixture',
    fixture: 'existing',
    durationMs: 1,
    problems: [],
    notes: [],
    blockHashes: fixtureHashes(f),
    ruleHash: rules.get(fixtureKey(f.fixture)) ?? '',
  }));
  const steps: StepReport[] = binding.steps.map((b) => ({
    id: b.step.id,
    title: b.step.title,
    kind: b.step.kind,
    status: b.step.kind === 'manual' ? 'manual' : 'passed',
    durationMs: 1,
    problems: [],
    notes: [],
    blockHashes: boundHashes(b),
    ruleHash: rules.get(b.step.id) ?? '',
    ...(b.block ? { command: b.block.code } : {}),
    ...evidence(b, binding, minorOf(kubernetes)),
  }));
  return {
    schemaVersion: 3,
    runbook: runbook.name,
    page: page.file,
    provider: 'kwok',
    kubernetes,
    components: {},
    context: 'kwok-test',
    startedAt: '2026-11-27T03:38:50.000Z',
    finishedAt: '2026-11-27T03:38:57.000Z',
    status: 'passed',
    source: { commit: '0'.repeat(40), dirty: false },
    fingerprints: { code, runbook: runbookFields(runbook) },
    seeded: [],
    steps: [...fixtures, ...steps],
    logs: {},
    ...extra,
  };
}

/** The report with one step replaced (by id). */
export function withStep(report: RunReport, id: string, change: Partial<StepReport>): RunReport {
  return { ...report, steps: report.steps.map((s) => (s.id === id ? { ...s, ...change } : s)) };
}
