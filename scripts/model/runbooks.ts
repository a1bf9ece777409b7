import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../lib/errors.ts';
import type { Runbook } from './runbook.ts';

/** Runbook names under `<root>/runbooks/` (one `<name>.ts` per page). */
export function availableRunbooks(root: string): string[] {
  return fs
    .readdirSync(path.join(root, 'runbooks'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** Imports `runbooks/<name>.ts` (Node strips its types; the site's build imports it the same way). */
export async function importRunbook(root: string, name: string): Promise<Runbook> {
  const file = path.join(root, 'runbooks', `${name}.ts`);
  if (!fs.existsSync(file)) {
    throw new UsageError(
      'UNKNOWN_RUNBOOK',
      `런북 "${name}" 이 없습니다 (runbooks/${name}.ts).`,
      `있는 런북: ${availableRunbooks(root).join(', ') || '(없음)'}. 페이지 frontmatter 의 runbook.name 이 runbooks/ 의 파일 이름과 같은지 확인하세요.`,
    );
  }
  return importRunbookFile(file);
}

/** Imports a runbook file by path (`--runbook FILE`: a runbook scaffolded for a copy of a page). */
export async function importRunbookFile(file: string): Promise<Runbook> {
  if (!fs.existsSync(file))
    throw new UsageError(
      'UNKNOWN_RUNBOOK',
      `런북 파일이 없습니다: ${file}`,
      '경로를 확인하거나, npm run runbook -- new 페이지 로 먼저 만드세요.',
    );
  const url = pathToFileURL(file).href;
  return ((await import(/* @vite-ignore */ url)) as { default: Runbook }).default;
}
