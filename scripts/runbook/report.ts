import fs from 'node:fs';
import { create } from 'xmlbuilder2';
import { writeAtomic } from '../lib/fs.ts';
import { z } from 'zod';

/**
 * The JSON report of one runbook run. Written only by the runner (never by hand), validated on
 * write and on read; the site renders badges and step marks from it at build time.
 */
export const StepReport = z.object({
  /** Step id, the same as the page block's `step="..."`. */
  id: z.string(),
  title: z.string(),
  kind: z.enum(['run', 'file', 'edit', 'manual', 'fixture']),
  /** passed · failed · skipped (not run: condition, earlier failure, --from/--only) · manual (a person must check) · fixture (a stand-in was prepared). */
  status: z.enum(['passed', 'failed', 'skipped', 'manual', 'fixture']),
  durationMs: z.number().nonnegative(),
  /** When the step started and finished (ISO 8601, ms precision); the bench reads detection latency from these. */
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** The command as the page shows it (for fixtures: what was prepared). */
  command: z.string().optional(),
  /** Page line of the block. */
  line: z.number().int().nonnegative().optional(),
  /** sha256 of the block text the step ran, to tell when the page changed after the run. */
  blockHash: z.string().optional(),
  /** Fingerprints of every block (command, outputs, edit spec) or figure the step read, by id. */
  blockHashes: z.record(z.string(), z.string()).optional(),
  /** Expected (from the page) and actual (from the cluster) output, on failure or when useful. */
  expected: z.string().optional(),
  actual: z.string().optional(),
  /** What differs, sentence by sentence. */
  problems: z.array(z.string()).default([]),
  /** Accepted differences and explanations (volatile columns, declared drift, skip reasons). */
  notes: z.array(z.string()).default([]),
  /** What a person would look at next: describe, events, controller log. */
  diagnostics: z.string().optional(),
  /** Why the step was skipped, or what to check by hand. */
  reason: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  /** How many times an eventual step re-ran its command before it matched (or gave up). */
  attempts: z.number().int().positive().optional(),
});
export type StepReport = z.infer<typeof StepReport>;

export const RunReport = z.object({
  schemaVersion: z.literal(1),
  runbook: z.string(),
  /** Page path relative to the project root. */
  page: z.string(),
  /** Where the cluster came from: kwok, kind, or `context` for a cluster the user named. */
  provider: z.enum(['kwok', 'kind', 'context']),
  /** Kubernetes server version (gitVersion) as the API server reported it. */
  kubernetes: z.string(),
  /** Other versions read from the cluster (e.g. MetalLB controller image tag). */
  components: z.record(z.string(), z.string()).default({}),
  context: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(['passed', 'failed', 'interrupted']),
  /** What the provider simulates and what is real (kwok). */
  simulation: z.object({ simulated: z.array(z.string()), real: z.array(z.string()) }).optional(),
  /** Where the run came from: the commit of the page and runbook, and the CI run if any. */
  source: z
    .object({
      commit: z.string().optional(),
      /** Uncommitted changes to the page or runbook when the run started. */
      dirty: z.boolean().optional(),
      /** CI run URL (GitHub Actions). */
      ci: z.string().optional(),
    })
    .optional(),
  /** Mirror used for remote URLs, if any. */
  mirror: z.string().optional(),
  steps: z.array(StepReport),
  /** Log files kept with the report (e.g. the MetalLB controller's). */
  logs: z.record(z.string(), z.string()).default({}),
});
export type RunReport = z.infer<typeof RunReport>;

export function writeReport(file: string, report: RunReport): void {
  writeAtomic(file, JSON.stringify(RunReport.parse(report), null, 2) + '\n');
}

export function readReport(file: string): RunReport {
  return RunReport.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** JUnit XML from the same data: one testcase per step; manual and skipped steps are skipped. */
export function toJUnit(report: RunReport): string {
  const failures = report.steps.filter((s) => s.status === 'failed').length;
  const skipped = report.steps.filter((s) => s.status === 'skipped' || s.status === 'manual').length;
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const total = report.steps.reduce((n, s) => n + s.durationMs, 0);
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: `runbook ${report.runbook}`, tests: report.steps.length, failures, time: time(total) });
  const suite = doc.ele('testsuite', { name: `${report.runbook} (${report.provider}, Kubernetes ${report.kubernetes})`, tests: report.steps.length, failures, skipped, timestamp: report.startedAt, time: time(total) });
  const props = suite.ele('properties');
  props.ele('property', { name: 'page', value: report.page });
  props.ele('property', { name: 'provider', value: report.provider });
  props.ele('property', { name: 'kubernetes', value: report.kubernetes });
  props.ele('property', { name: 'status', value: report.status });
  for (const step of report.steps) {
    const tc = suite.ele('testcase', { classname: `${report.runbook}.${step.id.split('/')[0]}`, name: `${step.id} ${step.title}`, time: time(step.durationMs) });
    if (step.status === 'failed') {
      const body = [step.problems.join('\n'), step.expected ? `기대(페이지):\n${step.expected}` : '', step.actual ? `실제:\n${step.actual}` : '', step.diagnostics ?? ''].filter(Boolean).join('\n\n');
      tc.ele('failure', { message: step.problems[0] ?? '실패', type: 'mismatch' }).txt(body);
    } else if (step.status === 'skipped' || step.status === 'manual') {
      tc.ele('skipped', { message: step.reason ?? step.status });
    }
    if (step.command) tc.ele('system-out').txt(`$ ${step.command}`);
  }
  return doc.end({ prettyPrint: true }) + '\n';
}
