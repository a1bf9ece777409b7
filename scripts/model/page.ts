import fs from 'node:fs';
import path from 'node:path';
import { MetaOptions } from '@expressive-code/core';
import type { Code, Html, Image, Paragraph, Root } from 'mdast';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import YAML from 'yaml';
import { UsageError } from '../lib/errors.ts';
import { fingerprint } from './fingerprint.ts';

/** Step ids: lower-case words joined by `-`, grouped by `/` (e.g. `strict-arp/check`). */
export const STEP_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)*$/;

/** One fenced code block of a page, exactly as written. */
export interface Block {
  /** Stable id from the fence meta `step="..."`. */
  id: string;
  /** Id of the command block this output or edit block belongs to (fence meta `of="..."`). */
  of: string | undefined;
  lang: string;
  /** The block's text, byte for byte, without the fences. */
  code: string;
  /** Fence meta options (EC's own parser, so the site and the runner read the same thing). */
  meta: MetaOptions;
  /** 1-based line of the opening fence in the page file. */
  line: number;
}

/** A non-code anchor the runbook binds to, such as a screenshot figure for a manual check. */
export interface Anchor {
  id: string;
  line: number;
  /** Links in the paragraph just before the anchor (what the reader is told to open). */
  links: string[];
  caption: string;
}

export interface Page {
  /** Path as given (relative to the project root when possible), for file:line messages. */
  file: string;
  frontmatter: Record<string, unknown>;
  blocks: Block[];
  anchors: Anchor[];
}

/** A block's fingerprint: a report stores it per step, so a block changed since the run is seen. */
export const blockHash = (code: string): string => fingerprint(code);

/** A figure's fingerprint: what the reader is told to open and to see. */
export function anchorHash(anchor: Pick<Anchor, 'links' | 'caption'>): string {
  return blockHash(`${anchor.links.join('\n')}\n${anchor.caption}`);
}

/** `file:line` for messages and editors. */
export function at(page: Pick<Page, 'file'>, line: number): string {
  return `${page.file}:${line}`;
}

const parser = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).use(remarkDirective);

/** The page's markdown tree, parsed exactly as the page reader parses it (the scaffold walks it). */
export function markdownTree(source: string): Root {
  return parser.parse(source) as Root;
}

/** Reads and validates a page: every fenced block needs a well-formed, unique step id. */
export function readPage(file: string, root = process.cwd()): Page {
  let source: string;
  try {
    source = fs.readFileSync(path.resolve(root, file), 'utf8');
  } catch (error) {
    throw new UsageError(
      'PAGE_UNREADABLE',
      `페이지를 읽을 수 없습니다: ${file} (${(error as NodeJS.ErrnoException).code ?? error})`,
      '런북의 page 경로가 src/content/docs/ 아래의 실제 파일을 가리키는지 확인하세요.',
    );
  }
  return parsePage(source, path.relative(root, path.resolve(root, file)) || file);
}

/** A page's frontmatter as YAML data (the same parse as the page reader's), `{}` when there is none. */
export function frontmatterOf(source: string): Record<string, unknown> {
  const node = markdownTree(source).children.find((n) => n.type === 'yaml');
  return node && 'value' in node ? ((YAML.parse(node.value) ?? {}) as Record<string, unknown>) : {};
}

export function parsePage(source: string, file: string): Page {
  const tree = markdownTree(source);
  const page: Page = { file, frontmatter: {}, blocks: [], anchors: [] };
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let lastLinks: string[] = [];

  visit(tree, (node) => {
    if (node.type === 'yaml') page.frontmatter = (YAML.parse(node.value) ?? {}) as Record<string, unknown>;
    // A paragraph of images only keeps the links of the text before it (what the reader is told to open).
    if (node.type === 'paragraph' && !imagesOnly(node)) {
      const links: string[] = [];
      visit(node, 'link', (l) => void links.push(l.url));
      lastLinks = links;
    }
    if (node.type === 'image') {
      const image = node as Image;
      const id = IMAGE_STEP.exec(image.title ?? '')?.[1];
      if (id !== undefined)
        page.anchors.push({ id, line: image.position?.start.line ?? 0, links: lastLinks, caption: image.alt ?? '' });
    }
    if (node.type === 'html') {
      const anchor = readAnchor(node as Html, lastLinks);
      if (anchor) page.anchors.push(anchor);
    }
    if (node.type !== 'code') return;
    const code = node as Code;
    const line = code.position?.start.line ?? 0;
    const meta = new MetaOptions(code.meta ?? '');
    const id = meta.getString('step');
    const problem = (text: string) => void problems.push(`${at(page, line)}: ${text}`);
    if (meta.errors) problem(`펜스 메타를 해석할 수 없습니다 (${meta.errors.join('; ')}): \`${code.meta}\``);
    if (id === undefined)
      return problem(
        `코드 블록에 step id 가 없습니다. 펜스에 step="섹션/이름" 을 붙이세요 (예: \`\`\`bash step="strict-arp/check").`,
      );
    if (!STEP_ID.test(id))
      return problem(
        `step id "${id}" 의 형식이 잘못되었습니다. 소문자, 숫자, '-' 로 된 단어를 '/' 로 이으세요 (예: strict-arp/check).`,
      );
    const previous = seen.get(id);
    if (previous !== undefined)
      problem(
        `step id "${id}" 가 ${at(page, previous)} 에서 이미 쓰였습니다. id 는 페이지 안에서 하나뿐이어야 합니다.`,
      );
    seen.set(id, line);
    const of = meta.getString('of');
    if (of !== undefined && !seen.has(of)) problem(`of="${of}" 가 이 블록 앞에 있는 어떤 블록도 가리키지 않습니다.`);
    page.blocks.push({ id, of, lang: code.lang ?? '', code: code.value, meta, line });
  });

  if (problems.length > 0) {
    throw new UsageError(
      'PAGE_INVALID',
      `페이지 ${file} 의 코드 블록에 문제가 있습니다:\n  ${problems.join('\n  ')}`,
      '페이지의 펜스 메타를 고친 뒤 다시 실행하세요.',
    );
  }
  return page;
}

const FIGURE = /<figure\b[^>]*\bdata-step="([^"]*)"[^>]*>([\s\S]*?)<\/figure>/;
/** A Markdown image's step id, in its title: `![설명](./img/x.png "step=minio/browser")` (after other title words, if any). */
export const IMAGE_STEP = /(?:^|\s)step=(\S+)/;

/** A paragraph holding images only (and spaces between them): a screenshot, not text that introduces one. */
export function imagesOnly(node: Paragraph): boolean {
  return (
    node.children.some((c) => c.type === 'image') &&
    node.children.every((c) => c.type === 'image' || (c.type === 'text' && c.value.trim() === ''))
  );
}

function readAnchor(node: Html, links: string[]): Anchor | undefined {
  const match = FIGURE.exec(node.value);
  if (!match) return undefined;
  const caption = (/<figcaption>([\s\S]*?)<\/figcaption>/.exec(match[2] ?? '')?.[1] ?? '').replace(/<[^>]+>/g, '');
  return { id: match[1] ?? '', line: node.position?.start.line ?? 0, links, caption: caption.trim() };
}

/** Parses an EC line range such as `33-34` or `3,5-7` into 1-based line numbers. */
export function parseLineRange(range: string): number[] {
  const lines: number[] = [];
  for (const part of range.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m)
      throw new UsageError(
        'RANGE_INVALID',
        `줄 범위 "${range}" 를 해석할 수 없습니다.`,
        '예: ins={33-34} 또는 ins={3,5-7}',
      );
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let n = from; n <= to; n++) lines.push(n);
  }
  return lines;
}
