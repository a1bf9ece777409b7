import type { LinesRule } from '../../model/runbook.ts';
import { lineDiff, splitLines, type MatchResult } from './result.ts';

const APPLY_VERB = /^(\S+\/\S+) (created|configured|unchanged)$/;

function sameLine(expected: string, actual: string, rule: LinesRule): 'same' | 'verb' | false {
  if (expected === actual) return 'same';
  if (rule.volatile) {
    // Columns shift with the width of what changed: spaces are compared as one.
    const blank = (l: string) =>
      l
        .replace(new RegExp(rule.volatile!.source, `${rule.volatile!.flags.replace('g', '')}g`), '…')
        .replace(/\s+/g, ' ');
    if (blank(expected) === blank(actual)) return 'same';
  }
  if (rule.applyVerbs) {
    const e = APPLY_VERB.exec(expected);
    const a = APPLY_VERB.exec(actual);
    if (e && a && e[1] === a[1]) return 'verb';
  }
  return false;
}

export function matchLines(rule: LinesRule, pageText: string, actual: { stdout: string; stderr: string }): MatchResult {
  const page = splitLines(pageText).map((l) => l.trim());
  const expected = {
    stderr: page.filter((l) => rule.stderr?.test(l) ?? false),
    stdout: page.filter((l) => !(rule.stderr?.test(l) ?? false)),
  };
  const printed = (text: string) =>
    splitLines(text)
      .map((l) => l.trim())
      .filter((l) => l !== '');
  const got = { stdout: printed(actual.stdout), stderr: printed(actual.stderr) };
  const problems: string[] = [];
  const notes: string[] = [];
  const diffs: string[] = [];

  for (const stream of ['stdout', 'stderr'] as const) {
    const want = expected[stream];
    const have = got[stream];
    if ((rule.streams?.[stream] ?? rule.mode) === 'exact') {
      const equal = want.length === have.length && want.every((w, i) => sameLine(w, have[i] ?? '', rule) !== false);
      if (!equal) {
        problems.push(`${stream} 가 페이지와 다릅니다: 기대 ${want.length}줄, 실제 ${have.length}줄.`);
        diffs.push(`[${stream}]\n${lineDiff(want, have)}`);
      } else {
        for (const [i, w] of want.entries())
          if (sameLine(w, have[i] ?? '', rule) === 'verb')
            notes.push(
              `"${have[i]}" 를 페이지의 "${w}" 와 같은 결과로 보았습니다 (이미 있는 리소스에 다시 apply 한 경우).`,
            );
      }
    } else {
      const missing = want.filter((w) => !have.some((h) => sameLine(w, h, rule) !== false));
      if (missing.length > 0) {
        problems.push(`${stream} 에 페이지의 줄이 없습니다: ${missing.map((m) => `"${m}"`).join(', ')}`);
        diffs.push(`[${stream}]\n${lineDiff(want, have)}`);
      }
      const extra = have.filter((h) => !want.some((w) => sameLine(w, h, rule) !== false));
      if (extra.length > 0 && missing.length === 0)
        notes.push(
          `${stream} 에 페이지에 없는 줄 ${extra.length}개가 더 있습니다 (허용): ${extra.map((e) => `"${e.length > 80 ? `${e.slice(0, 79)}…` : e}"`).join(', ')}`,
        );
    }
  }
  return { ok: problems.length === 0, problems, notes, diff: diffs.join('\n') };
}
