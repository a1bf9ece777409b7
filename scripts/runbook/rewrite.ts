import { diffArrays } from 'diff';
import type { Block } from '../model/page.ts';
import type { LinesRule, OutputRule, TableRule } from '../model/runbook.ts';
import { matchLines } from './match/lines.ts';
import { splitLines } from './match/result.ts';
import { matchTable, parseTable, rowKey } from './match/table.ts';

/** What a command printed, the two streams apart (a report step's `streams`). */
type Streams = { stdout: string; stderr: string };

/** The new text of an output block, or why the cluster's output cannot be written into it. */
type Merged = { ok: true; text: string } | { ok: false; problem: string };

/**
 * The documented output with what the cluster printed written in, keeping the page's text wherever
 * the rule accepts the difference: volatile columns, node ports, generated name suffixes, rows per
 * node, `created`/`unchanged`, extra lines of a `contains` stream, surrounding whitespace. A block the
 * rule already accepts comes back byte for byte, so a second `--update` changes nothing.
 */
export function mergeOutput(rule: OutputRule, documented: string, actual: Streams): Merged {
  const check = (text: string) =>
    rule.kind === 'table'
      ? matchTable(rule, text, actual.stdout, printedNodes(rule, actual.stdout))
      : matchLines(rule, text, actual);
  if (check(documented).ok) return { ok: true, text: documented };
  const text =
    rule.kind === 'table' ? mergeTable(rule, documented, actual.stdout) : mergeLines(rule, documented, actual);
  if (typeof text !== 'string') return text;
  // What is written must pass against the very output it came from (a stderr line the rule's pattern does not name would not).
  const { ok, problems } = check(text);
  if (!ok)
    return {
      ok: false,
      problem: `실제 출력을 그대로 적어도 런북의 비교 규칙에 맞지 않습니다: ${problems.join(' ')}`,
    };
  return { ok: true, text };
}

/** Rows per node, offline: the rows the cluster printed per such key (the run checked that number against its nodes). */
function printedNodes(rule: Extract<OutputRule, { kind: 'table' }>, stdout: string): { nodes: Record<string, number> } {
  const printed = parseTable(stdout).rows;
  const nodes: Record<string, number> = {};
  for (const [key, policy] of Object.entries(rule.rows ?? {}))
    if (policy !== 'as-page') nodes[key] = printed.filter((r) => rowKey(rule, r) === key).length;
  return { nodes };
}

/** kubectl's alignment: each column but the last padded to its widest cell plus three spaces. */
function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
      .join('')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function mergeTable(rule: TableRule, documented: string, stdout: string): Merged | string {
  const page = parseTable(documented);
  const actual = parseTable(stdout);
  // The page's columns the cluster still prints, in the page's order (columns the page left out stay out).
  const header = page.header.filter((h) => actual.header.includes(h));
  if (!header.includes(rule.key))
    return {
      ok: false,
      problem: `실제 출력이 ${rule.key} 열이 있는 표가 아닙니다 (머리글: ${actual.header.join(' ') || '없음'}).`,
    };
  const keyOf = (row: Record<string, string>) => rowKey(rule, row);
  // `80:30080/TCP,…` as `80/TCP,…`: node ports differ from cluster to cluster.
  const ports = (v: string) => v.replace(/(^|,)(\d+):\d+\//g, '$1$2/');
  const cell = (column: string, doc: Record<string, string> | undefined, act: Record<string, string>): string => {
    const a = act[column] ?? '';
    const d = doc?.[column];
    if (d === undefined) return a;
    if (rule.volatile.includes(column)) return d;
    if (column === rule.key && keyOf(doc ?? {}) === keyOf(act)) return d;
    if (rule.ports?.includes(column) && ports(d) === ports(a)) return d;
    return a;
  };
  const used = new Map<string, number>();
  const rows: string[][] = [];
  for (const act of actual.rows) {
    const key = keyOf(act);
    const documentedRows = page.rows.filter((r) => keyOf(r) === key);
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    const policy = rule.rows?.[key];
    if (policy !== undefined && policy !== 'as-page') {
      // The page shows its own number of these rows (one per node of its cluster): keep that number.
      if (n > 0) continue;
      for (const doc of documentedRows.length > 0 ? documentedRows : [undefined])
        rows.push(header.map((c) => cell(c, doc, act)));
      continue;
    }
    rows.push(header.map((c) => cell(c, documentedRows[n], act)));
  }
  return renderTable(header, rows);
}

const APPLY_VERB = /^(\S+\/\S+) (created|configured|unchanged)$/;

function sameLine(rule: LinesRule, a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [APPLY_VERB.exec(a), APPLY_VERB.exec(b)];
  return rule.applyVerbs === true && x !== null && y !== null && x[1] === y[1];
}

/**
 * The cluster's line in place of a page line, with the page line's indentation (the rule trims both) and, for `kubectl
 * apply` results, the page's verb, as a re-run says `unchanged` (`cm/konfig created` + `cm/config unchanged` → `cm/config created`).
 */
function written(rule: LinesRule, documented: string | undefined, actual: string): string {
  if (documented === undefined) return actual;
  const line = `${/^\s*/.exec(documented)?.[0] ?? ''}${actual.trim()}`;
  const [d, a] = [APPLY_VERB.exec(documented.trim()), APPLY_VERB.exec(actual.trim())];
  return rule.applyVerbs && d && a ? line.replace(/(created|configured|unchanged)$/, d[2] ?? '') : line;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** One stream: the page's lines where the rule accepts the cluster's, the cluster's lines elsewhere. */
function mergeStream(rule: LinesRule, stream: 'stdout' | 'stderr', page: string[], got: string[]): string[] {
  const contains = (rule.streams?.[stream] ?? rule.mode) === 'contains';
  const out: string[] = [];
  let [i, j] = [0, 0];
  const parts = diffArrays(
    page.map((l) => l.trim()),
    got.map((l) => l.trim()),
    { comparator: (a, b) => sameLine(rule, a, b) },
  );
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const count = part.count ?? part.value.length;
    if (!part.added && !part.removed) {
      out.push(...page.slice(i, i + count));
      [i, j] = [i + count, j + count];
      continue;
    }
    // A hunk: the page's lines that are gone, and the cluster's lines in their place.
    const removed = part.removed ? page.slice(i, i + count) : [];
    if (part.removed) i += count;
    const next = part.removed ? parts[p + 1] : part;
    const added = next?.added ? got.slice(j, j + (next.count ?? next.value.length)) : [];
    if (next?.added) {
      j += added.length;
      if (next !== part) p++;
    }
    if (!contains) {
      out.push(...added.map((a, k) => written(rule, removed[k], a)));
      continue;
    }
    // contains: extra lines are allowed, so only a page line that is gone is replaced, by the cluster's line most like it.
    const free = [...added];
    for (const r of removed) {
      const best = free.reduce<string | undefined>(
        (b, a) => (b === undefined || commonPrefix(r.trim(), a.trim()) > commonPrefix(r.trim(), b.trim()) ? a : b),
        undefined,
      );
      if (best === undefined) continue;
      free.splice(free.indexOf(best), 1);
      out.push(written(rule, r, best));
    }
  }
  return out;
}

function mergeLines(rule: LinesRule, documented: string, actual: Streams): string {
  const page = splitLines(documented);
  const onStderr = (l: string) => rule.stderr?.test(l.trim()) ?? false;
  const [stdout, stderr] = (['stdout', 'stderr'] as const).map((s) => {
    const documentedLines = page.filter((l) => onStderr(l) === (s === 'stderr'));
    const got = splitLines(actual[s]).flatMap((l) => (l.trim() === '' ? [] : [l.trimEnd()]));
    return mergeStream(rule, s, documentedLines, got);
  });
  // The page's layout: its stderr lines (kubectl's warnings) before or after the rest, as it shows them.
  const stderrFirst = page.length > 0 && onStderr(page[0] ?? '');
  return (stderrFirst ? [...stderr, ...stdout] : [...stdout, ...stderr]).join('\n');
}

/**
 * The page's source with the given blocks' text replaced; every other byte (fences, meta, step ids, prose) stays as it
 * was. Blocks whose text is not found verbatim under their fence (an indented block) are refused rather than guessed.
 */
export function replaceBlocks(
  source: string,
  blocks: Array<{ block: Pick<Block, 'id' | 'line' | 'code'>; text: string }>,
): string {
  const lines = source.split('\n');
  // From the last block up, so earlier line numbers stay valid.
  for (const { block, text } of [...blocks].sort((a, b) => b.block.line - a.block.line)) {
    const n = block.code === '' ? 0 : block.code.split('\n').length;
    const start = block.line; // 0-based index of the first line after the opening fence
    const fence = /^(`{3,}|~{3,})/.exec(lines[block.line - 1] ?? '')?.[1] ?? '';
    const closing = /^(`{3,}|~{3,})\s*$/.exec(lines[start + n] ?? '')?.[1] ?? '';
    const closes = fence !== '' && closing[0] === fence[0] && closing.length >= fence.length;
    if (!closes || lines.slice(start, start + n).join('\n') !== block.code) {
      throw new Error(
        `블록 "${block.id}" (${block.line}행)의 내용을 펜스 안에서 그대로 찾지 못했습니다 (들여쓴 블록은 --update 가 고치지 않습니다).`,
      );
    }
    lines.splice(start, n, ...(text === '' ? [] : text.split('\n')));
  }
  return lines.join('\n');
}
