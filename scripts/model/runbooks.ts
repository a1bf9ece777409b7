import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Runbook } from './runbook.ts';

/** Runbook names under `<root>/runbooks/` (one `<name>.ts` per page). */
export function availableRunbooks(root: string): string[] {
  return fs.readdirSync(path.join(root, 'runbooks')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
}

/** Imports `runbooks/<name>.ts` (Node strips its types; the site's build imports it the same way). */
export async function importRunbook(root: string, name: string): Promise<Runbook> {
  const url = pathToFileURL(path.join(root, 'runbooks', `${name}.ts`)).href;
  return ((await import(/* @vite-ignore */ url)) as { default: Runbook }).default;
}
