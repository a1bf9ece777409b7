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
