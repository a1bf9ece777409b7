import type { TableRule } from '../../model/runbook.ts';
import { lineDiff, splitLines, type MatchResult } from './result.ts';

/** Parses kubectl's aligned table output. Cells may hold single spaces (`1 (3m ago)`), never two. */
export function parseTable(text: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = splitLines(text).filter((l) => l.trim() !== '');
  // Each header cell with where it starts, read in one pass: a search for the text would find
  // NAME inside NAMESPACE. A cell is words joined by single spaces (`NOMINATED NODE`), as for rows.
  const headerCells = [...(lines[0] ?? '').matchAll(/\S+(?:\s\S+)*/g)];
  const header = headerCells.map((c) => c[0]);
  const starts = headerCells.map((c) => c.index);
  const rows = lines.slice(1).map((line) => {
    let cells = line.trim().split(/\s{2,}/);
    if (cells.length !== header.length)
      cells = starts.map((s, i) => line.slice(s, starts[i + 1] ?? line.length).trim());
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
  return { header, rows };
}

/** Kubernetes' safe alphabet for generated names (pod-template-hash and random suffixes). */
const GENERATED = '[bcdfghjklmnpqrstvwxz2456789]';
const RANDOM_SUFFIX = new RegExp(`-${GENERATED}{5}$`);
const TEMPLATE_HASH = new RegExp(`-${GENERATED}{6,10}$`);
/** A generated pod-name suffix inside a line of text (`mlflow-6b8c9d7f5-x2k4q` → the part after `mlflow-`), for line rules. */
export const GENERATED_SUFFIX = `(?<=[a-z0-9]-)(?:${GENERATED}{6,10}-)?${GENERATED}{5}(?=\\s|$)`;

/** `controller-7dcc8764f4-8n92q` → `controller`; `speaker-fnf8l` → `speaker`. */
export function nameStem(name: string): string {
  return RANDOM_SUFFIX.test(name) ? name.replace(RANDOM_SUFFIX, '').replace(TEMPLATE_HASH, '') : name;
}

/** Which documented row a printed row stands for: its key column, without a generated name suffix when the rule says so. */
export function rowKey(rule: Pick<TableRule, 'key' | 'keyMatch'>, row: Record<string, string>): string {
  const key = row[rule.key] ?? '';
  return rule.keyMatch === 'generated-suffix' ? nameStem(key) : key;
}

/** `context.nodes`: for each key with one row per node, how many nodes its DaemonSet places a pod on. */
export function matchTable(
  rule: TableRule,
  pageText: string,
  actualText: string,
  context: { nodes?: Record<string, number> } = {},
): MatchResult {
  const page = parseTable(pageText);
  const actual = parseTable(actualText);
  const problems: string[] = [];
  const notes: string[] = [];
  const keyOf = (row: Record<string, string>) => rowKey(rule, row);

  const missingColumns = page.header.filter((h) => !actual.header.includes(h));
  if (missingColumns.length > 0) problems.push(`실제 출력에 페이지의 열이 없습니다: ${missingColumns.join(', ')}`);
  if (!page.header.includes(rule.key))
    problems.push(`런북이 행의 기준으로 삼은 열 ${rule.key} 가 페이지 표에 없습니다.`);
  const compared = page.header.filter((h) => !rule.volatile.includes(h) && actual.header.includes(h));
  const volatile = page.header.filter((h) => rule.volatile.includes(h));
  if (volatile.length > 0) notes.push(`비교하지 않은 열(클러스터마다 다름): ${volatile.join(', ')}`);

  const groups = Map.groupBy(page.rows, keyOf);
  // A port's node port (`80:31234/TCP`) is assigned at random: only the service port is compared.
  const cell = (row: Record<string, string>, column: string) =>
    rule.ports?.includes(column) ? (row[column] ?? '').replace(/(^|,)(\d+):\d+\//g, '$1$2/') : (row[column] ?? '');
  for (const [key, expectedRows] of groups) {
    const template = expectedRows[0] ?? {};
    const actualRows = actual.rows.filter((r) => keyOf(r) === key);
    const policy = rule.rows?.[key] ?? 'as-page';
    const ds = policy === 'as-page' ? undefined : `${policy.onePerNodeOf.namespace}/${policy.onePerNodeOf.daemonSet}`;
    const want = ds ? context.nodes?.[key] : expectedRows.length;
    if (ds && want === undefined)
      problems.push(
        `${key} 행은 노드마다 하나여야 하는데, ${ds} 가 파드를 두는 노드 수를 API 에서 읽지 못해 행 수를 확인하지 못했습니다.`,
      );
    if (want !== undefined && actualRows.length !== want) {
      const why = ds ? `${ds} 가 파드를 두는 노드 ${want}개에 하나씩` : '페이지와 같이';
      problems.push(`${key} 행이 ${why} ${want}개여야 하는데 ${actualRows.length}개입니다.`);
    }
    for (const row of actualRows) {
      for (const column of compared) {
        if (column !== rule.key && cell(template, column) !== cell(row, column))
          problems.push(`${row[rule.key]} 행의 ${column}: 기대 "${template[column]}", 실제 "${row[column]}"`);
      }
    }
  }
  for (const row of actual.rows) {
    if (!groups.has(keyOf(row))) problems.push(`페이지에 없는 행이 있습니다: ${row[rule.key]}`);
  }
  if (rule.ports?.length)
    notes.push(`${rule.ports.join(', ')} 는 서비스 포트만 비교했습니다(노드 포트는 무작위 할당).`);
  if (rule.keyMatch === 'generated-suffix')
    notes.push(`${rule.key} 는 Kubernetes 가 붙이는 접미사를 빼고 비교했습니다.`);
  return {
    ok: problems.length === 0,
    problems,
    notes,
    diff: problems.length === 0 ? '' : lineDiff(splitLines(pageText), splitLines(actualText)),
  };
}
