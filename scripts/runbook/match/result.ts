import { diffArrays } from 'diff';

/** The outcome of comparing one documented output with what the cluster printed. */
export interface MatchResult {
  ok: boolean;
  /** What differs, one sentence each, naming the row/column/line (Korean, for people). */
  problems: string[];
  /** Differences the rule accepted on purpose (volatile columns, apply verbs, extra lines). */
  notes: string[];
  /** Expected versus actual as a readable line diff (`-` page, `+` cluster). */
  diff: string;
}

export function lineDiff(expected: string[], actual: string[]): string {
  const out: string[] = [];
  for (const part of diffArrays(expected, actual)) {
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    for (const line of part.value) out.push(`${sign} ${line}`);
  }
  return out.join('\n');
}

export function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines;
}
