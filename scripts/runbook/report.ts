import { writeAtomic } from '../lib/fs.ts';
import { RunReport } from '../model/report.ts';

export function writeReport(file: string, report: RunReport): void {
  writeAtomic(file, JSON.stringify(RunReport.parse(report), null, 2) + '\n');
}
