import YAML from 'yaml';

/** One field the page marks as changed in a `kubectl edit` block (`ins={..}` lines). */
export interface FieldChange {
  /** Path in the object, e.g. ['spec', 'type']. */
  path: string[];
  value: string | number | boolean;
  /** 1-based line inside the block. */
  line: number;
}

/** Applies documented changes to the YAML kubectl hands the editor, keeping everything else as is. */
export function applyChanges(source: string, changes: FieldChange[]): string {
  const doc = YAML.parseDocument(source);
  for (const change of changes) doc.setIn(change.path, change.value);
  return doc.toString();
}
