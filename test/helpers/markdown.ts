/**
 * Reads a guide page's Markdown the way the tests need it: fenced blocks (with their meta),
 * headings and table cells. Also loads the seed page, or its checked-in fixture when
 * `../shared/seed/` is not beside the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Code, Heading, Root, TableCell } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { ROOT } from './site-build.ts';

/** One fenced code block of a page. */
interface FencedBlock {
  lang: string | null;
  /** The fence meta after the language, e.g. `step="strict-arp/check"`; null when absent. */
  meta: string | null;
  /** The block's content, exactly as in the file (no trailing newline). */
  value: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** What the tests compare between a page's Markdown and its built HTML. */
interface PageOutline {
  blocks: FencedBlock[];
  /** Heading texts (ATX headings of the body; not the frontmatter title). */
  headings: string[];
  /** Text of every table cell, header row included. */
  tableCells: string[];
}

export const SEED_PATH = join(ROOT, '../shared/seed/metallb.md');
export const SEED_FIXTURE = join(ROOT, 'test/fixtures/metallb-seed-outline.json');

function parseMarkdown(markdown: string): Root {
  return unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).parse(markdown);
}

export function outline(markdown: string): PageOutline {
  const tree = parseMarkdown(markdown);
  const blocks: FencedBlock[] = [];
  const headings: string[] = [];
  const tableCells: string[] = [];
  visit(tree, (node) => {
    if (node.type === 'code') {
      const code = node as Code;
      blocks.push({
        lang: code.lang ?? null,
        meta: code.meta ?? null,
        value: code.value,
        line: code.position?.start.line ?? 0,
      });
    } else if (node.type === 'heading') {
      headings.push(toString(node as Heading));
    } else if (node.type === 'tableCell') {
      tableCells.push(toString(node as TableCell));
    }
  });
  return { blocks, headings, tableCells };
}

/**
 * The seed page's outline: parsed from `../shared/seed/metallb.md` when it exists,
 * otherwise read from the fixture generated from it (`npm run` nothing: see writeSeedFixture).
 */
export function seedOutline(): { source: string; outline: PageOutline } {
  if (existsSync(SEED_PATH)) return { source: SEED_PATH, outline: outline(readFileSync(SEED_PATH, 'utf8')) };
  return { source: SEED_FIXTURE, outline: JSON.parse(readFileSync(SEED_FIXTURE, 'utf8')) as PageOutline };
}

/** Collapses runs of whitespace, so `a  b\n c` and `a b c` compare equal. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
