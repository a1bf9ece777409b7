/**
 * The marks of one page file from its primary report, for the Expressive Code plugin (blocks) and
 * the MarkdownContent override (screenshot figures). The page is read with the runbook's own page
 * reader, so block text and hashes are exactly what the runner hashed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readPage } from '../../../scripts/lib/page.ts';
import { detailsPath } from './labels.ts';
import { pageMarks, type PageMarks } from './marks.ts';
import { verification } from './reports.ts';

export interface PrimaryMarks {
  marks: PageMarks;
  /** Site path (no base) of the primary version's details page. */
  details: string;
}

const memo = new Map<string, PrimaryMarks | undefined>();

/** Marks for a page (absolute path or relative to the root); undefined without a runbook or a primary report. */
export function primaryMarks(file: string, root = process.cwd()): PrimaryMarks | undefined {
  const relative = path.relative(root, path.resolve(root, file));
  const key = `${relative}\0${fs.statSync(path.resolve(root, relative), { throwIfNoEntry: false })?.mtimeMs ?? 0}`;
  if (memo.has(key)) return memo.get(key);
  const found = verification(root).forPage(relative);
  const primary = found?.versions[0];
  const marks = found && primary ? pageMarks(readPage(relative, root), primary.report) : undefined;
  const value = found && primary && marks ? { marks, details: detailsPath(found.page.runbook, primary.minor) } : undefined;
  memo.set(key, value);
  return value;
}
