import YAML, { isMap, isPair, isScalar, LineCounter, type Node, type Pair } from 'yaml';
import type { Block } from '../model/page.ts';
import { parseLineRange } from '../model/page.ts';
import type { FieldChange } from './edit-apply.ts';

/**
 * Reads the change a spec block documents: each line marked with `ins={..}` must be a
 * `key: scalar` pair; its path in the YAML document and its value are the change.
 * Returns problems instead of throwing so the binding check can list them all.
 */
export function documentedChanges(block: Block): { changes: FieldChange[]; problems: string[] } {
  const range = block.meta.getRange('ins');
  if (range === undefined)
    return { changes: [], problems: ['바꿀 줄이 표시되지 않았습니다. 펜스 메타에 ins={줄 범위} 를 붙이세요.'] };
  const wanted = new Set(parseLineRange(range));
  const counter = new LineCounter();
  const doc = YAML.parseDocument(block.code, { lineCounter: counter });
  const changes: FieldChange[] = [];
  const visit = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    for (const item of node.items as Pair<Node, Node>[]) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const key = String(item.key.value);
      const line = counter.linePos(item.key.range?.[0] ?? 0).line;
      if (wanted.has(line) && isScalar(item.value)) {
        changes.push({ path: [...path, key], value: item.value.value as FieldChange['value'], line });
        wanted.delete(line);
      }
      visit(item.value, [...path, key]);
    }
  };
  visit(doc.contents, []);
  const problems = [...wanted].map(
    (line) =>
      `${line}번째 줄은 ins 로 표시되었지만 "키: 값" 한 쌍이 아닙니다: "${block.code.split('\n')[line - 1] ?? ''}"`,
  );
  return { changes, problems };
}

/** The object as it was before the documented edit: the spec block without its marked fields. */
export function beforeEdit(block: Block, changes: FieldChange[]): Record<string, unknown> {
  const doc = YAML.parseDocument(block.code);
  for (const change of changes) doc.deleteIn(change.path);
  return (doc.toJS() ?? {}) as Record<string, unknown>;
}
