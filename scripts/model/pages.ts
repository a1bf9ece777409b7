import fs from 'node:fs';
import path from 'node:path';
import { pageOrder, projectFrontmatter } from './frontmatter.ts';
import { frontmatterOf } from './page.ts';

/** A docs page that declares a runbook and the Kubernetes versions it is verified on. */
export interface VerifiedPage {
  /** Path relative to the project root. */
  file: string;
  title: string;
  runbook: string;
  /** Kubernetes minors from the frontmatter, in the page's order (the first is the one the page shows). */
  kubernetes: string[];
  order: number;
  /** Site route, e.g. `appendix/metallb`. */
  slug: string;
  /** The runbook of the page this one continues from (frontmatter `runbook.continuesFrom`). */
  continuesFrom?: string;
}

const DOCS = 'src/content/docs';

/** Pages with a `runbook:` frontmatter, in the site's sidebar order (sidebar.order or its drop-in stand-ins, then path). */
export function verifiedPages(root: string): VerifiedPage[] {
  const pages: VerifiedPage[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.mdx?$/.test(entry.name)) {
        const fm = frontmatterOf(fs.readFileSync(path.join(root, rel), 'utf8'));
        const project = projectFrontmatter(fm, rel);
        const rb = project.runbook;
        if (!rb) continue;
        pages.push({
          file: rel,
          title: String(fm.title ?? rel),
          runbook: rb.name,
          kubernetes: rb.kubernetes,
          order: pageOrder({ ...project, sidebar: fm.sidebar as { order?: number } | undefined }) ?? Number.MAX_SAFE_INTEGER,
          slug: rel.slice(DOCS.length + 1).replace(/\.mdx?$/, '').replace(/(^|\/)index$/, ''),
          ...(rb.continuesFrom ? { continuesFrom: rb.continuesFrom } : {}),
        });
      }
    }
  };
  walk(DOCS);
  return pages.sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
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
export function continuationChain(page: VerifiedPage, pages: readonly VerifiedPage[]): VerifiedPage[] | { error: string } {
  const chain = [page];
  for (let at = page; at.continuesFrom; ) {
    const name = at.continuesFrom;
    const before = pages.find((p) => p.runbook === name);
    if (!before) return { error: `${at.file}: runbook.continuesFrom 의 "${name}" 을 runbook.name 으로 밝힌 페이지가 없습니다 (있는 런북: ${pages.map((p) => p.runbook).join(', ')}).` };
    if (chain.includes(before)) return { error: `${page.file}: runbook.continuesFrom 이 돌고 돕니다: ${[...chain].reverse().concat(before).map((p) => p.runbook).join(' → ')}.` };
    chain.unshift(before);
    at = before;
  }
  return chain;
}
