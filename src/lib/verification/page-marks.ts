/**
 * The marks of one page file from its primary version's verdict, for the Expressive Code plugin
 * (blocks) and the MarkdownContent override (screenshot figures).
 */
import path from 'node:path';
import type { Mark } from '../../../scripts/model/verdict.ts';
import { detailsPath, wordsFor, type Words } from './labels.ts';
import { verification } from './reports.ts';

interface PrimaryMarks {
  blocks: Map<string, Mark>;
  figures: Map<string, Mark>;
  /** Site path (no base) of the primary version's details page. */
  details: string;
  /** The words of the page's language: a translation's locale, else Korean. */
  words: Words;
}

/** Marks for a page (absolute path or relative to the root); undefined without a runbook or a primary report. */
export async function primaryMarks(file: string, root = process.cwd()): Promise<PrimaryMarks | undefined> {
  const relative = path.relative(root, path.resolve(root, file));
  const found = (await verification(root)).forPage(relative);
  const primary = found?.versions[0];
  if (!found || !primary?.verdict) return undefined;
  return {
    blocks: primary.verdict.blocks,
    figures: primary.verdict.figures,
    details: detailsPath(found.page.runbook, primary.minor),
    words: wordsFor(found.translation?.locale),
  };
}
