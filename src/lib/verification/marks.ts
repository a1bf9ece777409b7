/**
 * Report → what each block and figure of a page shows: the status of the step it belongs to.
 *
 * A command block shows its own step; an output or edited-spec block (`of="…"`) shows the step it
 * belongs to; a screenshot figure shows its manual step. When any block or figure the step read
 * (command, outputs, edit spec) no longer has the hash the run recorded, or the report has no such
 * step, the mark is `stale`: the page changed after the run, so the old result says nothing about it.
 */
import { pageHashes, type Page } from '../../../scripts/lib/page.ts';
import type { RunReport, StepReport } from '../../../scripts/runbook/report.ts';

/** A step's reported status, or `stale` when the page changed after the run. */
export type MarkStatus = StepReport['status'] | 'stale';

export interface Mark {
  status: MarkStatus;
  /** Id of the step the mark is about (the block's `of`, else its own id). */
  stepId: string;
  /** The step as reported; undefined when the report does not know it. */
  step: StepReport | undefined;
  /** True on the last block of a step: where the on-demand details (expected vs actual, reason) go. */
  details: boolean;
}

/** Block and figure marks of one page, by element id (`data-step`). */
export interface PageMarks {
  blocks: Map<string, Mark>;
  figures: Map<string, Mark>;
  /** Prepared stand-ins (kind `fixture`): not page blocks; listed in the badge and the details page. */
  fixtures: StepReport[];
}

/** Whether any block or figure the step read changed (or vanished) since the run. */
function changedSince(stepId: string, step: StepReport, current: Map<string, string>): boolean {
  const recorded = step.blockHashes ?? (step.blockHash ? { [stepId]: step.blockHash } : {});
  return Object.entries(recorded).some(([id, hash]) => current.get(id) !== hash);
}

function markOf(stepId: string, step: StepReport | undefined, current: Map<string, string>): Omit<Mark, 'details'> {
  if (!step) return { status: 'stale', stepId, step };
  return { status: changedSince(stepId, step, current) ? 'stale' : step.status, stepId, step };
}

/** Marks for a page from its primary report; undefined when there is no report (no marks at all). */
export function pageMarks(page: Pick<Page, 'blocks' | 'anchors'>, report: RunReport | undefined): PageMarks | undefined {
  if (!report) return undefined;
  const steps = new Map(report.steps.map((s) => [s.id, s]));
  const hashes = pageHashes(page);
  const lastBlockOf = new Map(page.blocks.map((b) => [b.of ?? b.id, b.id]));
  const blocks = new Map<string, Mark>();
  for (const block of page.blocks) {
    const stepId = block.of ?? block.id;
    blocks.set(block.id, { ...markOf(stepId, steps.get(stepId), hashes), details: lastBlockOf.get(stepId) === block.id });
  }
  const figures = new Map<string, Mark>();
  for (const anchor of page.anchors) figures.set(anchor.id, { ...markOf(anchor.id, steps.get(anchor.id), hashes), details: true });
  return { blocks, figures, fixtures: report.steps.filter((s) => s.kind === 'fixture') };
}
