/**
 * Reports built in tests from the current page and runbook, with every fingerprint as a real run
 * would record it, so a test can change exactly one thing and watch the verdict.
 */
import { anchorHash, blockHash, type Page } from '../../scripts/model/page.ts';
import { fixtureKey, ruleHashes } from '../../scripts/model/fingerprint.ts';
import type { RunReport, StepReport } from '../../scripts/model/report.ts';
import type { Runbook } from '../../scripts/model/runbook.ts';

/** Ids of the blocks (and figure) a step reads: its own block, its outputs (`of`) and the edit spec. */
function readBy(page: Pick<Page, 'blocks' | 'anchors'>, id: string): Record<string, string> {
  return Object.fromEntries([
    ...page.blocks.filter((b) => b.id === id || b.of === id).map((b) => [b.id, blockHash(b.code)] as const),
    ...page.anchors.filter((a) => a.id === id).map((a) => [a.id, anchorHash(a)] as const),
  ]);
}

/** A report in which every step of the runbook passed (manual steps: manual), fingerprinted now. */
export function passingReport(page: Pick<Page, 'blocks' | 'anchors' | 'file'>, runbook: Runbook, runner: string, extra: Partial<RunReport> = {}): RunReport {
  const rules = ruleHashes(runbook);
  const fixtures: StepReport[] = runbook.fixtures.map((f) => ({
    id: `fixture/${f.edit}`, title: f.edit, kind: 'fixture', status: 'fixture', durationMs: 1, problems: [], notes: [],
    blockHashes: { [f.edit]: blockHash(page.blocks.find((b) => b.id === f.edit)?.code ?? '') }, ruleHash: rules.get(fixtureKey(f)) ?? '',
  }));
  const steps: StepReport[] = runbook.steps.map((s) => ({
    id: s.id, title: s.title, kind: s.kind, status: s.kind === 'manual' ? 'manual' : 'passed', durationMs: 1, problems: [], notes: [],
    blockHashes: readBy(page, s.id), ruleHash: rules.get(s.id) ?? '',
    ...(page.blocks.find((b) => b.id === s.id) ? { command: page.blocks.find((b) => b.id === s.id)?.code } : {}),
  }));
  return {
    schemaVersion: 2, runbook: runbook.name, page: page.file, provider: 'kwok', kubernetes: 'v1.37.0', components: {}, context: 'kwok-test',
    startedAt: '2026-11-27T03:38:50.000Z', finishedAt: '2026-11-27T03:38:57.000Z', status: 'passed',
    source: { commit: '0'.repeat(40), dirty: false }, fingerprints: { runner, inputs: {} }, steps: [...fixtures, ...steps], logs: {}, ...extra,
  };
}

/** The report with one step replaced (by id). */
export function withStep(report: RunReport, id: string, change: Partial<StepReport>): RunReport {
  return { ...report, steps: report.steps.map((s) => (s.id === id ? { ...s, ...change } : s)) };
}
