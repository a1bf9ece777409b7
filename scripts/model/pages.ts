import fs from 'node:fs';
import path from 'node:path';
import { pageOrder, projectFrontmatter } from './frontmatter.ts';
import { frontmatterOf, readPage, type Page } from './page.ts';
import { UsageError } from '../lib/errors.ts';

/** A docs page that declares a runbook and the Kubernetes versions it is verified on. */
export interface VerifiedPage {
  /** Relative to the project root. */
  file: string;
  title: string;
  runbook: string;
  /** Kubernetes minors from the frontmatter, in the page's order (the first is the one the page shows). */
  kubernetes: string[];
  order: number;
  /** Site route, e.g. `appendix/metallb`. */
  slug: string;
  continuesFrom?: string;
  translations?: Translation[];
}

/** A translation of a verified page at `<locale>/<same path>` (Starlight's layout), judged by the page's runs, never run itself. */
type Translation = Pick<VerifiedPage, 'file' | 'title' | 'slug'> & { locale: string };

export const DOCS = 'src/content/docs';

/** Pages with a `runbook:` frontmatter, in the site's sidebar order (sidebar.order or its drop-in stand-ins, then path). */
export function verifiedPages(root: string): VerifiedPage[] {
  const pages: VerifiedPage[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.mdx?$/.test(entry.name)) {
        const source = fs.readFileSync(path.join(root, rel), 'utf8');
        const fm = frontmatterOf(source);
        const project = projectFrontmatter(fm, rel, source);
        const rb = project.runbook;
        if (!rb) continue;
        pages.push({
          file: rel,
          title: String(fm.title ?? rel),
          runbook: rb.name,
          kubernetes: rb.kubernetes,
          order:
            pageOrder({ ...project, sidebar: fm.sidebar as { order?: number } | undefined }) ?? Number.MAX_SAFE_INTEGER,
          slug: rel
            .slice(DOCS.length + 1)
            .replace(/\.mdx?$/, '')
            .replace(/(^|\/)index$/, ''),
          ...(rb.continuesFrom ? { continuesFrom: rb.continuesFrom } : {}),
        });
      }
    }
  };
  walk(DOCS);
  return withTranslations(pages).sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
}

/**
 * Pages that declare the same runbook: one source page and its translations at `<locale>/<same path>`
 * with the same versions. The translations are folded into the source page; any other sharing of a
 * runbook is an error naming the files.
 */
function withTranslations(pages: VerifiedPage[]): VerifiedPage[] {
  const sources: VerifiedPage[] = [];
  const byRunbook = new Map<string, VerifiedPage[]>();
  for (const p of pages) byRunbook.set(p.runbook, [...(byRunbook.get(p.runbook) ?? []), p]);
  for (const [runbook, group] of byRunbook) {
    // The source is the page the others are `<locale>/<its path>` of: the shortest path.
    const [source, ...others] = group.sort((a, b) => a.slug.split('/').length - b.slug.split('/').length);
    if (!source) continue;
    const translations = others.map((t): Translation => {
      const locale = t.slug.split('/')[0] ?? '';
      if (t.slug !== `${locale}/${source.slug}`) {
        throw new UsageError(
          'RUNBOOK_SHARED',
          `${t.file}: 런북 "${runbook}" 을 ${source.file} 도 선언합니다. 한 런북은 한 페이지와 그 번역(<언어>/${source.slug}.md)만 선언할 수 있습니다.`,
          `번역이라면 ${DOCS}/${locale}/${source.slug}.md 에 두세요. 다른 페이지라면 런북을 따로 만드세요.`,
        );
      }
      if (t.kubernetes.join() !== source.kubernetes.join()) {
        throw new UsageError(
          'TRANSLATION_VERSIONS',
          `${t.file}: 번역의 runbook.kubernetes (${t.kubernetes.join(', ')}) 가 원문 ${source.file} 의 것 (${source.kubernetes.join(', ')}) 과 다릅니다.`,
          '번역은 원문의 실행으로 검증되므로 같은 버전 목록을 적으세요.',
        );
      }
      return { file: t.file, title: t.title, locale, slug: t.slug };
    });
    sources.push(translations.length > 0 ? { ...source, translations } : source);
  }
  return sources;
}

/** `reports/<runbook>/kubernetes-<minor>.json` */
export function reportPath(reportsDir: string, runbook: string, minor: string): string {
  return path.join(reportsDir, runbook, `kubernetes-${minor}.json`);
}

/**
 * The pages a page's verification runs on one sandbox, in order: the pages it continues from (each
 * `continuesFrom`, followed back), then the page itself. A name no page declares, or a loop, is an
 * error naming the page to fix.
 */
export function continuationChain(
  page: VerifiedPage,
  pages: readonly VerifiedPage[],
): VerifiedPage[] | { error: string } {
  const chain = [page];
  for (let at = page; at.continuesFrom;) {
    const name = at.continuesFrom;
    const before = pages.find((p) => p.runbook === name);
    if (!before)
      return {
        error: `${at.file}: runbook.continuesFrom 의 "${name}" 을 runbook.name 으로 밝힌 페이지가 없습니다 (있는 런북: ${pages.map((p) => p.runbook).join(', ')}).`,
      };
    if (chain.includes(before)) {
      const loop = [...chain].reverse().concat(before);
      return {
        error: `${page.file}: runbook.continuesFrom 이 돌고 돕니다: ${loop.map((p) => p.runbook).join(' → ')}.`,
      };
    }
    chain.unshift(before);
    at = before;
  }
  return chain;
}

/**
 * A translation as the verdict reads it: its own blocks and figure links, and the captions of the
 * page it translates. A caption is prose (what the reader is told to see), translated like the rest;
 * the links the reader opens must be the same as the ones the run checked.
 */
export function translatedPage(file: string, source: Page, root: string): Page {
  const page = readPage(file, root);
  const captions = new Map(source.anchors.map((a) => [a.id, a.caption]));
  return { ...page, anchors: page.anchors.map((a) => ({ ...a, caption: captions.get(a.id) ?? a.caption })) };
}
