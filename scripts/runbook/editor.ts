/**
 * The editor kubectl runs for a page's `kubectl edit` step (KUBE_EDITOR). It applies exactly the
 * fields the page marks as changed, passed in VDOCS_EDIT_CHANGES, to the file kubectl hands it,
 * and nothing else. Usage (by kubectl): node scripts/runbook/editor.ts <file>
 */
import fs from 'node:fs';
import { applyChanges, type FieldChange } from './edit-apply.ts';

const file = process.argv[2];
const changes = JSON.parse(process.env.VDOCS_EDIT_CHANGES ?? '[]') as FieldChange[];
if (!file || changes.length === 0) {
  process.stderr.write('editor.ts: kubectl 이 넘긴 파일과 VDOCS_EDIT_CHANGES 가 필요합니다.\n');
  process.exitCode = 2;
} else {
  fs.writeFileSync(file, applyChanges(fs.readFileSync(file, 'utf8'), changes));
}
