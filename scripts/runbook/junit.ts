import { create } from 'xmlbuilder2';
import type { RunReport } from '../model/report.ts';
import { isShellStep, pasteable, type CommandTarget } from './paste.ts';

/** JUnit XML, one testcase per step; its own module, loaded only for `--junit` (the XML builder is slow to load). */
export function toJUnit(report: RunReport, target: CommandTarget): string {
  const failures = report.steps.filter((s) => s.status === 'failed').length;
  const skipped = report.steps.filter((s) => s.status === 'skipped' || s.status === 'manual').length;
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const total = report.steps.reduce((n, s) => n + s.durationMs, 0);
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `runbook ${report.runbook}`,
    tests: report.steps.length,
    failures,
    time: time(total),
  });
  const suite = doc.ele('testsuite', {
    name: `${report.runbook} (${report.provider}, Kubernetes ${report.kubernetes})`,
    tests: report.steps.length,
    failures,
    skipped,
    timestamp: report.startedAt,
    time: time(total),
  });
  const props = suite.ele('properties');
  for (const name of ['page', 'provider', 'kubernetes', 'status'] as const)
    props.ele('property', { name, value: report[name] });
  for (const step of report.steps) {
    const tc = suite.ele('testcase', {
      classname: `${report.runbook}.${step.id.split('/')[0]}`,
      name: `${step.id} ${step.title}`,
      time: time(step.durationMs),
    });
    if (step.status === 'failed') {
      const body = [
        step.problems.join('\n'),
        step.expected ? `기대(페이지):\n${step.expected}` : '',
        step.actual ? `실제:\n${step.actual}` : '',
        step.diagnostics ?? '',
      ]
        .filter(Boolean)
        .join('\n\n');
      tc.ele('failure', { message: step.problems[0] ?? '실패', type: 'mismatch' }).txt(body);
    } else if (step.status === 'skipped' || step.status === 'manual') {
      tc.ele('skipped', { message: step.reason ?? step.status });
    }
    if (step.command)
      tc.ele('system-out').txt(`$ ${isShellStep(step) ? pasteable(step.command, target) : step.command}`);
  }
  return doc.end({ prettyPrint: true }) + '\n';
}
